#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weaver::cli {

// Adds `weaver compare BASE NEW` (two runs' cases side by side, with a
// Mann-Whitney U test over repetitions) to `app`; the returned function runs
// it after parsing and returns the exit code: 0 nothing regressed, 1 a case
// regressed or failed in NEW, 2 bad input.
std::function<int()> add_compare_command(CLI::App& app);

}  // namespace weaver::cli

#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weaver::cli {

// Adds `weaver trend DIR` (every results folder under DIR, oldest first: each
// case's metrics run after run, step changes marked) to `app`; the returned
// function runs it after parsing and returns the exit code: 0 no step up in
// the latest run, 1 some case stepped up (slower) in the latest run, 2 bad
// input or usage.
std::function<int()> add_trend_command(CLI::App& app);

}  // namespace weaver::cli

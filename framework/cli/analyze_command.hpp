#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weaver::cli {

// Adds `weaver analyze` to `app`; the returned function runs it after parsing
// and returns the exit code.
std::function<int()> add_analyze_command(CLI::App& app);

}  // namespace weaver::cli

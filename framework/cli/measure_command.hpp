#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weaver::cli {

// Adds `weaver measure`, the 2013 tool's command line: one SYN-flood
// measurement, its progress lines and its {'average': ...} result line.
std::function<int()> add_measure_command(CLI::App& app);

}  // namespace weaver::cli

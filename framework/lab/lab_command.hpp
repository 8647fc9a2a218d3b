#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weaver::cli {

// Registers `weaver lab up|down|status`. The returned function runs the
// command when it was the one parsed and returns its exit code, else -1.
std::function<int()> add_lab_command(CLI::App& app);

}  // namespace weaver::cli

#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace weaver::cli {

// Adds `weaver run` (the main job: every scenario on every configuration as
// Google Benchmark cases; --benchmark_* flags pass through) to `app`; the
// returned function runs it after parsing and returns the exit code.
std::function<int()> add_run_command(CLI::App& app, const char* program);

}  // namespace weaver::cli

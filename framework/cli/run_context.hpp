// The context a results folder records about its run: weaver's version and
// revision, when and where it ran, what it measured and the lab definition's
// SHA-256, so two results can be told apart later.
#pragma once

#include <chrono>
#include <string>

#include "run_target.hpp"
#include "weaver/reporters/run_results.hpp"

namespace weaver::cli {

reporters::RunContext run_context(const RunTarget& target, const std::string& label,
                                  std::chrono::system_clock::time_point started);

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace weaver::cli

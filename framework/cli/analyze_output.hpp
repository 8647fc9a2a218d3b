// How `weaver analyze` shows a LatencyResult: a table for people, JSON for
// scripts (with the 2013 tool's keys so its users' scripts keep working).
#pragma once

#include <nlohmann/json.hpp>
#include <ostream>

#include "weaver/analysis/latency_result.hpp"

namespace weaver::cli {

void print_table(const analysis::LatencyResult& result, std::ostream& out);
nlohmann::json to_json(const analysis::LatencyResult& result);

}  // namespace weaver::cli

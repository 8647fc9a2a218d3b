// weaver's side of one case repetition for the results folder: what was
// measured (scenario, configuration, traffic) and the full latency histogram,
// which Google Benchmark's counters do not carry.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/reporters/run_results.hpp"

namespace weaver::scenarios {

// `outcome` holds the result, or the error of a case that failed.
reporters::CaseRun case_details(const std::string& case_name, const Scenario& scenario,
                                const orchestrator::Configuration& configuration,
                                const std::vector<std::int64_t>& values,
                                const orchestrator::Orchestrator::Outcome& outcome);

}  // namespace weaver::scenarios

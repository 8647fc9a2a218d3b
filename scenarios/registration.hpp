// Every scenario for every configuration as a Google Benchmark family:
// SynFlood/lab-bridge/size:64/rate:10000/count:2000. One iteration is one
// traffic run; its manual time is the mean PIF->VIF latency, so the Time
// column, aggregates and Google Benchmark's compare tool speak latency.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "scenarios/scenario.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/reporters/run_results.hpp"

namespace weaver::scenarios {

struct RegistrationOptions {
  // Runs each case on every configuration of a different hypervisor at once
  // (when the first of them comes up), keeping the results for their turn.
  bool parallel_hypervisors = false;
  // Called as each case repetition ends, before Google Benchmark reports it,
  // with weaver's side of it (see scenarios/case_details.hpp).
  std::function<void(reporters::CaseRun)> on_case;
};

// What the registered cases did, for the exit code.
struct CaseTally {
  int measured = 0;
  int failed = 0;
};

// Returns the number of families registered. The orchestrator and the tally
// must outlive benchmark::RunSpecifiedBenchmarks().
std::size_t register_cases(const std::vector<Scenario>& scenarios,
                           orchestrator::Orchestrator& orchestrator,
                           const RegistrationOptions& options, CaseTally& tally);

}  // namespace weaver::scenarios

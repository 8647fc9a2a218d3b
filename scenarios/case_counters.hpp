// A case's result as Google Benchmark counters: latency in microseconds,
// packet counts, capture drops and the rate the PIF saw.
#pragma once

#include <benchmark/benchmark.h>

#include "weaver/orchestrator/orchestrator.hpp"

namespace weaver::scenarios {

// The counter names, in the order reports list them.
const std::vector<std::string>& counter_names();

// Also labels a case whose source fell short of the asked rate or had to
// retry sends, so a lighter load than the name says does not pass unseen.
void report_case(benchmark::State& state, const orchestrator::CaseResult& result,
                 const orchestrator::TrafficSpec& spec);

}  // namespace weaver::scenarios

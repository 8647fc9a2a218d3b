// What the regression trackers' files hold: per case, the figures of every
// successful repetition of the measures a tracker should follow, summarised
// as median, lowest and highest.
#pragma once

#include <string>
#include <vector>

#include "weaver/reporters/run_results.hpp"

namespace weaver::reporters {

struct TrackedMeasure {
  std::string name;  // the counter: p50_us, p99_us, p999_us, lost
  std::string unit;  // "us", "packets"
  double median = 0;
  double lowest = 0;
  double highest = 0;
  std::size_t repetitions = 0;
};

struct TrackedCase {
  std::string name;
  std::vector<TrackedMeasure> measures;
};

// In the order the cases first ran; a case without a successful repetition
// has no figures and is left out.
std::vector<TrackedCase> tracked_cases(const RunResults& results);

}  // namespace weaver::reporters

// Google Benchmark flags that change what a run shows. weaver takes them out
// of what Google Benchmark sees and shows accordingly itself, so the results
// folder (and --benchmark_out) always gets every repetition: left to Google
// Benchmark, --benchmark_report_aggregates_only would drop the repetitions
// from every reporter, and --benchmark_display_aggregates_only from the one
// weaver keeps its results through.
#pragma once

#include <string>
#include <vector>

namespace weaver::cli {

struct DisplayFlags {
  bool aggregates_only = false;  // either aggregates-only flag, true
};

// Removes --benchmark_report_aggregates_only[=V] and
// --benchmark_display_aggregates_only[=V] from `flags` and says what they
// asked (the last of each wins, as in Google Benchmark). Throws UsageError for
// a value that is not a boolean.
DisplayFlags take_display_flags(std::vector<std::string>& flags);

}  // namespace weaver::cli

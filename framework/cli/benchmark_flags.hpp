// Google Benchmark flags weaver reads before Google Benchmark does.
//
// Flags that change what a run shows: weaver takes them out
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

// --benchmark_filter is a regular expression for std::regex, which recurses
// per nesting level and overflows the stack on a deep one: refused (UsageError)
// above 1024 characters or 32 levels of parentheses or brackets.
void check_benchmark_filter(const std::vector<std::string>& flags);

}  // namespace weaver::cli

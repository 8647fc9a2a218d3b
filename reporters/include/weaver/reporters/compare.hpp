// Two benchmark runs side by side: per case the base and new value of each
// chosen metric, the change, and with repetitions on both sides a
// Mann-Whitney U test of whether the change is more than noise.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weaver/reporters/run_report.hpp"

namespace weaver::reporters {

struct CompareOptions {
  // Counter names ("p99_us", or "p99" for it) or "time" (the manual time).
  std::vector<std::string> metrics = {"p50_us", "p99_us"};
  // A change beyond this many percent counts (latency up: regression).
  double threshold_pct = 10.0;
  // With >= 2 repetitions on both sides the change must also have p < alpha.
  double alpha = 0.05;
};

// The U test has little power below this many repetitions a side.
inline constexpr std::size_t recommended_repetitions = 9;

enum class Verdict {
  regressed,
  improved,
  unchanged,
  only_in_base,
  only_in_new,
  failed,
  base_failed
};

// "regressed", "only_in_base", ...
std::string_view verdict_name(Verdict verdict);

struct MetricComparison {
  std::string metric;
  // The median over repetitions; absent when that side has no value.
  std::optional<double> base;
  std::optional<double> current;
  // (new - base) / base in percent; +-infinity when base is 0 and new is not.
  std::optional<double> change_pct;
  // Only when both sides have >= 2 values.
  std::optional<double> p_value;
  Verdict verdict = Verdict::unchanged;
};

struct CaseComparison {
  std::string name;
  Verdict verdict = Verdict::unchanged;
  std::vector<MetricComparison> metrics;  // in CompareOptions::metrics order
  std::size_t base_repetitions = 0;
  std::size_t new_repetitions = 0;
  // For failed and base_failed: what went wrong.
  std::optional<std::string> error;
};

struct CompareSummary {
  std::size_t regressed = 0, improved = 0, unchanged = 0;
  std::size_t only_in_base = 0, only_in_new = 0, failed = 0, base_failed = 0;
};

struct Comparison {
  std::string base_source;
  std::string new_source;
  CompareOptions options;  // metrics resolved to the counter names in the files
  // Base cases in base order, then the cases only in new.
  std::vector<CaseComparison> cases;
  CompareSummary summary;
  // Some U test ran with fewer than recommended_repetitions on a side.
  bool underpowered_test = false;
};

// Throws UsageError for a metric neither run reports, or a bad threshold/alpha.
Comparison compare_runs(const RunReport& base, const RunReport& current,
                        const CompareOptions& options);

// 1 when a case regressed or failed on the new side, else 0.
int compare_exit_code(const Comparison& comparison);

}  // namespace weaver::reporters

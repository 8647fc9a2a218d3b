// One benchmark run as written by `weaver run --benchmark_out=... --benchmark_format=json`
// (Google Benchmark JSON): its cases, each with the value of every metric in
// every repetition.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weaver::reporters {

// The metric name under which a case's manual time (real_time, the mean
// latency) is kept, in microseconds whatever the file's time_unit.
inline constexpr std::string_view time_metric = "time";

struct CaseResult {
  // The case name without the repetition suffix (Google Benchmark's run_name).
  std::string name;
  // Metric (counter name, or "time") -> its value in each repetition that
  // reported it, in repetition order.
  std::map<std::string, std::vector<double>> values;
  // Repetitions seen, the failed ones included.
  std::size_t repetitions = 0;
  std::size_t failed_repetitions = 0;
  // The first failed repetition's error_message.
  std::optional<std::string> error;

  bool failed() const { return failed_repetitions > 0; }
};

struct RunReport {
  // The JSON file read (for a results folder: the weaver.json in it).
  std::string source;
  // In the order of their first entry in the file.
  std::vector<CaseResult> cases;

  const CaseResult* find(std::string_view name) const;
};

// Reads `path`: a Google Benchmark JSON file, or a results folder holding
// weaver.json. Throws InputError naming `path` when it is missing, is not
// JSON or has no "benchmarks" array. Aggregate entries (mean, median, ...)
// are skipped; a case reported by aggregates only takes its mean as its
// single repetition.
RunReport read_run_report(const std::filesystem::path& path);

// Same, from JSON text; `source` names it in errors.
RunReport parse_run_report(std::string_view json_text, const std::string& source);

// Whether a rise of `metric` is the good direction: the packet counts and
// rates (matched, sent, achieved_pps). For every other metric (latencies,
// lost, capture drops, reordering) a rise is the regression.
bool higher_is_better(std::string_view metric);

// The metrics --metric names, as the runs report them: "p99" means the
// counter p99_us, "time" is always there; duplicates dropped. Throws
// UsageError for an empty list, or a name no run reports (listing those
// that are).
std::vector<std::string> resolve_metrics(const std::vector<std::string>& wanted,
                                         const std::vector<const RunReport*>& runs);

}  // namespace weaver::reporters

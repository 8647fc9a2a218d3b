// The reporter `weaver run` gives Google Benchmark. It shows the run on the
// display reporter Google Benchmark would have used (--benchmark_format) and
// keeps what the results folder needs: Google Benchmark's own JSON of the run,
// and every case repetition joined with weaver's side of it (scenario,
// configuration, traffic, histogram, kept captures). What is shown never
// changes what is kept: weaver takes Google Benchmark's aggregates-only flags
// itself (show_aggregates_only), so every repetition still arrives here.
#pragma once

#include <benchmark/benchmark.h>

#include <deque>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "weaver/reporters/run_results.hpp"

namespace weaver::reporters {

class ResultsReporter final : public benchmark::BenchmarkReporter {
 public:
  // `display` may be null (nothing shown); it must outlive this reporter.
  ResultsReporter(benchmark::BenchmarkReporter* display, RunContext context);

  // weaver's side of one case repetition, given when the case ends, before
  // Google Benchmark reports it; `details.name` is the case name.
  void add_case(CaseRun details);

  // Called once, when Google Benchmark starts the first case (not when
  // nothing matches or the cases are only listed): the run's environment.
  void collect_environment_with(std::function<nlohmann::json()> collect) {
    collect_environment_ = std::move(collect);
  }
  // Shows a repeated case by its aggregates alone (what
  // --benchmark_display_aggregates_only / _report_aggregates_only ask for).
  void show_aggregates_only(bool only) { aggregates_only_ = only; }
  // Lines shown under Google Benchmark's context, in place of its remark on
  // how the library was built (weaver's figures are capture timestamps, not
  // timed code).
  void set_context_lines(std::string lines) { context_lines_ = std::move(lines); }

  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  RunResults& results() { return results_; }
  // Google Benchmark's JSON of everything reported so far (complete after Finalize).
  std::string benchmark_json() const { return json_text_.str(); }

 private:
  CaseRun joined(const Run& run);

  benchmark::BenchmarkReporter* display_;
  std::ostringstream json_text_;
  benchmark::JSONReporter json_;
  RunResults results_;
  std::map<std::string, std::deque<CaseRun>> pending_;  // per case name, in repetition order
  std::function<nlohmann::json()> collect_environment_;
  bool aggregates_only_ = false;
  std::string context_lines_;
};

// Google Benchmark's context text without its "***WARNING*** Library was
// built as DEBUG" line (Debian's libbenchmark is a debug build).
std::string without_build_type_warning(const std::string& context);

// The case name of a Google Benchmark run: the family name and its
// arguments, without Google Benchmark's own fields (iterations, manual_time).
std::string case_name_of(const benchmark::BenchmarkReporter::Run& run);

}  // namespace weaver::reporters

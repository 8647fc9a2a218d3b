// The reporter `weaver run` gives Google Benchmark. It shows the run on the
// display reporter Google Benchmark would have used (--benchmark_format) and
// keeps what the results folder needs: Google Benchmark's own JSON of the run,
// and every case repetition joined with weaver's side of it (scenario,
// configuration, traffic, histogram, kept captures).
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
};

// The case name of a Google Benchmark run: the family name and its
// arguments, without Google Benchmark's own fields (iterations, manual_time).
std::string case_name_of(const benchmark::BenchmarkReporter::Run& run);

}  // namespace weaver::reporters

#include "weaver/reporters/results_reporter.hpp"

#include <algorithm>
#include <utility>

namespace weaver::reporters {
namespace {

double microseconds_per(benchmark::TimeUnit unit) {
  switch (unit) {
    case benchmark::kNanosecond:
      return 1e-3;
    case benchmark::kMicrosecond:
      return 1.0;
    case benchmark::kMillisecond:
      return 1e3;
    case benchmark::kSecond:
      return 1e6;
  }
  return 1.0;
}

// "SynFlood/lab-bridge" -> scenario and configuration, for a run weaver
// gave no details of.
CaseRun from_name_only(const std::string& name) {
  CaseRun run;
  run.name = name;
  const std::size_t first = name.find('/');
  run.scenario = name.substr(0, first);
  if (first != std::string::npos) {
    const std::size_t second = name.find('/', first + 1);
    run.configuration =
        name.substr(first + 1, second == std::string::npos ? second : second - first - 1);
  }
  return run;
}

// Google Benchmark reports a repeated case twice: its repetitions, then its
// aggregates, which it computes when two or more repetitions succeeded.
bool aggregates_follow(const std::vector<benchmark::BenchmarkReporter::Run>& runs) {
  using Run = benchmark::BenchmarkReporter::Run;
  if (runs.empty() || runs.front().repetitions < 2) return false;
  if (std::any_of(runs.begin(), runs.end(), [](const Run& run) { return run.run_type != Run::RT_Iteration; })) {
    return false;
  }
  return std::count_if(runs.begin(), runs.end(), [](const Run& run) { return !run.error_occurred; }) >= 2;
}

}  // namespace

std::string without_build_type_warning(const std::string& context) {
  std::string kept;
  std::size_t start = 0;
  while (start < context.size()) {
    std::size_t end = context.find('\n', start);
    end = end == std::string::npos ? context.size() : end + 1;
    const std::string_view line(context.data() + start, end - start);
    if (line.find("Library was built as DEBUG") == std::string_view::npos) kept.append(line);
    start = end;
  }
  return kept;
}

std::string case_name_of(const benchmark::BenchmarkReporter::Run& run) {
  const auto& name = run.run_name;
  return name.args.empty() ? name.function_name : name.function_name + "/" + name.args;
}

ResultsReporter::ResultsReporter(benchmark::BenchmarkReporter* display, RunContext context)
    : display_(display) {
  results_.context = std::move(context);
  json_.SetOutputStream(&json_text_);
  json_.SetErrorStream(&json_text_);
}

void ResultsReporter::add_case(CaseRun details) {
  std::string name = details.name;
  pending_[name].push_back(std::move(details));
}

bool ResultsReporter::ReportContext(const Context& context) {
  if (collect_environment_) results_.environment = collect_environment_();
  json_.ReportContext(context);
  if (display_ == nullptr) return true;
  // The display writes its context to its error stream: pass it on without
  // the library's build-type warning, and with weaver's lines.
  std::ostream& shown = display_->GetErrorStream();
  std::ostringstream captured;
  display_->SetErrorStream(&captured);
  const bool go_on = display_->ReportContext(context);
  display_->SetErrorStream(&shown);
  shown << without_build_type_warning(captured.str()) << context_lines_;
  shown.flush();
  return go_on;
}

void ResultsReporter::ReportRuns(const std::vector<Run>& runs) {
  json_.ReportRuns(runs);
  if (display_ != nullptr && !(aggregates_only_ && aggregates_follow(runs))) display_->ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.run_type == Run::RT_Iteration) results_.runs.push_back(joined(run));
  }
}

void ResultsReporter::Finalize() {
  json_.Finalize();
  if (display_ != nullptr) display_->Finalize();
}

CaseRun ResultsReporter::joined(const Run& run) {
  const std::string name = case_name_of(run);
  CaseRun result;
  auto pending = pending_.find(name);
  if (pending != pending_.end() && !pending->second.empty()) {
    result = std::move(pending->second.front());
    pending->second.pop_front();
  } else {
    result = from_name_only(name);
  }
  result.repetition = static_cast<int>(std::max<std::int64_t>(run.repetition_index, 0));
  result.label = run.report_label;
  if (run.error_occurred) {
    result.error = run.error_message;
    result.counters.clear();
    result.histogram.clear();
    return result;
  }
  result.time_us = run.GetAdjustedRealTime() * microseconds_per(run.time_unit);
  for (const auto& [counter, value] : run.counters) result.counters[counter] = value.value;
  return result;
}

}  // namespace weaver::reporters

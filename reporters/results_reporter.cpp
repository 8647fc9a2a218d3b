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

}  // namespace

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
  return display_ == nullptr || display_->ReportContext(context);
}

void ResultsReporter::ReportRuns(const std::vector<Run>& runs) {
  json_.ReportRuns(runs);
  if (display_ != nullptr) display_->ReportRuns(runs);
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

#include "weaver/reporters/trend.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <system_error>
#include <tuple>

#include "weaver/error.hpp"

namespace weaver::reporters {
namespace {

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_';
}

// Why `folder` is not a results folder; nullopt when it is one.
std::optional<std::string> not_a_run_because(const std::filesystem::path& folder,
                                             const std::optional<RunFolderName>& name) {
  if (!name) return "not named <YYYYMMDDTHHMMSSZ>-<label>";
  std::error_code error;
  if (!std::filesystem::is_regular_file(folder / "weaver.json", error)) return "no weaver.json";
  return std::nullopt;
}

void check_directory(const std::filesystem::path& directory) {
  std::error_code error;
  const auto status = std::filesystem::status(directory, error);
  if (!std::filesystem::exists(status)) throw InputError(directory.string(), "no such folder");
  if (!std::filesystem::is_directory(status)) {
    throw InputError(directory.string(), "not a folder (expected a folder of results folders)");
  }
}

std::optional<double> median(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

double median_of(const std::vector<double>& values, std::size_t first, std::size_t end) {
  return *median(std::vector<double>(values.begin() + static_cast<std::ptrdiff_t>(first),
                                     values.begin() + static_cast<std::ptrdiff_t>(end)));
}

// The values that exist, with the run each is from.
struct PresentValues {
  std::vector<std::size_t> runs;
  std::vector<double> values;
};

PresentValues present_values(const std::vector<std::optional<double>>& values) {
  PresentValues present;
  for (std::size_t run = 0; run < values.size(); ++run) {
    if (!values[run]) continue;
    present.runs.push_back(run);
    present.values.push_back(*values[run]);
  }
  return present;
}

double change_pct(double before, double after) {
  if (before != 0.0) return (after - before) / std::abs(before) * 100.0;
  if (after == 0.0) return 0.0;
  return after > 0.0 ? std::numeric_limits<double>::infinity()
                     : -std::numeric_limits<double>::infinity();
}

// `change` goes beyond the threshold in the direction of `reference`.
bool beyond_same_way(double change, double reference, double threshold_pct) {
  return std::abs(change) > threshold_pct && (change > 0) == (reference > 0);
}

void check_threshold(double threshold_pct) {
  if (!std::isfinite(threshold_pct) || threshold_pct < 0.0) {
    throw UsageError("--threshold " + std::to_string(threshold_pct) +
                     ": expected a percentage >= 0");
  }
}

RunState state_of(const CaseResult* result) {
  if (result == nullptr) return RunState::absent;
  if (result->repetitions > 0 && result->failed_repetitions >= result->repetitions) {
    return RunState::failed;
  }
  return RunState::measured;
}

std::optional<double> value_of(const CaseResult* result, const std::string& metric) {
  if (state_of(result) != RunState::measured) return std::nullopt;
  const auto found = result->values.find(metric);
  return found == result->values.end() ? std::nullopt : median(found->second);
}

CaseTrend case_trend(const std::string& name, const std::vector<HistoryRun>& runs,
                     const TrendOptions& options) {
  CaseTrend trend_case;
  trend_case.name = name;
  std::vector<const CaseResult*> results;
  for (const HistoryRun& run : runs) {
    results.push_back(run.report.find(name));
    trend_case.states.push_back(state_of(results.back()));
  }
  for (const std::string& metric : options.metrics) {
    MetricTrend series;
    series.metric = metric;
    for (const CaseResult* result : results) series.values.push_back(value_of(result, metric));
    series.steps = find_steps(series.values, options.threshold_pct, &series.outliers);
    trend_case.metrics.push_back(std::move(series));
  }
  return trend_case;
}

}  // namespace

std::optional<RunFolderName> parse_run_folder_name(std::string_view name) {
  constexpr std::size_t stamp_size = 16;  // YYYYMMDDTHHMMSSZ
  if (name.size() < stamp_size + 2 || name[stamp_size] != '-') return std::nullopt;
  const std::string_view stamp = name.substr(0, stamp_size);
  if (!all_digits(stamp.substr(0, 8)) || stamp[8] != 'T' || !all_digits(stamp.substr(9, 6)) ||
      stamp[15] != 'Z') {
    return std::nullopt;
  }
  const std::string_view label = name.substr(stamp_size + 1);
  if (!std::all_of(label.begin(), label.end(), is_label_char)) return std::nullopt;
  return RunFolderName{std::string(stamp), std::string(label)};
}

std::string iso_timestamp(std::string_view t) {
  if (t.size() != 16) return std::string(t);
  return std::string(t.substr(0, 4)) + "-" + std::string(t.substr(4, 2)) + "-" +
         std::string(t.substr(6, 2)) + "T" + std::string(t.substr(9, 2)) + ":" +
         std::string(t.substr(11, 2)) + ":" + std::string(t.substr(13, 2)) + "Z";
}

RunHistory read_run_history(const std::filesystem::path& directory,
                            const std::optional<std::string>& label) {
  check_directory(directory);
  RunHistory history;
  history.directory = directory.string();
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    std::error_code error;
    if (!entry.is_directory(error)) continue;
    const std::string folder = entry.path().filename().string();
    const std::optional<RunFolderName> name = parse_run_folder_name(folder);
    if (const auto reason = not_a_run_because(entry.path(), name)) {
      history.skipped.push_back({folder, *reason});
      continue;
    }
    if (label && name->label != *label) continue;
    // One unreadable run does not stop the history: it is skipped, and says why.
    try {
      history.runs.push_back({folder, *name, read_run_report(entry.path())});
    } catch (const InputError& unreadable) {
      history.skipped.push_back({folder, unreadable.what()});
    }
  }
  std::sort(history.runs.begin(), history.runs.end(), [](const auto& a, const auto& b) {
    return std::tie(a.name.timestamp, a.folder) < std::tie(b.name.timestamp, b.folder);
  });
  std::sort(history.skipped.begin(), history.skipped.end(),
            [](const auto& a, const auto& b) { return a.folder < b.folder; });
  if (history.runs.empty()) {
    throw InputError(history.directory, "no results folder (<YYYYMMDDTHHMMSSZ>-" +
                                            label.value_or("<label>") + "/weaver.json) in it");
  }
  return history;
}

std::string_view direction_name(StepDirection direction) {
  return direction == StepDirection::up ? "up" : "down";
}

// A step at value i: the level before it, the median of the up to
// step_baseline_runs values before it (at least step_baseline_min_runs, none
// before the previous step), moves by more than the threshold in value i,
// had not moved yet in value i - 1 (unless that one was an outlier) and,
// when there is one, moves the same way beyond the threshold in value i + 1
// too. When value i + 1 is back within the threshold, value i is an
// outlier. Missing values (failed or absent) are passed over.
std::vector<Step> find_steps(const std::vector<std::optional<double>>& values, double threshold_pct,
                             std::vector<Outlier>* outliers) {
  const PresentValues present = present_values(values);
  const std::vector<double>& v = present.values;
  std::vector<Step> steps;
  std::size_t level_start = 0;  // the first value of the current level
  std::optional<std::size_t> last_outlier;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const std::size_t first =
        std::max(level_start, i > step_baseline_runs ? i - step_baseline_runs : 0);
    if (i - first < step_baseline_min_runs) continue;
    const double before = median_of(v, first, i);
    const double change = change_pct(before, v[i]);
    const bool moved_already =
        last_outlier != i - 1 && std::abs(change_pct(before, v[i - 1])) > threshold_pct;
    if (!(std::abs(change) > threshold_pct) || moved_already) continue;
    if (i + 1 < v.size() && !beyond_same_way(change_pct(before, v[i + 1]), change, threshold_pct)) {
      if (outliers) outliers->push_back({present.runs[i], change});
      last_outlier = i;
      continue;
    }
    const double after = median_of(v, i, std::min(i + step_after_runs, v.size()));
    const double step_change = change_pct(before, after);
    steps.push_back({present.runs[i], before, after, step_change,
                     step_change > 0 ? StepDirection::up : StepDirection::down});
    level_start = i;
  }
  return steps;
}

Trend build_trend(RunHistory history, const TrendOptions& options) {
  check_threshold(options.threshold_pct);
  Trend trend;
  trend.directory = history.directory;
  trend.options = options;
  std::vector<const RunReport*> reports;
  for (const HistoryRun& run : history.runs) reports.push_back(&run.report);
  trend.options.metrics = resolve_metrics(options.metrics, reports);
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const HistoryRun& run : history.runs) {
    for (const CaseResult& result : run.report.cases) {
      if (seen.insert(result.name).second) names.push_back(result.name);
    }
  }
  for (const std::string& name : names) {
    trend.cases.push_back(case_trend(name, history.runs, trend.options));
  }
  for (HistoryRun& run : history.runs) run.report.cases.clear();
  trend.runs = std::move(history.runs);
  return trend;
}

bool steps_worse_in_latest_run(const CaseTrend& trend_case, std::size_t runs) {
  return std::any_of(trend_case.metrics.begin(), trend_case.metrics.end(), [&](const auto& m) {
    const StepDirection worse = higher_is_better(m.metric) ? StepDirection::down : StepDirection::up;
    return std::any_of(m.steps.begin(), m.steps.end(), [&](const Step& step) {
      return step.run + 1 == runs && step.direction == worse;
    });
  });
}

std::vector<const CaseTrend*> cases_stepping_in_latest_run(const Trend& trend) {
  std::vector<const CaseTrend*> stepping;
  for (const CaseTrend& trend_case : trend.cases) {
    const bool steps = std::any_of(
        trend_case.metrics.begin(), trend_case.metrics.end(), [&](const MetricTrend& m) {
          return !m.steps.empty() && m.steps.back().run + 1 == trend.runs.size();
        });
    if (steps) stepping.push_back(&trend_case);
  }
  return stepping;
}

int trend_exit_code(const Trend& trend) {
  return std::any_of(
             trend.cases.begin(), trend.cases.end(),
             [&](const CaseTrend& c) { return steps_worse_in_latest_run(c, trend.runs.size()); })
             ? 1
             : 0;
}

}  // namespace weaver::reporters

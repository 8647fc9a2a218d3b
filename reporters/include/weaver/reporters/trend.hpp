// The history of a results directory (the nightly runs): every case's
// metrics run after run, with the step changes in them found.
#pragma once

#include <cstddef>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weaver/reporters/run_report.hpp"

namespace weaver::reporters {

// A results folder's name, `<YYYYMMDDTHHMMSSZ>-<label>`, taken apart.
struct RunFolderName {
  std::string timestamp;  // "20261128T002021Z": sorts as time does
  std::string label;      // "nightly"
};

// nullopt unless `name` is a timestamp, '-', and a label of letters, digits,
// '-' and '_' (so "20261128T002021Z-lab.partial", a run still being
// written, is not a results folder).
std::optional<RunFolderName> parse_run_folder_name(std::string_view name);

// "20261128T002021Z" -> "2026-11-28T00:20:21Z" (ISO 8601).
std::string iso_timestamp(std::string_view timestamp);

struct HistoryRun {
  std::string folder;  // the folder's name in the directory
  RunFolderName name;
  RunReport report;
};

struct SkippedFolder {
  std::string folder;
  std::string reason;
};

struct RunHistory {
  std::string directory;
  std::vector<HistoryRun> runs;  // oldest first
  std::vector<SkippedFolder> skipped;
};

// Reads every results folder directly under `directory` (with `label` set:
// only those with that label), oldest first. Subfolders that are not results
// folders (another name, no weaver.json) are listed in `skipped`. Throws
// InputError when `directory` is not a folder, when no run is found, or
// naming the weaver.json that cannot be read or is not Google Benchmark JSON.
RunHistory read_run_history(const std::filesystem::path& directory,
                            const std::optional<std::string>& label = std::nullopt);

struct TrendOptions {
  // Counter names ("p99_us", or "p99" for it) or "time" (the manual time).
  std::vector<std::string> metrics = {"p50_us", "p99_us"};
  // A change beyond this many percent is a step.
  double threshold_pct = 10.0;
};

// How many earlier runs make the level a run is held against, and how many
// runs from the one examined make the level after it.
inline constexpr std::size_t step_baseline_runs = 5;
inline constexpr std::size_t step_baseline_min_runs = 2;
inline constexpr std::size_t step_after_runs = 3;

enum class StepDirection { up, down };  // up: larger (for latency: slower)

std::string_view direction_name(StepDirection direction);  // "up", "down"

struct Step {
  std::size_t run = 0;  // index into the history's runs
  double before = 0;    // the level before: median of the baseline runs
  double after = 0;     // median of this run and the (up to 2) next
  double change_pct = 0;
  StepDirection direction = StepDirection::up;
};

// A single run beyond the threshold whose next run came back: not a step.
struct Outlier {
  std::size_t run = 0;
  double change_pct = 0;
};

// One value per run and where it moves. A value is a run's median over the
// repetitions that did not fail; nullopt when the case failed or was absent.
std::vector<Step> find_steps(const std::vector<std::optional<double>>& values, double threshold_pct,
                             std::vector<Outlier>* outliers = nullptr);

enum class RunState { measured, failed, absent };

struct MetricTrend {
  std::string metric;
  std::vector<std::optional<double>> values;  // one per run
  std::vector<Step> steps;
  std::vector<Outlier> outliers;
};

struct CaseTrend {
  std::string name;
  std::vector<RunState> states;      // one per run
  std::vector<MetricTrend> metrics;  // in TrendOptions::metrics order
};

struct Trend {
  std::string directory;
  std::vector<HistoryRun> runs;  // their reports emptied: the values are in `cases`
  TrendOptions options;          // metrics resolved to the counter names in the files
  std::vector<CaseTrend> cases;  // in order of first appearance, oldest run first
};

// Throws UsageError for a metric no run reports, or a bad threshold.
Trend build_trend(RunHistory history, const TrendOptions& options);

// The cases with a step (up or down) in the latest run.
std::vector<const CaseTrend*> cases_stepping_in_latest_run(const Trend& trend);
// Whether some metric of the case stepped the worse way in the latest run:
// up, or down for a metric where higher is better (higher_is_better()).
bool steps_worse_in_latest_run(const CaseTrend& trend_case, std::size_t runs);

// 1 when some case's metric stepped the worse way in the latest run, else 0.
int trend_exit_code(const Trend& trend);

// The formats (trend_format.cpp).
enum class TrendFormat { text, json, html };

// "text", "json", "html"; nullopt for anything else.
std::optional<TrendFormat> parse_trend_format(std::string_view name);

// A table per case (one row per run, steps marked "▲ +23.4%" / "▼ -15.0%"),
// then the cases with a step in the latest run.
std::string trend_text(const Trend& trend);

// {directory, metrics, threshold_pct, runs: [{folder, timestamp, label}],
//  cases: [{name, failed_runs, metrics: {p50_us: {values, steps, outliers}}}],
//  latest_run: {stepped, stepped_worse}}.
nlohmann::json trend_json(const Trend& trend);

// A self-contained page: a line chart per case (when `chart_library`, the
// library's inlinable source, is given; else one line saying why there are
// none) and the tables. Sets data-painted="true" on each chart canvas that
// holds a visible pixel, then body data-charts-drawn and data-ready="true".
std::string trend_html(const Trend& trend, const std::optional<std::string>& chart_library);

}  // namespace weaver::reporters

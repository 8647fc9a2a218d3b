// `weaver trend`: reading a folder of results folders in time order, the
// per-run medians, step changes against one-run spikes and noise, the three
// formats, and the CLI's exit codes.
#include "weaver/reporters/trend.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "run_program.hpp"
#include "synthetic_run.hpp"
#include "temp_dir.hpp"
#include "weaver/error.hpp"
#include "weaver/reporters/html_page.hpp"

namespace {

using namespace weaver::reporters;
using weaver::testing::gb_json;
using weaver::testing::SyntheticCase;
using weaver::testing::TempDirTest;
using weaver::testing::write_text;

const std::string kCase = "UdpStream/lab-bridge/size:64/rate:10000/count:2000/manual_time";

// "202611ddT002021Z" for day 1 + `day`.
std::string stamp(int day) {
  char text[32];
  std::snprintf(text, sizeof text, "202611%02dT002021Z", day + 1);
  return text;
}

// Three repetitions whose median is `value` (the others off by -2% and +5%).
std::vector<double> around(double value) { return {value * 1.05, value, value * 0.98}; }

SyntheticCase case_at(const std::string& name, double p50, double p99) {
  return SyntheticCase{name, around(p50), around(p99), std::nullopt};
}

std::vector<std::optional<double>> series(std::vector<double> values) {
  return {values.begin(), values.end()};
}

std::vector<std::size_t> step_runs(const std::vector<Step>& steps) {
  std::vector<std::size_t> runs;
  for (const Step& step : steps) runs.push_back(step.run);
  return runs;
}

class Trend : public TempDirTest {
 protected:
  std::filesystem::path results() const { return file("results"); }

  void write_run(const std::string& folder, const std::vector<SyntheticCase>& cases) {
    std::filesystem::create_directories(results() / folder);
    write_text((results() / folder / "weaver.json").string(), gb_json(cases));
  }

  // One nightly run per p99 value (p50 steady at 20 us), day by day.
  void write_history(const std::vector<double>& p99, int first_day = 0) {
    for (std::size_t i = 0; i < p99.size(); ++i) {
      write_run(stamp(first_day + static_cast<int>(i)) + "-nightly", {case_at(kCase, 20, p99[i])});
    }
  }

  weaver::reporters::Trend trend(TrendOptions options = {}) {
    return build_trend(read_run_history(results()), options);
  }

  weaver::testing::ProgramOutcome cli(std::vector<std::string> args) {
    args.insert(args.begin(), {WEAVER_BINARY, "trend"});
    return weaver::testing::run_program(std::move(args), file("stdout.txt"), file("stderr.txt"));
  }

  const MetricTrend& p99_of(const weaver::reporters::Trend& t) {
    return t.cases.at(0).metrics.at(1);
  }
};

TEST(TrendFolderName, TakesTimestampAndLabelApart) {
  const auto name = parse_run_folder_name("20261128T002021Z-nightly");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->timestamp, "20261128T002021Z");
  EXPECT_EQ(name->label, "nightly");
  EXPECT_EQ(iso_timestamp(name->timestamp), "2026-11-28T00:20:21Z");
  EXPECT_TRUE(parse_run_folder_name("20261128T002021Z-analyze-demo"));
  EXPECT_FALSE(parse_run_folder_name("20261128T002021Z-lab.partial"));
  EXPECT_FALSE(parse_run_folder_name("20261128T002021Z-"));
  EXPECT_FALSE(parse_run_folder_name("20261128-002021-lab"));
  EXPECT_FALSE(parse_run_folder_name("latest"));
}

TEST(TrendSteps, CleanStepIsFoundOnceWhereItStarts) {
  const auto steps = find_steps(series({50, 50, 50, 50, 50, 65, 65, 65, 65, 65, 65}), 10);
  ASSERT_EQ(steps.size(), 1u);
  EXPECT_EQ(steps[0].run, 5u);
  EXPECT_DOUBLE_EQ(steps[0].before, 50);
  EXPECT_DOUBLE_EQ(steps[0].after, 65);
  EXPECT_NEAR(steps[0].change_pct, 30.0, 1e-9);
  EXPECT_EQ(steps[0].direction, StepDirection::up);
}

TEST(TrendSteps, NeedsTwoRunsBeforeAndAfterTheLastStep) {
  EXPECT_TRUE(find_steps(series({50, 80, 80, 80}), 10).empty());
  EXPECT_EQ(step_runs(find_steps(series({50, 50, 80}), 10)), std::vector<std::size_t>{2});
  // Up then down again two runs later: two steps, the level reset between them.
  EXPECT_EQ(step_runs(find_steps(series({50, 50, 50, 80, 80, 50, 50}), 10)),
            (std::vector<std::size_t>{3, 5}));
}

TEST(TrendSteps, OneRunSpikeIsAnOutlierNotAStep) {
  std::vector<Outlier> outliers;
  const auto steps = find_steps(series({50, 50, 50, 50, 80, 50, 50, 50}), 10, &outliers);
  EXPECT_TRUE(steps.empty());
  ASSERT_EQ(outliers.size(), 1u);
  EXPECT_EQ(outliers[0].run, 4u);
  EXPECT_NEAR(outliers[0].change_pct, 60.0, 1e-9);
  // The same spike in the latest run cannot be told from a step yet.
  EXPECT_EQ(step_runs(find_steps(series({50, 50, 50, 50, 80}), 10)), std::vector<std::size_t>{4});
}

TEST(TrendSteps, StepRightAfterAnOutlierIsStillFound) {
  std::vector<Outlier> outliers;
  const auto steps = find_steps(series({50, 50, 50, 50, 30, 65, 65, 65}), 10, &outliers);
  EXPECT_EQ(step_runs(steps), std::vector<std::size_t>{5});
  ASSERT_EQ(outliers.size(), 1u);
  EXPECT_EQ(outliers[0].run, 4u);
}

TEST(TrendSteps, NoiseBelowTheThresholdIsNeverAStep) {
  std::vector<double> values;
  for (int i = 0; i < 60; ++i) values.push_back(50.0 * (1.0 + 0.045 * std::sin(i * 1.7)));
  std::vector<Outlier> outliers;
  EXPECT_TRUE(find_steps(series(values), 10, &outliers).empty());
  EXPECT_TRUE(outliers.empty());
}

TEST(TrendSteps, MissingRunsArePassedOver) {
  std::vector<std::optional<double>> values = series({50, 50, 50, 65, 65});
  values.insert(values.begin() + 3, std::nullopt);  // failed the night before the step
  EXPECT_EQ(step_runs(find_steps(values, 10)), std::vector<std::size_t>{4});
}

// A case whose one metric stepped in the last of `runs` runs.
CaseTrend stepped_in_latest_run(const std::string& metric, StepDirection direction, std::size_t runs) {
  CaseTrend trend_case;
  trend_case.name = "U";
  MetricTrend series;
  series.metric = metric;
  series.steps.push_back(Step{runs - 1, 100, 70, -30, direction});
  trend_case.metrics.push_back(series);
  return trend_case;
}

TEST(TrendSteps, ForRatesAndCountsAStepDownIsTheWorseWay) {
  EXPECT_TRUE(steps_worse_in_latest_run(stepped_in_latest_run("p99_us", StepDirection::up, 8), 8));
  EXPECT_FALSE(steps_worse_in_latest_run(stepped_in_latest_run("p99_us", StepDirection::down, 8), 8));
  EXPECT_TRUE(steps_worse_in_latest_run(stepped_in_latest_run("achieved_pps", StepDirection::down, 8), 8));
  EXPECT_FALSE(steps_worse_in_latest_run(stepped_in_latest_run("matched", StepDirection::up, 8), 8));
  EXPECT_FALSE(steps_worse_in_latest_run(stepped_in_latest_run("lost", StepDirection::up, 8), 7))
      << "a step in an older run";
}

TEST_F(Trend, OrdersRunsByTimestampNotByListing) {
  // Written newest first, with labels that sort the other way.
  write_run(stamp(2) + "-a", {case_at(kCase, 20, 70)});
  write_run(stamp(0) + "-z", {case_at(kCase, 20, 50)});
  write_run(stamp(1) + "-m", {case_at(kCase, 20, 60)});
  const auto t = trend();
  ASSERT_EQ(t.runs.size(), 3u);
  EXPECT_EQ(t.runs[0].folder, stamp(0) + "-z");
  EXPECT_EQ(t.runs[1].name.label, "m");
  EXPECT_EQ(t.runs[2].name.timestamp, stamp(2));
  EXPECT_EQ(p99_of(t).values, series({50, 60, 70}));  // medians of the repetitions
}

TEST_F(Trend, StepUpInTheLatestRunExitsOne) {
  write_history({50, 50, 50, 50, 50, 65});
  const auto t = trend();
  EXPECT_TRUE(t.cases[0].metrics[0].steps.empty());  // p50 steady
  ASSERT_EQ(p99_of(t).steps.size(), 1u);
  EXPECT_EQ(p99_of(t).steps[0].run, 5u);
  EXPECT_EQ(trend_exit_code(t), 1);
  const std::string text = trend_text(t);
  EXPECT_NE(text.find("65.00  ▲ +30.0%"), std::string::npos) << text;
  EXPECT_NE(text.find("1 of 1 case(s) with a step"), std::string::npos) << text;
}

TEST_F(Trend, OlderStepUpIsReportedButExitsZero) {
  write_history({50, 50, 50, 50, 50, 65, 65, 65});
  const auto t = trend();
  EXPECT_EQ(step_runs(p99_of(t).steps), std::vector<std::size_t>{5});
  EXPECT_EQ(trend_exit_code(t), 0);
  EXPECT_NE(trend_text(t).find("no step in 1 case(s)"), std::string::npos);
}

TEST_F(Trend, StepDownIsReportedButExitsZero) {
  write_history({50, 50, 50, 50, 40});
  const auto t = trend();
  ASSERT_EQ(p99_of(t).steps.size(), 1u);
  EXPECT_EQ(p99_of(t).steps[0].direction, StepDirection::down);
  EXPECT_EQ(trend_exit_code(t), 0);
  EXPECT_NE(trend_text(t).find("▼ -20.0%"), std::string::npos) << trend_text(t);
}

TEST_F(Trend, FailedCaseIsShownAsFailed) {
  write_history({50, 50});
  write_run(stamp(2) + "-nightly", {SyntheticCase{kCase, {}, {}, "lab-bridge: no packets"}});
  write_run(stamp(3) + "-nightly", {case_at(kCase, 20, 50)});
  const auto t = trend();
  EXPECT_EQ(t.cases[0].states[2], RunState::failed);
  EXPECT_FALSE(p99_of(t).values[2].has_value());
  EXPECT_NE(trend_text(t).find("failed"), std::string::npos);
  EXPECT_EQ(trend_json(t)["cases"][0]["failed_runs"], nlohmann::json({2}));
}

TEST_F(Trend, SkipsFoldersThatAreNotFinishedRuns) {
  write_history({50, 50});
  write_run(stamp(5) + "-lab.partial", {case_at(kCase, 20, 99)});
  std::filesystem::create_directories(results() / (stamp(6) + "-lab"));  // no weaver.json yet
  const auto history = read_run_history(results());
  EXPECT_EQ(history.runs.size(), 2u);
  ASSERT_EQ(history.skipped.size(), 2u);
  EXPECT_EQ(history.skipped[0].folder, stamp(5) + "-lab.partial");
  EXPECT_EQ(history.skipped[1].reason, "no weaver.json");
}

TEST_F(Trend, LabelKeepsOnlyThoseRuns) {
  write_history({50, 50, 50});
  write_run(stamp(9) + "-adhoc", {case_at(kCase, 20, 90)});
  EXPECT_EQ(read_run_history(results(), "nightly").runs.size(), 3u);
  EXPECT_THROW(read_run_history(results(), "weekly"), weaver::InputError);
}

TEST_F(Trend, UnknownMetricIsAUsageError) {
  write_history({50, 50});
  EXPECT_THROW(trend(TrendOptions{{"p42"}, 10}), weaver::UsageError);
  EXPECT_EQ(trend(TrendOptions{{"p99", "time"}, 10}).options.metrics,
            (std::vector<std::string>{"p99_us", "time"}));
}

TEST_F(Trend, JsonParsesBack) {
  write_history({50, 50, 50, 50, 80, 50, 50, 65});
  const auto document = nlohmann::json::parse(trend_json(trend()).dump(2));
  ASSERT_EQ(document["runs"].size(), 8u);
  EXPECT_EQ(document["runs"][0]["folder"], stamp(0) + "-nightly");
  EXPECT_EQ(document["runs"][0]["timestamp"], "2026-11-01T00:20:21Z");
  EXPECT_EQ(document["runs"][0]["label"], "nightly");
  const auto& p99 = document["cases"][0]["metrics"]["p99_us"];
  EXPECT_EQ(document["cases"][0]["name"], kCase);
  EXPECT_EQ(p99["values"].size(), 8u);
  EXPECT_EQ(p99["values"][4], 80.0);
  ASSERT_EQ(p99["steps"].size(), 1u);
  EXPECT_EQ(p99["steps"][0]["run"], 7);
  EXPECT_EQ(p99["steps"][0]["direction"], "up");
  EXPECT_NEAR(p99["steps"][0]["change_pct"].get<double>(), 30.0, 1e-9);
  EXPECT_EQ(p99["outliers"][0]["run"], 4);
  EXPECT_EQ(document["latest_run"]["stepped_worse"], nlohmann::json({kCase}));
  EXPECT_EQ(document["regressed"], true);
}

TEST_F(Trend, HtmlIsSelfContainedAndEscapesNames) {
  const std::string name = "Evil/<script>alert(1)</script>";
  for (int day = 0; day < 4; ++day) {
    write_run(stamp(day) + "-nightly", {case_at(name, 20, day == 3 ? 70 : 50)});
  }
  const std::string library = "window.Chart = function () {}; /* https://example.org */";
  const std::string html = trend_html(trend(), library);
  EXPECT_NE(html.find(library), std::string::npos);
  std::string page = html;
  page.erase(page.find(library), library.size());  // the library's own comments may hold URLs
  EXPECT_EQ(page.find("http://"), std::string::npos);
  EXPECT_EQ(page.find("https://"), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("document.body.dataset.ready"), std::string::npos);
  EXPECT_NE(page.find("animation: false"), std::string::npos);
  EXPECT_NE(page.find("id=\"chart-0\""), std::string::npos);
}

TEST_F(Trend, HtmlWithoutTheLibraryHasTablesAndSaysWhy) {
  write_history({50, 50, 50});
  const std::string html = trend_html(trend(), std::nullopt);
  EXPECT_NE(html.find("No charts: the chart library"), std::string::npos);
  EXPECT_EQ(html.find("<canvas"), std::string::npos);
  EXPECT_NE(html.find("<table>"), std::string::npos);
  EXPECT_NE(html.find("data-ready=\"true\""), std::string::npos);
}

TEST_F(Trend, HtmlInlinesThePackagedLibrary) {
  const auto library = load_chart_library();
  if (!library) GTEST_SKIP() << kChartLibraryPath << " is not installed";
  write_history({50, 50, 50});
  const std::string html = trend_html(trend(), library);
  EXPECT_NE(html.find("Chart.js v3"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
}

TEST_F(Trend, CliExitsOneOnAStepUpInTheLatestRun) {
  write_history({50, 50, 50, 50, 50, 65});
  const auto run = cli({results().string()});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("▲ +30.0%"), std::string::npos) << run.out;
}

TEST_F(Trend, CliExitsZeroOnAStepDownAndNotesSkippedFolders) {
  write_history({50, 50, 50, 40});
  std::filesystem::create_directories(results() / (stamp(8) + "-lab.partial"));
  const auto run = cli({results().string(), "--format", "json", "--metric", "p99"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "weaver trend: skipped " + stamp(8) +
                         "-lab.partial: not named <YYYYMMDDTHHMMSSZ>-<label>\n");
  const auto document = nlohmann::json::parse(run.out);
  EXPECT_EQ(document["cases"][0]["metrics"]["p99_us"]["steps"][0]["direction"], "down");
}

// One bad run does not stop the history: it is skipped with a note naming
// its file and what is wrong; with nothing readable left, exit 2.
TEST_F(Trend, CliSkipsAnUnreadableRunNamingTheFileAndField) {
  write_history({50, 50});
  std::filesystem::create_directories(results() / (stamp(4) + "-nightly"));
  const std::string broken = (results() / (stamp(4) + "-nightly") / "weaver.json").string();
  write_text(broken, R"({"benchmarks": [}])");
  std::filesystem::create_directories(results() / (stamp(5) + "-nightly"));
  const std::string wrong_type = (results() / (stamp(5) + "-nightly") / "weaver.json").string();
  write_text(wrong_type, R"({"benchmarks": [{"name": "A", "error_occurred": "yes"}]})");
  std::filesystem::create_directories(results() / (stamp(6) + "-nightly"));
  const std::string huge = (results() / (stamp(6) + "-nightly") / "weaver.json").string();
  write_text(huge, R"({"benchmarks": [{"name": "A", "p50_us": 1e400}]})");
  const auto run = cli({results().string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("skipped " + stamp(4) + "-nightly: " + broken + ": not JSON (parse error at byte 17)"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(wrong_type + ": benchmarks[0].error_occurred: expected true or false"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(huge + ": not usable JSON (number overflow parsing '1e400')"), std::string::npos)
      << run.err;
  EXPECT_NE(run.out.find(kCase), std::string::npos) << run.out;
  std::filesystem::remove_all(results());
  std::filesystem::create_directories(results() / (stamp(4) + "-nightly"));
  write_text((results() / (stamp(4) + "-nightly") / "weaver.json").string(), "{");
  EXPECT_EQ(cli({results().string()}).exit_code, 2);
}

TEST_F(Trend, CliWithoutRunsOrWithBadOptionsExitsTwo) {
  std::filesystem::create_directories(results());
  EXPECT_EQ(cli({results().string()}).exit_code, 2);
  write_history({50, 50});
  EXPECT_EQ(cli({results().string(), "--format", "csv"}).exit_code, 2);
  EXPECT_EQ(cli({results().string(), "--threshold", "-1"}).exit_code, 2);
  EXPECT_EQ(cli({file("absent")}).exit_code, 2);
}

TEST_F(Trend, CliWritesHtmlToAFile) {
  write_history({50, 50, 50});
  const auto run = cli({results().string(), "--format", "html", "--output", file("trend.html")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const std::string html = weaver::testing::read_text(file("trend.html"));
  EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
  EXPECT_NE(html.find(kCase), std::string::npos);
}

// --output replaces a regular file whole, and nothing else.
TEST_F(Trend, CliOutputNeverReplacesWhatIsNotARegularFile) {
  write_history({50, 50, 50});
  write_text(file("old.txt"), "the previous report\n");
  const auto replaced = cli({results().string(), "--output", file("old.txt")});
  EXPECT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_NE(weaver::testing::read_text(file("old.txt")).find(kCase), std::string::npos);
  const auto device = cli({results().string(), "--output", "/dev/null"});
  EXPECT_EQ(device.exit_code, 2);
  EXPECT_NE(device.err.find("--output /dev/null: is a device"), std::string::npos) << device.err;
  std::filesystem::create_directories(file("folder"));
  EXPECT_EQ(cli({results().string(), "--output", file("folder")}).exit_code, 2);
  std::filesystem::create_symlink(file("old.txt"), file("link.txt"));
  EXPECT_EQ(cli({results().string(), "--output", file("link.txt")}).exit_code, 2);
  for (const auto& entry : std::filesystem::directory_iterator(file("."))) {
    EXPECT_EQ(entry.path().filename().string().find(".partial-"), std::string::npos) << entry.path();
  }
}

}  // namespace

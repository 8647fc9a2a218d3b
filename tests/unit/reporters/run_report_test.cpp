// Reading Google Benchmark JSON: repetitions grouped by run_name, aggregates
// skipped, bare NaN accepted, failures kept, one-line errors naming the file.
#include "weaver/reporters/run_report.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "synthetic_run.hpp"
#include "temp_dir.hpp"
#include "weaver/error.hpp"
#include "weaver/reporters/json_number_tokens.hpp"

namespace {

using weaver::InputError;
using weaver::reporters::NonFiniteTokensAsNull;
using weaver::reporters::parse_run_report;
using weaver::reporters::read_run_report;
using weaver::testing::gb_json;
using weaver::testing::steady_case;
using weaver::testing::TempDirTest;
using weaver::testing::write_text;

class RunReportTest : public TempDirTest {
 protected:
  // The message of the InputError reading `path` throws ("" when none).
  static std::string read_error(const std::string& path) {
    try {
      read_run_report(path);
    } catch (const InputError& error) {
      return error.what();
    }
    return "";
  }
};

TEST(NonFiniteTokens, BecomeNullOutsideStringsOnly) {
  const NonFiniteTokensAsNull sanitized(
      R"({"a": NaN, "b": -NaN, "c": Infinity, "d": [-Infinity, inf], "NaN": "NaN inf", "e": 1})");
  EXPECT_EQ(sanitized.text(),
            R"({"a": null, "b": null, "c": null, "d": [null, null], "NaN": "NaN inf", "e": 1})");
}

TEST(NonFiniteTokens, KeepsEscapedQuotesInsideStrings) {
  const NonFiniteTokensAsNull sanitized(R"({"say \"NaN\"": NaN})");
  EXPECT_EQ(sanitized.text(), R"({"say \"NaN\"": null})");
}

TEST(NonFiniteTokens, MapsBytesBackToTheOriginal) {
  // "NaN" (3 bytes) became "null" (4): bytes after it sit one further on.
  const NonFiniteTokensAsNull sanitized(R"({"a": NaN, "b": x})");
  const std::size_t x_in_sanitized = sanitized.text().find('x');
  EXPECT_EQ(sanitized.original_byte(x_in_sanitized), std::string(R"({"a": NaN, "b": )").size());
  EXPECT_EQ(sanitized.original_byte(2), 2u);
}

TEST_F(RunReportTest, GroupsRepetitionsByRunNameAndSkipsAggregates) {
  write_text(file("run.json"), gb_json({steady_case("A/manual_time", 10, 20, 9),
                                        steady_case("B/manual_time", 30, 40, 9)}));
  ASSERT_NE(weaver::testing::gb_json({steady_case("A", 1, 2, 2)}).find("NaN"), std::string::npos);
  const auto report = read_run_report(file("run.json"));
  ASSERT_EQ(report.cases.size(), 2u);
  EXPECT_EQ(report.cases[0].name, "A/manual_time");
  EXPECT_EQ(report.cases[1].name, "B/manual_time");
  EXPECT_EQ(report.cases[0].repetitions, 9u);
  EXPECT_EQ(report.cases[0].values.at("p99_us").size(), 9u);
  EXPECT_EQ(report.cases[0].values.at("lost"), std::vector<double>(9, 0.0));
  EXPECT_FALSE(report.cases[0].failed());
  EXPECT_EQ(report.source, file("run.json"));
}

TEST_F(RunReportTest, TimeIsTheRealTimeInMicroseconds) {
  const auto report = parse_run_report(R"({"benchmarks": [
      {"name": "us", "run_type": "iteration", "real_time": 12.5, "time_unit": "us"},
      {"name": "ns", "run_type": "iteration", "real_time": 12500, "time_unit": "ns"},
      {"name": "ms", "real_time": 0.0125, "time_unit": "ms"}]})",
                                       "t.json");
  ASSERT_EQ(report.cases.size(), 3u);
  for (const auto& result : report.cases) {
    EXPECT_DOUBLE_EQ(result.values.at("time").at(0), 12.5) << result.name;
  }
}

TEST_F(RunReportTest, NameStandsInForAMissingRunName) {
  const auto report = parse_run_report(R"({"benchmarks": [
      {"name": "X", "p50_us": 1}, {"name": "X", "p50_us": 2},
      {"name": "X_mean", "run_name": "X", "run_type": "aggregate", "aggregate_name": "mean",
       "p50_us": 1.5}]})",
                                       "t.json");
  ASSERT_EQ(report.cases.size(), 1u);
  EXPECT_EQ(report.cases[0].values.at("p50_us"), (std::vector<double>{1, 2}));
}

TEST_F(RunReportTest, AggregatesOnlyGiveTheMeanAsOneRepetition) {
  const auto report = parse_run_report(R"({"benchmarks": [
      {"name": "X_mean", "run_name": "X", "run_type": "aggregate", "aggregate_name": "mean",
       "p50_us": 1.5},
      {"name": "X_cv", "run_name": "X", "run_type": "aggregate", "aggregate_name": "cv",
       "p50_us": NaN}]})",
                                       "t.json");
  ASSERT_EQ(report.cases.size(), 1u);
  EXPECT_EQ(report.cases[0].repetitions, 1u);
  EXPECT_EQ(report.cases[0].values.at("p50_us"), std::vector<double>{1.5});
}

TEST_F(RunReportTest, KeepsTheErrorOfAFailedCase) {
  weaver::testing::SyntheticCase failed;
  failed.error = "no VIF capture";
  const auto report = parse_run_report(gb_json({failed}), "t.json");
  ASSERT_EQ(report.cases.size(), 1u);
  EXPECT_TRUE(report.cases[0].failed());
  EXPECT_EQ(report.cases[0].error, "no VIF capture");
  EXPECT_FALSE(report.cases[0].values.contains("p50_us"));
}

TEST_F(RunReportTest, AResultsFolderMeansItsWeaverJson) {
  std::filesystem::create_directory(file("20240501T100000Z-lab"));
  write_text(file("20240501T100000Z-lab/weaver.json"), gb_json({steady_case("A", 10, 20, 3)}));
  const auto report = read_run_report(file("20240501T100000Z-lab"));
  EXPECT_EQ(report.cases.size(), 1u);
  EXPECT_EQ(report.source, file("20240501T100000Z-lab/weaver.json"));
}

TEST_F(RunReportTest, FolderWithoutWeaverJsonIsNamed) {
  std::filesystem::create_directory(file("empty"));
  EXPECT_EQ(read_error(file("empty")),
            file("empty") + ": a folder without weaver.json (not a results folder)");
}

TEST_F(RunReportTest, MissingFileIsNamed) {
  EXPECT_EQ(read_error(file("nowhere.json")), file("nowhere.json") + ": no such file or folder");
}

TEST_F(RunReportTest, MalformedJsonNamesTheFileAndByte) {
  write_text(file("new.json"), R"({"benchmarks": [}])");
  EXPECT_EQ(read_error(file("new.json")), file("new.json") + ": not JSON (parse error at byte 17)");
}

TEST_F(RunReportTest, ParseErrorByteCountsFromTheOriginalText) {
  // The NaN before the error becomes "null", one byte longer: the byte reported is the file's.
  write_text(file("new.json"), R"({"a": NaN, "benchmarks": [}])");
  EXPECT_EQ(read_error(file("new.json")), file("new.json") + ": not JSON (parse error at byte 27)");
}

TEST_F(RunReportTest, JsonWithoutBenchmarksArrayIsRefused) {
  write_text(file("other.json"), R"({"results": []})");
  EXPECT_EQ(read_error(file("other.json")),
            file("other.json") + ": no \"benchmarks\" array (not Google Benchmark JSON)");
  write_text(file("array.json"), "[1, 2]");
  EXPECT_NE(read_error(file("array.json")).find("no \"benchmarks\" array"), std::string::npos);
}

TEST_F(RunReportTest, EntryWithoutNameIsRefused) {
  write_text(file("x.json"), R"({"benchmarks": [{"p50_us": 1}]})");
  EXPECT_EQ(read_error(file("x.json")), file("x.json") + ": benchmarks[0]: no \"name\"");
}

}  // namespace

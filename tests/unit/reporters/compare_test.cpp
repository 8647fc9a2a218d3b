// The comparison of two runs: thresholds, the U test over repetitions,
// cases on one side only, failed cases, metric choice.
#include "weaver/reporters/compare.hpp"

#include <gtest/gtest.h>

#include "synthetic_run.hpp"
#include "weaver/error.hpp"
#include "weaver/reporters/run_report.hpp"

namespace {

using weaver::reporters::CaseComparison;
using weaver::reporters::compare_exit_code;
using weaver::reporters::compare_runs;
using weaver::reporters::CompareOptions;
using weaver::reporters::Comparison;
using weaver::reporters::parse_run_report;
using weaver::reporters::Verdict;
using weaver::testing::gb_json;
using weaver::testing::noisy;
using weaver::testing::steady_case;
using weaver::testing::SyntheticCase;

constexpr const char* udp =
    "UdpStream/lab-bridge/size:64/rate:10000/count:2000/iterations:1/manual_time";
constexpr const char* icmp =
    "IcmpEcho/lab-bridge/size:64/rate:1000/count:500/iterations:1/manual_time";

Comparison compare(const std::vector<SyntheticCase>& base,
                   const std::vector<SyntheticCase>& current, const CompareOptions& options = {}) {
  return compare_runs(parse_run_report(gb_json(base), "base.json"),
                      parse_run_report(gb_json(current), "new.json"), options);
}

// A case whose p99 moved by `factor` while p50 stayed.
SyntheticCase p99_scaled(const char* name, double factor, std::size_t repetitions) {
  SyntheticCase c = steady_case(name, 20, 50 * factor, repetitions, 11);
  c.p50_us = noisy(20, repetitions, 5);
  return c;
}

const CaseComparison& only_case(const Comparison& comparison) {
  EXPECT_EQ(comparison.cases.size(), 1u);
  return comparison.cases.front();
}

TEST(Compare, NoChangeExitsZero) {
  const auto comparison =
      compare({steady_case(udp, 20, 50, 9), steady_case(icmp, 30, 80, 9)},
              {steady_case(udp, 20, 50, 9, 1), steady_case(icmp, 30, 80, 9, 2)});
  ASSERT_EQ(comparison.cases.size(), 2u);
  for (const auto& result : comparison.cases) EXPECT_EQ(result.verdict, Verdict::unchanged);
  EXPECT_EQ(comparison.summary.unchanged, 2u);
  EXPECT_EQ(compare_exit_code(comparison), 0);
  EXPECT_FALSE(comparison.underpowered_test);
}

// NEW without figures (Google Benchmark's bare NaN becomes null) passes no
// gate: the metric BASE had and NEW lacks is a regression.
TEST(Compare, NewWithoutFiguresIsARegression) {
  const std::string base = R"({"benchmarks": [{"name": "A/x", "run_name": "A/x", "run_type": "iteration",
                                               "p50_us": 20, "p99_us": 50}]})";
  const std::string current = R"({"benchmarks": [{"name": "A/x", "run_name": "A/x", "run_type": "iteration",
                                                  "p50_us": NaN, "p99_us": null}]})";
  const auto comparison = compare_runs(parse_run_report(base, "base.json"), parse_run_report(current, "new.json"), {});
  EXPECT_EQ(only_case(comparison).verdict, Verdict::regressed);
  EXPECT_EQ(compare_exit_code(comparison), 1);
}

TEST(Compare, P99UpThirtyPercentWithNineRepetitionsRegresses) {
  const auto comparison = compare({p99_scaled(udp, 1.0, 9)}, {p99_scaled(udp, 1.3, 9)});
  const auto& result = only_case(comparison);
  EXPECT_EQ(result.verdict, Verdict::regressed);
  ASSERT_EQ(result.metrics.size(), 2u);
  const auto& p50 = result.metrics[0];
  const auto& p99 = result.metrics[1];
  EXPECT_EQ(p50.metric, "p50_us");
  EXPECT_EQ(p50.verdict, Verdict::unchanged);
  EXPECT_EQ(p99.metric, "p99_us");
  EXPECT_EQ(p99.verdict, Verdict::regressed);
  ASSERT_TRUE(p99.p_value.has_value());
  EXPECT_LT(*p99.p_value, 0.05);
  EXPECT_NEAR(*p99.change_pct, 30.0, 1.0);
  EXPECT_EQ(result.base_repetitions, 9u);
  EXPECT_EQ(result.new_repetitions, 9u);
  EXPECT_EQ(compare_exit_code(comparison), 1);
  EXPECT_FALSE(comparison.underpowered_test);
}

TEST(Compare, OneRepetitionLetsTheThresholdDecide) {
  const auto comparison = compare({p99_scaled(udp, 1.0, 1)}, {p99_scaled(udp, 1.3, 1)});
  const auto& result = only_case(comparison);
  EXPECT_EQ(result.verdict, Verdict::regressed);
  EXPECT_FALSE(result.metrics[1].p_value.has_value());
  EXPECT_EQ(compare_exit_code(comparison), 1);
  EXPECT_FALSE(comparison.underpowered_test);  // no test ran
}

// One repetition of one case reporting only an achieved rate.
std::string run_with_rate(double pps) {
  return R"({"benchmarks": [{"name": "U/iterations:1/manual_time", "run_name": "U/iterations:1/manual_time",
             "run_type": "iteration", "repetitions": 1, "repetition_index": 0, "real_time": 5,
             "time_unit": "us", "achieved_pps": )" +
         std::to_string(pps) + "}]}";
}

TEST(Compare, ForRatesAndCountsAFallIsTheRegression) {
  CompareOptions options;
  options.metrics = {"achieved_pps"};
  const auto base = parse_run_report(run_with_rate(10000), "base.json");
  const auto slower = compare_runs(base, parse_run_report(run_with_rate(7000), "new.json"), options);
  EXPECT_EQ(only_case(slower).verdict, Verdict::regressed);
  EXPECT_EQ(compare_exit_code(slower), 1);
  const auto faster = compare_runs(base, parse_run_report(run_with_rate(13000), "new.json"), options);
  EXPECT_EQ(only_case(faster).verdict, Verdict::improved);
  EXPECT_EQ(compare_exit_code(faster), 0);
}

TEST(Compare, FivePercentIsWithinTheThreshold) {
  const auto comparison = compare({p99_scaled(udp, 1.0, 9)}, {p99_scaled(udp, 1.05, 9)});
  const auto& result = only_case(comparison);
  EXPECT_EQ(result.verdict, Verdict::unchanged);
  EXPECT_LT(*result.metrics[1].p_value, 0.05);  // real, but too small to matter
  EXPECT_EQ(compare_exit_code(comparison), 0);
}

TEST(Compare, ThresholdIsAnOption) {
  CompareOptions options;
  options.threshold_pct = 3.0;
  const auto comparison = compare({p99_scaled(udp, 1.0, 9)}, {p99_scaled(udp, 1.05, 9)}, options);
  EXPECT_EQ(only_case(comparison).verdict, Verdict::regressed);
}

TEST(Compare, ABigChangeWithinTheNoiseIsNotARegression) {
  // Medians 30% apart, but the repetitions overlap: p is well above 0.05.
  SyntheticCase base{udp, {20, 20, 20}, {40, 52, 90}, std::nullopt};
  SyntheticCase current{udp, {20, 20, 20}, {30, 68, 95}, std::nullopt};
  const auto comparison = compare({base}, {current});
  const auto& p99 = only_case(comparison).metrics[1];
  EXPECT_GT(*p99.change_pct, 10.0);
  EXPECT_GE(*p99.p_value, 0.05);
  EXPECT_EQ(p99.verdict, Verdict::unchanged);
  EXPECT_TRUE(comparison.underpowered_test);
  EXPECT_EQ(compare_exit_code(comparison), 0);
}

TEST(Compare, ImprovementsAreReportedWithoutFailing) {
  const auto comparison = compare({p99_scaled(udp, 1.0, 9)}, {p99_scaled(udp, 0.7, 9)});
  EXPECT_EQ(only_case(comparison).verdict, Verdict::improved);
  EXPECT_EQ(comparison.summary.improved, 1u);
  EXPECT_EQ(compare_exit_code(comparison), 0);
}

TEST(Compare, CasesOnOneSideAreListed) {
  const auto comparison =
      compare({steady_case(udp, 20, 50, 3), steady_case(icmp, 30, 80, 3)},
              {steady_case(udp, 20, 50, 3), steady_case("UdpBurst/lab-bridge", 25, 60, 3)});
  ASSERT_EQ(comparison.cases.size(), 3u);
  EXPECT_EQ(comparison.cases[0].verdict, Verdict::unchanged);
  EXPECT_EQ(comparison.cases[1].name, icmp);
  EXPECT_EQ(comparison.cases[1].verdict, Verdict::only_in_base);
  EXPECT_EQ(comparison.cases[1].new_repetitions, 0u);
  EXPECT_EQ(comparison.cases[2].name, "UdpBurst/lab-bridge");
  EXPECT_EQ(comparison.cases[2].verdict, Verdict::only_in_new);
  EXPECT_EQ(comparison.summary.only_in_base, 1u);
  EXPECT_EQ(comparison.summary.only_in_new, 1u);
  EXPECT_EQ(compare_exit_code(comparison), 0);
}

TEST(Compare, ACaseFailedInNewIsARegression) {
  SyntheticCase failed{udp, {}, {}, "VIF capture empty"};
  const auto comparison = compare({steady_case(udp, 20, 50, 3)}, {failed});
  const auto& result = only_case(comparison);
  EXPECT_EQ(result.verdict, Verdict::failed);
  EXPECT_EQ(result.error, "VIF capture empty");
  EXPECT_EQ(comparison.summary.failed, 1u);
  EXPECT_EQ(compare_exit_code(comparison), 1);
}

TEST(Compare, ACaseFailedInBaseOnlyIsListed) {
  SyntheticCase failed{udp, {}, {}, "no route"};
  const auto comparison = compare({failed}, {steady_case(udp, 20, 50, 3)});
  EXPECT_EQ(only_case(comparison).verdict, Verdict::base_failed);
  EXPECT_EQ(only_case(comparison).error, "no route");
  EXPECT_EQ(compare_exit_code(comparison), 0);
}

TEST(Compare, FewRepetitionsAreFlagged) {
  const auto comparison = compare({p99_scaled(udp, 1.0, 3)}, {p99_scaled(udp, 1.0, 3)});
  EXPECT_TRUE(comparison.underpowered_test);
}

TEST(Compare, MetricByShortNameOrTime) {
  CompareOptions options;
  options.metrics = {"p99"};
  auto comparison = compare({p99_scaled(udp, 1.0, 1)}, {p99_scaled(udp, 1.3, 1)}, options);
  ASSERT_EQ(comparison.options.metrics, std::vector<std::string>{"p99_us"});
  EXPECT_EQ(only_case(comparison).verdict, Verdict::regressed);

  options.metrics = {"time"};  // real_time = 1.05 * p50: unchanged
  comparison = compare({p99_scaled(udp, 1.0, 1)}, {p99_scaled(udp, 1.3, 1)}, options);
  ASSERT_EQ(only_case(comparison).metrics.size(), 1u);
  EXPECT_EQ(only_case(comparison).metrics[0].metric, "time");
  EXPECT_NEAR(*only_case(comparison).metrics[0].base, 21.0, 0.5);
  EXPECT_EQ(only_case(comparison).verdict, Verdict::unchanged);
}

TEST(Compare, UnknownMetricIsAUsageError) {
  CompareOptions options;
  options.metrics = {"p42"};
  try {
    compare({steady_case(udp, 20, 50, 1)}, {steady_case(udp, 20, 50, 1)}, options);
    FAIL() << "no error";
  } catch (const weaver::UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("metric 'p42'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("p99_us"), std::string::npos) << error.what();
  }
}

TEST(Compare, BadLimitsAreUsageErrors) {
  CompareOptions options;
  options.alpha = 0;
  EXPECT_THROW(compare({}, {}, options), weaver::UsageError);
  options = {};
  options.threshold_pct = -1;
  EXPECT_THROW(compare({}, {}, options), weaver::UsageError);
}

TEST(Compare, ZeroBaseMakesAnyIncreaseARegression) {
  CompareOptions options;
  options.metrics = {"lost"};
  const auto base = parse_run_report(R"({"benchmarks": [{"name": "X", "lost": 0}]})", "b");
  const auto current = parse_run_report(R"({"benchmarks": [{"name": "X", "lost": 4}]})", "n");
  const auto comparison = compare_runs(base, current, options);
  EXPECT_EQ(only_case(comparison).verdict, Verdict::regressed);
  EXPECT_TRUE(std::isinf(*only_case(comparison).metrics[0].change_pct));
}

}  // namespace

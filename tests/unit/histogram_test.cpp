#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "weaver/analysis/latency_histogram.hpp"

namespace {

using weaver::analysis::LatencyHistogram;

std::int64_t exact_nearest_rank(std::vector<std::int64_t> values, double fraction) {
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(values.size())));
  return values[std::max<std::size_t>(rank, 1) - 1];
}

TEST(LatencyHistogram, PercentilesWithinATenthOfAPercentOfExactNearestRank) {
  std::mt19937_64 random(42);
  std::lognormal_distribution<double> latency(10.0, 1.5);  // ns, wide spread
  std::vector<std::int64_t> values;
  LatencyHistogram histogram;
  for (int i = 0; i < 200000; ++i) {
    const auto value = static_cast<std::int64_t>(latency(random));
    values.push_back(value);
    histogram.record(value);
  }
  for (double fraction : {0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const auto exact = static_cast<double>(exact_nearest_rank(values, fraction));
    const auto measured = static_cast<double>(histogram.percentile(fraction));
    EXPECT_LE(std::abs(measured - exact), std::max(0.5, exact * 0.001)) << "fraction " << fraction;
  }
}

TEST(LatencyHistogram, NegativeDeltasRankBelowPositiveOnes) {
  LatencyHistogram histogram;
  for (std::int64_t value : {-5000, -20, 10, 3000, 7000}) histogram.record(value);
  EXPECT_EQ(histogram.negative_count(), 2u);
  EXPECT_NEAR(static_cast<double>(histogram.percentile(0.2)), -5000.0, 5.0);
  EXPECT_EQ(histogram.percentile(0.4), -20);  // below 2048 ns every value has its own bucket
  EXPECT_EQ(histogram.percentile(0.6), 10);
  EXPECT_NEAR(static_cast<double>(histogram.percentile(1.0)), 7000.0, 7.0);
}

}  // namespace

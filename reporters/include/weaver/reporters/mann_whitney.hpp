// The two-sided Mann-Whitney U test with the normal approximation, tie
// correction and continuity correction: the p-value of
// scipy.stats.mannwhitneyu(x, y, alternative='two-sided', method='asymptotic'),
// the test Google Benchmark's tools/compare.py applies to repetitions.
#pragma once

#include <span>

namespace weaver::reporters {

struct MannWhitneyResult {
  double u_x;      // U statistic of x: pairs (x_i, y_j) with x_i > y_j, ties counting 1/2
  double p_value;  // two-sided, in [0, 1]
};

// Needs at least one value in each sample (throws std::invalid_argument otherwise).
// All values equal: no evidence of a difference, p = 1.
MannWhitneyResult mann_whitney_u(std::span<const double> x, std::span<const double> y);

}  // namespace weaver::reporters

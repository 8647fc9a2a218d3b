// The two-sided asymptotic Mann-Whitney U test against reference p-values.
// The references come from an independent computation (U by counting pairs,
// the tie-corrected normal approximation with continuity correction, as
// scipy.stats.mannwhitneyu(alternative='two-sided', method='asymptotic')
// does): python3 with math.erfc, scipy not being installed.
#include "weaver/reporters/mann_whitney.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <stdexcept>
#include <vector>

namespace {

using weaver::reporters::mann_whitney_u;

struct Reference {
  const char* what;
  std::vector<double> x, y;
  double u_x, p_value;
};

const std::vector<Reference> references = {
    // The textbook case: complete separation. Without continuity correction it
    // would be 0.00902, the exact test gives 2/252 = 0.00794.
    {"separated", {1, 2, 3, 4, 5}, {6, 7, 8, 9, 10}, 0, 0.012185780355344818},
    {"separated, swapped", {6, 7, 8, 9, 10}, {1, 2, 3, 4, 5}, 25, 0.012185780355344818},
    // scipy's documentation example (males vs females), unequal sizes.
    {"unequal sizes", {19, 22, 16, 29, 24}, {20, 11, 17, 12}, 17, 0.11134688653314048},
    {"ties", {1, 2, 2, 3, 3, 3}, {2, 3, 3, 4, 4, 5}, 7, 0.07840293453326797},
    {"overlapping latencies",
     {10.1, 10.4, 9.8, 10.0, 10.2, 9.9, 10.3, 10.05, 9.95},
     {10.15, 10.35, 9.85, 10.6, 10.45, 10.25, 10.55, 10.7, 10.02},
     19,
     0.06368977513662871},
};

TEST(MannWhitney, MatchesReferenceValues) {
  for (const Reference& reference : references) {
    const auto result = mann_whitney_u(reference.x, reference.y);
    EXPECT_DOUBLE_EQ(result.u_x, reference.u_x) << reference.what;
    EXPECT_NEAR(result.p_value, reference.p_value, 1e-12) << reference.what;
  }
}

// U of x by its definition: pairs where x wins, ties counting half.
double u_by_pairs(const std::vector<double>& x, const std::vector<double>& y) {
  double u = 0;
  for (double a : x) {
    for (double b : y) u += a > b ? 1.0 : a == b ? 0.5 : 0.0;
  }
  return u;
}

// The normal approximation written out from the definition, for samples
// without ties: mean n1*n2/2, variance n1*n2*(n1+n2+1)/12, continuity 1/2.
double p_without_ties(const std::vector<double>& x, const std::vector<double>& y) {
  const double n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  const double u = u_by_pairs(x, y);
  const double distance = std::abs(u - n1 * n2 / 2.0) - 0.5;
  const double z = distance / std::sqrt(n1 * n2 * (n1 + n2 + 1.0) / 12.0);
  return std::min(1.0, 2.0 * 0.5 * std::erfc(z / std::sqrt(2.0)));
}

TEST(MannWhitney, AgreesWithTheFormulaOnSamplesWithoutTies) {
  const std::vector<std::vector<double>> samples = {
      {3.1, 4.7, 5.2, 6.9, 8.8, 9.4}, {1.2, 2.5, 7.3, 10.1}, {0.5, 11.4, 12.2}, {5.5, 5.6}};
  for (std::size_t i = 0; i < samples.size(); ++i) {
    for (std::size_t j = 0; j < samples.size(); ++j) {
      if (i == j) continue;
      const auto result = mann_whitney_u(samples[i], samples[j]);
      EXPECT_DOUBLE_EQ(result.u_x, u_by_pairs(samples[i], samples[j])) << i << " vs " << j;
      EXPECT_NEAR(result.p_value, p_without_ties(samples[i], samples[j]), 1e-12)
          << i << " vs " << j;
    }
  }
}

TEST(MannWhitney, IdenticalSamplesGiveOne) {
  EXPECT_DOUBLE_EQ(mann_whitney_u(std::vector<double>{4, 4, 4}, std::vector<double>{4, 4}).p_value,
                   1.0);
  EXPECT_DOUBLE_EQ(
      mann_whitney_u(std::vector<double>{1, 2, 3}, std::vector<double>{1, 2, 3}).p_value, 1.0);
}

TEST(MannWhitney, NineSeparatedRepetitionsAreSignificant) {
  std::vector<double> base, slower;
  for (int i = 0; i < 9; ++i) {
    base.push_back(100 + i * 0.1);
    slower.push_back(130 + i * 0.1);
  }
  EXPECT_LT(mann_whitney_u(base, slower).p_value, 0.001);
}

TEST(MannWhitney, RefusesAnEmptySample) {
  EXPECT_THROW(mann_whitney_u(std::vector<double>{}, std::vector<double>{1.0}),
               std::invalid_argument);
}

}  // namespace

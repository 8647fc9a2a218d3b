#include "weaver/reporters/mann_whitney.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace weaver::reporters {
namespace {

struct RankSums {
  double x_rank_sum = 0.0;
  // Sum over groups of tied values of t^3 - t (t: the group's size).
  double tie_term = 0.0;
};

// Ranks the pooled samples (1-based, ties sharing their mean rank).
RankSums rank_sums(std::span<const double> x, std::span<const double> y) {
  struct Value {
    double value;
    bool from_x;
  };
  std::vector<Value> pooled;
  pooled.reserve(x.size() + y.size());
  for (double v : x) pooled.push_back({v, true});
  for (double v : y) pooled.push_back({v, false});
  std::sort(pooled.begin(), pooled.end(),
            [](const Value& a, const Value& b) { return a.value < b.value; });

  RankSums sums;
  for (std::size_t first = 0; first < pooled.size();) {
    std::size_t end = first + 1;
    while (end < pooled.size() && pooled[end].value == pooled[first].value) ++end;
    const double tied = static_cast<double>(end - first);
    const double mean_rank = static_cast<double>(first + 1 + end) / 2.0;
    for (std::size_t i = first; i < end; ++i) {
      if (pooled[i].from_x) sums.x_rank_sum += mean_rank;
    }
    sums.tie_term += tied * tied * tied - tied;
    first = end;
  }
  return sums;
}

}  // namespace

MannWhitneyResult mann_whitney_u(std::span<const double> x, std::span<const double> y) {
  if (x.empty() || y.empty()) throw std::invalid_argument("mann_whitney_u: an empty sample");
  const double nx = static_cast<double>(x.size());
  const double ny = static_cast<double>(y.size());
  const double n = nx + ny;
  const RankSums sums = rank_sums(x, y);
  const double u_x = sums.x_rank_sum - nx * (nx + 1.0) / 2.0;
  const double u_y = nx * ny - u_x;

  const double mean_u = nx * ny / 2.0;
  const double variance = nx * ny / 12.0 * ((n + 1.0) - sums.tie_term / (n * (n - 1.0)));
  if (!(variance > 0.0)) return {u_x, 1.0};  // every value tied: no evidence either way
  // Two-sided: the larger U, half a unit closer to the mean (continuity).
  const double z = (std::max(u_x, u_y) - mean_u - 0.5) / std::sqrt(variance);
  const double p_value = std::erfc(z / std::sqrt(2.0));  // 2 * P(Z > z)
  return {u_x, std::clamp(p_value, 0.0, 1.0)};
}

}  // namespace weaver::reporters

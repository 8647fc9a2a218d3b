#include "weaver/analysis/latency_result.hpp"

#include <algorithm>
#include <cmath>

namespace weaver::analysis {

double DeltaMoments::mean_ns() const {
  return count == 0 ? 0.0 : static_cast<double>(static_cast<long double>(sum_ns) / count);
}

double DeltaMoments::stdev_ns() const {
  if (count == 0) return 0.0;
  // n^2 * variance = n * sum(x^2) - (sum x)^2, exact while it fits.
  Int128 scaled_squares = 0;
  Int128 squared_sum = 0;
  if (!__builtin_mul_overflow(static_cast<Int128>(count), sum_squares, &scaled_squares) &&
      !__builtin_mul_overflow(sum_ns, sum_ns, &squared_sum)) {
    const long double n = static_cast<long double>(count);
    return static_cast<double>(std::sqrt(static_cast<long double>(scaled_squares - squared_sum)) / n);
  }
  const long double mean = static_cast<long double>(sum_ns) / count;
  const long double variance = static_cast<long double>(sum_squares) / count - mean * mean;
  return static_cast<double>(std::sqrt(std::max(variance, 0.0L)));
}

double LatencyResult::match_ratio() const {
  return pif.keyed == 0 ? 0.0 : static_cast<double>(matched) / static_cast<double>(pif.keyed);
}

}  // namespace weaver::analysis

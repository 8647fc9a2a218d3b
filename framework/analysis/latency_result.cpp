#include "weaver/analysis/latency_result.hpp"

#include <cmath>

namespace weaver::analysis {

void DeltaMoments::add(std::int64_t delta_ns) {
  if (count == 0) {
    min_ns = max_ns = delta_ns;
  } else {
    min_ns = std::min(min_ns, delta_ns);
    max_ns = std::max(max_ns, delta_ns);
  }
  ++count;
  const double value = static_cast<double>(delta_ns);
  const double step = value - mean_ns;
  mean_ns += step / static_cast<double>(count);
  m2 += step * (value - mean_ns);
}

double DeltaMoments::stdev_ns() const {
  return count == 0 ? 0.0 : std::sqrt(m2 / static_cast<double>(count));
}

double LatencyResult::match_ratio() const {
  return pif.keyed == 0 ? 0.0 : static_cast<double>(matched) / static_cast<double>(pif.keyed);
}

}  // namespace weaver::analysis

#include "scenarios/scenario.hpp"

#include <fmt/format.h>

#include <limits>

#include "weaver/error.hpp"

namespace weaver::scenarios {
namespace {

// Sizes and bursts are ints in TrafficSpec; a value that does not fit is a
// caller's mistake, not something to truncate silently.
int to_int(const std::string& axis, std::int64_t value) {
  if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
    throw UsageError(fmt::format("axis {}: {} is out of range", axis, value));
  }
  return static_cast<int>(value);
}

void apply(orchestrator::TrafficSpec& spec, const std::string& axis, std::int64_t value) {
  if (axis == "size") {
    spec.frame_size = to_int(axis, value);
  } else if (axis == "rate") {
    spec.rate_pps = value;
  } else if (axis == "count") {
    spec.count = value;
  } else if (axis == "burst") {
    spec.burst = to_int(axis, value);
  } else if (axis == "burst_interval_us") {
    spec.burst_interval_us = value;
  } else {
    throw UsageError(
        fmt::format("unknown axis '{}' (axes: {})", axis, fmt::join(axis_names(), ", ")));
  }
}

}  // namespace

const std::vector<std::string>& axis_names() {
  static const std::vector<std::string> names = {"size", "rate", "count", "burst",
                                                 "burst_interval_us"};
  return names;
}

orchestrator::TrafficSpec Scenario::traffic(const std::vector<std::int64_t>& values) const {
  if (values.size() != axes.size()) {
    throw UsageError(
        fmt::format("scenario {}: {} values for {} axes", name, values.size(), axes.size()));
  }
  orchestrator::TrafficSpec spec = base;
  for (std::size_t i = 0; i < axes.size(); ++i) apply(spec, axes[i].name, values[i]);
  return spec;
}

}  // namespace weaver::scenarios

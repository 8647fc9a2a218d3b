#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "tracker_metrics.hpp"
#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {

std::string benchmark_action_json(const RunResults& results) {
  nlohmann::json entries = nlohmann::json::array();
  for (const TrackedCase& tracked : tracked_cases(results)) {
    for (const TrackedMeasure& measure : tracked.measures) {
      entries.push_back(
          {{"name", tracked.name + " " + measure.name},
           {"unit", measure.unit},
           {"value", measure.median},
           {"range", fmt::format("± {:g}", (measure.highest - measure.lowest) / 2)},
           {"extra", fmt::format("median of {} repetition(s), {:g} to {:g}", measure.repetitions,
                                 measure.lowest, measure.highest)}});
    }
  }
  return entries.dump(2) + "\n";
}

}  // namespace weaver::reporters

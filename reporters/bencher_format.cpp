#include <nlohmann/json.hpp>

#include "tracker_metrics.hpp"
#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {

std::string bencher_json(const RunResults& results) {
  nlohmann::json document = nlohmann::json::object();
  for (const TrackedCase& tracked : tracked_cases(results)) {
    nlohmann::json measures = nlohmann::json::object();
    for (const TrackedMeasure& measure : tracked.measures) {
      measures[measure.name] = {
          {"value", measure.median}, {"lower_value", measure.lowest}, {"upper_value", measure.highest}};
    }
    document[tracked.name] = std::move(measures);
  }
  return document.dump(2) + "\n";
}

}  // namespace weaver::reporters

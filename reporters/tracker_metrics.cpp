#include "tracker_metrics.hpp"

#include <algorithm>
#include <map>

namespace weaver::reporters {
namespace {

struct MeasureSpec {
  const char* counter;
  const char* unit;
};
constexpr MeasureSpec kTracked[] = {
    {"p50_us", "us"}, {"p99_us", "us"}, {"p999_us", "us"}, {"lost", "packets"}};

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

}  // namespace

std::vector<TrackedCase> tracked_cases(const RunResults& results) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const CaseRun*>> by_case;
  for (const CaseRun& run : results.runs) {
    if (run.error) continue;
    auto& runs = by_case[run.name];
    if (runs.empty()) order.push_back(run.name);
    runs.push_back(&run);
  }
  std::vector<TrackedCase> cases;
  for (const std::string& name : order) {
    TrackedCase tracked{name, {}};
    for (const MeasureSpec& spec : kTracked) {
      std::vector<double> values;
      for (const CaseRun* run : by_case[name]) {
        if (auto found = run->counters.find(spec.counter); found != run->counters.end()) {
          values.push_back(found->second);
        }
      }
      if (values.empty()) continue;
      const auto [lowest, highest] = std::minmax_element(values.begin(), values.end());
      tracked.measures.push_back({spec.counter, spec.unit, median_of(values), *lowest, *highest, values.size()});
    }
    cases.push_back(std::move(tracked));
  }
  return cases;
}

}  // namespace weaver::reporters

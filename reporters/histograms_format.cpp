#include <nlohmann/json.hpp>

#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {

std::string histograms_json(const RunResults& results) {
  nlohmann::json cases = nlohmann::json::array();
  for (const CaseRun& run : results.runs) {
    if (run.error) continue;
    nlohmann::json buckets = nlohmann::json::array();
    std::uint64_t packets = 0;
    for (const HistogramBucket& bucket : run.histogram) {
      buckets.push_back({bucket.lower_ns, bucket.upper_ns, bucket.count});
      packets += bucket.count;
    }
    cases.push_back({{"name", run.name},
                     {"scenario", run.scenario},
                     {"configuration", run.configuration},
                     {"repetition", run.repetition},
                     {"packets", packets},
                     {"buckets", std::move(buckets)}});
  }
  const nlohmann::json document{
      {"format", "weaver-histograms/1"},
      {"unit", "ns"},
      {"value", "PIF->VIF delay of each matched packet (negative: the VIF stamp came first)"},
      {"layout",
       "log-linear: one bucket per ns below 2048 ns, then every power of two split into 1024 "
       "equal buckets (< 0.1% wide); only non-empty buckets, ascending"},
      {"bucket", "[lower_ns, upper_ns, count], both bounds inclusive"},
      {"cases", std::move(cases)}};
  return document.dump() + "\n";
}

}  // namespace weaver::reporters

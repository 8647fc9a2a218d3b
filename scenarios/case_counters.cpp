#include "scenarios/case_counters.hpp"

#include <cmath>
#include <string>

namespace weaver::scenarios {
namespace {

double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

// A source below 95% of the asked rate measured a lighter load than the case
// name says; the label says so next to the figures.
constexpr double kRateShortfall = 0.95;

std::string source_warning(const orchestrator::CaseResult& result,
                           const orchestrator::TrafficSpec& spec) {
  std::string warning;
  if (spec.burst == 0 && spec.rate_pps > 0 && result.source_pps > 0 &&
      result.source_pps < kRateShortfall * static_cast<double>(spec.rate_pps)) {
    warning = "source below the asked rate: " + std::to_string(std::llround(result.source_pps)) +
              " of " + std::to_string(spec.rate_pps) + " pps";
  }
  if (result.send_errors > 0) {
    warning += (warning.empty() ? "" : "; ") + std::to_string(result.send_errors) +
               " sends retried on a full queue";
  }
  for (const std::string& note : result.warnings) warning += (warning.empty() ? "" : "; ") + note;
  return warning;
}

}  // namespace

const std::vector<std::string>& counter_names() {
  static const std::vector<std::string> names{
      "p50_us", "p90_us",   "p99_us",    "p999_us",       "min_us",       "max_us",
      "stdev_us", "matched", "lost",     "vif_only",      "reordered",    "capture_drops",
      "achieved_pps", "sent"};
  return names;
}

void report_case(benchmark::State& state, const orchestrator::CaseResult& result,
                 const orchestrator::TrafficSpec& spec) {
  const analysis::LatencyResult& latency = result.latency;
  const auto& histogram = latency.histogram;
  state.SetIterationTime(latency.moments.mean_ns() / 1e9);
  auto& counters = state.counters;
  counters["p50_us"] = us(histogram.percentile(0.50));
  counters["p90_us"] = us(histogram.percentile(0.90));
  counters["p99_us"] = us(histogram.percentile(0.99));
  counters["p999_us"] = us(histogram.percentile(0.999));
  counters["min_us"] = us(latency.moments.min_ns);
  counters["max_us"] = us(latency.moments.max_ns);
  counters["stdev_us"] = latency.moments.stdev_ns() / 1000.0;
  counters["matched"] = static_cast<double>(latency.matched);
  counters["lost"] = static_cast<double>(latency.pif_only);
  counters["vif_only"] = static_cast<double>(latency.vif_only);
  counters["reordered"] = static_cast<double>(latency.reordered);
  counters["capture_drops"] = static_cast<double>(result.pif_capture.dropped_by_kernel +
                                                  result.vif_capture.dropped_by_kernel);
  counters["achieved_pps"] = result.achieved_pps;
  counters["sent"] = static_cast<double>(result.sent);
  if (result.probes) {
    // The in-kernel probes' own losses, and the datapath's drops by reason.
    counters["tool_losses"] = static_cast<double>(result.probes->tool.total());
    for (const auto& [reason, count] : result.probes->lost_by_reason) {
      counters["lost." + reason] = static_cast<double>(count);
    }
  }
  if (const std::string warning = source_warning(result, spec); !warning.empty()) {
    state.SetLabel(warning);
  }
}

}  // namespace weaver::scenarios

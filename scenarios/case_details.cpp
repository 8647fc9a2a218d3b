#include "scenarios/case_details.hpp"

namespace weaver::scenarios {
namespace {

// Bursts set their own pace: their traffic has no rate.
std::vector<std::pair<std::string, std::int64_t>> parameters(
    const orchestrator::TrafficSpec& spec) {
  std::vector<std::pair<std::string, std::int64_t>> fields{{"size", spec.frame_size}};
  if (spec.burst == 0) fields.emplace_back("rate", spec.rate_pps);
  fields.insert(fields.end(), {{"count", spec.count},
                               {"burst", spec.burst},
                               {"burst_interval_us", spec.burst_interval_us}});
  return fields;
}

nlohmann::json capture_side(const orchestrator::CaptureStats& stats) {
  nlohmann::json side{{"captured", stats.captured},
                      {"received", stats.received_by_filter},
                      {"dropped", stats.dropped_by_kernel},
                      {"precision", stats.precision}};
  if (stats.method == "agent" || stats.method == "ebpf") {
    side["dropped_by_interface"] = stats.dropped_by_interface;
    side["timestamp_type"] = stats.timestamp_type;
  }
  return side;
}

std::vector<reporters::HistogramBucket> buckets(const analysis::LatencyHistogram& histogram) {
  std::vector<reporters::HistogramBucket> out;
  for (const auto& bucket : histogram.buckets())
    out.push_back({bucket.lower_ns, bucket.upper_ns, bucket.count});
  return out;
}

}  // namespace

reporters::CaseRun case_details(const std::string& case_name, const Scenario& scenario,
                                const orchestrator::Configuration& configuration,
                                const std::vector<std::int64_t>& values,
                                const orchestrator::Orchestrator::Outcome& outcome) {
  const orchestrator::TrafficSpec spec = scenario.traffic(values);
  reporters::CaseRun run;
  run.name = case_name;
  run.scenario = scenario.name;
  run.configuration = configuration.name;
  run.protocol = orchestrator::to_string(spec.protocol);
  run.direction = spec.direction == orchestrator::Direction::egress ? "egress" : "ingress";
  run.parameters = parameters(spec);
  if (!outcome.result) {
    run.error = outcome.error;
    return run;
  }
  const orchestrator::CaseResult& result = *outcome.result;
  run.case_seconds = result.case_seconds;
  run.pif = result.pif;
  run.vif = result.vif;
  run.histogram = buckets(result.latency.histogram);
  run.pif_capture = result.pif_file.string();
  run.vif_capture = result.vif_file.string();
  run.annotated_capture = result.annotated_file.string();
  run.capture_method = result.pif_capture.method;
  run.packets_file = result.packets_file.string();
  if (result.probes) {
    const agent::ProbeSummary& probes = *result.probes;
    run.lost_by_reason = probes.lost_by_reason;
    // The agent's own field lists, without what is shown elsewhere.
    const nlohmann::json summary = agent::to_json(probes);
    nlohmann::json tool = summary.at("tool_losses");
    tool["total"] = probes.tool.total();
    const std::uint64_t stamped = result.latency.pif.keyed;
    run.probes = {{"drop_sites", summary.at("drop_sites")},
                  {"tool_losses", std::move(tool)},
                  {"probe_ns_per_packet",
                   stamped > 0 ? static_cast<double>(probes.probe_ns) / static_cast<double>(stamped) : 0.0}};
  }
  run.capture = {{"method", result.pif_capture.method},
                 {"pif", capture_side(result.pif_capture)},
                 {"vif", capture_side(result.vif_capture)}};
  return run;
}

}  // namespace weaver::scenarios

#include "weaver/traffic/gen_report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace weaver::traffic {
namespace {

struct GapFigures {
  std::int64_t p50, p90, p99, p999, max;
};

GapFigures gap_figures(const analysis::LatencyHistogram& gaps) {
  return {gaps.percentile(0.50), gaps.percentile(0.90), gaps.percentile(0.99),
          gaps.percentile(0.999), gaps.percentile(1.0)};
}

std::string requested_rate(const Schedule& schedule) {
  if (schedule.burst > 0) {
    return fmt::format("bursts of {} every {} us", schedule.burst,
                       schedule.burst_interval.count() / 1000);
  }
  return schedule.rate_pps == 0 ? "max" : fmt::format("{} pps", schedule.rate_pps);
}

double microseconds(std::int64_t ns) { return static_cast<double>(ns) / 1e3; }

}  // namespace

std::string summary_text(const GenSummary& s) {
  const GapFigures gaps = gap_figures(s.report.gaps);
  return fmt::format(
      "sent {} {} frames of {} bytes to {} on {} in {:.6f} s{}\n"
      "rate {:.1f} pps (asked: {}), {} send errors, qdisc bypass {}\n"
      "gaps p50 {:.3f} us  p90 {:.3f} us  p99 {:.3f} us  p99.9 {:.3f} us  max {:.3f} us\n",
      s.report.sent, protocol_name(s.plan.frame.protocol), s.plan.frame.frame_size,
      s.plan.frame.destination.to_string(), s.interface, s.report.elapsed_seconds(),
      s.report.interrupted ? " (interrupted)" : "", s.report.achieved_pps(),
      requested_rate(s.plan.schedule), s.report.send_errors, s.bypasses_qdisc ? "on" : "off",
      microseconds(gaps.p50), microseconds(gaps.p90), microseconds(gaps.p99),
      microseconds(gaps.p999), microseconds(gaps.max));
}

std::string summary_json(const GenSummary& s) {
  const GapFigures gaps = gap_figures(s.report.gaps);
  nlohmann::json json = {
      {"sent", s.report.sent},
      {"send_errors", s.report.send_errors},
      {"elapsed_s", s.report.elapsed_seconds()},
      {"achieved_pps", s.report.achieved_pps()},
      {"requested_pps", s.plan.schedule.burst == 0 && s.plan.schedule.rate_pps != 0
                            ? nlohmann::json(s.plan.schedule.rate_pps)
                            : nlohmann::json(nullptr)},
      {"burst", s.plan.schedule.burst},
      {"burst_interval_us", s.plan.schedule.burst_interval.count() / 1000},
      {"interrupted", s.report.interrupted},
      {"protocol", protocol_name(s.plan.frame.protocol)},
      {"frame_size", s.plan.frame.frame_size},
      {"run_id", s.plan.frame.run_id},
      {"interface", s.interface},
      {"qdisc_bypass", s.bypasses_qdisc},
      {"gap_ns",
       {{"p50", gaps.p50}, {"p90", gaps.p90}, {"p99", gaps.p99}, {"p999", gaps.p999},
        {"max", gaps.max}}},
  };
  return json.dump() + "\n";
}

}  // namespace weaver::traffic

#include "analyze_output.hpp"

#include <fmt/format.h>

#include <string>

namespace weaver::cli {
namespace {

using analysis::CaptureCounts;
using analysis::LatencyResult;

double us(double ns) { return ns / 1000.0; }
double us(std::int64_t ns) { return static_cast<double>(ns) / 1000.0; }

struct Summary {
  double min_us, mean_us, stdev_us, p50_us, p90_us, p99_us, p999_us, max_us;
};

Summary summarize(const LatencyResult& r) {
  const auto& h = r.histogram;
  return {us(r.moments.min_ns),     us(r.moments.mean_ns()),    us(r.moments.stdev_ns()),
          us(h.percentile(0.50)),   us(h.percentile(0.90)),   us(h.percentile(0.99)),
          us(h.percentile(0.999)),  us(r.moments.max_ns)};
}

std::string capture_line(const char* side, const CaptureCounts& c) {
  std::string line = fmt::format("{}  {}  ({}, {} packets, {} matchable", side, c.path, c.format,
                                 c.packets, c.keyed);
  if (c.filtered) line += fmt::format(", {} filtered out", c.filtered);
  if (c.not_ip) line += fmt::format(", {} without IP", c.not_ip);
  if (c.malformed) line += fmt::format(", {} malformed", c.malformed);
  if (c.unkeyed) line += fmt::format(", {} without a key", c.unkeyed);
  return line + ")\n";
}

nlohmann::json capture_json(const CaptureCounts& c) {
  return {{"path", c.path},           {"format", c.format},
          {"packets", c.packets},     {"keyed", c.keyed},
          {"filtered", c.filtered},   {"not_ip", c.not_ip},
          {"malformed", c.malformed}, {"unkeyed", c.unkeyed},
          {"duplicates", c.duplicates}, {"payload_id_keys", c.payload_id_keys},
          {"hash_keys", c.hash_keys}};
}

std::string key_description(const LatencyResult& r) {
  std::string text(capture::key_kind_name(r.key));
  if (r.key == capture::KeyKind::automatic) {
    text += fmt::format(" (payload-id for {}, hash for {} PIF packets)", r.pif.payload_id_keys,
                        r.pif.hash_keys);
  }
  return text;
}

}  // namespace

void print_table(const LatencyResult& r, std::ostream& out) {
  const Summary s = summarize(r);
  out << capture_line("PIF", r.pif) << capture_line("VIF", r.vif);
  out << fmt::format("key {}, window {} s\n\n", key_description(r),
                     static_cast<double>(r.window_ns) / 1e9);
  out << fmt::format(
      "matched {} ({:.2f}% of PIF)  pif_only {}  vif_only {}  duplicates {}  reordered {}  "
      "negative {}\n\n",
      r.matched, 100.0 * r.match_ratio(), r.pif_only, r.vif_only, r.duplicates(), r.reordered,
      r.negative);
  out << "PIF->VIF latency (us)\n";
  out << fmt::format("{:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10}\n", "min", "mean",
                     "stdev", "p50", "p90", "p99", "p99.9", "max");
  out << fmt::format("{:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f} {:>10.3f}\n",
                     s.min_us, s.mean_us, s.stdev_us, s.p50_us, s.p90_us, s.p99_us, s.p999_us,
                     s.max_us);
}

nlohmann::json to_json(const LatencyResult& r) {
  const Summary s = summarize(r);
  nlohmann::json histogram = nlohmann::json::array();
  for (const auto& bucket : r.histogram.buckets()) {
    histogram.push_back({bucket.lower_ns, bucket.upper_ns, bucket.count});
  }
  return {
      {"matched", r.matched},
      {"pif_only", r.pif_only},
      {"vif_only", r.vif_only},
      {"duplicates", r.duplicates()},
      {"reordered", r.reordered},
      {"negative", r.negative},
      {"min_us", s.min_us},
      {"mean_us", s.mean_us},
      {"stdev_us", s.stdev_us},
      {"p50_us", s.p50_us},
      {"p90_us", s.p90_us},
      {"p99_us", s.p99_us},
      {"p999_us", s.p999_us},
      {"max_us", s.max_us},
      // The 2013 tool's keys, in microseconds.
      {"average", s.mean_us},
      {"minimum", s.min_us},
      {"maximum", s.max_us},
      {"stdev", s.stdev_us},
      {"key", std::string(capture::key_kind_name(r.key))},
      {"window_ns", r.window_ns},
      {"pif", capture_json(r.pif)},
      {"vif", capture_json(r.vif)},
      {"warnings", r.warnings},
      {"histogram_ns", histogram},
  };
}

}  // namespace weaver::cli

#include "weaver/agent/agent_protocol.hpp"

#include "weaver/error.hpp"

namespace weaver::agent {
namespace {

using nlohmann::json;
using analysis::CaptureCounts;
using Int128 = analysis::DeltaMoments::Int128;

template <typename T>
T field(const json& object, const char* name) {
  try {
    return object.at(name).get<T>();
  } catch (const json::exception&) {
    throw Error(std::string("agent reply: field '") + name + "' is missing or not of the expected type");
  }
}

// 128-bit sums travel as decimal strings: JSON numbers stop at 64 bits.
std::string int128_text(Int128 value) {
  if (value == 0) return "0";
  const bool negative = value < 0;
  std::string digits;
  while (value != 0) {
    const int digit = static_cast<int>(value % 10);
    digits.insert(digits.begin(), static_cast<char>('0' + (negative ? -digit : digit)));
    value /= 10;
  }
  return negative ? "-" + digits : digits;
}

Int128 int128_from(const std::string& text, const char* name) {
  std::size_t i = text.size() > 0 && text[0] == '-' ? 1 : 0;
  if (i == text.size() || text.size() > 41) {
    throw Error(std::string("agent reply: '") + name + "' is not an integer");
  }
  Int128 value = 0;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') throw Error(std::string("agent reply: '") + name + "' is not an integer");
    value = value * 10 + (text[i] - '0');
  }
  return text[0] == '-' ? -value : value;
}

json counts_to_json(const CaptureCounts& counts) {
  return {{"path", counts.path},
          {"format", counts.format},
          {"packets", counts.packets},
          {"filtered", counts.filtered},
          {"not_ip", counts.not_ip},
          {"malformed", counts.malformed},
          {"unkeyed", counts.unkeyed},
          {"keyed", counts.keyed},
          {"duplicates", counts.duplicates},
          {"payload_id_keys", counts.payload_id_keys},
          {"hash_keys", counts.hash_keys},
          {"first_malformed_record", counts.first_malformed_record},
          {"first_malformed_problem", counts.first_malformed_problem}};
}

CaptureCounts counts_from_json(const json& object) {
  CaptureCounts counts;
  counts.path = field<std::string>(object, "path");
  counts.format = field<std::string>(object, "format");
  counts.packets = field<std::uint64_t>(object, "packets");
  counts.filtered = field<std::uint64_t>(object, "filtered");
  counts.not_ip = field<std::uint64_t>(object, "not_ip");
  counts.malformed = field<std::uint64_t>(object, "malformed");
  counts.unkeyed = field<std::uint64_t>(object, "unkeyed");
  counts.keyed = field<std::uint64_t>(object, "keyed");
  counts.duplicates = field<std::uint64_t>(object, "duplicates");
  counts.payload_id_keys = field<std::uint64_t>(object, "payload_id_keys");
  counts.hash_keys = field<std::uint64_t>(object, "hash_keys");
  counts.first_malformed_record = field<std::uint64_t>(object, "first_malformed_record");
  counts.first_malformed_problem = field<std::string>(object, "first_malformed_problem");
  return counts;
}

}  // namespace

json to_json(const CaptureSide& side) {
  return {{"interface", side.interface},   {"file", side.file},
          {"timestamp_type", side.timestamp_type}, {"precision", side.precision},
          {"received", side.received},     {"dropped", side.dropped},
          {"if_dropped", side.if_dropped}, {"written", side.written}};
}

CaptureSide capture_side_from_json(const json& object) {
  CaptureSide side;
  side.interface = field<std::string>(object, "interface");
  side.file = field<std::string>(object, "file");
  side.timestamp_type = field<std::string>(object, "timestamp_type");
  side.precision = field<std::string>(object, "precision");
  side.received = field<std::uint64_t>(object, "received");
  side.dropped = field<std::uint64_t>(object, "dropped");
  side.if_dropped = field<std::uint64_t>(object, "if_dropped");
  side.written = field<std::uint64_t>(object, "written");
  return side;
}

json to_json(const analysis::LatencyResult& result) {
  json buckets = json::array();
  for (const auto& bucket : result.histogram.buckets()) buckets.push_back({bucket.lower_ns, bucket.count});
  const auto& moments = result.moments;
  return {{"key", std::string(capture::key_kind_name(result.key))},
          {"window_ns", result.window_ns},
          {"pif", counts_to_json(result.pif)},
          {"vif", counts_to_json(result.vif)},
          {"matched", result.matched},
          {"pif_only", result.pif_only},
          {"vif_only", result.vif_only},
          {"reordered", result.reordered},
          {"negative", result.negative},
          {"moments",
           {{"count", moments.count},
            {"sum_ns", int128_text(moments.sum_ns)},
            {"sum_squares", int128_text(moments.sum_squares)},
            {"min_ns", moments.min_ns},
            {"max_ns", moments.max_ns}}},
          {"histogram", std::move(buckets)},
          {"first_matched_ns", result.first_matched_ns},
          {"last_matched_ns", result.last_matched_ns},
          {"warnings", result.warnings}};
}

analysis::LatencyResult latency_result_from_json(const json& object) {
  analysis::LatencyResult result;
  const auto key = capture::parse_key_kind(field<std::string>(object, "key"));
  if (!key) throw Error("agent reply: 'key' names no match key");
  result.key = *key;
  result.window_ns = field<std::int64_t>(object, "window_ns");
  result.pif = counts_from_json(field<json>(object, "pif"));
  result.vif = counts_from_json(field<json>(object, "vif"));
  result.matched = field<std::uint64_t>(object, "matched");
  result.pif_only = field<std::uint64_t>(object, "pif_only");
  result.vif_only = field<std::uint64_t>(object, "vif_only");
  result.reordered = field<std::uint64_t>(object, "reordered");
  result.negative = field<std::uint64_t>(object, "negative");
  const json moments = field<json>(object, "moments");
  result.moments.count = field<std::uint64_t>(moments, "count");
  result.moments.sum_ns = int128_from(field<std::string>(moments, "sum_ns"), "sum_ns");
  result.moments.sum_squares = int128_from(field<std::string>(moments, "sum_squares"), "sum_squares");
  result.moments.min_ns = field<std::int64_t>(moments, "min_ns");
  result.moments.max_ns = field<std::int64_t>(moments, "max_ns");
  for (const json& bucket : field<json>(object, "histogram")) {
    if (!bucket.is_array() || bucket.size() != 2 || !bucket[0].is_number_integer() ||
        !bucket[1].is_number_unsigned()) {
      throw Error("agent reply: 'histogram' holds something other than [value, count] pairs");
    }
    result.histogram.record(bucket[0].get<std::int64_t>(), bucket[1].get<std::uint64_t>());
  }
  if (result.histogram.count() != result.matched) {
    throw Error("agent reply: the histogram holds " + std::to_string(result.histogram.count()) +
                " packets, not the " + std::to_string(result.matched) + " matched");
  }
  result.first_matched_ns = field<std::int64_t>(object, "first_matched_ns");
  result.last_matched_ns = field<std::int64_t>(object, "last_matched_ns");
  result.warnings = field<std::vector<std::string>>(object, "warnings");
  return result;
}

json to_json(const ProbeSummary& summary) {
  json sites = json::array();
  for (const DropSite& site : summary.drop_sites) {
    sites.push_back({{"reason", site.reason}, {"location", site.location}, {"count", site.count}});
  }
  const ToolLosses& tool = summary.tool;
  return {{"lost_by_reason", summary.lost_by_reason},
          {"drop_sites", std::move(sites)},
          {"tool_losses",
           {{"map_full", tool.map_full},
            {"evicted", tool.evicted},
            {"ring_full", tool.ring_full},
            {"not_linear", tool.not_linear},
            {"missed", tool.missed}}},
          {"probe_ns", summary.probe_ns},
          {"records_file", summary.records_file},
          {"records", summary.records}};
}

ProbeSummary probe_summary_from_json(const json& object) {
  ProbeSummary summary;
  summary.lost_by_reason = field<std::map<std::string, std::uint64_t>>(object, "lost_by_reason");
  for (const json& site : field<json>(object, "drop_sites")) {
    summary.drop_sites.push_back(
        {field<std::string>(site, "reason"), field<std::string>(site, "location"), field<std::uint64_t>(site, "count")});
  }
  const json tool = field<json>(object, "tool_losses");
  summary.tool.map_full = field<std::uint64_t>(tool, "map_full");
  summary.tool.evicted = field<std::uint64_t>(tool, "evicted");
  summary.tool.ring_full = field<std::uint64_t>(tool, "ring_full");
  summary.tool.not_linear = field<std::uint64_t>(tool, "not_linear");
  summary.tool.missed = field<std::uint64_t>(tool, "missed");
  summary.probe_ns = field<std::uint64_t>(object, "probe_ns");
  summary.records_file = field<std::string>(object, "records_file");
  summary.records = field<std::uint64_t>(object, "records");
  return summary;
}

}  // namespace weaver::agent

// Two passes over the VIF capture: the analysis, which notes each match's
// VIF record number and delay, then a copy of the capture that comments the
// records the matches name. Record numbers identify packets exactly, even
// when several share a timestamp.
#include "weaver/analysis/annotate_capture.hpp"

#include <algorithm>
#include <deque>
#include <optional>

#include "weaver/capture/capture_reader.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/match_key.hpp"
#include "weaver/capture/packet_filter.hpp"
#include "weaver/capture/pcapng_writer.hpp"

namespace weaver::analysis {
namespace {

struct Match {
  std::uint64_t vif_record;
  std::int64_t delta_ns;
};
static_assert(sizeof(Match) == 16);

// Whether the analysis gave `packet` to the join: the test the decoding
// thread applies (filter, decodable IP, a key of the chosen kind).
class JoinedPackets {
 public:
  explicit JoinedPackets(const AnalyzeOptions& options) : key_(options.key) {
    if (!options.filter.empty()) filter_.emplace(options.filter);
  }

  bool contains(const capture::RawPacket& packet) {
    if (filter_ && !filter_->accepts(packet)) return false;
    capture::decode_packet(packet.link_type, packet.bytes, decoded_);
    if (decoded_.status != capture::DecodeStatus::ok) return false;
    return capture::make_match_key(key_, decoded_).value != 0;
  }

 private:
  capture::KeyKind key_;
  std::optional<capture::PacketFilter> filter_;
  capture::DecodedPacket decoded_;
};

std::string partner_name(std::string_view direction) {
  const std::size_t arrow = direction.find("->");
  return std::string(arrow == std::string_view::npos ? direction : direction.substr(0, arrow));
}

}  // namespace

std::string delay_comment(std::string_view direction, std::int64_t delta_ns) {
  const bool negative = delta_ns < 0;
  const std::uint64_t magnitude = negative ? 0 - static_cast<std::uint64_t>(delta_ns)
                                           : static_cast<std::uint64_t>(delta_ns);
  std::string fraction = std::to_string(magnitude % 1000);
  fraction.insert(0, 3 - fraction.size(), '0');
  return std::string(direction) + (negative ? " -" : " ") + std::to_string(magnitude / 1000) +
         "." + fraction + " us";
}

AnnotateSummary write_annotated_capture(const AnnotateOptions& options) {
  // Created first: an output that cannot be written fails before the analysis.
  capture::PcapngWriter writer(options.output_path, options.application);

  std::deque<Match> matches;  // no reallocation: 16 bytes a match, not twice that at a peak
  AnalyzeOptions analyze = options.analyze;
  analyze.on_match = [&matches, &user = options.analyze.on_match](const MatchedPacket& packet) {
    matches.push_back({packet.vif_record, packet.delta_ns()});
    if (user) user(packet);
  };
  AnnotateSummary summary;
  summary.latency = analyze_captures(analyze);

  // Matches come in VIF order except where a VIF packet waited for its PIF
  // partner (a negative delay): nearly sorted already.
  const auto by_record = [](const Match& a, const Match& b) { return a.vif_record < b.vif_record; };
  if (!std::is_sorted(matches.begin(), matches.end(), by_record)) {
    std::sort(matches.begin(), matches.end(), by_record);
  }

  const std::string no_partner = "no " + partner_name(options.direction) + " partner";
  JoinedPackets joined(options.analyze);
  {
    const auto reader = capture::open_capture(options.analyze.vif_path);
    auto next_match = matches.begin();
    capture::RawPacket packet;
    while (reader->next(packet)) {
      while (next_match != matches.end() && next_match->vif_record < packet.record) ++next_match;
      if (next_match != matches.end() && next_match->vif_record == packet.record) {
        writer.write(packet, delay_comment(options.direction, next_match->delta_ns));
        ++summary.annotated;
      } else if (joined.contains(packet)) {
        writer.write(packet, no_partner);
        ++summary.without_partner;
      } else {
        writer.write(packet);
      }
      ++summary.records;
    }
  }
  writer.commit();
  return summary;
}

}  // namespace weaver::analysis

#include "streaming_join.hpp"

#include <utility>

namespace weaver::analysis {

StreamingJoin::StreamingJoin(std::int64_t window_ns, LatencyResult& result,
                             MatchCallback on_match)
    : window_ns_(window_ns), result_(result), on_match_(std::move(on_match)) {}

void StreamingJoin::add(Side side, std::uint64_t key, std::int64_t timestamp_ns) {
  if (timestamp_ns > now_ns_) expire(timestamp_ns);
  const auto mine = static_cast<std::size_t>(side);
  const std::uint64_t ordinal = ordinal_[mine]++;
  if (auto partner = pending_[1 - mine].take(key)) {
    if (side == Side::vif) {
      match(*partner, timestamp_ns);
    } else {
      match(PendingPacket{key, timestamp_ns, ordinal}, partner->timestamp_ns);
    }
    return;
  }
  if (pending_[mine].insert(PendingPacket{key, timestamp_ns, ordinal})) {
    ++(side == Side::pif ? result_.pif : result_.vif).duplicates;
  }
}

void StreamingJoin::match(const PendingPacket& pif, std::int64_t vif_ns) {
  const MatchedPacket packet{pif.timestamp_ns, vif_ns};
  const std::int64_t delta = packet.delta_ns();
  ++result_.matched;
  if (delta < 0) ++result_.negative;
  result_.moments.add(delta);
  result_.histogram.record(delta);
  // Matches arrive in VIF order: a PIF ordinal below one already matched
  // means this packet was overtaken inside the datapath.
  if (any_matched_ && pif.ordinal < highest_matched_pif_ordinal_) {
    ++result_.reordered;
  } else {
    highest_matched_pif_ordinal_ = pif.ordinal;
    any_matched_ = true;
  }
  if (on_match_) on_match_(packet);
}

void StreamingJoin::expire(std::int64_t now_ns) {
  now_ns_ = now_ns;
  const std::int64_t limit = now_ns - window_ns_;
  result_.pif_only += pending_[0].expire_before(limit);
  result_.vif_only += pending_[1].expire_before(limit);
}

void StreamingJoin::finish() {
  result_.pif_only += pending_[0].size();
  result_.vif_only += pending_[1].size();
  pending_[0] = PendingTable();
  pending_[1] = PendingTable();
}

}  // namespace weaver::analysis

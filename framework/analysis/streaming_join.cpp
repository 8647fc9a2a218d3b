#include "streaming_join.hpp"

#include "saturating.hpp"

#include <algorithm>
#include <optional>
#include <utility>

namespace weaver::analysis {
namespace {

constexpr std::size_t kRecentMatches = 1 << 12;  // 32 KiB: stays in cache
// The pending tables are swept this many times per window of capture time.
constexpr std::int64_t kSweepsPerWindow = 8;

}  // namespace

StreamingJoin::StreamingJoin(std::int64_t window_ns, LatencyResult& result,
                             MatchCallback on_match, std::uint64_t max_waiting)
    : window_ns_(window_ns),
      max_waiting_(max_waiting),
      result_(result),
      on_match_(std::move(on_match)),
      recently_matched_(kRecentMatches, 0) {}

void StreamingJoin::add(Side side, std::uint64_t key, std::int64_t timestamp_ns,
                        std::uint64_t record) {
  if (timestamp_ns > now_ns_) {
    now_ns_ = timestamp_ns;
    if (now_ns_ >= next_sweep_ns_) sweep(now_ns_);
    if (now_ns_ >= next_aging_ns_) {
      pending_[0].age(now_ns_);
      pending_[1].age(now_ns_);
      next_aging_ns_ = saturating_add(now_ns_, WaitingPackets::kYoungAge / 2);
    }
  }
  const auto mine = static_cast<std::size_t>(side);
  const auto other = 1 - mine;
  // Record numbers grow in file order, as the reordering check needs.
  const std::uint64_t ordinal = record != 0 ? record : ++ordinal_[mine];
  const PendingPacket packet{key, timestamp_ns, ordinal};
  std::uint64_t expired = 0;
  std::optional<PendingPacket> partner;
  if (pending_[other].size() != 0) {  // usually empty on the VIF side
    partner = pending_[other].take(key, saturating_sub(now_ns_, window_ns_), expired);
    if (expired > 0) count_expired(static_cast<Side>(other), expired);
  }
  if (partner) {
    if (side == Side::vif) {
      match(*partner, packet);
    } else {
      match(packet, *partner);
    }
    return;
  }
  if (side == Side::vif && recently_matched_[key & (kRecentMatches - 1)] == key) {
    ++duplicates_[mine];
    return;
  }
  if (pending_[mine].insert(packet)) ++duplicates_[mine];
  if (pending_[0].size() + pending_[1].size() > max_waiting_) shorten_window(now_ns_);
}

void StreamingJoin::match(const PendingPacket& pif, const PendingPacket& vif) {
  const MatchedPacket packet{pif.timestamp_ns, vif.timestamp_ns, vif.ordinal};
  const std::int64_t delta = packet.delta_ns();
  ++result_.matched;
  if (delta < 0) ++result_.negative;
  result_.moments.add(delta);
  result_.histogram.record(delta);
  result_.first_matched_ns = std::min(result_.first_matched_ns, packet.pif_ns);
  result_.last_matched_ns = std::max(result_.last_matched_ns, packet.pif_ns);
  // Matches arrive in VIF order: a PIF ordinal below one already matched
  // means this packet was overtaken inside the datapath.
  if (any_matched_ && pif.ordinal < highest_matched_pif_ordinal_) {
    ++result_.reordered;
  } else {
    highest_matched_pif_ordinal_ = pif.ordinal;
    any_matched_ = true;
  }
  recently_matched_[vif.key & (kRecentMatches - 1)] = vif.key;
  if (on_match_) on_match_(packet);
}

void StreamingJoin::count_expired(Side side, std::uint64_t packets) {
  (side == Side::pif ? result_.pif_only : result_.vif_only) += packets;
}

void StreamingJoin::sweep(std::int64_t now_ns) {
  const std::int64_t limit = saturating_sub(now_ns, window_ns_);
  count_expired(Side::pif, pending_[0].sweep(limit));
  count_expired(Side::vif, pending_[1].sweep(limit));
  next_sweep_ns_ = saturating_add(now_ns, std::max<std::int64_t>(1, window_ns_ / kSweepsPerWindow));
}

void StreamingJoin::shorten_window(std::int64_t now_ns) {
  while (window_ns_ > 1 && pending_[0].size() + pending_[1].size() > max_waiting_ / 2) {
    window_ns_ /= 2;
    sweep(now_ns);
  }
  if (result_.window_ns == window_ns_) return;
  if (!window_shortened_) {
    result_.warnings.push_back(
        "over " + std::to_string(max_waiting_) +
        " packets were waiting for a partner at once; the join window was shortened to bound "
        "memory (window_ns in the result says to what; do the captures share traffic?)");
    window_shortened_ = true;
  }
  result_.window_ns = window_ns_;
}

void StreamingJoin::finish() {
  result_.pif.duplicates += duplicates_[0];
  result_.vif.duplicates += duplicates_[1];
  count_expired(Side::pif, pending_[0].size());
  count_expired(Side::vif, pending_[1].size());
  pending_[0] = WaitingPackets();
  pending_[1] = WaitingPackets();
}

}  // namespace weaver::analysis

#include "waiting_packets.hpp"

#include "saturating.hpp"

#include <algorithm>

namespace weaver::analysis {

bool WaitingPackets::insert(const PendingPacket& packet) {
  const bool waiting_old = maybe_old(packet.key) && old_.contains(packet.key);
  return young_.insert(packet) || waiting_old;
}

std::optional<PendingPacket> WaitingPackets::take(std::uint64_t key, std::int64_t limit_ns,
                                                  std::uint64_t& expired) {
  // Old packets arrived first: FIFO takes them before young ones.
  if (maybe_old(key)) {
    const std::uint64_t before = old_.size();
    auto found = old_.take(key, limit_ns, expired);
    uncount_old(key, before - old_.size());
    if (found) return found;
  }
  if (young_.size() == 0) return std::nullopt;
  return young_.take(key, limit_ns, expired);
}

void WaitingPackets::age(std::int64_t now_ns) {
  if (young_.size() == 0) return;
  const std::int64_t limit = saturating_sub(now_ns, kYoungAge);
  young_.for_each([&](const PendingPacket& packet) {
    if (packet.timestamp_ns < limit) count_old(packet.key);
  });
  young_.move_older_than(limit, old_);
}

std::uint64_t WaitingPackets::sweep(std::int64_t limit_ns) {
  const std::uint64_t expired = young_.sweep(limit_ns) + old_.sweep(limit_ns);
  recount_old();
  return expired;
}

void WaitingPackets::count_old(std::uint64_t key) {
  std::uint8_t& count = old_filter_[filter_slot(key)];
  if (count != kSaturated) ++count;
}

void WaitingPackets::uncount_old(std::uint64_t key, std::uint64_t removed) {
  std::uint8_t& count = old_filter_[filter_slot(key)];
  if (count == kSaturated) return;
  count = static_cast<std::uint8_t>(count - removed);
}

void WaitingPackets::recount_old() {
  std::fill(old_filter_.begin(), old_filter_.end(), 0);
  old_.for_each([this](const PendingPacket& packet) { count_old(packet.key); });
}

}  // namespace weaver::analysis

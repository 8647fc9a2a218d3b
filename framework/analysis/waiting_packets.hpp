// The packets of one capture waiting for their partner, in two generations.
//
// Most packets find their partner within microseconds; the few that do not
// (lost in the datapath) may wait the whole window. Keeping both in one
// table would make every lookup pay for the lost ones in cache misses, so
// packets older than kYoungAge move to an `old` table, which lookups visit
// only when a small counting filter says it may hold the key.
#pragma once

#include <vector>
#include <cstdint>
#include <optional>

#include "pending_table.hpp"

namespace weaver::analysis {

class WaitingPackets {
 public:
  // Capture time a packet stays in the young generation.
  static constexpr std::int64_t kYoungAge = 10'000'000;  // 10 ms

  // Adds a packet; true when another packet with the same key is waiting.
  bool insert(const PendingPacket& packet);

  // The oldest packet waiting with `key` and not older than `limit_ns`;
  // older ones found on the way are removed and counted in `expired`.
  std::optional<PendingPacket> take(std::uint64_t key, std::int64_t limit_ns,
                                    std::uint64_t& expired);

  // Moves packets older than `now_ns - kYoungAge` to the old generation.
  void age(std::int64_t now_ns);

  // Removes every packet older than `limit_ns`; returns how many there were.
  std::uint64_t sweep(std::int64_t limit_ns);

  std::uint64_t size() const { return young_.size() + old_.size(); }

 private:
  // Saturating counts of the old keys per slot; a saturated count stays
  // until the next sweep recounts.
  static constexpr std::size_t kFilterSize = std::size_t{1} << 17;
  static constexpr std::uint8_t kSaturated = 255;
  static std::size_t filter_slot(std::uint64_t key) { return (key >> 40) & (kFilterSize - 1); }
  bool maybe_old(std::uint64_t key) const { return old_filter_[filter_slot(key)] != 0; }
  void count_old(std::uint64_t key);
  void uncount_old(std::uint64_t key, std::uint64_t removed);
  void recount_old();

  PendingTable young_;
  PendingTable old_;
  std::vector<std::uint8_t> old_filter_ = std::vector<std::uint8_t>(kFilterSize, 0);
};

}  // namespace weaver::analysis

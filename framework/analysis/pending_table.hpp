// Packets of one capture still waiting for their partner in the other.
//
// One open-addressing table with linear probing and backward-shift deletion:
// a packet is a slot, a match deletes it at once, so the table holds only
// the packets still waiting. Packets with identical keys (retransmissions,
// duplicates) share a probe run in arrival order, and the first one found is
// the oldest: they are taken FIFO. Expired packets leave on take() when
// found stale, or in a sweep that keeps the survivors in arrival order.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace weaver::analysis {

struct PendingPacket {
  std::uint64_t key = 0;  // never 0
  std::int64_t timestamp_ns = 0;
  std::uint64_t ordinal = 0;  // position among the keyed packets of its capture
};

class PendingTable {
 public:
  PendingTable();

  // Adds a packet; true when another packet with the same key is already waiting.
  bool insert(const PendingPacket& packet);

  // Removes and returns the oldest packet waiting with `key` that is not
  // older than `limit_ns`; older ones found on the way are removed and
  // counted in `expired`.
  std::optional<PendingPacket> take(std::uint64_t key, std::int64_t limit_ns,
                                    std::uint64_t& expired);

  // Removes every packet older than `limit_ns`; returns how many there were.
  std::uint64_t sweep(std::int64_t limit_ns);

  std::uint64_t size() const { return size_; }

 private:
  std::size_t home(std::uint64_t key) const;
  std::size_t find(std::uint64_t key) const;  // the first slot with `key`, or an empty one
  void erase(std::size_t slot);
  void rebuild(std::size_t capacity, std::int64_t limit_ns);

  std::vector<PendingPacket> slots_;  // power-of-two size, at most half full
  std::uint64_t size_ = 0;
};

}  // namespace weaver::analysis

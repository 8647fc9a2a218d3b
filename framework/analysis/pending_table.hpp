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
  std::uint64_t ordinal = 0;  // position in its capture: the record number, growing in file order
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

  // Moves every packet older than `limit_ns` into `older`, in arrival order.
  void move_older_than(std::int64_t limit_ns, PendingTable& older);

  bool contains(std::uint64_t key) const { return slots_[find(key)].key != 0; }

  template <typename Visit>
  void for_each(Visit&& visit) const {
    for (const PendingPacket& packet : slots_) {
      if (packet.key != 0) visit(packet);
    }
  }

  std::uint64_t size() const { return size_; }

 private:
  std::size_t home(std::uint64_t key) const;
  std::size_t find(std::uint64_t key) const;  // the first slot with `key`, or an empty one
  void erase(std::size_t slot);
  // Keeps the packets from `limit_ns` on; older ones go to `older` if given.
  void rebuild(std::size_t capacity, std::int64_t limit_ns, PendingTable* older = nullptr);
  std::size_t capacity_for_size() const;

  std::vector<PendingPacket> slots_;  // power-of-two size, at most half full
  std::uint64_t size_ = 0;
};

}  // namespace weaver::analysis

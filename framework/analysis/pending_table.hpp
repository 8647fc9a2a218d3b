// Packets of one capture still waiting for their partner in the other.
//
// Entries sit in a ring in arrival order, so the oldest is always at the
// front and eviction by age is O(1). An open-addressing index maps each key
// to the first and last of its entries, chained in arrival order, so packets
// with identical keys (retransmissions, duplicates) are taken FIFO. Matched
// entries are squeezed out when they fill the ring, so memory is proportional
// to the packets waiting, never to the capture length.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace weaver::analysis {

struct PendingPacket {
  std::uint64_t key = 0;
  std::int64_t timestamp_ns = 0;
  std::uint64_t ordinal = 0;  // position among the keyed packets of its capture
};

class PendingTable {
 public:
  PendingTable();

  // Adds a packet; true when another packet with the same key is already waiting.
  bool insert(const PendingPacket& packet);

  // Removes and returns the oldest packet waiting with `key`.
  std::optional<PendingPacket> take(std::uint64_t key);

  // Removes every packet older than `limit_ns`; returns how many there were.
  std::uint64_t expire_before(std::int64_t limit_ns);

  std::uint64_t size() const { return live_; }

 private:
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};

  struct Entry {
    PendingPacket packet;
    std::uint64_t next_same_key = kNone;  // id of the next entry with this key
    bool live = false;
  };
  struct Slot {
    std::uint64_t key = 0;  // 0: empty
    std::uint64_t first = 0;
    std::uint64_t last = 0;
  };

  Entry& entry(std::uint64_t id) { return ring_[id & (ring_.size() - 1)]; }
  std::size_t find_slot(std::uint64_t key) const;  // the key's slot, or its empty slot
  void erase_slot(std::size_t slot);
  void rebuild(std::size_t ring_size);  // fresh ids for the live entries, in order
  void grow_index();
  void pop_dead_front();

  std::vector<Entry> ring_;  // ids [front_, back_) are in use, power-of-two size
  std::uint64_t front_ = 0;
  std::uint64_t back_ = 0;
  std::vector<Slot> index_;  // power-of-two size, at most half full
  std::uint64_t keys_ = 0;
  std::uint64_t live_ = 0;
};

}  // namespace weaver::analysis

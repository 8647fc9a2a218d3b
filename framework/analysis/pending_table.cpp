#include "pending_table.hpp"

#include <algorithm>

namespace weaver::analysis {
namespace {

constexpr std::size_t kInitialRing = 1024;
constexpr std::size_t kInitialIndex = 2048;

std::size_t home_slot(std::uint64_t key, std::size_t mask) {
  // Keys are already well mixed hashes; the high bits spread best.
  return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> 20) & mask;
}

}  // namespace

PendingTable::PendingTable() : ring_(kInitialRing), index_(kInitialIndex) {}

std::size_t PendingTable::find_slot(std::uint64_t key) const {
  const std::size_t mask = index_.size() - 1;
  std::size_t slot = home_slot(key, mask);
  while (index_[slot].key != 0 && index_[slot].key != key) slot = (slot + 1) & mask;
  return slot;
}

bool PendingTable::insert(const PendingPacket& packet) {
  if (back_ - front_ == ring_.size()) {
    // Matched entries die in the middle of the ring; when they are the
    // majority, squeeze them out instead of growing.
    rebuild(live_ * 2 <= ring_.size() ? ring_.size() : ring_.size() * 2);
  }
  if ((keys_ + 1) * 2 > index_.size()) grow_index();
  const std::uint64_t id = back_++;
  entry(id) = Entry{packet, kNone, true};
  ++live_;
  Slot& slot = index_[find_slot(packet.key)];
  if (slot.key == 0) {
    slot = Slot{packet.key, id, id};
    ++keys_;
    return false;
  }
  entry(slot.last).next_same_key = id;
  slot.last = id;
  return true;
}

std::optional<PendingPacket> PendingTable::take(std::uint64_t key) {
  const std::size_t at = find_slot(key);
  Slot& slot = index_[at];
  if (slot.key == 0) return std::nullopt;
  Entry& oldest = entry(slot.first);
  oldest.live = false;
  --live_;
  if (oldest.next_same_key == kNone) {
    erase_slot(at);
  } else {
    slot.first = oldest.next_same_key;
  }
  return oldest.packet;
}

// Backward-shift deletion keeps linear probing free of tombstones.
void PendingTable::erase_slot(std::size_t slot) {
  const std::size_t mask = index_.size() - 1;
  std::size_t hole = slot;
  for (std::size_t next = (hole + 1) & mask; index_[next].key != 0; next = (next + 1) & mask) {
    const std::size_t home = home_slot(index_[next].key, mask);
    // Move `next` into the hole unless its home lies cyclically in (hole, next].
    const bool stays = hole <= next ? (home > hole && home <= next) : (home > hole || home <= next);
    if (!stays) {
      index_[hole] = index_[next];
      hole = next;
    }
  }
  index_[hole] = Slot{};
  --keys_;
}

std::uint64_t PendingTable::expire_before(std::int64_t limit_ns) {
  std::uint64_t count = 0;
  pop_dead_front();
  while (front_ != back_ && entry(front_).packet.timestamp_ns < limit_ns) {
    // The front entry is also the oldest of its key, so take() removes exactly it.
    take(entry(front_).packet.key);
    ++count;
    pop_dead_front();
  }
  return count;
}

void PendingTable::pop_dead_front() {
  while (front_ != back_ && !entry(front_).live) ++front_;
}

void PendingTable::rebuild(std::size_t ring_size) {
  std::vector<Entry> old(ring_size);
  old.swap(ring_);
  const std::size_t old_mask = old.size() - 1;
  const std::uint64_t old_front = front_;
  const std::uint64_t old_back = back_;
  front_ = back_ = 0;
  live_ = keys_ = 0;
  std::fill(index_.begin(), index_.end(), Slot{});
  for (std::uint64_t id = old_front; id != old_back; ++id) {
    const Entry& kept = old[id & old_mask];
    if (kept.live) insert(kept.packet);
  }
}

void PendingTable::grow_index() {
  std::vector<Slot> old(index_.size() * 2);
  old.swap(index_);
  for (const Slot& slot : old) {
    if (slot.key != 0) index_[find_slot(slot.key)] = slot;
  }
}

}  // namespace weaver::analysis

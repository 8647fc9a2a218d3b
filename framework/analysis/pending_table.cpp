#include "pending_table.hpp"

#include <bit>
#include <climits>

namespace weaver::analysis {
namespace {

constexpr std::size_t kMinimumCapacity = 1024;

}  // namespace

PendingTable::PendingTable() : slots_(kMinimumCapacity) {}

std::size_t PendingTable::home(std::uint64_t key) const {
  // Keys are well-mixed hashes already; the multiply spreads any that are not.
  return static_cast<std::size_t>((key * 0x9e3779b97f4a7c15ull) >> 24) & (slots_.size() - 1);
}

std::size_t PendingTable::find(std::uint64_t key) const {
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = home(key);
  while (slots_[slot].key != 0 && slots_[slot].key != key) slot = (slot + 1) & mask;
  return slot;
}

bool PendingTable::insert(const PendingPacket& packet) {
  if ((size_ + 1) * 2 > slots_.size()) rebuild(slots_.size() * 2, INT64_MIN);
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = home(packet.key);
  bool duplicate = false;
  while (slots_[slot].key != 0) {
    duplicate = duplicate || slots_[slot].key == packet.key;
    slot = (slot + 1) & mask;
  }
  slots_[slot] = packet;
  ++size_;
  return duplicate;
}

std::optional<PendingPacket> PendingTable::take(std::uint64_t key, std::int64_t limit_ns,
                                                std::uint64_t& expired) {
  for (;;) {
    const std::size_t slot = find(key);
    if (slots_[slot].key == 0) return std::nullopt;
    const PendingPacket found = slots_[slot];
    erase(slot);
    if (found.timestamp_ns >= limit_ns) return found;
    ++expired;
  }
}

// Moves later members of the probe run back into the hole, so lookups never
// need tombstones and same-key packets keep their arrival order.
void PendingTable::erase(std::size_t slot) {
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = slot;
  for (std::size_t next = (hole + 1) & mask; slots_[next].key != 0; next = (next + 1) & mask) {
    const std::size_t wanted = home(slots_[next].key);
    const bool stays = hole <= next ? (wanted > hole && wanted <= next)
                                    : (wanted > hole || wanted <= next);
    if (!stays) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = PendingPacket{};
  --size_;
}

std::size_t PendingTable::capacity_for_size() const {
  std::size_t capacity = slots_.size();
  while (capacity > kMinimumCapacity && size_ * 8 < capacity) capacity /= 2;
  return capacity;
}

std::uint64_t PendingTable::sweep(std::int64_t limit_ns) {
  const std::uint64_t before = size_;
  rebuild(capacity_for_size(), limit_ns);
  return before - size_;
}

void PendingTable::move_older_than(std::int64_t limit_ns, PendingTable& older) {
  rebuild(capacity_for_size(), limit_ns, &older);
}

void PendingTable::rebuild(std::size_t capacity, std::int64_t limit_ns, PendingTable* older) {
  std::vector<PendingPacket> old(capacity);
  old.swap(slots_);
  size_ = 0;
  // Start right after an empty slot, so each probe run is re-inserted from
  // its beginning and same-key packets keep their order.
  const std::size_t mask = old.size() - 1;
  std::size_t start = 0;
  while (old[start].key != 0) ++start;
  for (std::size_t i = 1; i <= old.size(); ++i) {
    const PendingPacket& packet = old[(start + i) & mask];
    if (packet.key == 0) continue;
    if (packet.timestamp_ns >= limit_ns) {
      insert(packet);
    } else if (older != nullptr) {
      older->insert(packet);
    }
  }
}

}  // namespace weaver::analysis

#include "weaver/capture/match_key.hpp"

#include <algorithm>
#include <cstring>

#include "weaver/capture/payload_id.hpp"

namespace weaver::capture {
namespace {

constexpr std::size_t kHashedPayloadBytes = 16;

// Multiply-xorshift accumulation with a splitmix64 finish: fast, and good
// enough that keys of packets inside one join window do not collide.
class KeyHasher {
 public:
  explicit KeyHasher(std::uint64_t seed) : state_(seed * 0x9e3779b97f4a7c15ull) {}

  void add(std::uint64_t word) {
    state_ = (state_ ^ word) * 0xbf58476d1ce4e5b9ull;
    state_ ^= state_ >> 31;
  }

  void add_bytes(const std::uint8_t* bytes, std::size_t count) {
    for (std::size_t at = 0; at < count; at += 8) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + at, std::min<std::size_t>(8, count - at));
      add(word);
    }
  }

  std::uint64_t finish() const {
    std::uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    return z == 0 ? 1 : z;  // 0 means "no key"
  }

 private:
  std::uint64_t state_;
};

void add_addresses(KeyHasher& hasher, const DecodedPacket& p) {
  hasher.add_bytes(p.source.data(), p.ip_version == 4 ? 4 : 16);
  hasher.add_bytes(p.destination.data(), p.ip_version == 4 ? 4 : 16);
}

std::uint64_t hash_key(const DecodedPacket& p) {
  KeyHasher hasher(1);
  hasher.add(std::uint64_t{p.ip_version} | std::uint64_t{p.protocol} << 8 |
             std::uint64_t{p.fragment_offset} << 16 | std::uint64_t{p.more_fragments} << 29 |
             std::uint64_t{p.payload_length} << 32);
  add_addresses(hasher, p);
  hasher.add(std::uint64_t{p.ip_id} | std::uint64_t{p.flow_label} << 32);
  if (p.has_transport) {
    hasher.add(std::uint64_t{p.source_port} | std::uint64_t{p.destination_port} << 16 |
               std::uint64_t{p.tcp_flags} << 32 | std::uint64_t{p.icmp_type} << 40 |
               std::uint64_t{p.icmp_code} << 48);
    hasher.add(std::uint64_t{p.tcp_sequence} | std::uint64_t{p.tcp_acknowledgment} << 32);
    hasher.add(std::uint64_t{p.icmp_identifier} | std::uint64_t{p.icmp_sequence} << 16);
  }
  hasher.add_bytes(p.payload.data(), std::min(p.payload.size(), kHashedPayloadBytes));
  return hasher.finish();
}

std::uint64_t ip_id_key(const DecodedPacket& p) {
  KeyHasher hasher(2);
  hasher.add(std::uint64_t{p.ip_version} | std::uint64_t{p.protocol} << 8);
  add_addresses(hasher, p);
  hasher.add(p.ip_version == 4 ? p.ip_id : p.flow_label);
  return hasher.finish();
}

std::uint64_t tcp_seq_key(const DecodedPacket& p) {
  if (!p.has_transport || p.protocol != 6) return 0;
  KeyHasher hasher(3);
  hasher.add(p.tcp_sequence);
  return hasher.finish();
}

std::uint64_t payload_id_key(const DecodedPacket& p) {
  const auto id = read_payload_id(p.payload);
  if (!id) return 0;
  KeyHasher hasher(4);
  hasher.add(id->run_id);
  hasher.add(id->sequence);
  return hasher.finish();
}

}  // namespace

std::optional<KeyKind> parse_key_kind(std::string_view text) {
  for (KeyKind kind : {KeyKind::automatic, KeyKind::tcp_seq, KeyKind::ip_id, KeyKind::payload_id,
                       KeyKind::hash}) {
    if (key_kind_name(kind) == text) return kind;
  }
  return std::nullopt;
}

std::string_view key_kind_name(KeyKind kind) {
  switch (kind) {
    case KeyKind::automatic:
      return "auto";
    case KeyKind::tcp_seq:
      return "tcp-seq";
    case KeyKind::ip_id:
      return "ip-id";
    case KeyKind::payload_id:
      return "payload-id";
    case KeyKind::hash:
      return "hash";
  }
  return "?";
}

MatchKey make_match_key(KeyKind kind, const DecodedPacket& packet) {
  switch (kind) {
    case KeyKind::automatic:
      if (const std::uint64_t id = payload_id_key(packet)) return {id, KeyKind::payload_id};
      return {hash_key(packet), KeyKind::hash};
    case KeyKind::tcp_seq:
      return {tcp_seq_key(packet), kind};
    case KeyKind::ip_id:
      return {ip_id_key(packet), kind};
    case KeyKind::payload_id:
      return {payload_id_key(packet), kind};
    case KeyKind::hash:
      return {hash_key(packet), kind};
  }
  return {};
}

}  // namespace weaver::capture

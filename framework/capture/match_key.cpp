#include "weaver/capture/match_key.hpp"

#include <algorithm>
#include <cstring>

#include "weaver/capture/payload_id.hpp"

namespace weaver::capture {
namespace {

constexpr std::size_t kHashedPayloadBytes = 16;

__extension__ using U128 = unsigned __int128;

// wyhash's folded 64x64->128 multiply: one multiply mixes two words, and
// independent pairs run in parallel.
std::uint64_t fold(std::uint64_t a, std::uint64_t b) {
  const U128 product = static_cast<U128>(a) * b;
  return static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64);
}

constexpr std::uint64_t kSecret[] = {0xa0761d6478bd642full, 0xe7037ed1a0b428dbull,
                                     0x8ebc6af09c88c6e3ull, 0x589965cc75374cc3ull,
                                     0x1d8e4e27c47d124full, 0x9e3779b97f4a7c15ull};

std::uint64_t finish(std::uint64_t h) {
  h = fold(h ^ kSecret[0], h ^ kSecret[5]);
  return h == 0 ? 1 : h;  // 0 means "no key"
}

std::uint64_t load64(const std::uint8_t* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// The addresses as two words for IPv4, four for IPv6 (zero-padded).
struct AddressWords {
  std::uint64_t a, b, c, d;
};

AddressWords address_words(const DecodedPacket& p) {
  return {load64(p.source.data()), load64(p.source.data() + 8), load64(p.destination.data()),
          load64(p.destination.data() + 8)};
}

// Up to 7 bytes, little-endian, without a call to memcpy.
std::uint64_t load_partial(const std::uint8_t* p, std::size_t count) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < count; ++i) value |= std::uint64_t{p[i]} << (8 * i);
  return value;
}

void leading_payload(const DecodedPacket& p, std::uint64_t& first, std::uint64_t& second) {
  const std::uint8_t* bytes = p.payload.data();
  const std::size_t size = p.payload.size();
  if (size >= kHashedPayloadBytes) {
    first = load64(bytes);
    second = load64(bytes + 8);
  } else if (size >= 8) {
    first = load64(bytes);
    second = load_partial(bytes + 8, size - 8);
  } else {
    first = load_partial(bytes, size);
    second = 0;
  }
}

std::uint64_t hash_key(const DecodedPacket& p) {
  const AddressWords addresses = address_words(p);
  const std::uint64_t header = std::uint64_t{p.ip_version} | std::uint64_t{p.protocol} << 8 |
                               std::uint64_t{p.fragment_offset} << 16 |
                               std::uint64_t{p.more_fragments} << 29 |
                               std::uint64_t{p.payload_length} << 32;
  const std::uint64_t identity = std::uint64_t{p.ip_id} | std::uint64_t{p.flow_label} << 32;
  // The decoder zeroes transport fields a protocol does not have.
  const std::uint64_t ports = std::uint64_t{p.source_port} | std::uint64_t{p.destination_port} << 16 |
                              std::uint64_t{p.tcp_flags} << 32 | std::uint64_t{p.icmp_type} << 40 |
                              std::uint64_t{p.icmp_code} << 48 | std::uint64_t{p.has_transport} << 56;
  const std::uint64_t tcp = std::uint64_t{p.tcp_sequence} | std::uint64_t{p.tcp_acknowledgment} << 32;
  const std::uint64_t icmp = std::uint64_t{p.icmp_identifier} | std::uint64_t{p.icmp_sequence} << 16;
  std::uint64_t payload_first = 0;
  std::uint64_t payload_second = 0;
  leading_payload(p, payload_first, payload_second);
  const std::uint64_t h = fold(header ^ kSecret[0], identity ^ kSecret[1]) +
                          fold(addresses.a ^ kSecret[2], addresses.b ^ kSecret[3]) +
                          fold(addresses.c ^ kSecret[4], addresses.d ^ kSecret[1]) +
                          fold(ports ^ kSecret[3], tcp ^ kSecret[2]) +
                          fold(icmp ^ kSecret[4], payload_first ^ kSecret[0]) +
                          fold(payload_second ^ kSecret[1], kSecret[5]);
  return finish(h);
}

std::uint64_t ip_id_key(const DecodedPacket& p) {
  const AddressWords addresses = address_words(p);
  const std::uint64_t header = std::uint64_t{p.ip_version} | std::uint64_t{p.protocol} << 8 |
                               std::uint64_t{p.ip_version == 4 ? p.ip_id : p.flow_label} << 32;
  return finish(fold(header ^ kSecret[2], kSecret[3]) +
                fold(addresses.a ^ kSecret[2], addresses.b ^ kSecret[3]) +
                fold(addresses.c ^ kSecret[4], addresses.d ^ kSecret[1]));
}

std::uint64_t tcp_seq_key(const DecodedPacket& p) {
  if (!p.has_transport || p.protocol != 6) return 0;
  return finish(fold(p.tcp_sequence ^ kSecret[3], kSecret[4]));
}

std::uint64_t payload_id_key(const DecodedPacket& p) {
  if (p.payload.size() < kPayloadIdSize) return 0;  // the common case, without a call
  const auto id = read_payload_id(p.payload);
  if (!id) return 0;
  return finish(fold(id->run_id ^ kSecret[4], id->sequence ^ kSecret[2]));
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

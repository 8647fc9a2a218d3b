// Match keys: a 64-bit value that is the same for one packet on the PIF and
// on the VIF, and (as far as 64 bits allow) different for any two packets.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "weaver/capture/decoder.hpp"

namespace weaver::capture {

enum class KeyKind : std::uint8_t {
  automatic,   // payload-id where the packet carries one, else hash
  tcp_seq,     // the TCP sequence number alone (what the 2013 tool matched on)
  ip_id,       // addresses, protocol and IPv4 identification / IPv6 flow label
  payload_id,  // weaver's payload identifier (run, sequence)
  hash,        // every field a datapath does not rewrite; see make_match_key
};

std::optional<KeyKind> parse_key_kind(std::string_view text);
std::string_view key_kind_name(KeyKind kind);

struct MatchKey {
  std::uint64_t value = 0;  // 0: the packet has nothing this kind of key is made of
  KeyKind kind = KeyKind::hash;  // the kind actually used (automatic resolves per packet)
};

// `hash` covers addresses, protocol, IP ID / flow label, fragment offset,
// ports, TCP sequence/acknowledgment/flags, ICMP type/code/id/sequence, the
// stated payload length and up to 16 leading payload bytes. It leaves out
// MACs, VLAN tags, TTL/hop limit and checksums, which bridges and routers
// rewrite. `packet` must have status ok.
MatchKey make_match_key(KeyKind kind, const DecodedPacket& packet);

}  // namespace weaver::capture

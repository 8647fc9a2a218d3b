// Decoding a captured frame down to the fields a match key is made of.
// Reads through a bounds-checked cursor: a malformed packet is reported in the
// result, never read past its captured length.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace weaver::capture {

// Link types (LINKTYPE_* numbers as they appear in capture files).
inline constexpr std::uint32_t kLinkEthernet = 1;
inline constexpr std::uint32_t kLinkRawLegacy = 12;  // DLT_RAW as written by some systems
inline constexpr std::uint32_t kLinkRaw = 101;
inline constexpr std::uint32_t kLinkLinuxSll = 113;
inline constexpr std::uint32_t kLinkIpv4 = 228;
inline constexpr std::uint32_t kLinkIpv6 = 229;
inline constexpr std::uint32_t kLinkLinuxSll2 = 276;

bool is_supported_link_type(std::uint32_t link_type);

enum class DecodeStatus : std::uint8_t {
  ok,         // an IP packet, fields below are valid
  not_ip,     // a frame without IP in it (ARP, LLDP, ...): nothing to match on
  malformed,  // a header contradicts itself or the captured length; see `problem`
};

// UDP ports that carry an overlay; their inner frame is what gets decoded.
inline constexpr std::uint16_t kVxlanPort = 4789;
inline constexpr std::uint16_t kVxlanLinuxPort = 8472;
inline constexpr std::uint16_t kGenevePort = 6081;

struct DecodedPacket {
  DecodeStatus status = DecodeStatus::not_ip;
  const char* problem = nullptr;  // static text, set when malformed

  std::uint8_t ip_version = 0;  // 4 or 6
  std::uint8_t protocol = 0;    // transport protocol after IPv6 extension headers
  std::uint8_t encapsulation_depth = 0;  // overlays (VXLAN, Geneve) removed
  bool has_transport = false;   // false for non-first fragments and unknown protocols
  std::uint8_t vlan_tags = 0;   // 802.1Q/802.1ad tags seen (not part of any key)

  std::array<std::uint8_t, 16> source{};  // IPv4 uses the first 4 bytes
  std::array<std::uint8_t, 16> destination{};
  std::uint32_t ip_id = 0;        // IPv4 identification, or IPv6 fragment identification
  std::uint32_t flow_label = 0;   // IPv6
  std::uint16_t fragment_offset = 0;
  bool more_fragments = false;

  std::uint16_t source_port = 0;
  std::uint16_t destination_port = 0;
  std::uint32_t tcp_sequence = 0;
  std::uint32_t tcp_acknowledgment = 0;
  std::uint8_t tcp_flags = 0;
  std::uint8_t icmp_type = 0;
  std::uint8_t icmp_code = 0;
  std::uint16_t icmp_identifier = 0;
  std::uint16_t icmp_sequence = 0;

  // Transport payload length as the IP header states it (frame padding and
  // trailing FCS excluded), and the captured part of that payload.
  std::uint32_t payload_length = 0;
  std::span<const std::uint8_t> payload;
};

// Decodes into `out`, reusing it: the hot path decodes millions of packets
// and a fresh DecodedPacket per packet costs more than the decoding.
void decode_packet(std::uint32_t link_type, std::span<const std::uint8_t> frame,
                   DecodedPacket& out);

inline DecodedPacket decode_packet(std::uint32_t link_type, std::span<const std::uint8_t> frame) {
  DecodedPacket out;
  decode_packet(link_type, frame, out);
  return out;
}

std::string_view link_type_name(std::uint32_t link_type);

}  // namespace weaver::capture

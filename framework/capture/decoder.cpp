#include "weaver/capture/decoder.hpp"

#include <algorithm>
#include <cstring>

#include "byte_cursor.hpp"

namespace weaver::capture {
namespace {

// The common path (Ethernet, IPv4/IPv6, TCP/UDP) is inlined into one
// function; overlays and problems stay out of line, which also breaks the
// recursion through decapsulation.
#define WEAVER_HOT [[gnu::always_inline]] inline
#define WEAVER_COLD [[gnu::noinline, gnu::cold]]

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherIpv6 = 0x86dd;
constexpr std::uint16_t kEtherVlan = 0x8100;
constexpr std::uint16_t kEtherQinQ = 0x88a8;
constexpr std::uint16_t kEtherQinQLegacy = 0x9100;
constexpr std::uint16_t kEtherTransparentBridging = 0x6558;
constexpr int kMaxVlanTags = 8;
constexpr int kMaxIpv6ExtensionHeaders = 8;
constexpr int kMaxEncapsulationDepth = 4;

constexpr std::uint8_t kProtoIcmp = 1;
constexpr std::uint8_t kProtoTcp = 6;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoIcmpv6 = 58;

bool is_echo(std::uint8_t protocol, std::uint8_t type) {
  if (protocol == kProtoIcmp) return type == 0 || type == 8;
  return type == 128 || type == 129;
}

// Decodes one frame into `out`. Each method returns nothing: a problem sets
// out.status and stops the descent.
class Decoder {
 public:
  explicit Decoder(DecodedPacket& out) : out_(out) {}

  WEAVER_HOT void link(std::uint32_t link_type, ByteCursor cursor) {
    switch (link_type) {
      case kLinkEthernet:
        return ethernet(cursor);
      case kLinkLinuxSll:
        return cooked(cursor, 16, 14, "Linux cooked (SLL) header cut short");
      case kLinkLinuxSll2:
        return cooked(cursor, 20, 0, "Linux cooked (SLL2) header cut short");
      case kLinkRaw:
      case kLinkRawLegacy:
        if (!cursor.has(1)) return malformed("raw IP packet is empty");
        if (cursor.u8(0) >> 4 == 4) return ipv4(cursor);
        if (cursor.u8(0) >> 4 == 6) return ipv6(cursor);
        return malformed("raw IP packet has an IP version other than 4 or 6");
      case kLinkIpv4:
        return ipv4(cursor);
      case kLinkIpv6:
        return ipv6(cursor);
      default:
        return malformed("unsupported link type");
    }
  }

 private:
  WEAVER_COLD void malformed(const char* problem) {
    out_.status = DecodeStatus::malformed;
    out_.problem = problem;
  }

  WEAVER_HOT void ethernet(ByteCursor cursor) {
    if (!cursor.has(14)) return malformed("Ethernet header cut short");
    const std::uint16_t type = cursor.u16(12);
    cursor.skip(14);
    ethertype(type, cursor);
  }

  WEAVER_HOT void cooked(ByteCursor cursor, std::size_t header_length, std::size_t protocol_offset,
              const char* cut_short) {
    if (!cursor.has(header_length)) return malformed(cut_short);
    const std::uint16_t type = cursor.u16(protocol_offset);
    cursor.skip(header_length);
    ethertype(type, cursor);
  }

  WEAVER_HOT void ethertype(std::uint16_t type, ByteCursor cursor) {
    int tags = 0;
    while (type == kEtherVlan || type == kEtherQinQ || type == kEtherQinQLegacy) {
      if (++tags > kMaxVlanTags) return malformed("more than 8 VLAN tags");
      if (!cursor.has(4)) return malformed("VLAN tag cut short");
      type = cursor.u16(2);
      cursor.skip(4);
    }
    out_.vlan_tags = static_cast<std::uint8_t>(out_.vlan_tags + tags);
    if (type == kEtherIpv4) return ipv4(cursor);
    if (type == kEtherIpv6) return ipv6(cursor);
    out_.status = DecodeStatus::not_ip;
  }

  WEAVER_HOT void ipv4(ByteCursor cursor) {
    if (!cursor.has(20)) return malformed("IPv4 header cut short");
    if (cursor.u8(0) >> 4 != 4) return malformed("IPv4 packet with an IP version other than 4");
    const std::size_t header_length = (cursor.u8(0) & 0x0fu) * 4u;
    if (header_length < 20) return malformed("IPv4 header length below 20 bytes");
    if (!cursor.has(header_length)) return malformed("IPv4 options cut short");
    const std::uint16_t total_length = cursor.u16(2);
    // A total length of 0 is what segmentation offload leaves in a capture.
    if (total_length != 0 && total_length < header_length) {
      return malformed("IPv4 total length shorter than its header");
    }
    const std::uint16_t flags_offset = cursor.u16(6);
    out_.ip_version = 4;
    out_.protocol = cursor.u8(9);
    out_.ip_id = cursor.u16(4);
    out_.flow_label = 0;
    out_.fragment_offset = flags_offset & 0x1fff;
    out_.more_fragments = (flags_offset & 0x2000) != 0;
    out_.source = {};
    out_.destination = {};
    std::memcpy(out_.source.data(), cursor.here() + 12, 4);
    std::memcpy(out_.destination.data(), cursor.here() + 16, 4);
    cursor.skip(header_length);
    std::size_t payload_length = cursor.remaining();
    if (total_length != 0) {
      payload_length = total_length - header_length;
      cursor.limit(payload_length);
    }
    ip_payload(cursor, payload_length);
  }

  void ipv6(ByteCursor cursor) {
    if (!cursor.has(40)) return malformed("IPv6 header cut short");
    if (cursor.u8(0) >> 4 != 6) return malformed("IPv6 packet with an IP version other than 6");
    out_.ip_version = 6;
    out_.flow_label = cursor.u32(0) & 0xfffff;
    out_.ip_id = 0;
    out_.fragment_offset = 0;
    out_.more_fragments = false;
    const std::uint16_t stated_length = cursor.u16(4);
    std::uint8_t next = cursor.u8(6);
    std::memcpy(out_.source.data(), cursor.here() + 8, 16);
    std::memcpy(out_.destination.data(), cursor.here() + 24, 16);
    cursor.skip(40);
    // A payload length of 0 is a jumbogram (or offload): trust the capture.
    std::size_t payload_length = cursor.remaining();
    if (stated_length != 0) {
      payload_length = stated_length;
      cursor.limit(payload_length);
    }
    for (int headers = 0;; ++headers) {
      std::size_t length = 0;
      switch (next) {
        case 0:    // hop-by-hop options
        case 43:   // routing
        case 60:   // destination options
        case 135:  // mobility
        case 139:  // host identity
        case 140:  // shim6
          if (!cursor.has(2)) return malformed("IPv6 extension header cut short");
          length = (cursor.u8(1) + 1u) * 8u;
          break;
        case 51:  // authentication header
          if (!cursor.has(2)) return malformed("IPv6 extension header cut short");
          length = (cursor.u8(1) + 2u) * 4u;
          break;
        case 44: {  // fragment
          if (!cursor.has(8)) return malformed("IPv6 fragment header cut short");
          const std::uint16_t offset_flags = cursor.u16(2);
          out_.fragment_offset = offset_flags >> 3;
          out_.more_fragments = (offset_flags & 1) != 0;
          out_.ip_id = cursor.u32(4);
          length = 8;
          break;
        }
        default:
          out_.protocol = next;
          return ip_payload(cursor, payload_length);
      }
      if (headers == kMaxIpv6ExtensionHeaders) return malformed("more than 8 IPv6 extension headers");
      if (!cursor.has(length)) return malformed("IPv6 extension header cut short");
      if (length > payload_length) return malformed("IPv6 extension headers exceed the payload length");
      next = cursor.u8(0);
      cursor.skip(length);
      payload_length -= length;
    }
  }

  // The bytes after the IP header(s); `stated_length` is what the IP header
  // says they are, which may exceed what was captured.
  WEAVER_HOT void ip_payload(ByteCursor cursor, std::size_t stated_length) {
    out_.status = DecodeStatus::ok;
    out_.has_transport = false;
    out_.source_port = out_.destination_port = 0;
    out_.tcp_sequence = out_.tcp_acknowledgment = 0;
    out_.tcp_flags = out_.icmp_type = out_.icmp_code = 0;
    out_.icmp_identifier = out_.icmp_sequence = 0;
    if (out_.fragment_offset != 0) return payload(cursor, stated_length);
    switch (out_.protocol) {
      case kProtoTcp:
        return tcp(cursor, stated_length);
      case kProtoUdp:
        return udp(cursor, stated_length);
      case kProtoIcmp:
      case kProtoIcmpv6:
        return icmp(cursor, stated_length);
      default:
        return payload(cursor, stated_length);
    }
  }

  WEAVER_HOT void tcp(ByteCursor cursor, std::size_t stated_length) {
    if (!cursor.has(20)) return malformed("TCP header cut short");
    const std::size_t header_length = (cursor.u8(12) >> 4) * 4u;
    if (header_length < 20) return malformed("TCP data offset below 20 bytes");
    if (!cursor.has(header_length)) return malformed("TCP options cut short");
    if (header_length > stated_length) return malformed("TCP header longer than its IP payload");
    out_.has_transport = true;
    out_.source_port = cursor.u16(0);
    out_.destination_port = cursor.u16(2);
    out_.tcp_sequence = cursor.u32(4);
    out_.tcp_acknowledgment = cursor.u32(8);
    out_.tcp_flags = cursor.u8(13);
    cursor.skip(header_length);
    payload(cursor, stated_length - header_length);
  }

  WEAVER_HOT void udp(ByteCursor cursor, std::size_t stated_length) {
    if (!cursor.has(8)) return malformed("UDP header cut short");
    if (stated_length < 8) return malformed("UDP header longer than its IP payload");
    out_.has_transport = true;
    out_.source_port = cursor.u16(0);
    out_.destination_port = cursor.u16(2);
    cursor.skip(8);
    const std::uint16_t port = out_.destination_port;
    if (out_.encapsulation_depth < kMaxEncapsulationDepth) {
      if ((port == kVxlanPort || port == kVxlanLinuxPort) && vxlan(cursor)) return;
      if (port == kGenevePort && geneve(cursor)) return;
    }
    payload(cursor, stated_length - 8);
  }

  WEAVER_HOT void icmp(ByteCursor cursor, std::size_t stated_length) {
    if (!cursor.has(4)) return malformed("ICMP header cut short");
    out_.has_transport = true;
    out_.icmp_type = cursor.u8(0);
    out_.icmp_code = cursor.u8(1);
    std::size_t header_length = 4;
    if (is_echo(out_.protocol, out_.icmp_type)) {
      if (!cursor.has(8)) return malformed("ICMP echo header cut short");
      out_.icmp_identifier = cursor.u16(4);
      out_.icmp_sequence = cursor.u16(6);
      header_length = 8;
    }
    if (header_length > stated_length) return malformed("ICMP header longer than its IP payload");
    cursor.skip(header_length);
    payload(cursor, stated_length - header_length);
  }

  WEAVER_HOT void payload(ByteCursor cursor, std::size_t stated_length) {
    out_.payload_length = static_cast<std::uint32_t>(stated_length);
    out_.payload = cursor.rest();
  }

  // The inner frame replaces everything decoded so far; false when the UDP
  // payload is not a VXLAN header after all.
  WEAVER_COLD bool vxlan(ByteCursor cursor) {
    if (!cursor.has(8) || (cursor.u8(0) & 0x08) == 0) return false;
    cursor.skip(8);
    decapsulate([&](Decoder& inner) { inner.ethernet(cursor); });
    return true;
  }

  WEAVER_COLD bool geneve(ByteCursor cursor) {
    if (!cursor.has(8) || (cursor.u8(0) >> 6) != 0) return false;
    const std::size_t options_length = (cursor.u8(0) & 0x3fu) * 4u;
    const std::uint16_t protocol = cursor.u16(2);
    if (!cursor.skip(8 + options_length)) {
      malformed("Geneve options cut short");
      return true;
    }
    decapsulate([&](Decoder& inner) {
      if (protocol == kEtherTransparentBridging) {
        inner.ethernet(cursor);
      } else {
        inner.ethertype(protocol, cursor);
      }
    });
    return true;
  }

  // The inner frame's headers overwrite the outer ones field by field.
  template <typename DecodeInner>
  void decapsulate(DecodeInner decode_inner) {
    ++out_.encapsulation_depth;
    out_.status = DecodeStatus::not_ip;
    decode_inner(*this);
  }

  DecodedPacket& out_;
};

}  // namespace

bool is_supported_link_type(std::uint32_t link_type) {
  switch (link_type) {
    case kLinkEthernet:
    case kLinkRawLegacy:
    case kLinkRaw:
    case kLinkLinuxSll:
    case kLinkIpv4:
    case kLinkIpv6:
    case kLinkLinuxSll2:
      return true;
    default:
      return false;
  }
}

std::string_view link_type_name(std::uint32_t link_type) {
  switch (link_type) {
    case kLinkEthernet:
      return "Ethernet";
    case kLinkRawLegacy:
    case kLinkRaw:
      return "raw IP";
    case kLinkLinuxSll:
      return "Linux cooked (SLL)";
    case kLinkIpv4:
      return "raw IPv4";
    case kLinkIpv6:
      return "raw IPv6";
    case kLinkLinuxSll2:
      return "Linux cooked (SLL2)";
    default:
      return "unsupported";
  }
}

void decode_packet(std::uint32_t link_type, std::span<const std::uint8_t> frame,
                   DecodedPacket& out) {
  out.status = DecodeStatus::not_ip;
  out.problem = nullptr;
  out.encapsulation_depth = 0;
  out.vlan_tags = 0;
  Decoder(out).link(link_type, ByteCursor(frame));
}

}  // namespace weaver::capture

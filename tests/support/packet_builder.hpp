// Builds frames for tests, the capture synthesizer and the benchmarks:
// Ethernet / Linux cooked / raw IP, VLAN stacks, IPv4 (with options) and IPv6
// (with extension headers), TCP / UDP / ICMP, and VXLAN or Geneve around it all.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weaver::testing {

using Bytes = std::vector<std::uint8_t>;

enum class Transport : std::uint8_t { tcp = 6, udp = 17, icmp = 1, icmpv6 = 58, other = 253 };
enum class Overlay : std::uint8_t { none, vxlan, vxlan_linux, geneve };

struct PacketSpec {
  int ip_version = 4;
  std::string source = "198.18.0.1";
  std::string destination = "198.19.0.1";
  Transport transport = Transport::tcp;
  std::uint16_t source_port = 40000;
  std::uint16_t destination_port = 80;
  std::uint32_t tcp_sequence = 1;
  std::uint32_t tcp_acknowledgment = 0;
  std::uint8_t tcp_flags = 0x02;  // SYN
  std::uint8_t icmp_type = 8;     // echo request
  std::uint16_t icmp_identifier = 1;
  std::uint16_t icmp_sequence = 1;
  std::uint16_t ip_id = 1;
  std::uint32_t flow_label = 0;
  std::uint8_t ttl = 64;
  Bytes ipv4_options;                 // multiple of 4 bytes
  std::vector<std::uint8_t> ipv6_extension_headers;  // next-header numbers: 0, 43, 60, 44
  Bytes payload;

  std::uint64_t source_mac = 0x020000000001;
  std::uint64_t destination_mac = 0x020000000002;
  std::vector<std::uint16_t> vlan_tpids;  // outermost first, e.g. {0x88a8, 0x8100}
  std::uint16_t vlan_id = 100;
  std::size_t pad_to = 60;                // Ethernet minimum frame (without FCS)

  Overlay overlay = Overlay::none;        // wrap the Ethernet frame in an overlay
  std::string overlay_source = "198.18.255.1";
  std::string overlay_destination = "198.18.255.2";
};

// The IP packet (IP header onward), checksums filled in.
Bytes build_ip_packet(const PacketSpec& spec);

// An Ethernet frame, with VLAN tags and an overlay as the spec asks.
Bytes build_ethernet_frame(const PacketSpec& spec);

// The default TCP SYN with `sequence` as its TCP sequence and (low 16 bits) IP ID.
inline Bytes syn_frame(std::uint32_t sequence) {
  PacketSpec spec;
  spec.tcp_sequence = sequence;
  spec.ip_id = static_cast<std::uint16_t>(sequence);
  return build_ethernet_frame(spec);
}

// A 60-byte frame of EtherType ARP (no IP inside, so never matched).
inline Bytes arp_frame() {
  Bytes frame(60, 0);
  frame[12] = 0x08;
  frame[13] = 0x06;
  return frame;
}

// Frames for the other link types (no overlay, no tags).
Bytes build_linux_sll_frame(const PacketSpec& spec);
Bytes build_linux_sll2_frame(const PacketSpec& spec);

// The Internet checksum (RFC 1071) over `bytes`, starting from `initial`.
std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t size,
                                std::uint32_t initial = 0);

}  // namespace weaver::testing

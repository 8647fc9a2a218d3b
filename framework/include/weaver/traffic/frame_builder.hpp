// The frames weaver-gen sends: Ethernet + IPv4/IPv6 + a TCP SYN, a UDP
// datagram or an ICMP echo request, exactly `frame_size` bytes on the wire
// in the RFC 2544 sense (the 4-byte FCS included, so a 64-byte frame is 60
// bytes in a capture). Each packet carries weaver's packet id (see
// weaver/capture/payload_id.hpp) at the start of its payload when there is
// room; a SYN's sequence number and an IPv4 header's identification are the
// low bits of the packet's sequence as well.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "weaver/traffic/addresses.hpp"

namespace weaver::traffic {

enum class Protocol { syn, udp, icmp };

std::string_view protocol_name(Protocol protocol);

inline constexpr std::size_t kEthernetHeaderSize = 14;
inline constexpr std::size_t kFcsSize = 4;
inline constexpr std::size_t kMinimumFrameSize = 64;  // with FCS

struct FrameSpec {
  Protocol protocol = Protocol::udp;
  MacAddress source_mac{};
  MacAddress destination_mac{};
  IpAddress source;                     // first of `source_addresses`
  std::uint32_t source_addresses = 1;   // packets cycle through this many
  IpAddress destination;                // same family as `source`
  std::uint16_t source_port = 40000;    // first of `source_ports` (SYN, UDP)
  std::uint32_t source_ports = 1;
  std::uint16_t destination_port = 9;   // SYN, UDP
  std::size_t frame_size = 64;          // with FCS
  std::uint32_t run_id = 0;
};

// Bytes before the payload: Ethernet, IP and transport headers.
std::size_t header_size(Protocol protocol, bool ipv4);

// The smallest frame (with FCS) for the protocol and family: the headers
// plus, for UDP and ICMP, the 16-byte packet id; never below 64.
std::size_t minimum_frame_size(Protocol protocol, bool ipv4);

// Throws UsageError naming the size when the frame cannot be built or would
// not fit an interface with IP MTU `mtu`.
void check_frame_size(const FrameSpec& spec, unsigned mtu);

class FrameBuilder {
 public:
  explicit FrameBuilder(const FrameSpec& spec);  // checks the spec (not the MTU)

  // Bytes of one frame as handed to the interface (frame_size minus FCS).
  std::size_t wire_size() const { return template_.size(); }

  // Writes packet `sequence` into `out` (wire_size() bytes): its source
  // address and port from the ranges, its id, `send_time_ns` where the
  // payload has room, and every checksum.
  void build(std::uint64_t sequence, std::uint64_t send_time_ns, std::span<std::uint8_t> out) const;

 private:
  FrameSpec spec_;
  bool ipv4_;
  std::size_t ip_offset_ = kEthernetHeaderSize;
  std::size_t l4_offset_;
  std::size_t payload_offset_;
  std::vector<std::uint8_t> template_;  // variable fields zero
  std::uint64_t l4_template_sum_ = 0;   // one's-complement sum of the rest, pseudo-header included
};

// RFC 1071 helpers (exposed for tests): the running sum of 16-bit
// big-endian words, and its folded complement.
std::uint64_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint64_t sum = 0);
std::uint16_t finish_checksum(std::uint64_t sum);

}  // namespace weaver::traffic

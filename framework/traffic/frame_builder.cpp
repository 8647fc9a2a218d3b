#include "weaver/traffic/frame_builder.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "weaver/capture/payload_id.hpp"
#include "weaver/error.hpp"

namespace weaver::traffic {
namespace {

constexpr std::size_t kIpv4HeaderSize = 20;
constexpr std::size_t kIpv6HeaderSize = 40;
constexpr std::uint8_t kTtl = 64;
constexpr std::uint16_t kSynWindow = 64240;

std::uint8_t ip_protocol(Protocol protocol, bool ipv4) {
  switch (protocol) {
    case Protocol::syn:
      return 6;
    case Protocol::udp:
      return 17;
    case Protocol::icmp:
      return ipv4 ? 1 : 58;
  }
  return 0;
}

std::size_t transport_header_size(Protocol protocol) { return protocol == Protocol::syn ? 20 : 8; }

void put16(std::uint8_t* p, std::uint32_t value) {
  p[0] = static_cast<std::uint8_t>(value >> 8);
  p[1] = static_cast<std::uint8_t>(value);
}

void put32(std::uint8_t* p, std::uint32_t value) {
  put16(p, value >> 16);
  put16(p + 2, value & 0xffff);
}

std::string family_name(bool ipv4) { return ipv4 ? "IPv4" : "IPv6"; }

}  // namespace

std::string_view protocol_name(Protocol protocol) {
  switch (protocol) {
    case Protocol::syn:
      return "syn";
    case Protocol::udp:
      return "udp";
    case Protocol::icmp:
      return "icmp";
  }
  return "?";
}

std::size_t header_size(Protocol protocol, bool ipv4) {
  return kEthernetHeaderSize + (ipv4 ? kIpv4HeaderSize : kIpv6HeaderSize) +
         transport_header_size(protocol);
}

std::size_t minimum_frame_size(Protocol protocol, bool ipv4) {
  const std::size_t id = protocol == Protocol::syn ? 0 : capture::kPayloadIdSize;
  return std::max(kMinimumFrameSize, header_size(protocol, ipv4) + id + kFcsSize);
}

void check_frame_size(const FrameSpec& spec, unsigned mtu) {
  const bool ipv4 = spec.destination.is_v4();
  const std::size_t smallest = minimum_frame_size(spec.protocol, ipv4);
  const std::string what = "--size " + std::to_string(spec.frame_size) + ": ";
  if (spec.frame_size < smallest) {
    throw UsageError(what + "an " + family_name(ipv4) + " " + std::string(protocol_name(spec.protocol)) +
                     " frame with weaver's packet id needs at least " + std::to_string(smallest) +
                     " bytes (RFC 2544 sizes include the 4-byte FCS)");
  }
  const std::size_t largest = std::size_t{mtu} + kEthernetHeaderSize + kFcsSize;
  if (mtu != 0 && spec.frame_size > largest) {
    throw UsageError(what + "larger than the interface's MTU of " + std::to_string(mtu) +
                     " allows (at most " + std::to_string(largest) + " bytes with FCS)");
  }
}

std::uint64_t ones_complement_sum(std::span<const std::uint8_t> bytes, std::uint64_t sum) {
  std::size_t i = 0;
  for (; i + 1 < bytes.size(); i += 2) sum += (std::uint64_t{bytes[i]} << 8) | bytes[i + 1];
  if (i < bytes.size()) sum += std::uint64_t{bytes[i]} << 8;
  return sum;
}

std::uint16_t finish_checksum(std::uint64_t sum) {
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

FrameBuilder::FrameBuilder(const FrameSpec& spec) : spec_(spec), ipv4_(spec.destination.is_v4()) {
  if (spec.source.family != spec.destination.family) {
    throw UsageError("--src " + spec.source.to_string() + " and --dst " +
                     spec.destination.to_string() + " are not of the same IP family");
  }
  if (spec.source_addresses == 0 || spec.source_ports == 0) {
    throw UsageError("source address and port ranges need at least one entry");
  }
  check_frame_size(spec, 0);
  l4_offset_ = ip_offset_ + (ipv4_ ? kIpv4HeaderSize : kIpv6HeaderSize);
  payload_offset_ = l4_offset_ + transport_header_size(spec.protocol);
  template_.assign(spec.frame_size - kFcsSize, 0);

  std::uint8_t* frame = template_.data();
  std::memcpy(frame, spec.destination_mac.data(), 6);
  std::memcpy(frame + 6, spec.source_mac.data(), 6);
  put16(frame + 12, ipv4_ ? 0x0800 : 0x86dd);

  const std::uint8_t protocol = ip_protocol(spec.protocol, ipv4_);
  const std::size_t l4_length = template_.size() - l4_offset_;
  std::uint8_t* ip = frame + ip_offset_;
  const std::size_t address_size = spec.destination.size();
  if (ipv4_) {
    ip[0] = 0x45;
    put16(ip + 2, static_cast<std::uint32_t>(template_.size() - ip_offset_));
    ip[8] = kTtl;
    ip[9] = protocol;
    std::memcpy(ip + 16, spec.destination.bytes.data(), 4);
  } else {
    put32(ip, 0x60000000);
    put16(ip + 4, static_cast<std::uint32_t>(l4_length));
    ip[6] = protocol;
    ip[7] = kTtl;
    std::memcpy(ip + 24, spec.destination.bytes.data(), 16);
  }

  std::uint8_t* l4 = frame + l4_offset_;
  switch (spec.protocol) {
    case Protocol::syn:
      put16(l4 + 2, spec.destination_port);
      l4[12] = 5 << 4;  // data offset: 20 bytes, no options
      l4[13] = 0x02;    // SYN
      put16(l4 + 14, kSynWindow);
      break;
    case Protocol::udp:
      put16(l4 + 2, spec.destination_port);
      put16(l4 + 4, static_cast<std::uint32_t>(l4_length));
      break;
    case Protocol::icmp:
      l4[0] = ipv4_ ? 8 : 128;  // echo request
      put16(l4 + 4, spec.run_id & 0xffff);
      break;
  }

  // The transport checksum's constant part: the segment with its variable
  // fields zero, and the pseudo-header without the source address (ICMPv4
  // has no pseudo-header).
  l4_template_sum_ = ones_complement_sum({l4, l4_length});
  if (!(ipv4_ && spec.protocol == Protocol::icmp)) {
    const std::uint8_t* destination = ip + (ipv4_ ? 16 : 24);
    l4_template_sum_ = ones_complement_sum({destination, address_size}, l4_template_sum_);
    l4_template_sum_ += protocol;
    l4_template_sum_ += (l4_length >> 16) + (l4_length & 0xffff);
  }
}

void FrameBuilder::build(std::uint64_t sequence, std::uint64_t send_time_ns,
                         std::span<std::uint8_t> out) const {
  std::uint8_t* frame = out.data();
  std::memcpy(frame, template_.data(), template_.size());
  std::uint8_t* ip = frame + ip_offset_;
  std::uint8_t* l4 = frame + l4_offset_;
  std::uint64_t sum = l4_template_sum_;

  const IpAddress source = spec_.source.plus(
      static_cast<std::uint32_t>((sequence / spec_.source_ports) % spec_.source_addresses));
  std::uint8_t* source_field = ip + (ipv4_ ? 12 : 8);
  std::memcpy(source_field, source.bytes.data(), source.size());
  if (!(ipv4_ && spec_.protocol == Protocol::icmp)) {
    sum = ones_complement_sum({source_field, source.size()}, sum);
  }

  if (spec_.protocol == Protocol::icmp) {
    put16(l4 + 6, static_cast<std::uint32_t>(sequence & 0xffff));
    sum += sequence & 0xffff;
  } else {
    const auto port =
        static_cast<std::uint32_t>(spec_.source_port + sequence % spec_.source_ports) & 0xffff;
    put16(l4, port);
    sum += port;
  }
  if (spec_.protocol == Protocol::syn) {
    const auto tcp_sequence = static_cast<std::uint32_t>(sequence);
    put32(l4 + 4, tcp_sequence);
    sum += (tcp_sequence >> 16) + (tcp_sequence & 0xffff);
  }

  const std::size_t payload_size = template_.size() - payload_offset_;
  if (payload_size >= capture::kPayloadIdSize) {
    std::span<std::uint8_t> id{frame + payload_offset_,
                               std::min(payload_size, capture::kPayloadIdWithTimeSize)};
    capture::write_payload_id({spec_.run_id, sequence, send_time_ns}, id);
    sum = ones_complement_sum(id, sum);
  }

  std::uint16_t checksum = finish_checksum(sum);
  if (spec_.protocol == Protocol::udp && checksum == 0) checksum = 0xffff;
  put16(l4 + (spec_.protocol == Protocol::syn ? 16 : spec_.protocol == Protocol::udp ? 6 : 2),
        checksum);

  if (ipv4_) {
    put16(ip + 4, static_cast<std::uint32_t>(sequence & 0xffff));
    put16(ip + 10, finish_checksum(ones_complement_sum({ip, kIpv4HeaderSize})));
  }
}

}  // namespace weaver::traffic

#include "packet_builder.hpp"

#include <arpa/inet.h>

#include <stdexcept>

namespace weaver::testing {
namespace {

void put16(Bytes& out, std::uint16_t v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put32(Bytes& out, std::uint32_t v) {
  put16(out, static_cast<std::uint16_t>(v >> 16));
  put16(out, static_cast<std::uint16_t>(v));
}

void set16(Bytes& out, std::size_t at, std::uint16_t v) {
  out[at] = static_cast<std::uint8_t>(v >> 8);
  out[at + 1] = static_cast<std::uint8_t>(v);
}

void put_mac(Bytes& out, std::uint64_t mac) {
  for (int shift = 40; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(mac >> shift));
}

Bytes address(int version, const std::string& text) {
  Bytes out(version == 4 ? 4 : 16);
  if (inet_pton(version == 4 ? AF_INET : AF_INET6, text.c_str(), out.data()) != 1) {
    throw std::invalid_argument("not an IPv" + std::to_string(version) + " address: " + text);
  }
  return out;
}

std::uint8_t protocol_number(const PacketSpec& spec) {
  if (spec.transport == Transport::icmp && spec.ip_version == 6) return 58;
  return static_cast<std::uint8_t>(spec.transport);
}

Bytes transport_segment(const PacketSpec& spec) {
  Bytes out;
  switch (spec.transport) {
    case Transport::tcp:
      put16(out, spec.source_port);
      put16(out, spec.destination_port);
      put32(out, spec.tcp_sequence);
      put32(out, spec.tcp_acknowledgment);
      out.push_back(0x50);  // data offset 5
      out.push_back(spec.tcp_flags);
      put16(out, 512);  // window
      put16(out, 0);    // checksum
      put16(out, 0);    // urgent
      break;
    case Transport::udp:
      put16(out, spec.source_port);
      put16(out, spec.destination_port);
      put16(out, static_cast<std::uint16_t>(8 + spec.payload.size()));
      put16(out, 0);
      break;
    case Transport::icmp:
    case Transport::icmpv6:
      out.push_back(spec.ip_version == 6 && spec.icmp_type == 8 ? 128 : spec.icmp_type);
      out.push_back(0);
      put16(out, 0);
      put16(out, spec.icmp_identifier);
      put16(out, spec.icmp_sequence);
      break;
    case Transport::other:
      break;
  }
  out.insert(out.end(), spec.payload.begin(), spec.payload.end());
  return out;
}

std::size_t checksum_offset(const PacketSpec& spec) {
  switch (spec.transport) {
    case Transport::tcp:
      return 16;
    case Transport::udp:
      return 6;
    case Transport::icmp:
    case Transport::icmpv6:
      return 2;
    case Transport::other:
      break;
  }
  return SIZE_MAX;
}

void fill_transport_checksum(const PacketSpec& spec, const Bytes& source, const Bytes& destination,
                             Bytes& segment) {
  const std::size_t at = checksum_offset(spec);
  if (at == SIZE_MAX) return;
  std::uint32_t pseudo = 0;
  const bool icmpv4 = spec.transport == Transport::icmp && spec.ip_version == 4;
  if (!icmpv4) {  // ICMPv4 has no pseudo-header
    for (std::size_t i = 0; i < source.size(); i += 2) {
      pseudo += static_cast<std::uint32_t>(source[i] << 8 | source[i + 1]);
      pseudo += static_cast<std::uint32_t>(destination[i] << 8 | destination[i + 1]);
    }
    pseudo += protocol_number(spec);
    pseudo += static_cast<std::uint32_t>(segment.size());
  }
  std::uint16_t sum = internet_checksum(segment.data(), segment.size(), pseudo);
  if (spec.transport == Transport::udp && sum == 0) sum = 0xffff;
  set16(segment, at, sum);
}

Bytes ipv6_extensions(const PacketSpec& spec, std::uint8_t transport) {
  Bytes out;
  const auto& headers = spec.ipv6_extension_headers;
  for (std::size_t i = 0; i < headers.size(); ++i) {
    const std::uint8_t next = i + 1 < headers.size() ? headers[i + 1] : transport;
    out.push_back(next);
    if (headers[i] == 44) {  // fragment: offset 0, last fragment
      out.push_back(0);
      put16(out, 0);
      put32(out, spec.ip_id);
    } else {  // 8 bytes of options: PadN
      out.push_back(0);
      out.insert(out.end(), {1, 4, 0, 0, 0, 0});
    }
  }
  return out;
}

Bytes wrap_in_overlay(const PacketSpec& spec, const Bytes& inner_frame) {
  PacketSpec outer;
  outer.source = spec.overlay_source;
  outer.destination = spec.overlay_destination;
  outer.transport = Transport::udp;
  outer.source_port = 51000;
  outer.ip_id = static_cast<std::uint16_t>(spec.ip_id + 7);  // outer fields differ per hop
  Bytes header;
  if (spec.overlay == Overlay::geneve) {
    outer.destination_port = 6081;
    header = {0x02, 0x00, 0x65, 0x58, 0x00, 0x00, 0x2a, 0x00};  // 8 bytes of options follow
    header.insert(header.end(), {0x01, 0x02, 0x03, 0x01, 0, 0, 0, 0});
  } else {
    outer.destination_port = spec.overlay == Overlay::vxlan ? 4789 : 8472;
    header = {0x08, 0, 0, 0, 0x00, 0x00, 0x2a, 0x00};
  }
  outer.payload = header;
  outer.payload.insert(outer.payload.end(), inner_frame.begin(), inner_frame.end());
  return build_ethernet_frame(outer);
}

}  // namespace

std::uint16_t internet_checksum(const std::uint8_t* bytes, std::size_t size, std::uint32_t initial) {
  std::uint64_t sum = initial;
  for (std::size_t i = 0; i + 1 < size; i += 2) sum += static_cast<std::uint32_t>(bytes[i] << 8 | bytes[i + 1]);
  if (size % 2 == 1) sum += static_cast<std::uint32_t>(bytes[size - 1] << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

Bytes build_ip_packet(const PacketSpec& spec) {
  const Bytes source = address(spec.ip_version, spec.source);
  const Bytes destination = address(spec.ip_version, spec.destination);
  Bytes segment = transport_segment(spec);
  fill_transport_checksum(spec, source, destination, segment);
  Bytes out;
  if (spec.ip_version == 4) {
    const std::size_t header = 20 + spec.ipv4_options.size();
    out.push_back(static_cast<std::uint8_t>(0x40 | (header / 4)));
    out.push_back(0);
    put16(out, static_cast<std::uint16_t>(header + segment.size()));
    put16(out, spec.ip_id);
    put16(out, 0x4000);  // don't fragment
    out.push_back(spec.ttl);
    out.push_back(protocol_number(spec));
    put16(out, 0);
    out.insert(out.end(), source.begin(), source.end());
    out.insert(out.end(), destination.begin(), destination.end());
    out.insert(out.end(), spec.ipv4_options.begin(), spec.ipv4_options.end());
    set16(out, 10, internet_checksum(out.data(), out.size()));
  } else {
    const Bytes extensions = ipv6_extensions(spec, protocol_number(spec));
    put32(out, 0x60000000u | (spec.flow_label & 0xfffff));
    put16(out, static_cast<std::uint16_t>(extensions.size() + segment.size()));
    out.push_back(spec.ipv6_extension_headers.empty() ? protocol_number(spec)
                                                      : spec.ipv6_extension_headers.front());
    out.push_back(spec.ttl);
    out.insert(out.end(), source.begin(), source.end());
    out.insert(out.end(), destination.begin(), destination.end());
    out.insert(out.end(), extensions.begin(), extensions.end());
  }
  out.insert(out.end(), segment.begin(), segment.end());
  return out;
}

Bytes build_ethernet_frame(const PacketSpec& spec) {
  Bytes out;
  put_mac(out, spec.destination_mac);
  put_mac(out, spec.source_mac);
  for (std::uint16_t tpid : spec.vlan_tpids) {
    put16(out, tpid);
    put16(out, spec.vlan_id);
  }
  put16(out, spec.ip_version == 4 ? 0x0800 : 0x86dd);
  const Bytes ip = build_ip_packet(spec);
  out.insert(out.end(), ip.begin(), ip.end());
  if (out.size() < spec.pad_to) out.resize(spec.pad_to, 0);
  if (spec.overlay != Overlay::none) {
    PacketSpec inner = spec;
    inner.overlay = Overlay::none;
    return wrap_in_overlay(spec, build_ethernet_frame(inner));
  }
  return out;
}

Bytes build_linux_sll_frame(const PacketSpec& spec) {
  Bytes out;
  put16(out, 0);  // packet type: to us
  put16(out, 1);  // ARPHRD_ETHER
  put16(out, 6);
  put_mac(out, spec.source_mac);
  put16(out, 0);
  put16(out, spec.ip_version == 4 ? 0x0800 : 0x86dd);
  const Bytes ip = build_ip_packet(spec);
  out.insert(out.end(), ip.begin(), ip.end());
  return out;
}

Bytes build_linux_sll2_frame(const PacketSpec& spec) {
  Bytes out;
  put16(out, spec.ip_version == 4 ? 0x0800 : 0x86dd);
  put16(out, 0);   // reserved
  put32(out, 3);   // interface index
  put16(out, 1);   // ARPHRD_ETHER
  out.push_back(0);
  out.push_back(6);
  put_mac(out, spec.source_mac);
  put16(out, 0);
  const Bytes ip = build_ip_packet(spec);
  out.insert(out.end(), ip.begin(), ip.end());
  return out;
}

}  // namespace weaver::testing

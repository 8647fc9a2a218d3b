// Shared by the decoder tests: frames built with packet_builder and the
// checks of what decoding them gives.
#pragma once

#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <array>
#include <string>
#include <vector>

#include "packet_builder.hpp"
#include "weaver/capture/decoder.hpp"


namespace decoder_test {

using weaver::capture::decode_packet;
using weaver::capture::DecodedPacket;
using weaver::capture::DecodeStatus;
using weaver::testing::Bytes;
using weaver::testing::build_ethernet_frame;
using weaver::testing::build_ip_packet;
using weaver::testing::build_linux_sll2_frame;
using weaver::testing::build_linux_sll_frame;
using weaver::testing::Overlay;
using weaver::testing::PacketSpec;
using weaver::testing::Transport;
namespace capture = weaver::capture;

inline constexpr std::size_t kEthernet = 14;

// DecodedPacket::payload points into the frame: every test keeps its frame in
// a named variable for as long as it reads the result.

inline std::array<std::uint8_t, 16> address(const std::string& text) {
  std::array<std::uint8_t, 16> out{};
  const bool v6 = text.find(':') != std::string::npos;
  EXPECT_EQ(inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), out.data()), 1) << text;
  return out;
}

inline Bytes payload_bytes(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(0xa0 + i);
  return out;
}

inline PacketSpec tcp_spec() {
  PacketSpec spec;
  spec.source = "10.1.2.3";
  spec.destination = "10.4.5.6";
  spec.source_port = 1234;
  spec.destination_port = 443;
  spec.tcp_sequence = 0xdeadbeef;
  spec.tcp_acknowledgment = 0x01020304;
  spec.tcp_flags = 0x18;  // PSH|ACK
  spec.ip_id = 0x4242;
  spec.payload = payload_bytes(100);
  return spec;
}

inline PacketSpec udp6_spec() {
  PacketSpec spec;
  spec.ip_version = 6;
  spec.source = "2001:db8::1";
  spec.destination = "2001:db8:ffff::2";
  spec.transport = Transport::udp;
  spec.source_port = 5353;
  spec.destination_port = 9999;
  spec.flow_label = 0xabcde;
  spec.payload = payload_bytes(33);
  return spec;
}

inline constexpr std::size_t kGeneveHeader = kEthernet + 20 + 8;  // outer Ethernet, IPv4, UDP

inline void expect_tcp_fields(const DecodedPacket& d, const PacketSpec& spec) {
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.problem, nullptr);
  EXPECT_EQ(d.ip_version, 4);
  EXPECT_EQ(d.protocol, 6);
  EXPECT_TRUE(d.has_transport);
  EXPECT_EQ(d.source, address(spec.source));
  EXPECT_EQ(d.destination, address(spec.destination));
  EXPECT_EQ(d.source_port, spec.source_port);
  EXPECT_EQ(d.destination_port, spec.destination_port);
  EXPECT_EQ(d.tcp_sequence, spec.tcp_sequence);
  EXPECT_EQ(d.tcp_acknowledgment, spec.tcp_acknowledgment);
  EXPECT_EQ(d.tcp_flags, spec.tcp_flags);
  EXPECT_EQ(d.ip_id, spec.ip_id);
  EXPECT_EQ(d.fragment_offset, 0);
  EXPECT_EQ(d.payload_length, spec.payload.size());
  EXPECT_EQ(Bytes(d.payload.begin(), d.payload.end()), spec.payload);
}


}  // namespace decoder_test

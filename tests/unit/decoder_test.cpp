#include <gtest/gtest.h>

#include "decoder_test_support.hpp"

namespace {

using namespace decoder_test;

// --- Link types -----------------------------------------------------------

struct LinkCase {
  std::uint32_t link_type;
  Bytes (*build)(const PacketSpec&);
  const char* name;
};

class DecoderLinkTypes : public ::testing::TestWithParam<LinkCase> {};

TEST_P(DecoderLinkTypes, DecodesTcpFields) {
  const PacketSpec spec = tcp_spec();
  const Bytes bytes = GetParam().build(spec);
  const auto d = decode_packet(GetParam().link_type, bytes);
  expect_tcp_fields(d, spec);
  EXPECT_EQ(d.encapsulation_depth, 0);
  EXPECT_EQ(d.vlan_tags, 0);
}

TEST_P(DecoderLinkTypes, DecodesIpv6UdpFields) {
  const PacketSpec spec = udp6_spec();
  const Bytes bytes = GetParam().build(spec);
  const auto d = decode_packet(GetParam().link_type, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_EQ(d.protocol, 17);
  EXPECT_EQ(d.source, address(spec.source));
  EXPECT_EQ(d.destination, address(spec.destination));
  EXPECT_EQ(d.flow_label, spec.flow_label);
  EXPECT_EQ(d.source_port, 5353);
  EXPECT_EQ(d.destination_port, 9999);
  EXPECT_EQ(d.payload_length, 33u);
  EXPECT_EQ(Bytes(d.payload.begin(), d.payload.end()), spec.payload);
}

Bytes raw_ip(const PacketSpec& spec) { return build_ip_packet(spec); }

INSTANTIATE_TEST_SUITE_P(
    AllLinkTypes, DecoderLinkTypes,
    ::testing::Values(LinkCase{capture::kLinkEthernet, build_ethernet_frame, "ethernet"},
                      LinkCase{capture::kLinkLinuxSll, build_linux_sll_frame, "sll"},
                      LinkCase{capture::kLinkLinuxSll2, build_linux_sll2_frame, "sll2"},
                      LinkCase{capture::kLinkRaw, raw_ip, "raw"},
                      LinkCase{capture::kLinkRawLegacy, raw_ip, "raw_legacy"}),
    [](const ::testing::TestParamInfo<LinkCase>& param_info) { return std::string(param_info.param.name); });

TEST(Decoder, RawIpv4LinkType) {
  const PacketSpec spec = tcp_spec();
  expect_tcp_fields(decode_packet(capture::kLinkIpv4, build_ip_packet(spec)), spec);
}

TEST(Decoder, RawIpv6LinkType) {
  const PacketSpec spec = udp6_spec();
  const Bytes bytes = build_ip_packet(spec);
  const auto d = decode_packet(capture::kLinkIpv6, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_EQ(d.destination_port, 9999);
}

TEST(Decoder, UnsupportedLinkTypeIsMalformed) {
  const Bytes bytes = build_ethernet_frame(tcp_spec());
  const auto d = decode_packet(105, bytes);
  EXPECT_EQ(d.status, DecodeStatus::malformed);
  EXPECT_STREQ(d.problem, "unsupported link type");
}

// --- VLAN, options, extension headers, fragments ---------------------------

TEST(Decoder, SingleVlanTag) {
  PacketSpec spec = tcp_spec();
  spec.vlan_tpids = {0x8100};
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  expect_tcp_fields(d, spec);
  EXPECT_EQ(d.vlan_tags, 1);
}

TEST(Decoder, QinQVlanStack) {
  PacketSpec spec = tcp_spec();
  spec.vlan_tpids = {0x88a8, 0x8100};
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  expect_tcp_fields(d, spec);
  EXPECT_EQ(d.vlan_tags, 2);
}

TEST(Decoder, EightVlanTagsAreAccepted) {
  PacketSpec spec = tcp_spec();
  spec.vlan_tpids.assign(8, 0x8100);
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  expect_tcp_fields(d, spec);
  EXPECT_EQ(d.vlan_tags, 8);
}

TEST(Decoder, Ipv4OptionsAreSkipped) {
  PacketSpec spec = tcp_spec();
  spec.ipv4_options = {1, 1, 1, 1, 1, 1, 1, 0};  // NOPs and end of options
  const Bytes frame = build_ethernet_frame(spec);
  ASSERT_EQ(frame[kEthernet], 0x47);
  expect_tcp_fields(decode_packet(capture::kLinkEthernet, frame), spec);
}

TEST(Decoder, Ipv6HopByHopAndDestinationOptionsAreSkipped) {
  PacketSpec spec = tcp_spec();
  spec.ip_version = 6;
  spec.source = "fd00::1";
  spec.destination = "fd00::2";
  spec.ipv6_extension_headers = {0, 60};
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_EQ(d.protocol, 6);
  EXPECT_TRUE(d.has_transport);
  EXPECT_EQ(d.source_port, spec.source_port);
  EXPECT_EQ(d.tcp_sequence, spec.tcp_sequence);
  EXPECT_EQ(d.payload_length, 100u);
}

TEST(Decoder, Ipv6FirstFragmentKeepsTransportAndIdentification) {
  PacketSpec spec = udp6_spec();
  spec.ip_id = 0x7777;
  spec.ipv6_extension_headers = {44};
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.protocol, 17);
  EXPECT_EQ(d.ip_id, 0x7777u);
  EXPECT_EQ(d.fragment_offset, 0);
  EXPECT_FALSE(d.more_fragments);
  EXPECT_TRUE(d.has_transport);
  EXPECT_EQ(d.destination_port, 9999);
  EXPECT_EQ(d.payload_length, 33u);
}

TEST(Decoder, Ipv6NonFirstFragmentHasNoTransport) {
  PacketSpec spec = udp6_spec();
  spec.ipv6_extension_headers = {44};
  Bytes frame = build_ethernet_frame(spec);
  const std::size_t fragment = kEthernet + 40;
  const std::uint16_t offset_flags = (100 << 3) | 1;  // offset 800 bytes, more fragments
  frame[fragment + 2] = static_cast<std::uint8_t>(offset_flags >> 8);
  frame[fragment + 3] = static_cast<std::uint8_t>(offset_flags);
  const auto d = decode_packet(capture::kLinkEthernet, frame);
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.fragment_offset, 100);
  EXPECT_TRUE(d.more_fragments);
  EXPECT_FALSE(d.has_transport);
  EXPECT_EQ(d.source_port, 0);
  EXPECT_EQ(d.destination_port, 0);
  EXPECT_EQ(d.payload_length, 8u + 33u);  // the UDP header is just payload here
}

TEST(Decoder, Ipv4NonFirstFragmentHasNoTransport) {
  Bytes frame = build_ethernet_frame(tcp_spec());
  frame[kEthernet + 6] = 0x20;  // more fragments, offset 0x0b9 * 8
  frame[kEthernet + 7] = 0xb9;
  const auto d = decode_packet(capture::kLinkEthernet, frame);
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.fragment_offset, 0xb9);
  EXPECT_TRUE(d.more_fragments);
  EXPECT_FALSE(d.has_transport);
  EXPECT_EQ(d.source_port, 0);
  EXPECT_EQ(d.tcp_sequence, 0u);
  EXPECT_EQ(d.payload_length, 120u);  // TCP header + 100 bytes, all of it fragment payload
}

TEST(Decoder, UnknownProtocolHasNoTransport) {
  PacketSpec spec = tcp_spec();
  spec.transport = Transport::other;
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.protocol, 253);
  EXPECT_FALSE(d.has_transport);
  EXPECT_EQ(d.payload_length, 100u);
}

// --- ICMP -------------------------------------------------------------------

TEST(Decoder, IcmpEchoIdentifierAndSequence) {
  PacketSpec spec = tcp_spec();
  spec.transport = Transport::icmp;
  spec.icmp_identifier = 0x1234;
  spec.icmp_sequence = 77;
  spec.payload = payload_bytes(56);
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.protocol, 1);
  EXPECT_TRUE(d.has_transport);
  EXPECT_EQ(d.icmp_type, 8);
  EXPECT_EQ(d.icmp_code, 0);
  EXPECT_EQ(d.icmp_identifier, 0x1234);
  EXPECT_EQ(d.icmp_sequence, 77);
  EXPECT_EQ(d.payload_length, 56u);
}

TEST(Decoder, Icmpv6EchoIdentifierAndSequence) {
  PacketSpec spec = udp6_spec();
  spec.transport = Transport::icmp;  // the builder makes it ICMPv6 echo request (128)
  spec.icmp_identifier = 0xbeef;
  spec.icmp_sequence = 3;
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.protocol, 58);
  EXPECT_EQ(d.icmp_type, 128);
  EXPECT_EQ(d.icmp_identifier, 0xbeef);
  EXPECT_EQ(d.icmp_sequence, 3);
  EXPECT_EQ(d.payload_length, 33u);
}

TEST(Decoder, IcmpNonEchoHasNoIdentifier) {
  PacketSpec spec = tcp_spec();
  spec.transport = Transport::icmp;
  spec.icmp_type = 3;  // destination unreachable
  spec.icmp_identifier = 0x1234;
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.icmp_type, 3);
  EXPECT_EQ(d.icmp_identifier, 0);
  EXPECT_EQ(d.payload_length, 4u + 100u);  // the 4 "unused" bytes count as payload
}

// --- Overlays -----------------------------------------------------------------

struct OverlayCase {
  Overlay overlay;
  std::uint16_t port;
  const char* name;
};

class DecoderOverlays : public ::testing::TestWithParam<OverlayCase> {};

TEST_P(DecoderOverlays, DecodesTheInnerPacket) {
  PacketSpec spec = tcp_spec();
  spec.overlay = GetParam().overlay;
  const Bytes frame = build_ethernet_frame(spec);
  ASSERT_EQ(frame[kEthernet + 20 + 2] << 8 | frame[kEthernet + 20 + 3], GetParam().port);
  const auto d = decode_packet(capture::kLinkEthernet, frame);
  expect_tcp_fields(d, spec);
  EXPECT_EQ(d.encapsulation_depth, 1);
}

TEST_P(DecoderOverlays, DecodesAnInnerIpv6Packet) {
  PacketSpec spec = udp6_spec();
  spec.overlay = GetParam().overlay;
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok) << (d.problem ? d.problem : "");
  EXPECT_EQ(d.ip_version, 6);
  EXPECT_EQ(d.source, address(spec.source));
  EXPECT_EQ(d.destination, address(spec.destination));
  EXPECT_EQ(d.ip_id, 0u);  // the outer IPv4 identification does not leak in
  EXPECT_EQ(d.destination_port, 9999);
  EXPECT_EQ(d.payload_length, 33u);
  EXPECT_EQ(d.encapsulation_depth, 1);
}

INSTANTIATE_TEST_SUITE_P(
    AllOverlays, DecoderOverlays,
    ::testing::Values(OverlayCase{Overlay::vxlan, capture::kVxlanPort, "vxlan"},
                      OverlayCase{Overlay::vxlan_linux, capture::kVxlanLinuxPort, "vxlan_linux"},
                      OverlayCase{Overlay::geneve, capture::kGenevePort, "geneve"}),
    [](const ::testing::TestParamInfo<OverlayCase>& param_info) { return std::string(param_info.param.name); });

TEST(Decoder, UdpToTheVxlanPortWithoutTheVxlanFlagIsPlainUdp) {
  PacketSpec spec = tcp_spec();
  spec.transport = Transport::udp;
  spec.destination_port = capture::kVxlanPort;
  spec.payload = Bytes(16, 0);  // flags byte 0: no VNI flag
  const Bytes bytes = build_ethernet_frame(spec);
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.encapsulation_depth, 0);
  EXPECT_EQ(d.destination_port, capture::kVxlanPort);
  EXPECT_EQ(d.payload_length, 16u);
}

// --- Padding ------------------------------------------------------------------

TEST(Decoder, EthernetPaddingIsNotPayload) {
  PacketSpec spec = tcp_spec();
  spec.payload.clear();
  spec.pad_to = 60;
  const Bytes frame = build_ethernet_frame(spec);
  ASSERT_EQ(frame.size(), 60u);  // 54 bytes of SYN and 6 of padding
  const auto d = decode_packet(capture::kLinkEthernet, frame);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.payload_length, 0u);
  EXPECT_TRUE(d.payload.empty());
}

TEST(Decoder, EthernetPaddingAfterAShortUdpPayloadIsNotPayload) {
  PacketSpec spec = tcp_spec();
  spec.transport = Transport::udp;
  spec.payload = {1, 2, 3};
  const Bytes frame = build_ethernet_frame(spec);
  ASSERT_EQ(frame.size(), 60u);
  const auto d = decode_packet(capture::kLinkEthernet, frame);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.payload_length, 3u);
  EXPECT_EQ(Bytes(d.payload.begin(), d.payload.end()), Bytes({1, 2, 3}));
}

TEST(Decoder, SnapLengthCutPayloadKeepsTheStatedLength) {
  const Bytes whole = build_ethernet_frame(tcp_spec());
  const Bytes cut(whole.begin(), whole.begin() + kEthernet + 20 + 20 + 10);
  const Bytes bytes = cut;
  const auto d = decode_packet(capture::kLinkEthernet, bytes);
  ASSERT_EQ(d.status, DecodeStatus::ok);
  EXPECT_EQ(d.payload_length, 100u);
  EXPECT_EQ(d.payload.size(), 10u);
}


}  // namespace

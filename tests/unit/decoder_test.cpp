#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <array>
#include <string>
#include <vector>

#include "packet_builder.hpp"
#include "weaver/capture/decoder.hpp"

namespace {

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

constexpr std::size_t kEthernet = 14;

// DecodedPacket::payload points into the frame: every test keeps its frame in
// a named variable for as long as it reads the result.

std::array<std::uint8_t, 16> address(const std::string& text) {
  std::array<std::uint8_t, 16> out{};
  const bool v6 = text.find(':') != std::string::npos;
  EXPECT_EQ(inet_pton(v6 ? AF_INET6 : AF_INET, text.c_str(), out.data()), 1) << text;
  return out;
}

Bytes payload_bytes(std::size_t size) {
  Bytes out(size);
  for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::uint8_t>(0xa0 + i);
  return out;
}

PacketSpec tcp_spec() {
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

PacketSpec udp6_spec() {
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

constexpr std::size_t kGeneveHeader = kEthernet + 20 + 8;  // outer Ethernet, IPv4, UDP

void expect_tcp_fields(const DecodedPacket& d, const PacketSpec& spec) {
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

// --- Not IP, malformed ----------------------------------------------------------

TEST(Decoder, ArpIsNotIp) {
  Bytes frame(60, 0);
  frame[12] = 0x08;
  frame[13] = 0x06;
  const auto d = decode_packet(capture::kLinkEthernet, frame);
  EXPECT_EQ(d.status, DecodeStatus::not_ip);
  EXPECT_EQ(d.problem, nullptr);
}

void expect_malformed(const Bytes& frame, const char* problem,
                      std::uint32_t link_type = capture::kLinkEthernet) {
  const auto d = decode_packet(link_type, frame);
  EXPECT_EQ(d.status, DecodeStatus::malformed);
  ASSERT_NE(d.problem, nullptr);
  EXPECT_STREQ(d.problem, problem);
}

Bytes unpadded(PacketSpec spec) {
  spec.pad_to = 0;
  return build_ethernet_frame(spec);
}

Bytes prefix(const Bytes& frame, std::size_t size) { return Bytes(frame.begin(), frame.begin() + size); }

TEST(DecoderMalformed, TruncatedEthernetHeader) {
  expect_malformed(prefix(build_ethernet_frame(tcp_spec()), 13), "Ethernet header cut short");
}

TEST(DecoderMalformed, TruncatedIpv4Header) {
  expect_malformed(prefix(build_ethernet_frame(tcp_spec()), kEthernet + 19), "IPv4 header cut short");
}

TEST(DecoderMalformed, Ipv4HeaderLengthBelow20) {
  Bytes frame = build_ethernet_frame(tcp_spec());
  frame[kEthernet] = 0x44;
  expect_malformed(frame, "IPv4 header length below 20 bytes");
}

TEST(DecoderMalformed, Ipv4TotalLengthShorterThanHeader) {
  Bytes frame = build_ethernet_frame(tcp_spec());
  frame[kEthernet + 2] = 0;
  frame[kEthernet + 3] = 19;
  expect_malformed(frame, "IPv4 total length shorter than its header");
}

TEST(DecoderMalformed, Ipv4OptionsCutShort) {
  PacketSpec spec = tcp_spec();
  spec.ipv4_options = {1, 1, 1, 0};
  expect_malformed(prefix(unpadded(spec), kEthernet + 22), "IPv4 options cut short");
}

TEST(DecoderMalformed, EthertypeIpv4WithVersion6) {
  Bytes frame = build_ethernet_frame(tcp_spec());
  frame[kEthernet] = 0x65;
  expect_malformed(frame, "IPv4 packet with an IP version other than 4");
}

TEST(DecoderMalformed, TcpDataOffsetBelowFive) {
  Bytes frame = build_ethernet_frame(tcp_spec());
  frame[kEthernet + 20 + 12] = 0x40;
  expect_malformed(frame, "TCP data offset below 20 bytes");
}

TEST(DecoderMalformed, TruncatedTcpHeader) {
  expect_malformed(prefix(unpadded(tcp_spec()), kEthernet + 20 + 19), "TCP header cut short");
}

TEST(DecoderMalformed, TcpOptionsCutShort) {
  Bytes frame = unpadded(tcp_spec());
  frame[kEthernet + 20 + 12] = 0xf0;  // a 60-byte header, cut after 40
  expect_malformed(prefix(frame, kEthernet + 20 + 40), "TCP options cut short");
}

TEST(DecoderMalformed, TcpHeaderPastTheIpTotalLengthIsCutShort) {
  PacketSpec spec = tcp_spec();
  spec.payload.clear();
  Bytes frame = unpadded(spec);
  frame[kEthernet + 20 + 12] = 0x60;  // 24-byte header in a 20-byte IP payload
  frame.insert(frame.end(), {0, 0, 0, 0});  // captured, but past the IP total length
  expect_malformed(frame, "TCP options cut short");
}

TEST(DecoderMalformed, UdpHeaderCutShort) {
  PacketSpec spec = tcp_spec();
  spec.transport = Transport::udp;
  expect_malformed(prefix(unpadded(spec), kEthernet + 20 + 7), "UDP header cut short");
}

TEST(DecoderMalformed, NineVlanTags) {
  PacketSpec spec = tcp_spec();
  spec.vlan_tpids.assign(9, 0x8100);
  expect_malformed(build_ethernet_frame(spec), "more than 8 VLAN tags");
}

TEST(DecoderMalformed, VlanTagCutShort) {
  PacketSpec spec = tcp_spec();
  spec.vlan_tpids = {0x8100};
  expect_malformed(prefix(build_ethernet_frame(spec), kEthernet + 2), "VLAN tag cut short");
}

TEST(DecoderMalformed, Ipv6HeaderCutShort) {
  expect_malformed(prefix(unpadded(udp6_spec()), kEthernet + 39), "IPv6 header cut short");
}

TEST(DecoderMalformed, Ipv6ExtensionHeaderCutShort) {
  PacketSpec spec = udp6_spec();
  spec.ipv6_extension_headers = {0, 60};
  const Bytes frame = unpadded(spec);
  expect_malformed(prefix(frame, kEthernet + 40 + 1), "IPv6 extension header cut short");
  expect_malformed(prefix(frame, kEthernet + 40 + 8 + 5), "IPv6 extension header cut short");
}

TEST(DecoderMalformed, Ipv6FragmentHeaderCutShort) {
  PacketSpec spec = udp6_spec();
  spec.ipv6_extension_headers = {44};
  expect_malformed(prefix(unpadded(spec), kEthernet + 40 + 7), "IPv6 fragment header cut short");
}

TEST(DecoderMalformed, Ipv6PayloadLengthShorterThanAnExtensionHeader) {
  PacketSpec spec = udp6_spec();
  spec.ipv6_extension_headers = {0};
  Bytes frame = unpadded(spec);
  frame[kEthernet + 4] = 0;
  frame[kEthernet + 5] = 4;  // payload length 4: not even the 8-byte hop-by-hop header
  expect_malformed(frame, "IPv6 extension header cut short");
}

TEST(DecoderMalformed, RawIpWithAnotherVersion) {
  Bytes packet = build_ip_packet(tcp_spec());
  packet[0] = 0x55;
  expect_malformed(packet, "raw IP packet has an IP version other than 4 or 6", capture::kLinkRaw);
  expect_malformed({}, "raw IP packet is empty", capture::kLinkRaw);
}

TEST(DecoderMalformed, CookedHeadersCutShort) {
  expect_malformed(prefix(build_linux_sll_frame(tcp_spec()), 15), "Linux cooked (SLL) header cut short",
                   capture::kLinkLinuxSll);
  expect_malformed(prefix(build_linux_sll2_frame(tcp_spec()), 19),
                   "Linux cooked (SLL2) header cut short", capture::kLinkLinuxSll2);
}

TEST(DecoderMalformed, MalformedInnerPacketOfAnOverlay) {
  PacketSpec spec = tcp_spec();
  spec.overlay = Overlay::vxlan;
  Bytes frame = build_ethernet_frame(spec);
  const std::size_t inner_ip = kEthernet + 20 + 8 + 8 + kEthernet;
  frame[inner_ip] = 0x43;
  expect_malformed(frame, "IPv4 header length below 20 bytes");
}

TEST(DecoderMalformed, GeneveOptionsCutShort) {
  PacketSpec spec = tcp_spec();
  spec.overlay = Overlay::geneve;
  Bytes frame = build_ethernet_frame(spec);
  frame[kGeneveHeader] = 0x3f;  // 252 bytes of options: more than the frame holds
  expect_malformed(frame, "Geneve options cut short");
}

// --- Reuse and bounds ---------------------------------------------------------------

TEST(Decoder, ReusedOutputCarriesNothingOver) {
  DecodedPacket out;
  PacketSpec vxlan = tcp_spec();
  vxlan.overlay = Overlay::vxlan;
  vxlan.vlan_tpids = {0x8100};
  decode_packet(capture::kLinkEthernet, build_ethernet_frame(vxlan), out);
  ASSERT_EQ(out.encapsulation_depth, 1);

  decode_packet(capture::kLinkEthernet, prefix(build_ethernet_frame(tcp_spec()), 10), out);
  EXPECT_EQ(out.status, DecodeStatus::malformed);

  PacketSpec udp = udp6_spec();
  decode_packet(capture::kLinkEthernet, build_ethernet_frame(udp), out);
  ASSERT_EQ(out.status, DecodeStatus::ok);
  EXPECT_EQ(out.problem, nullptr);
  EXPECT_EQ(out.encapsulation_depth, 0);
  EXPECT_EQ(out.vlan_tags, 0);
  EXPECT_EQ(out.tcp_sequence, 0u);
  EXPECT_EQ(out.tcp_acknowledgment, 0u);
  EXPECT_EQ(out.tcp_flags, 0);
  EXPECT_EQ(out.ip_id, 0u);
  EXPECT_EQ(out.fragment_offset, 0);

  decode_packet(capture::kLinkEthernet, build_ethernet_frame(tcp_spec()), out);
  EXPECT_EQ(out.flow_label, 0u);
  EXPECT_EQ(out.source, address("10.1.2.3"));  // no IPv6 bytes left behind
}

std::vector<std::pair<std::uint32_t, Bytes>> valid_frames() {
  std::vector<std::pair<std::uint32_t, Bytes>> frames;
  PacketSpec tagged = tcp_spec();
  tagged.vlan_tpids = {0x88a8, 0x8100};
  tagged.ipv4_options = {1, 1, 1, 0};
  frames.emplace_back(capture::kLinkEthernet, build_ethernet_frame(tagged));
  PacketSpec v6 = udp6_spec();
  v6.ipv6_extension_headers = {0, 60, 44};
  frames.emplace_back(capture::kLinkEthernet, build_ethernet_frame(v6));
  for (Overlay overlay : {Overlay::vxlan, Overlay::geneve}) {
    PacketSpec spec = tcp_spec();
    spec.overlay = overlay;
    frames.emplace_back(capture::kLinkEthernet, build_ethernet_frame(spec));
  }
  PacketSpec icmp = tcp_spec();
  icmp.transport = Transport::icmp;
  frames.emplace_back(capture::kLinkEthernet, build_ethernet_frame(icmp));
  frames.emplace_back(capture::kLinkLinuxSll, build_linux_sll_frame(tcp_spec()));
  frames.emplace_back(capture::kLinkLinuxSll2, build_linux_sll2_frame(udp6_spec()));
  frames.emplace_back(capture::kLinkRaw, build_ip_packet(udp6_spec()));
  return frames;
}

TEST(Decoder, EveryPrefixOfAValidFrameDecodesWithinItsBytes) {
  const auto frames = valid_frames();
  for (std::size_t index = 0; index < frames.size(); ++index) {
    const auto& [link_type, frame] = frames[index];
    SCOPED_TRACE("frame " + std::to_string(index));
    for (std::size_t size = 0; size <= frame.size(); ++size) {
      // An exact-size heap copy, so a sanitizer sees any read past the end.
      const Bytes bytes = prefix(frame, size);
      DecodedPacket d;
      decode_packet(link_type, bytes, d);
      ASSERT_TRUE(d.status == DecodeStatus::ok || d.status == DecodeStatus::malformed ||
                  d.status == DecodeStatus::not_ip)
          << "link " << link_type << " size " << size;
      if (d.status == DecodeStatus::malformed) {
        EXPECT_NE(d.problem, nullptr) << "link " << link_type << " size " << size;
      }
      if (d.status == DecodeStatus::ok && !d.payload.empty()) {
        EXPECT_GE(d.payload.data(), bytes.data());
        EXPECT_LE(d.payload.data() + d.payload.size(), bytes.data() + bytes.size())
            << "link " << link_type << " size " << size;
      }
    }
    EXPECT_EQ(decode_packet(link_type, frame).status, DecodeStatus::ok) << "link " << link_type;
  }
}

}  // namespace

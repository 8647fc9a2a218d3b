#include <gtest/gtest.h>

#include "decoder_test_support.hpp"

namespace {

using namespace decoder_test;

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

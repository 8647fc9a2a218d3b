#include "weaver/traffic/frame_builder.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "packet_builder.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/payload_id.hpp"
#include "weaver/error.hpp"

using namespace weaver;
using namespace weaver::traffic;

namespace {

constexpr std::uint32_t kEthernetLinkType = 1;

struct Family {
  const char* source;
  const char* destination;
};
const Family kIpv4{"198.18.1.1", "198.18.101.1"};
const Family kIpv6{"2001:2::1", "2001:2:0:1::1"};

FrameSpec spec_for(Protocol protocol, const Family& family, std::size_t size) {
  FrameSpec spec;
  spec.protocol = protocol;
  spec.source_mac = {0x02, 0, 0, 0, 0, 1};
  spec.destination_mac = {0x02, 0, 0, 0, 0, 2};
  spec.source = *IpAddress::parse(family.source);
  spec.destination = *IpAddress::parse(family.destination);
  spec.destination_port = protocol == Protocol::syn ? 80 : 9;
  spec.frame_size = size;
  spec.run_id = 0xabcd1234;
  return spec;
}

std::vector<std::uint8_t> build(const FrameSpec& spec, std::uint64_t sequence,
                                std::uint64_t send_time = 0) {
  FrameBuilder builder(spec);
  std::vector<std::uint8_t> frame(builder.wire_size());
  builder.build(sequence, send_time, frame);
  return frame;
}

// The transport checksum recomputed with the test suite's own RFC 1071 code
// over the pseudo-header and the segment; a correct checksum sums to zero.
std::uint16_t transport_checksum_residue(const std::vector<std::uint8_t>& frame, bool ipv4,
                                         std::uint8_t protocol) {
  const std::size_t ip = 14;
  const std::size_t l4 = ip + (ipv4 ? 20 : 40);
  const std::size_t length = frame.size() - l4;
  std::vector<std::uint8_t> pseudo;
  if (!(ipv4 && protocol == 1)) {
    const std::size_t addresses = ipv4 ? 12 : 8;
    const std::size_t address_bytes = ipv4 ? 8 : 32;
    pseudo.assign(frame.begin() + static_cast<long>(ip + addresses),
                  frame.begin() + static_cast<long>(ip + addresses + address_bytes));
    if (ipv4) {
      pseudo.insert(pseudo.end(), {0, protocol, static_cast<std::uint8_t>(length >> 8),
                                   static_cast<std::uint8_t>(length)});
    } else {
      pseudo.insert(pseudo.end(), {0, 0, static_cast<std::uint8_t>(length >> 8),
                                   static_cast<std::uint8_t>(length), 0, 0, 0, protocol});
    }
  }
  pseudo.insert(pseudo.end(), frame.begin() + static_cast<long>(l4), frame.end());
  return weaver::testing::internet_checksum(pseudo.data(), pseudo.size());
}

struct FrameCase {
  Protocol protocol;
  bool ipv4;
  std::size_t size;
};

class EverySize : public ::testing::TestWithParam<FrameCase> {};

TEST_P(EverySize, FrameHasTheExactSizeValidChecksumsAndTheId) {
  const FrameCase c = GetParam();
  const FrameSpec spec = spec_for(c.protocol, c.ipv4 ? kIpv4 : kIpv6, c.size);
  const std::uint64_t sequence = 0x1'0000'0007;  // above 32 bits: ids carry all 64
  const auto frame = build(spec, sequence, 123456789);
  ASSERT_EQ(frame.size(), c.size - 4);

  const auto packet = capture::decode_packet(kEthernetLinkType, frame);
  ASSERT_EQ(packet.status, capture::DecodeStatus::ok);
  EXPECT_EQ(packet.ip_version, c.ipv4 ? 4 : 6);
  const std::uint8_t protocol = c.protocol == Protocol::syn   ? 6
                                : c.protocol == Protocol::udp ? 17
                                : c.ipv4                      ? 1
                                                              : 58;
  EXPECT_EQ(packet.protocol, protocol);
  EXPECT_EQ(transport_checksum_residue(frame, c.ipv4, protocol), 0);
  if (c.ipv4) {
    EXPECT_EQ(weaver::testing::internet_checksum(frame.data() + 14, 20), 0);
    EXPECT_EQ(packet.ip_id, sequence & 0xffff);
  }
  // Every byte past the Ethernet header belongs to the IP packet: no padding.
  EXPECT_EQ(packet.payload_length + (c.protocol == Protocol::syn ? 20u : 8u) + (c.ipv4 ? 20u : 40u),
            frame.size() - 14);

  switch (c.protocol) {
    case Protocol::syn:
      EXPECT_EQ(packet.tcp_flags, 0x02);
      EXPECT_EQ(packet.tcp_sequence, static_cast<std::uint32_t>(sequence));
      EXPECT_EQ(packet.destination_port, 80);
      break;
    case Protocol::udp:
      EXPECT_EQ(packet.destination_port, 9);
      EXPECT_EQ(packet.source_port, 40000);
      break;
    case Protocol::icmp:
      EXPECT_EQ(packet.icmp_type, c.ipv4 ? 8 : 128);
      EXPECT_EQ(packet.icmp_sequence, sequence & 0xffff);
      break;
  }
  const auto id = capture::read_payload_id(packet.payload);
  if (c.protocol != Protocol::syn || packet.payload.size() >= capture::kPayloadIdSize) {
    ASSERT_TRUE(id.has_value());
    EXPECT_EQ(id->run_id, 0xabcd1234u);
    EXPECT_EQ(id->sequence, sequence);
    const bool room_for_time = packet.payload.size() >= capture::kPayloadIdWithTimeSize;
    EXPECT_EQ(id->send_time_ns, room_for_time ? 123456789u : 0u);
  }
}

std::vector<FrameCase> every_size() {
  std::vector<FrameCase> cases;
  for (Protocol protocol : {Protocol::syn, Protocol::udp, Protocol::icmp}) {
    for (bool ipv4 : {true, false}) {
      const std::size_t smallest = minimum_frame_size(protocol, ipv4);
      cases.push_back({protocol, ipv4, smallest});
      for (std::size_t size : {64, 128, 256, 512, 1024, 1280, 1518, 9018}) {
        if (size > smallest) cases.push_back({protocol, ipv4, size});
      }
    }
  }
  return cases;
}

std::string case_name(const ::testing::TestParamInfo<FrameCase>& info) {
  return std::string(protocol_name(info.param.protocol)) + (info.param.ipv4 ? "_v4_" : "_v6_") +
         std::to_string(info.param.size);
}

INSTANTIATE_TEST_SUITE_P(FrameBuilder, EverySize, ::testing::ValuesIn(every_size()), case_name);

TEST(FrameBuilderTest, SmallestFramesFollowTheHeadersAndTheId) {
  EXPECT_EQ(minimum_frame_size(Protocol::syn, true), 64u);   // 54 bytes of headers
  EXPECT_EQ(minimum_frame_size(Protocol::udp, true), 64u);   // 42 + 16 + FCS = 62
  EXPECT_EQ(minimum_frame_size(Protocol::icmp, true), 64u);
  EXPECT_EQ(minimum_frame_size(Protocol::syn, false), 78u);  // 74 + FCS
  EXPECT_EQ(minimum_frame_size(Protocol::udp, false), 82u);  // 62 + 16 + FCS
  EXPECT_EQ(minimum_frame_size(Protocol::icmp, false), 82u);
}

TEST(FrameBuilderTest, SizesBelowTheHeadersOrAboveTheMtuAreRefused) {
  try {
    FrameBuilder builder(spec_for(Protocol::udp, kIpv6, 64));
    FAIL() << "a 64-byte IPv6 UDP frame was accepted";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(),
                 "--size 64: an IPv6 udp frame with weaver's packet id needs at least 82 bytes "
                 "(RFC 2544 sizes include the 4-byte FCS)");
  }
  EXPECT_THROW(FrameBuilder(spec_for(Protocol::syn, kIpv4, 63)), UsageError);
  EXPECT_NO_THROW(check_frame_size(spec_for(Protocol::udp, kIpv4, 1518), 1500));
  try {
    check_frame_size(spec_for(Protocol::udp, kIpv4, 1519), 1500);
    FAIL() << "a 1519-byte frame was accepted on a 1500-byte MTU";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(),
                 "--size 1519: larger than the interface's MTU of 1500 allows (at most 1518 bytes "
                 "with FCS)");
  }
}

TEST(FrameBuilderTest, SourcePortsAndAddressesCycleThroughTheirRanges) {
  FrameSpec spec = spec_for(Protocol::udp, kIpv4, 64);
  spec.source_port = 65534;
  spec.source_ports = 2;
  spec.source_addresses = 3;
  spec.source = *IpAddress::parse("198.18.1.254");
  std::vector<std::pair<std::uint16_t, std::string>> seen;
  for (std::uint64_t sequence = 0; sequence < 6; ++sequence) {
    const auto frame = build(spec, sequence);
    const auto packet = capture::decode_packet(kEthernetLinkType, frame);
    char text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, packet.source.data(), text, sizeof text);
    seen.emplace_back(packet.source_port, text);
    EXPECT_EQ(transport_checksum_residue(frame, true, 17), 0) << sequence;
  }
  const std::vector<std::pair<std::uint16_t, std::string>> expected{
      {65534, "198.18.1.254"}, {65535, "198.18.1.254"}, {65534, "198.18.1.255"},
      {65535, "198.18.1.255"}, {65534, "198.18.2.0"},   {65535, "198.18.2.0"}};
  EXPECT_EQ(seen, expected);
}

TEST(FrameBuilderTest, MixedFamiliesAreRefused) {
  FrameSpec spec = spec_for(Protocol::udp, kIpv4, 64);
  spec.source = *IpAddress::parse("2001:2::1");
  EXPECT_THROW(FrameBuilder{spec}, UsageError);
}

TEST(AddressesTest, ParseAndPrint) {
  EXPECT_EQ(IpAddress::parse("198.18.0.1")->to_string(), "198.18.0.1");
  EXPECT_EQ(IpAddress::parse("2001:2::ff")->plus(1).to_string(), "2001:2::100");
  EXPECT_FALSE(IpAddress::parse("host.example"));
  EXPECT_EQ(to_string(*parse_mac("02:AB:cd:00:01:ff")), "02:ab:cd:00:01:ff");
  EXPECT_FALSE(parse_mac("02:ab:cd:00:01"));
  EXPECT_FALSE(parse_mac("02-ab-cd-00-01-ff"));
}

}  // namespace

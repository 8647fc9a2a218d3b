#include <gtest/gtest.h>

#include <string>

#include "packet_builder.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/match_key.hpp"
#include "weaver/capture/payload_id.hpp"

namespace {

using weaver::capture::decode_packet;
using weaver::capture::DecodeStatus;
using weaver::capture::KeyKind;
using weaver::capture::make_match_key;
using weaver::capture::PayloadId;
using weaver::testing::Bytes;
using weaver::testing::build_ethernet_frame;
using weaver::testing::Overlay;
using weaver::testing::PacketSpec;
using weaver::testing::Transport;
namespace capture = weaver::capture;

constexpr std::size_t kTcp = 14 + 20;

PacketSpec base_spec() {
  PacketSpec spec;
  spec.source_port = 33000;
  spec.destination_port = 8080;
  spec.tcp_sequence = 123456789;
  spec.tcp_acknowledgment = 987654321;
  spec.tcp_flags = 0x18;
  spec.ip_id = 4321;
  for (std::uint8_t i = 0; i < 20; ++i) spec.payload.push_back(static_cast<std::uint8_t>(i * 3 + 1));
  return spec;
}

capture::MatchKey key_of(KeyKind kind, const Bytes& frame,
                         std::uint32_t link_type = capture::kLinkEthernet) {
  const auto decoded = decode_packet(link_type, frame);
  EXPECT_EQ(decoded.status, DecodeStatus::ok) << (decoded.problem ? decoded.problem : "");
  return make_match_key(kind, decoded);
}

std::uint64_t hash_of(const Bytes& frame) { return key_of(KeyKind::hash, frame).value; }
std::uint64_t hash_of(const PacketSpec& spec) { return hash_of(build_ethernet_frame(spec)); }

// --- hash: what routers and bridges rewrite is left out ----------------------

TEST(HashKey, IsNeverZeroAndSaysHash) {
  const auto key = key_of(KeyKind::hash, build_ethernet_frame(base_spec()));
  EXPECT_NE(key.value, 0u);
  EXPECT_EQ(key.kind, KeyKind::hash);
}

TEST(HashKey, IgnoresMacAddresses) {
  PacketSpec other = base_spec();
  other.source_mac = 0x02aabbccddee;
  other.destination_mac = 0x021122334455;
  EXPECT_EQ(hash_of(base_spec()), hash_of(other));
}

TEST(HashKey, IgnoresTtl) {
  PacketSpec other = base_spec();
  other.ttl = 63;
  EXPECT_EQ(hash_of(base_spec()), hash_of(other));
}

TEST(HashKey, IgnoresVlanTags) {
  PacketSpec tagged = base_spec();
  tagged.vlan_tpids = {0x88a8, 0x8100};
  tagged.vlan_id = 42;
  EXPECT_EQ(hash_of(base_spec()), hash_of(tagged));
}

TEST(HashKey, IgnoresEthernetPadding) {
  PacketSpec padded = base_spec();
  padded.payload.clear();  // 54 bytes: padded to 60
  PacketSpec bare = padded;
  bare.pad_to = 0;
  padded.pad_to = 64;
  ASSERT_EQ(build_ethernet_frame(padded).size(), 64u);
  ASSERT_EQ(build_ethernet_frame(bare).size(), 54u);
  EXPECT_EQ(hash_of(padded), hash_of(bare));
}

TEST(HashKey, IgnoresNonZeroPaddingAfterAShortPayload) {
  PacketSpec spec = base_spec();
  spec.payload = {9, 8, 7};
  spec.pad_to = 0;
  Bytes padded = build_ethernet_frame(spec);
  const std::uint64_t bare = hash_of(padded);
  padded.insert(padded.end(), {0xde, 0xad, 0xbe, 0xef, 0x55});
  EXPECT_EQ(hash_of(padded), bare);
}

TEST(HashKey, IgnoresChecksums) {
  const Bytes frame = build_ethernet_frame(base_spec());
  Bytes other = frame;
  other[14 + 10] ^= 0xff;   // IPv4 header checksum
  other[kTcp + 16] ^= 0x5a;  // TCP checksum
  EXPECT_EQ(hash_of(frame), hash_of(other));
}

TEST(HashKey, SameInsideAndOutsideAVxlanOverlay) {
  PacketSpec overlaid = base_spec();
  overlaid.overlay = Overlay::vxlan;
  EXPECT_EQ(hash_of(base_spec()), hash_of(overlaid));
}

TEST(HashKey, SameOnEthernetAndLinuxCooked) {
  EXPECT_EQ(hash_of(base_spec()),
            key_of(KeyKind::hash, weaver::testing::build_linux_sll_frame(base_spec()),
                   capture::kLinkLinuxSll)
                .value);
}

// --- hash: what identifies a packet is in ---------------------------------------

TEST(HashKey, DiffersWithTcpSequence) {
  PacketSpec other = base_spec();
  other.tcp_sequence += 1;
  EXPECT_NE(hash_of(base_spec()), hash_of(other));
}

TEST(HashKey, DiffersWithTcpAcknowledgmentAndFlags) {
  PacketSpec ack = base_spec();
  ack.tcp_acknowledgment += 1;
  PacketSpec flags = base_spec();
  flags.tcp_flags = 0x10;
  EXPECT_NE(hash_of(base_spec()), hash_of(ack));
  EXPECT_NE(hash_of(base_spec()), hash_of(flags));
}

TEST(HashKey, DiffersWithIpId) {
  PacketSpec other = base_spec();
  other.ip_id += 1;
  EXPECT_NE(hash_of(base_spec()), hash_of(other));
}

TEST(HashKey, DiffersWithPorts) {
  PacketSpec source = base_spec();
  source.source_port += 1;
  PacketSpec destination = base_spec();
  destination.destination_port += 1;
  PacketSpec swapped = base_spec();
  std::swap(swapped.source_port, swapped.destination_port);
  EXPECT_NE(hash_of(base_spec()), hash_of(source));
  EXPECT_NE(hash_of(base_spec()), hash_of(destination));
  EXPECT_NE(hash_of(base_spec()), hash_of(swapped));
}

TEST(HashKey, DiffersWithAddresses) {
  PacketSpec source = base_spec();
  source.source = "198.18.0.2";
  PacketSpec destination = base_spec();
  destination.destination = "198.19.0.2";
  PacketSpec swapped = base_spec();
  std::swap(swapped.source, swapped.destination);
  EXPECT_NE(hash_of(base_spec()), hash_of(source));
  EXPECT_NE(hash_of(base_spec()), hash_of(destination));
  EXPECT_NE(hash_of(base_spec()), hash_of(swapped));
}

TEST(HashKey, DiffersWithIpv6Addresses) {
  PacketSpec a = base_spec();
  a.ip_version = 6;
  a.source = "2001:db8::1";
  a.destination = "2001:db8::2";
  PacketSpec b = a;
  b.source = "2001:db8:0:0:1::1";  // differs only in the second half
  EXPECT_NE(hash_of(a), hash_of(b));
}

TEST(HashKey, DiffersWithLeadingPayloadBytes) {
  for (std::size_t at : {0u, 7u, 8u, 15u}) {
    PacketSpec other = base_spec();
    other.payload[at] ^= 0x01;
    EXPECT_NE(hash_of(base_spec()), hash_of(other)) << "payload byte " << at;
  }
}

TEST(HashKey, DiffersWithPayloadLength) {
  PacketSpec longer = base_spec();
  longer.payload.push_back(0);
  EXPECT_NE(hash_of(base_spec()), hash_of(longer));
}

TEST(HashKey, DiffersWithProtocol) {
  PacketSpec udp = base_spec();
  udp.transport = Transport::udp;
  PacketSpec other = base_spec();
  other.transport = Transport::other;
  EXPECT_NE(hash_of(base_spec()), hash_of(udp));
  EXPECT_NE(hash_of(udp), hash_of(other));
}

// --- tcp-seq, ip-id ---------------------------------------------------------------

TEST(TcpSeqKey, SameForDifferentAddressesWithTheSameSequence) {
  PacketSpec other = base_spec();
  other.source = "10.0.0.1";
  other.destination = "10.0.0.2";
  other.source_port = 1;
  other.ip_id = 9;
  const auto a = key_of(KeyKind::tcp_seq, build_ethernet_frame(base_spec()));
  const auto b = key_of(KeyKind::tcp_seq, build_ethernet_frame(other));
  EXPECT_NE(a.value, 0u);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.kind, KeyKind::tcp_seq);
}

TEST(TcpSeqKey, DiffersWithTheSequence) {
  PacketSpec other = base_spec();
  other.tcp_sequence = 1;
  EXPECT_NE(key_of(KeyKind::tcp_seq, build_ethernet_frame(base_spec())).value,
            key_of(KeyKind::tcp_seq, build_ethernet_frame(other)).value);
}

TEST(TcpSeqKey, ZeroForUdp) {
  PacketSpec udp = base_spec();
  udp.transport = Transport::udp;
  EXPECT_EQ(key_of(KeyKind::tcp_seq, build_ethernet_frame(udp)).value, 0u);
}

TEST(TcpSeqKey, ZeroForANonFirstFragment) {
  Bytes frame = build_ethernet_frame(base_spec());
  frame[14 + 6] = 0x00;
  frame[14 + 7] = 0x10;  // fragment offset 128 bytes
  EXPECT_EQ(key_of(KeyKind::tcp_seq, frame).value, 0u);
}

TEST(IpIdKey, CoversAddressesAndIdentificationOnly) {
  PacketSpec ports = base_spec();
  ports.source_port = 1;
  ports.tcp_sequence = 5;
  PacketSpec id = base_spec();
  id.ip_id += 1;
  const auto base = key_of(KeyKind::ip_id, build_ethernet_frame(base_spec()));
  EXPECT_EQ(base.kind, KeyKind::ip_id);
  EXPECT_NE(base.value, 0u);
  EXPECT_EQ(base.value, key_of(KeyKind::ip_id, build_ethernet_frame(ports)).value);
  EXPECT_NE(base.value, key_of(KeyKind::ip_id, build_ethernet_frame(id)).value);
}

// --- payload-id ---------------------------------------------------------------------

TEST(PayloadIdentifier, WriteThenReadRoundTrips) {
  const PayloadId id{0xfeedf00d, 0x0123456789abcdefull, 1'700'000'000'123'456'789ull};
  Bytes payload(40, 0xcc);
  capture::write_payload_id(id, payload);
  EXPECT_EQ(Bytes(payload.begin(), payload.begin() + 4), Bytes({'W', 'V', 'R', '1'}));
  EXPECT_EQ(payload[4], 0xfe);  // big-endian
  EXPECT_EQ(payload[24], 0xcc);  // nothing past the identifier
  const auto read = capture::read_payload_id(payload);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->run_id, id.run_id);
  EXPECT_EQ(read->sequence, id.sequence);
  EXPECT_EQ(read->send_time_ns, id.send_time_ns);
}

TEST(PayloadIdentifier, AbsentWithoutTheMagicOrWhenShort) {
  Bytes payload(24, 0);
  capture::write_payload_id({1, 2, 3}, payload);
  ASSERT_TRUE(capture::read_payload_id(payload).has_value());
  EXPECT_FALSE(capture::read_payload_id(std::span(payload).first(15)).has_value());
  payload[3] = '2';
  EXPECT_FALSE(capture::read_payload_id(payload).has_value());
}

// A 64-byte IPv4/UDP frame has 18 payload bytes: room for magic, run id and
// sequence, not for the send time.
TEST(PayloadIdentifier, WithoutRoomForTheSendTimeTheFirstSixteenBytesStillIdentify) {
  Bytes payload(18, 0x11);
  capture::write_payload_id({1, 2, 3}, payload);
  EXPECT_EQ(Bytes(payload.begin() + 16, payload.end()), Bytes(2, 0x11));  // no partial time
  const auto read = capture::read_payload_id(payload);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->run_id, 1u);
  EXPECT_EQ(read->sequence, 2u);
  EXPECT_EQ(read->send_time_ns, 0u);
  const auto full = capture::read_payload_id(std::span(payload).first(16));
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->sequence, 2u);
}

TEST(PayloadIdentifier, WriteLeavesATooShortBufferAlone) {
  Bytes payload(15, 0x11);
  capture::write_payload_id({1, 2, 3}, payload);
  EXPECT_EQ(payload, Bytes(15, 0x11));
}

PacketSpec udp_with_id(std::uint32_t run, std::uint64_t sequence, std::uint64_t send_time = 0) {
  PacketSpec spec = base_spec();
  spec.transport = Transport::udp;
  spec.payload.assign(32, 0);
  capture::write_payload_id({run, sequence, send_time}, spec.payload);
  return spec;
}

TEST(PayloadIdKey, SameRunAndSequenceMatchWhateverElseDiffers) {
  PacketSpec other = udp_with_id(7, 1000, 555);
  other.source = "10.9.9.9";
  other.source_port = 1;
  other.payload[30] = 0xff;
  const auto a = key_of(KeyKind::payload_id, build_ethernet_frame(udp_with_id(7, 1000)));
  const auto b = key_of(KeyKind::payload_id, build_ethernet_frame(other));
  EXPECT_NE(a.value, 0u);
  EXPECT_EQ(a.value, b.value);
  EXPECT_EQ(a.kind, KeyKind::payload_id);
}

TEST(PayloadIdKey, DiffersWithSequenceOrRun) {
  const auto base = key_of(KeyKind::payload_id, build_ethernet_frame(udp_with_id(7, 1000))).value;
  EXPECT_NE(base, key_of(KeyKind::payload_id, build_ethernet_frame(udp_with_id(7, 1001))).value);
  EXPECT_NE(base, key_of(KeyKind::payload_id, build_ethernet_frame(udp_with_id(8, 1000))).value);
}

TEST(PayloadIdKey, ZeroWithoutTheMagic) {
  EXPECT_EQ(key_of(KeyKind::payload_id, build_ethernet_frame(base_spec())).value, 0u);
  PacketSpec spec = udp_with_id(7, 1000);
  spec.payload[0] = 'X';
  EXPECT_EQ(key_of(KeyKind::payload_id, build_ethernet_frame(spec)).value, 0u);
}

TEST(AutoKey, UsesThePayloadIdWhenPresent) {
  const Bytes frame = build_ethernet_frame(udp_with_id(7, 1000));
  const auto automatic = key_of(KeyKind::automatic, frame);
  EXPECT_EQ(automatic.kind, KeyKind::payload_id);
  EXPECT_EQ(automatic.value, key_of(KeyKind::payload_id, frame).value);
}

TEST(AutoKey, FallsBackToTheHash) {
  const Bytes frame = build_ethernet_frame(base_spec());
  const auto automatic = key_of(KeyKind::automatic, frame);
  EXPECT_EQ(automatic.kind, KeyKind::hash);
  EXPECT_EQ(automatic.value, hash_of(frame));
}

// --- names ------------------------------------------------------------------------------

TEST(KeyKindNames, RoundTrip) {
  for (KeyKind kind : {KeyKind::automatic, KeyKind::tcp_seq, KeyKind::ip_id, KeyKind::payload_id,
                       KeyKind::hash}) {
    const auto parsed = capture::parse_key_kind(capture::key_kind_name(kind));
    ASSERT_TRUE(parsed.has_value()) << capture::key_kind_name(kind);
    EXPECT_EQ(*parsed, kind);
  }
  EXPECT_EQ(capture::key_kind_name(KeyKind::automatic), "auto");
  EXPECT_EQ(capture::key_kind_name(KeyKind::tcp_seq), "tcp-seq");
}

TEST(KeyKindNames, UnknownIsNullopt) {
  for (const char* text : {"", "bogus", "HASH", "tcp_seq", "auto ", "payload"}) {
    EXPECT_FALSE(capture::parse_key_kind(text).has_value()) << '"' << text << '"';
  }
}

}  // namespace

// The in-kernel probes key packets with agent/ebpf/probe_key.h, plain C that
// builds for BPF and here. Their keys must be weaver's (make_match_key on the
// decoded frame) for every kind, or the probes and weaver analyze would not
// agree on which packets are one; and their histogram buckets must be
// LatencyHistogram's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <random>

#include "packet_builder.hpp"
#include "weaver/analysis/latency_histogram.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/match_key.hpp"
#include "weaver/capture/payload_id.hpp"

extern "C" {
#include "agent/ebpf/probe_key.h"
}

namespace {

using weaver::capture::KeyKind;
using weaver::testing::Bytes;
using weaver::testing::PacketSpec;
using weaver::testing::Transport;

constexpr KeyKind kKinds[] = {KeyKind::automatic, KeyKind::tcp_seq, KeyKind::ip_id, KeyKind::payload_id,
                              KeyKind::hash};

// The frame as the probes copy it and as a capture with their snaplen holds it.
wv_frame probe_copy(const Bytes& frame) {
  wv_frame copy{};
  copy.length = static_cast<wv_u32>(std::min<std::size_t>(frame.size(), WV_FRAME_BYTES));
  std::memcpy(copy.bytes, frame.data(), copy.length);
  return copy;
}

struct ProbeKey {
  int status;
  wv_u64 key;
  int used;
};

ProbeKey probe_key(const Bytes& frame, KeyKind kind) {
  const wv_frame copy = probe_copy(frame);
  wv_fields fields{};
  ProbeKey out{wv_parse(&copy, &fields), 0, 0};
  if (out.status == WV_PARSED) out.key = wv_match_key(&copy, &fields, static_cast<int>(kind), &out.used);
  return out;
}

// Checks every kind on one frame; returns whether the probe keyed it.
bool expect_same_keys(const Bytes& frame, const std::string& what) {
  const Bytes captured(frame.begin(), frame.begin() + std::min<std::size_t>(frame.size(), WV_FRAME_BYTES));
  const auto decoded = weaver::capture::decode_packet(weaver::capture::kLinkEthernet, captured);
  bool keyed = false;
  for (KeyKind kind : kKinds) {
    const ProbeKey probe = probe_key(frame, kind);
    SCOPED_TRACE(what + ", key " + std::string(weaver::capture::key_kind_name(kind)));
    if (decoded.status == weaver::capture::DecodeStatus::malformed) {
      EXPECT_NE(probe.status, WV_PARSED) << "weaver's decoder calls it malformed: " << decoded.problem;
      continue;
    }
    if (decoded.status == weaver::capture::DecodeStatus::not_ip) {
      EXPECT_EQ(probe.status, WV_NOT_IP);
      continue;
    }
    // Headers the probe does not open leave it unkeyed, never keyed differently.
    if (probe.status == WV_UNSUPPORTED) continue;
    EXPECT_EQ(probe.status, WV_PARSED);
    if (probe.status != WV_PARSED) continue;
    const auto weaver_key = weaver::capture::make_match_key(kind, decoded);
    EXPECT_EQ(probe.key, weaver_key.value);
    if (weaver_key.value != 0) {
      EXPECT_EQ(probe.used, static_cast<int>(weaver_key.kind));
    }
    keyed = keyed || probe.key != 0;
  }
  return keyed;
}

Bytes payload_with_id(std::size_t size, std::uint32_t run, std::uint64_t sequence) {
  Bytes payload(size, 0x5a);
  weaver::capture::write_payload_id({run, sequence, 0}, payload);
  return payload;
}

TEST(ProbeKey, AgreesWithWeaverOnEveryTransportFamilyAndPayload) {
  int keyed = 0;
  for (int version : {4, 6}) {
    for (Transport transport : {Transport::tcp, Transport::udp, Transport::icmp}) {
      for (std::size_t payload : {0, 3, 8, 12, 15, 16, 24, 40, 300, 1400}) {
        for (bool with_id : {false, true}) {
          PacketSpec spec;
          spec.ip_version = version;
          spec.source = version == 4 ? "198.18.0.1" : "2001:db8::1";
          spec.destination = version == 4 ? "198.19.0.1" : "2001:db8::2";
          spec.transport = transport;
          spec.flow_label = 0x12345;
          spec.payload = with_id ? payload_with_id(payload, 7, 1000 + payload) : Bytes(payload, 0x33);
          const std::string what = "IPv" + std::to_string(version) + " transport " +
                                   std::to_string(static_cast<int>(transport)) + " payload " +
                                   std::to_string(payload) + (with_id ? " with id" : "");
          keyed += expect_same_keys(weaver::testing::build_ethernet_frame(spec), what);
        }
      }
    }
  }
  EXPECT_EQ(keyed, 2 * 3 * 10 * 2);
}

TEST(ProbeKey, AgreesWithWeaverThroughVlanTagsIpv4OptionsFragmentsAndIcmpTypes) {
  PacketSpec tagged;
  tagged.vlan_tpids = {0x88a8, 0x8100};
  tagged.payload = payload_with_id(32, 1, 2);
  EXPECT_TRUE(expect_same_keys(weaver::testing::build_ethernet_frame(tagged), "two VLAN tags"));

  PacketSpec options;
  options.ipv4_options = Bytes(12, 1);
  options.payload = Bytes(20, 9);
  EXPECT_TRUE(expect_same_keys(weaver::testing::build_ethernet_frame(options), "IPv4 options"));

  PacketSpec unreachable;
  unreachable.transport = Transport::icmp;
  unreachable.icmp_type = 3;
  unreachable.payload = Bytes(28, 4);
  EXPECT_TRUE(expect_same_keys(weaver::testing::build_ethernet_frame(unreachable), "ICMP unreachable"));

  PacketSpec fragment;
  fragment.transport = Transport::udp;
  fragment.payload = Bytes(64, 2);
  Bytes frame = weaver::testing::build_ethernet_frame(fragment);
  frame[14 + 6] = 0x20;  // more fragments, offset 0x0010 (a later fragment)
  frame[14 + 7] = 0x10;
  EXPECT_TRUE(expect_same_keys(frame, "IPv4 fragment"));
}

TEST(ProbeKey, LeavesUnkeyedWhatItDoesNotOpenAndRefusesWhatIsMalformed) {
  PacketSpec extension;
  extension.ip_version = 6;
  extension.source = "2001:db8::1";
  extension.destination = "2001:db8::2";
  extension.ipv6_extension_headers = {0, 60};
  EXPECT_EQ(probe_key(weaver::testing::build_ethernet_frame(extension), KeyKind::hash).status, WV_UNSUPPORTED);

  PacketSpec overlay;
  overlay.overlay = weaver::testing::Overlay::vxlan;
  EXPECT_EQ(probe_key(weaver::testing::build_ethernet_frame(overlay), KeyKind::hash).status, WV_UNSUPPORTED);

  PacketSpec three_tags;
  three_tags.vlan_tpids = {0x88a8, 0x8100, 0x8100};
  EXPECT_EQ(probe_key(weaver::testing::build_ethernet_frame(three_tags), KeyKind::hash).status, WV_UNSUPPORTED);

  Bytes cut = weaver::testing::build_ethernet_frame(PacketSpec{});
  cut.resize(14 + 12);  // half an IPv4 header
  EXPECT_EQ(probe_key(cut, KeyKind::hash).status, WV_MALFORMED);
  expect_same_keys(cut, "cut short");

  Bytes arp(60, 0);
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_EQ(probe_key(arp, KeyKind::hash).status, WV_NOT_IP);
}

// Random headers and payloads, some corrupted: whatever weaver's decoder makes
// of a frame, the probe makes the same key or none.
TEST(ProbeKey, AgreesWithWeaverOnRandomFrames) {
  std::mt19937_64 random(20261203);
  int keyed = 0;
  for (int i = 0; i < 3000; ++i) {
    PacketSpec spec;
    spec.ip_version = random() % 3 == 0 ? 6 : 4;
    spec.source = spec.ip_version == 4 ? "198.18.0." + std::to_string(random() % 250 + 1) : "2001:db8::7";
    spec.destination = spec.ip_version == 4 ? "198.19.1." + std::to_string(random() % 250 + 1) : "2001:db8::9";
    spec.transport = static_cast<Transport>(random() % 3);
    spec.source_port = static_cast<std::uint16_t>(random());
    spec.destination_port = static_cast<std::uint16_t>(random() % 2 ? 9 : random());
    spec.tcp_sequence = static_cast<std::uint32_t>(random());
    spec.tcp_acknowledgment = static_cast<std::uint32_t>(random());
    spec.tcp_flags = static_cast<std::uint8_t>(random());
    spec.icmp_type = static_cast<std::uint8_t>(random() % 2 ? 8 : random());
    spec.icmp_identifier = static_cast<std::uint16_t>(random());
    spec.icmp_sequence = static_cast<std::uint16_t>(random());
    spec.ip_id = static_cast<std::uint16_t>(random());
    spec.flow_label = static_cast<std::uint32_t>(random() & 0xfffff);
    const std::size_t size = random() % 400;
    spec.payload = random() % 2 ? payload_with_id(size, static_cast<std::uint32_t>(random()), random())
                                : Bytes(size, static_cast<std::uint8_t>(random()));
    Bytes frame = weaver::testing::build_ethernet_frame(spec);
    if (random() % 4 == 0) frame[random() % std::min<std::size_t>(frame.size(), 80)] ^= 0xff;  // corrupt a header byte
    if (random() % 8 == 0) frame.resize(random() % frame.size() + 1);                        // cut short
    keyed += expect_same_keys(frame, "random frame " + std::to_string(i));
    if (::testing::Test::HasFailure()) break;
  }
  EXPECT_GT(keyed, 2000);
}

TEST(ProbeKey, BucketsAreLatencyHistogramBuckets) {
  std::mt19937_64 random(7);
  std::vector<std::uint64_t> values;
  for (std::uint64_t v = 0; v < 5000; ++v) values.push_back(v);
  for (int bit = 11; bit < 64; ++bit) {
    const std::uint64_t power = std::uint64_t{1} << bit;
    values.insert(values.end(), {power - 1, power, power + 1});
  }
  for (int i = 0; i < 100000; ++i) values.push_back(random() >> (random() % 64));
  for (std::uint64_t value : values) {
    ASSERT_EQ(wv_bucket_index(value), weaver::analysis::LatencyHistogram::bucket_index(value)) << value;
  }
  EXPECT_EQ(WV_BUCKETS, weaver::analysis::LatencyHistogram::bucket_index(~std::uint64_t{0}) + 1);
}

TEST(ProbeKey, FoldsTheFull128BitProductFrom32BitHalves) {
  std::mt19937_64 random(11);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t a = random(), b = i % 7 == 0 ? ~std::uint64_t{0} : random();
    __extension__ const unsigned __int128 product = static_cast<unsigned __int128>(a) * b;
    ASSERT_EQ(wv_fold(a, b), static_cast<std::uint64_t>(product) ^ static_cast<std::uint64_t>(product >> 64));
  }
}

}  // namespace

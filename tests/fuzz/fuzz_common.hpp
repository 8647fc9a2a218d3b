// Shared by the fuzz harnesses: decode one frame and make every kind of key
// from it, checking what must hold for any input.
#pragma once

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "weaver/capture/decoder.hpp"
#include "weaver/capture/match_key.hpp"

namespace weaver::fuzz {

inline constexpr std::array<capture::KeyKind, 5> kKeyKinds = {
    capture::KeyKind::automatic, capture::KeyKind::tcp_seq, capture::KeyKind::ip_id,
    capture::KeyKind::payload_id, capture::KeyKind::hash};

// A failed invariant: abort so that libFuzzer (or the replay main) reports it.
[[noreturn]] inline void invariant_failed(const char* what) {
  std::fprintf(stderr, "weaver fuzz invariant failed: %s\n", what);
  std::abort();
}

inline void check_decoded(const capture::DecodedPacket& packet,
                          std::span<const std::uint8_t> frame) {
  if (packet.status == capture::DecodeStatus::malformed && packet.problem == nullptr) {
    invariant_failed("malformed packet without a problem text");
  }
  if (packet.status != capture::DecodeStatus::ok) return;
  if (packet.ip_version != 4 && packet.ip_version != 6) invariant_failed("ip_version not 4 or 6");
  // The captured payload must lie inside the frame it was decoded from.
  if (!packet.payload.empty()) {
    const std::uint8_t* begin = frame.data();
    const std::uint8_t* end = frame.data() + frame.size();
    if (packet.payload.data() < begin || packet.payload.data() + packet.payload.size() > end) {
      invariant_failed("payload span outside the frame");
    }
  }
}

// Every key kind for a packet; make_match_key requires status ok, as
// analyze.cpp does before calling it.
inline std::array<capture::MatchKey, kKeyKinds.size()> all_keys(
    const capture::DecodedPacket& packet) {
  std::array<capture::MatchKey, kKeyKinds.size()> keys{};
  if (packet.status != capture::DecodeStatus::ok) return keys;
  for (std::size_t i = 0; i < kKeyKinds.size(); ++i) {
    keys[i] = capture::make_match_key(kKeyKinds[i], packet);
    if (kKeyKinds[i] != capture::KeyKind::automatic && keys[i].kind != kKeyKinds[i]) {
      invariant_failed("make_match_key resolved an explicit kind to another kind");
    }
  }
  return keys;
}

// Fills every field with values no decode of a real frame starts from, so a
// field the decoder forgets to set shows up as a differing key.
inline void make_stale(capture::DecodedPacket& packet) {
  static const std::array<std::uint8_t, 32> stale_payload = {
      0x57, 0x56, 0x52, 0x31, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9,
      0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x00};
  packet.status = capture::DecodeStatus::ok;
  packet.problem = "stale";
  packet.ip_version = 6;
  packet.protocol = 17;
  packet.encapsulation_depth = 3;
  packet.has_transport = true;
  packet.vlan_tags = 5;
  packet.source.fill(0xa5);
  packet.destination.fill(0x5a);
  packet.ip_id = 0xdeadbeef;
  packet.flow_label = 0xbeef;
  packet.fragment_offset = 0x1234;
  packet.more_fragments = true;
  packet.source_port = 1111;
  packet.destination_port = 2222;
  packet.tcp_sequence = 0x01020304;
  packet.tcp_acknowledgment = 0x05060708;
  packet.tcp_flags = 0x3f;
  packet.icmp_type = 8;
  packet.icmp_code = 9;
  packet.icmp_identifier = 77;
  packet.icmp_sequence = 88;
  packet.payload_length = 0xffff;
  packet.payload = stale_payload;
}

// Decodes `frame` into a fresh packet and into `reused` (the hot path's
// reuse of one DecodedPacket across frames); both must agree on the status,
// the problem and every key, whatever `reused` held before.
inline void decode_and_key(std::uint32_t link_type, std::span<const std::uint8_t> frame,
                           capture::DecodedPacket& reused) {
  const capture::DecodedPacket fresh = capture::decode_packet(link_type, frame);
  check_decoded(fresh, frame);
  const auto fresh_keys = all_keys(fresh);

  capture::decode_packet(link_type, frame, reused);
  if (reused.status != fresh.status) invariant_failed("reused DecodedPacket: status differs");
  if (reused.problem != fresh.problem) invariant_failed("reused DecodedPacket: problem differs");
  const auto reused_keys = all_keys(reused);
  for (std::size_t i = 0; i < fresh_keys.size(); ++i) {
    if (fresh_keys[i].value != reused_keys[i].value || fresh_keys[i].kind != reused_keys[i].kind) {
      invariant_failed("reused DecodedPacket: a match key differs from a fresh decode");
    }
  }
}

}  // namespace weaver::fuzz

// The identifier weaver's traffic generator puts at the start of every
// payload with room for it, so each packet can be matched across captures by
// (run, sequence) alone. All fields big-endian.
//
//   0  magic "WVR1"   4  run id (u32)   8  sequence (u64)   16  send time, ns (u64)
//
// The send time is present when the payload has room for it: a 64-byte
// IPv4/UDP frame carries 18 payload bytes, enough for the first 16 only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace weaver::capture {

inline constexpr std::uint32_t kPayloadIdMagic = 0x57565231;  // "WVR1"
inline constexpr std::size_t kPayloadIdSize = 16;          // magic, run id, sequence
inline constexpr std::size_t kPayloadIdWithTimeSize = 24;  // and the send time

struct PayloadId {
  std::uint32_t run_id = 0;
  std::uint64_t sequence = 0;
  std::uint64_t send_time_ns = 0;  // 0 when the payload had no room for it
};

std::optional<PayloadId> read_payload_id(std::span<const std::uint8_t> payload);

// Writes the identifier into the start of `payload`: 24 bytes when it has
// room for the send time, else 16; nothing when it is shorter than 16.
void write_payload_id(const PayloadId& id, std::span<std::uint8_t> payload);

}  // namespace weaver::capture

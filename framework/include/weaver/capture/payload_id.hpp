// The identifier weaver's traffic generator puts at the start of every UDP
// and ICMP payload, so each packet can be matched across captures by
// (run, sequence) alone. All fields big-endian.
//
//   0  magic "WVR1"   4  run id (u32)   8  sequence (u64)   16  send time, ns (u64)
#pragma once

#include <cstdint>
#include <optional>
#include <span>

namespace weaver::capture {

inline constexpr std::uint32_t kPayloadIdMagic = 0x57565231;  // "WVR1"
inline constexpr std::size_t kPayloadIdSize = 24;

struct PayloadId {
  std::uint32_t run_id = 0;
  std::uint64_t sequence = 0;
  std::uint64_t send_time_ns = 0;
};

std::optional<PayloadId> read_payload_id(std::span<const std::uint8_t> payload);

// Writes the identifier into the first kPayloadIdSize bytes of `payload`.
void write_payload_id(const PayloadId& id, std::span<std::uint8_t> payload);

}  // namespace weaver::capture

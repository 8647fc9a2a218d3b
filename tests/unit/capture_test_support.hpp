// Shared by the capture reader tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "packet_builder.hpp"

namespace capture_test {

using weaver::testing::Bytes;

// Frames of different lengths (one not a multiple of 4, for pcapng padding).
inline std::vector<Bytes> sample_frames() {
  std::vector<Bytes> frames;
  for (std::size_t size : {60u, 61u, 127u, 1514u}) {
    Bytes frame(size);
    for (std::size_t i = 0; i < size; ++i) frame[i] = static_cast<std::uint8_t>(i * 7 + size);
    frames.push_back(frame);
  }
  return frames;
}

// Host-order words, for hand-made blocks appended with write_bytes.
inline void put32(Bytes& out, std::uint32_t v) {
  std::uint8_t bytes[4];
  std::memcpy(bytes, &v, 4);
  out.insert(out.end(), bytes, bytes + 4);
}

}  // namespace capture_test

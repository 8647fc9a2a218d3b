// Unaligned loads in big-endian (network) or file byte order.
#pragma once

#include <cstdint>
#include <cstring>

namespace weaver::capture {

inline std::uint16_t load_u16_be(const std::uint8_t* p) {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

inline std::uint32_t load_u32_be(const std::uint8_t* p) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}

// Loads in host order, byte-swapped when the file was written on a machine of
// the other endianness.
inline std::uint16_t load_u16(const std::uint8_t* p, bool swapped) {
  std::uint16_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap16(v) : v;
}

inline std::uint32_t load_u32(const std::uint8_t* p, bool swapped) {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap32(v) : v;
}

inline std::uint64_t load_u64(const std::uint8_t* p, bool swapped) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return swapped ? __builtin_bswap64(v) : v;
}

}  // namespace weaver::capture

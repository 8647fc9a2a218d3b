// A read position inside one packet that never moves past the captured bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "byte_order.hpp"

namespace weaver::capture {

class ByteCursor {
 public:
  explicit ByteCursor(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

  std::size_t remaining() const { return bytes_.size() - at_; }
  bool has(std::size_t count) const { return count <= remaining(); }
  const std::uint8_t* here() const { return bytes_.data() + at_; }
  std::span<const std::uint8_t> rest() const { return bytes_.subspan(at_); }

  // Callers check has() first; these never read past the end either way.
  std::uint8_t u8(std::size_t offset) const { return in(offset, 1) ? here()[offset] : 0; }
  std::uint16_t u16(std::size_t offset) const {
    return in(offset, 2) ? load_u16_be(here() + offset) : 0;
  }
  std::uint32_t u32(std::size_t offset) const {
    return in(offset, 4) ? load_u32_be(here() + offset) : 0;
  }

  bool skip(std::size_t count) {
    if (!has(count)) return false;
    at_ += count;
    return true;
  }

  // Narrows the view to the next `count` bytes (an IP packet inside padding).
  void limit(std::size_t count) {
    if (count < remaining()) bytes_ = bytes_.first(at_ + count);
  }

 private:
  bool in(std::size_t offset, std::size_t size) const { return offset + size <= remaining(); }

  std::span<const std::uint8_t> bytes_;
  std::size_t at_ = 0;
};

}  // namespace weaver::capture

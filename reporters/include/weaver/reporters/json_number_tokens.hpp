// Google Benchmark writes a non-finite double as a bare NaN, -NaN, Infinity
// or -Infinity (a cv aggregate of an all-zero counter is NaN), which JSON
// does not allow. These tokens become null before parsing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace weaver::reporters {

class NonFiniteTokensAsNull {
 public:
  explicit NonFiniteTokensAsNull(std::string_view json_text);

  // The text with every bare NaN/Infinity/inf token outside strings replaced by null.
  const std::string& text() const { return text_; }
  // The byte in the original text that `byte` of text() came from (for error messages).
  std::size_t original_byte(std::size_t byte) const;

 private:
  struct Shift {
    std::size_t from_byte;  // in text()
    std::ptrdiff_t added;   // bytes text() has gained over the original up to here
  };
  std::string text_;
  std::vector<Shift> shifts_;
};

}  // namespace weaver::reporters

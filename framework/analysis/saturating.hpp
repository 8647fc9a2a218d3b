// Capture timestamps may sit anywhere in int64 (pcapng offsets): limits
// derived from them stop at the ends instead of wrapping around.
#pragma once

#include <cstdint>

namespace weaver::analysis {

inline std::int64_t saturating_sub(std::int64_t a, std::int64_t b) {
  std::int64_t result;
  return __builtin_sub_overflow(a, b, &result) ? (b > 0 ? INT64_MIN : INT64_MAX) : result;
}

inline std::int64_t saturating_add(std::int64_t a, std::int64_t b) {
  std::int64_t result;
  return __builtin_add_overflow(a, b, &result) ? (b > 0 ? INT64_MAX : INT64_MIN) : result;
}

}  // namespace weaver::analysis

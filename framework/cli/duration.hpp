#pragma once

#include <cstdint>
#include <string_view>

namespace weaver::cli {

// "10s", "250ms", "50us", "1000ns" (a bare number is seconds) to nanoseconds.
// Throws UsageError naming `option` for anything else.
std::int64_t parse_duration_ns(std::string_view text, std::string_view option);

}  // namespace weaver::cli

// The closing lines of tcpdump and hping3 state counts as "<N><suffix>"
// ("300 packets captured", "300 packets transmitted, ..."). One reader for both.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace weaver::orchestrator {

// N when `line` holds `suffix` and everything before it is the number N.
inline std::optional<std::uint64_t> count_before(std::string_view line, std::string_view suffix) {
  const std::size_t at = line.find(suffix);
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  std::uint64_t number = 0;
  const char* end = line.data() + at;
  const auto [stop, error] = std::from_chars(line.data(), end, number);
  if (error != std::errc{} || stop != end) return std::nullopt;
  return number;
}

}  // namespace weaver::orchestrator

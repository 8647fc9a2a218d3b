#include "duration.hpp"

#include <charconv>
#include <string>

#include "weaver/error.hpp"

namespace weaver::cli {

std::int64_t parse_duration_ns(std::string_view text, std::string_view option) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  const std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  double scale = 0;
  if (unit.empty() || unit == "s") scale = 1e9;
  if (unit == "ms") scale = 1e6;
  if (unit == "us" || unit == "µs") scale = 1e3;
  if (unit == "ns") scale = 1;
  if (error != std::errc() || scale == 0 || !(value > 0) || value * scale > 9e18) {
    throw UsageError(std::string(option) + " '" + std::string(text) +
                     "': expected a positive duration such as 10s, 250ms, 50us or 1000ns");
  }
  return static_cast<std::int64_t>(value * scale);
}

}  // namespace weaver::cli

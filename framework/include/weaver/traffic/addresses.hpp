// IPv4/IPv6 and Ethernet addresses as the traffic generator handles them:
// parsed from numeric text only (no name lookup), kept in network byte order.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace weaver::traffic {

struct IpAddress {
  int family = 0;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> bytes{};  // the first 4 for IPv4

  static std::optional<IpAddress> parse(std::string_view text);
  std::size_t size() const { return is_v4() ? 4 : 16; }
  bool is_v4() const;
  std::string to_string() const;
  // This address plus `offset`, carried through the low bytes (address ranges).
  IpAddress plus(std::uint32_t offset) const;
  bool operator==(const IpAddress&) const = default;
};

using MacAddress = std::array<std::uint8_t, 6>;

std::optional<MacAddress> parse_mac(std::string_view text);
std::string to_string(const MacAddress& mac);

}  // namespace weaver::traffic

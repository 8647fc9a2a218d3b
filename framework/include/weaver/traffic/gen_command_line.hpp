// weaver-gen's command line, parsed and checked before anything touches the
// network:
//
//   weaver-gen [--iface IF] --dst ADDR [--src ADDR[-ADDR]] --proto syn|udp|icmp
//              --size BYTES --rate PPS|max (--count N | --duration S)
//              [--burst N --burst-interval-us T] [--json] ...
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "weaver/traffic/addresses.hpp"
#include "weaver/traffic/frame_builder.hpp"
#include "weaver/traffic/pacer.hpp"

namespace weaver::traffic {

struct GenCommandLine {
  std::string interface;                 // empty: the one the route to `destination` leaves by
  IpAddress destination;
  std::optional<IpAddress> source;       // none: the route's preferred source
  std::uint32_t source_addresses = 1;    // from `source` on
  std::optional<MacAddress> destination_mac;  // none: resolved through the neighbour table
  Protocol protocol = Protocol::udp;
  std::size_t frame_size = 64;
  Schedule schedule;
  std::uint64_t count = 0;
  std::chrono::nanoseconds duration{0};
  std::uint16_t source_port = 40000;
  std::uint32_t source_ports = 1;
  std::uint16_t destination_port = 9;
  std::optional<std::uint32_t> run_id;   // none: random
  std::chrono::milliseconds resolve_timeout{3000};
  bool json = false;
  bool progress = false;                 // "progress N" lines on stderr while sending
};

// Parses argv (without the program name). Throws UsageError with one line
// naming the option; HelpRequested when --help was asked for.
struct HelpRequested {
  std::string text;
};
GenCommandLine parse_gen_command_line(const std::vector<std::string>& arguments);

}  // namespace weaver::traffic

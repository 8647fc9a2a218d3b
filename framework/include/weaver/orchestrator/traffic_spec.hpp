// What one case sends: protocol, exact frame size, rate, amount, bursts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weaver::orchestrator {

enum class Protocol { tcp_syn, udp, icmp_echo };
enum class Direction { ingress, egress };  // PIF->VIF (to the VM), VIF->PIF (from it)

const char* to_string(Protocol protocol);  // "syn", "udp", "icmp"
std::optional<Protocol> parse_protocol(const std::string& text);

struct TrafficSpec {
  Protocol protocol = Protocol::tcp_syn;
  int frame_size = 64;             // RFC 2544: on the wire including the 4-byte FCS
  std::int64_t rate_pps = 1000;    // per source; 0: as fast as possible
  std::int64_t count = 1000;       // packets per source
  int burst = 0;                   // >0: bursts of this many back-to-back packets ...
  std::int64_t burst_interval_us = 0;  // ... every this many microseconds
  std::uint16_t destination_port = 9;  // discard
  Direction direction = Direction::ingress;
  // The 2013 `source_command`: a command template run on each source instead
  // of the built-in one, split into words without a shell; placeholders
  // {destination} {source} {count} {rate} {interval_us} {size} {data_bytes}
  // {port} are replaced inside words.
  std::optional<std::string> source_command;

  // Payload bytes after the L4 header that make `frame_size` on the wire
  // (IPv4): frame_size - 4 (FCS) - 14 (Ethernet) - 20 (IP) - L4 header.
  int data_bytes() const;
};

}  // namespace weaver::orchestrator

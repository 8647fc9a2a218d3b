#include "weaver/orchestrator/traffic_spec.hpp"

namespace weaver::orchestrator {
namespace {

// What an IPv4 frame carries besides the payload (RFC 2544 counts the FCS).
constexpr int fcs_bytes = 4;
constexpr int ethernet_header_bytes = 14;
constexpr int ipv4_header_bytes = 20;  // no options

int l4_header_bytes(Protocol protocol) {
  switch (protocol) {
    case Protocol::tcp_syn:
      return 20;  // no options, as hping3 -S sends
    case Protocol::udp:
      return 8;
    case Protocol::icmp_echo:
      return 8;
  }
  return 0;
}

}  // namespace

const char* to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::tcp_syn:
      return "syn";
    case Protocol::udp:
      return "udp";
    case Protocol::icmp_echo:
      return "icmp";
  }
  return "unknown";
}

std::optional<Protocol> parse_protocol(const std::string& text) {
  // The short names are what files and case names use; the long ones match the enum.
  if (text == "syn" || text == "tcp-syn") return Protocol::tcp_syn;
  if (text == "udp") return Protocol::udp;
  if (text == "icmp" || text == "icmp-echo") return Protocol::icmp_echo;
  return std::nullopt;
}

int TrafficSpec::data_bytes() const {
  return frame_size - fcs_bytes - ethernet_header_bytes - ipv4_header_bytes -
         l4_header_bytes(protocol);
}

}  // namespace weaver::orchestrator

// Where a frame for a destination goes on the wire: the interface's own
// address and MTU, the next hop the kernel's routing table chooses, and that
// hop's Ethernet address from the neighbour table (resolved on demand).
// Read over rtnetlink, so the generator needs nothing but the kernel.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "weaver/traffic/addresses.hpp"

namespace weaver::traffic {

struct Link {
  std::string name;
  int index = 0;
  MacAddress mac{};
  unsigned mtu = 0;
  bool up = false;
};

// Throws TrafficError "unknown interface 'NAME'" when there is none.
Link find_link(const std::string& name);

// The interface the kernel routes `destination` through (unicast routes
// only), for when no interface is given. Throws TrafficError "no route to D".
std::string route_interface(const IpAddress& destination);

struct NextHop {
  IpAddress address;                  // the gateway, or the destination when on-link
  MacAddress mac{};                   // its Ethernet address
  std::optional<IpAddress> source;    // the route's preferred source address, if any
};

// Routes `destination` (must leave through `link`), then finds the next hop's
// Ethernet address, asking the kernel to resolve it (ARP / neighbour
// discovery) when the neighbour table has no usable entry, for at most
// `deadline`. Throws TrafficError naming the destination, the interface and
// what was missing: no route, a route through another interface, no answer.
NextHop resolve_next_hop(const Link& link, const IpAddress& destination,
                         std::chrono::milliseconds deadline);

}  // namespace weaver::traffic

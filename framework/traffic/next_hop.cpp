#include "weaver/traffic/next_hop.hpp"

#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <span>
#include <thread>
#include <variant>

#include "netlink_socket.hpp"
#include "weaver/error.hpp"
#include "weaver/traffic/traffic_error.hpp"

namespace weaver::traffic {
namespace {

// How often the neighbour table is read while the kernel resolves a next hop.
constexpr std::chrono::milliseconds kNeighbourPollInterval{10};

// Neighbour states whose link-layer address can be sent to right away.
constexpr std::uint16_t kUsableNeighbourStates =
    NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP;

std::string quoted(const std::string& name) { return "'" + name + "'"; }

std::optional<MacAddress> ethernet_address(std::span<const std::uint8_t> bytes) {
  MacAddress mac{};
  if (bytes.size() != mac.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), mac.begin());
  return mac;
}

std::optional<IpAddress> ip_address(int family, std::span<const std::uint8_t> bytes) {
  IpAddress address;
  address.family = family;
  if (bytes.size() != address.size()) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), address.bytes.begin());
  return address;
}

// ---- Interfaces -------------------------------------------------------------

Link link_from_message(const NetlinkMessage& message, const std::string& name) {
  const std::optional<ifinfomsg> info = message.family_header<ifinfomsg>();
  if (!info) throw TrafficError("interface " + quoted(name) + ": short RTM_NEWLINK reply");
  const NetlinkAttributes attributes = message.attributes(sizeof(ifinfomsg));
  const std::optional<MacAddress> mac = ethernet_address(attributes.get(IFLA_ADDRESS));
  if (info->ifi_type != ARPHRD_ETHER || !mac) {
    throw TrafficError("interface " + quoted(name) + " has no Ethernet address");
  }
  Link link;
  link.name = name;
  link.index = info->ifi_index;
  link.mac = *mac;
  link.mtu = attributes.u32(IFLA_MTU).value_or(0);
  link.up = (info->ifi_flags & IFF_UP) != 0;
  return link;
}

// ---- Routes -----------------------------------------------------------------

struct Route {
  int output_index = 0;
  unsigned char type = RTN_UNSPEC;
  std::optional<IpAddress> gateway;
  std::optional<IpAddress> preferred_source;
};

bool is_ipv6_link_local(const IpAddress& address) {
  return address.family == AF_INET6 && address.bytes[0] == 0xfe &&
         (address.bytes[1] & 0xc0) == 0x80;
}

// The gateway of an RTA_VIA attribute (an IPv4 route through an IPv6 next hop).
std::optional<IpAddress> via_gateway(std::span<const std::uint8_t> via) {
  if (via.size() < sizeof(rtvia)) return std::nullopt;
  rtvia header;
  std::memcpy(&header, via.data(), sizeof header);
  return ip_address(header.rtvia_family, via.subspan(sizeof header));
}

Route route_from_message(const NetlinkMessage& message, int family) {
  Route route;
  const std::optional<rtmsg> header = message.family_header<rtmsg>();
  if (!header) return route;
  const NetlinkAttributes attributes = message.attributes(sizeof(rtmsg));
  route.type = header->rtm_type;
  route.output_index = static_cast<int>(attributes.u32(RTA_OIF).value_or(0));
  route.gateway = ip_address(family, attributes.get(RTA_GATEWAY));
  if (!route.gateway) route.gateway = via_gateway(attributes.get(RTA_VIA));
  route.preferred_source = ip_address(family, attributes.get(RTA_PREFSRC));
  return route;
}

// What the kernel's routing decision for `destination` is, or its errno.
std::variant<Route, int> look_up_route(NetlinkSocket& socket, const Link& link,
                                       const IpAddress& destination) {
  NetlinkRequest request(RTM_GETROUTE, NLM_F_ACK);
  rtmsg header{};
  header.rtm_family = static_cast<unsigned char>(destination.family);
  header.rtm_dst_len = static_cast<unsigned char>(destination.size() * 8);
  request.set_family_header(header);
  request.add_attribute(RTA_DST, destination.bytes.data(), destination.size());
  // A link-local address means the same on every interface: ask for this one.
  if (is_ipv6_link_local(destination)) {
    request.add_attribute(RTA_OIF, static_cast<std::uint32_t>(link.index));
  }
  const NetlinkReply reply = socket.exchange(request);
  if (reply.error != 0) return reply.error;
  for (const NetlinkMessage& message : reply.messages) {
    if (message.type == RTM_NEWROUTE) return route_from_message(message, destination.family);
  }
  return ENETUNREACH;
}

std::string interface_name(int index) {
  char name[IF_NAMESIZE] = {};
  if (index > 0 && ::if_indextoname(static_cast<unsigned>(index), name) != nullptr) return name;
  return "#" + std::to_string(index);
}

std::string no_route_message(const IpAddress& destination, const Link& link, int error) {
  std::string message = "no route to " + destination.to_string() + " from " + quoted(link.name);
  if (error != ENETUNREACH && error != EHOSTUNREACH) {
    message += std::string(" (") + std::strerror(error) + ")";
  }
  return message;
}

// The route to `destination`, checked to be a usable one out of `link`.
Route route_through_link(NetlinkSocket& socket, const Link& link, const IpAddress& destination) {
  const std::variant<Route, int> found = look_up_route(socket, link, destination);
  if (const int* error = std::get_if<int>(&found)) {
    throw TrafficError(no_route_message(destination, link, *error));
  }
  const Route& route = std::get<Route>(found);
  switch (route.type) {
    case RTN_UNICAST:
    case RTN_LOCAL:
    case RTN_BROADCAST:
    case RTN_MULTICAST:
      break;
    case RTN_PROHIBIT:
      throw TrafficError(no_route_message(destination, link, EACCES));
    default:  // unreachable, blackhole, throw: IPv6 answers these as routes
      throw TrafficError(no_route_message(destination, link, ENETUNREACH));
  }
  if (route.output_index != link.index) {
    throw TrafficError("route to " + destination.to_string() + " leaves through " +
                       quoted(interface_name(route.output_index)) + ", not " + quoted(link.name));
  }
  return route;
}

// The Ethernet address IP multicast and broadcast map to: no neighbour to ask.
std::optional<MacAddress> group_address(const Route& route, const IpAddress& destination) {
  if (route.type == RTN_BROADCAST) return MacAddress{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
  if (route.type != RTN_MULTICAST) return std::nullopt;
  const auto& b = destination.bytes;
  if (destination.is_v4()) {
    return MacAddress{0x01, 0x00, 0x5e, static_cast<std::uint8_t>(b[1] & 0x7f), b[2], b[3]};
  }
  return MacAddress{0x33, 0x33, b[12], b[13], b[14], b[15]};
}

// ---- Neighbours -------------------------------------------------------------

struct Neighbour {
  std::uint16_t state = NUD_NONE;
  std::optional<MacAddress> mac;

  bool usable() const { return (state & kUsableNeighbourStates) != 0 && mac.has_value(); }
  // No resolution under way: the kernel has to be asked (again).
  bool needs_asking() const { return (state & (NUD_INCOMPLETE | kUsableNeighbourStates)) == 0; }
};

bool is_entry_for(const NetlinkMessage& message, const Link& link, const IpAddress& address) {
  const std::optional<ndmsg> header = message.family_header<ndmsg>();
  if (message.type != RTM_NEWNEIGH || !header || header->ndm_ifindex != link.index) return false;
  return ip_address(address.family, message.attributes(sizeof(ndmsg)).get(NDA_DST)) == address;
}

// The neighbour table's entry for `address` on `link`; nullopt when there is none.
std::optional<Neighbour> find_neighbour(NetlinkSocket& socket, const Link& link,
                                        const IpAddress& address) {
  NetlinkRequest request(RTM_GETNEIGH, NLM_F_DUMP);
  ndmsg header{};
  header.ndm_family = static_cast<std::uint8_t>(address.family);
  header.ndm_ifindex = link.index;
  request.set_family_header(header);
  const NetlinkReply reply = socket.exchange(request);
  if (reply.error != 0) {
    throw TrafficError("reading the neighbour table of " + quoted(link.name) + ": " +
                       std::strerror(reply.error));
  }
  for (const NetlinkMessage& message : reply.messages) {
    if (!is_entry_for(message, link, address)) continue;
    Neighbour neighbour;
    neighbour.state = message.family_header<ndmsg>()->ndm_state;
    neighbour.mac = ethernet_address(message.attributes(sizeof(ndmsg)).get(NDA_LLADDR));
    return neighbour;
  }
  return std::nullopt;
}

// Asks the kernel to resolve `address` on `link` as if a packet were waiting
// for it (NTF_USE: neigh_event_send), creating the entry when there is none.
// Only the ARP request or neighbour solicitation goes out.
void ask_kernel_to_resolve(NetlinkSocket& socket, const Link& link, const IpAddress& address) {
  NetlinkRequest request(RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_ACK);
  ndmsg header{};
  header.ndm_family = static_cast<std::uint8_t>(address.family);
  header.ndm_ifindex = link.index;
  header.ndm_flags = NTF_USE;
  request.set_family_header(header);
  request.add_attribute(NDA_DST, address.bytes.data(), address.size());
  const NetlinkReply reply = socket.exchange(request);
  if (reply.error != 0) {
    throw TrafficError("asking the kernel to resolve " + address.to_string() + " on " +
                       quoted(link.name) + ": " + std::strerror(reply.error));
  }
}

std::string no_answer_message(const IpAddress& address, const Link& link,
                              std::chrono::milliseconds deadline) {
  const char* protocol = address.is_v4() ? "ARP" : "neighbour discovery";
  return address.to_string() + " did not answer " + protocol + " on " + quoted(link.name) +
         " within " + std::to_string(deadline.count()) + " ms";
}

MacAddress resolve_neighbour(NetlinkSocket& socket, const Link& link, const IpAddress& address,
                             std::chrono::milliseconds deadline) {
  const auto give_up_at = std::chrono::steady_clock::now() + deadline;
  for (;;) {
    const std::optional<Neighbour> neighbour = find_neighbour(socket, link, address);
    if (neighbour && neighbour->usable()) return *neighbour->mac;
    if (!neighbour || neighbour->needs_asking()) ask_kernel_to_resolve(socket, link, address);
    const auto now = std::chrono::steady_clock::now();
    if (now >= give_up_at) throw TrafficError(no_answer_message(address, link, deadline));
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(kNeighbourPollInterval, give_up_at - now));
  }
}

}  // namespace

Link find_link(const std::string& name) {
  if (name.empty() || name.size() >= IF_NAMESIZE) {
    throw TrafficError("unknown interface " + quoted(name));
  }
  NetlinkSocket socket;
  NetlinkRequest request(RTM_GETLINK, NLM_F_ACK);
  ifinfomsg header{};
  header.ifi_family = AF_UNSPEC;
  request.set_family_header(header);
  request.add_string_attribute(IFLA_IFNAME, name);
  const NetlinkReply reply = socket.exchange(request);
  if (reply.error == ENODEV) throw TrafficError("unknown interface " + quoted(name));
  if (reply.error != 0) {
    throw TrafficError("interface " + quoted(name) + ": " + std::strerror(reply.error));
  }
  for (const NetlinkMessage& message : reply.messages) {
    if (message.type == RTM_NEWLINK) return link_from_message(message, name);
  }
  throw TrafficError("unknown interface " + quoted(name));
}

std::string route_interface(const IpAddress& destination) {
  if (is_ipv6_link_local(destination)) {
    throw UsageError("--dst " + destination.to_string() + ": a link-local destination needs --iface");
  }
  NetlinkSocket socket;
  const Link unspecified;
  const std::variant<Route, int> found = look_up_route(socket, unspecified, destination);
  const int* error = std::get_if<int>(&found);
  if (error == nullptr && std::get<Route>(found).output_index > 0 &&
      std::get<Route>(found).type == RTN_UNICAST) {
    return interface_name(std::get<Route>(found).output_index);
  }
  std::string message = "no route to " + destination.to_string();
  if (error != nullptr && *error != ENETUNREACH && *error != EHOSTUNREACH) {
    message += std::string(" (") + std::strerror(*error) + ")";
  }
  throw TrafficError(message);
}

NextHop resolve_next_hop(const Link& link, const IpAddress& destination,
                         std::chrono::milliseconds deadline) {
  if (destination.family != AF_INET && destination.family != AF_INET6) {
    throw TrafficError("no route to an address of unknown family from " + quoted(link.name));
  }
  NetlinkSocket socket;
  const Route route = route_through_link(socket, link, destination);
  NextHop hop;
  hop.address = route.gateway.value_or(destination);
  hop.source = route.preferred_source;
  if (const std::optional<MacAddress> group = group_address(route, destination)) {
    hop.mac = *group;
  } else {
    hop.mac = resolve_neighbour(socket, link, hop.address, deadline);
  }
  return hop;
}

}  // namespace weaver::traffic

// find_link and resolve_next_hop against the kernel's real routing and
// neighbour tables, in three fresh namespaces per test:
//
//   A: a0 198.19.240.1/24 2001:2:0:f0::1/64 --- r0 .254 / ::fe   R (forwarding)
//      a1 198.19.242.1/24 ------------------ r2
//                                               r1 .254 / ::fe --- b0 198.19.241.1/24
//      routes to 198.19.241.0/24 and 2001:2:0:f1::/64 via R         2001:2:0:f1::1/64
//
// Every neighbour table starts empty, so each resolution goes through the
// kernel's on-demand ARP / neighbour discovery.
#include "weaver/traffic/next_hop.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <sstream>

#include "netns_fixture.hpp"
#include "weaver/traffic/traffic_error.hpp"

namespace weaver::traffic::test {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// What resolve_next_hop answered inside a namespace.
struct Resolution {
  bool ok = false;
  std::string error;
  std::string address;
  std::string mac;
  std::string source;  // "-" when the route has none
  long elapsed_ms = 0;
};

Resolution resolve_in(const TestNetns& netns, const std::string& interface,
                      const std::string& destination, std::chrono::milliseconds deadline) {
  const auto start = std::chrono::steady_clock::now();
  const ChildOutcome outcome = run_in_netns(netns.name(), [&] {
    const std::optional<IpAddress> address = IpAddress::parse(destination);
    if (!address) throw std::runtime_error("bad destination " + destination);
    const NextHop hop = resolve_next_hop(find_link(interface), *address, deadline);
    return hop.address.to_string() + " " + to_string(hop.mac) + " " +
           (hop.source ? hop.source->to_string() : "-");
  });
  Resolution resolution;
  resolution.elapsed_ms = static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::steady_clock::now() - start)
                                                .count());
  resolution.ok = outcome.ok;
  if (!outcome.ok) {
    resolution.error = outcome.text;
    return resolution;
  }
  std::istringstream fields(outcome.text);
  fields >> resolution.address >> resolution.mac >> resolution.source;
  return resolution;
}

// What find_link answered inside a namespace.
struct LinkOutcome {
  bool ok = false;
  std::string error;
  Link link;
};

LinkOutcome find_link_in(const TestNetns& netns, const std::string& interface) {
  const ChildOutcome outcome = run_in_netns(netns.name(), [&] {
    const Link link = find_link(interface);
    return link.name + " " + std::to_string(link.index) + " " + to_string(link.mac) + " " +
           std::to_string(link.mtu) + " " + (link.up ? "up" : "down");
  });
  LinkOutcome result;
  result.ok = outcome.ok;
  if (!outcome.ok) {
    result.error = outcome.text;
    return result;
  }
  std::istringstream fields(outcome.text);
  std::string mac, state;
  fields >> result.link.name >> result.link.index >> mac >> result.link.mtu >> state;
  result.link.mac = parse_mac(mac).value_or(MacAddress{});
  result.link.up = state == "up";
  return result;
}

void connect(const TestNetns& left, const std::string& left_interface, const TestNetns& right,
             const std::string& right_interface) {
  left.ip({"link", "add", left_interface, "type", "veth", "peer", "name", right_interface, "netns",
           right.name()});
  left.ip({"link", "set", left_interface, "up"});
  right.ip({"link", "set", right_interface, "up"});
}

void add_addresses(const TestNetns& netns, const std::string& interface, const std::string& v4,
                   const std::string& v6) {
  netns.ip({"address", "add", v4, "dev", interface});
  netns.ip({"-6", "address", "add", v6, "dev", interface, "nodad"});
}

// Link-local addresses usable at once: neighbour solicitations are sent from them.
void skip_duplicate_address_detection(const TestNetns& netns) {
  netns.set_sysctl("net.ipv6.conf.all.accept_dad", "0");
  netns.set_sysctl("net.ipv6.conf.default.accept_dad", "0");
}

class NextHopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "network namespaces need root";
    a_ = std::make_unique<TestNetns>("a");
    router_ = std::make_unique<TestNetns>("r");
    b_ = std::make_unique<TestNetns>("b");
    for (const TestNetns* netns : {a_.get(), router_.get(), b_.get()}) {
      skip_duplicate_address_detection(*netns);
    }
    router_->set_sysctl("net.ipv4.ip_forward", "1");
    router_->set_sysctl("net.ipv6.conf.all.forwarding", "1");

    connect(*a_, "a0", *router_, "r0");
    connect(*router_, "r1", *b_, "b0");
    add_addresses(*a_, "a0", "198.19.240.1/24", "2001:2:0:f0::1/64");
    add_addresses(*router_, "r0", "198.19.240.254/24", "2001:2:0:f0::fe/64");
    add_addresses(*router_, "r1", "198.19.241.254/24", "2001:2:0:f1::fe/64");
    add_addresses(*b_, "b0", "198.19.241.1/24", "2001:2:0:f1::1/64");
    a_->ip({"route", "add", "198.19.241.0/24", "via", "198.19.240.254"});
    a_->ip({"-6", "route", "add", "2001:2:0:f1::/64", "via", "2001:2:0:f0::fe"});
    b_->ip({"route", "add", "198.19.240.0/24", "via", "198.19.241.254"});
    b_->ip({"-6", "route", "add", "2001:2:0:f0::/64", "via", "2001:2:0:f1::fe"});

    connect(*a_, "a1", *router_, "r2");
    a_->ip({"address", "add", "198.19.242.1/24", "dev", "a1"});
  }

  // Reverse order of creation; each namespace takes its interfaces along.
  void TearDown() override {
    b_.reset();
    router_.reset();
    a_.reset();
  }

  std::string neighbours_of_a0() const { return a_->ip({"neigh", "show", "dev", "a0"}); }

  std::unique_ptr<TestNetns> a_, router_, b_;
};

TEST_F(NextHopTest, FindLinkReportsIndexMacMtuAndUpState) {
  a_->ip({"link", "set", "a0", "mtu", "1400"});
  const LinkOutcome found = find_link_in(*a_, "a0");
  ASSERT_TRUE(found.ok) << found.error;
  EXPECT_EQ(found.link.name, "a0");
  EXPECT_EQ(found.link.index, a_->index_of("a0"));
  EXPECT_EQ(to_string(found.link.mac), a_->mac_of("a0"));
  EXPECT_EQ(found.link.mtu, 1400u);
  EXPECT_TRUE(found.link.up);
}

TEST_F(NextHopTest, FindLinkReportsAnInterfaceThatIsDown) {
  a_->ip({"link", "add", "a2", "mtu", "9000", "type", "veth", "peer", "name", "a3"});
  const LinkOutcome found = find_link_in(*a_, "a2");
  ASSERT_TRUE(found.ok) << found.error;
  EXPECT_EQ(to_string(found.link.mac), a_->mac_of("a2"));
  EXPECT_EQ(found.link.mtu, 9000u);
  EXPECT_FALSE(found.link.up);
}

TEST_F(NextHopTest, FindLinkNamesAnUnknownInterface) {
  const LinkOutcome found = find_link_in(*a_, "nosuch0");
  ASSERT_FALSE(found.ok);
  EXPECT_EQ(found.error, "unknown interface 'nosuch0'");
}

TEST_F(NextHopTest, FindLinkRejectsAnInterfaceWithoutEthernetAddress) {
  const LinkOutcome found = find_link_in(*a_, "lo");
  ASSERT_FALSE(found.ok);
  EXPECT_EQ(found.error, "interface 'lo' has no Ethernet address");
}

TEST_F(NextHopTest, OnLinkDestinationResolvesToThePeersMac) {
  const Resolution hop = resolve_in(*a_, "a0", "198.19.240.254", 2000ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.address, "198.19.240.254");
  EXPECT_EQ(hop.mac, router_->mac_of("r0"));
  EXPECT_EQ(hop.source, "198.19.240.1");
}

TEST_F(NextHopTest, RoutedDestinationResolvesToTheRoutersMacAndAddress) {
  const Resolution hop = resolve_in(*a_, "a0", "198.19.241.1", 2000ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.address, "198.19.240.254");
  EXPECT_EQ(hop.mac, router_->mac_of("r0"));
  EXPECT_NE(hop.mac, b_->mac_of("b0"));
  EXPECT_EQ(hop.source, "198.19.240.1");
}

TEST_F(NextHopTest, EmptyNeighbourTableIsFilledOnDemand) {
  ASSERT_EQ(neighbours_of_a0(), "");
  const Resolution hop = resolve_in(*a_, "a0", "198.19.240.254", 2000ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_LT(hop.elapsed_ms, 2000);
  EXPECT_EQ(hop.mac, router_->mac_of("r0"));
  EXPECT_THAT(neighbours_of_a0(), HasSubstr("198.19.240.254 lladdr " + router_->mac_of("r0")));
  // The same from the other side of the router.
  const Resolution back = resolve_in(*b_, "b0", "198.19.240.1", 2000ms);
  ASSERT_TRUE(back.ok) << back.error;
  EXPECT_EQ(back.address, "198.19.241.254");
  EXPECT_EQ(back.mac, router_->mac_of("r1"));
}

TEST_F(NextHopTest, AlreadyResolvedNeighbourIsReadFromTheTable) {
  router_->ip({"neigh", "add", "198.19.240.1", "lladdr", a_->mac_of("a0"), "dev", "r0", "nud",
               "permanent"});
  const Resolution hop = resolve_in(*router_, "r0", "198.19.240.1", 0ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.mac, a_->mac_of("a0"));
}

TEST_F(NextHopTest, NoRouteNamesDestinationAndInterface) {
  const Resolution hop = resolve_in(*a_, "a0", "198.19.249.1", 300ms);
  ASSERT_FALSE(hop.ok);
  EXPECT_EQ(hop.error, "no route to 198.19.249.1 from 'a0'");
}

TEST_F(NextHopTest, UnreachableRouteIsNoRoute) {
  a_->ip({"route", "add", "unreachable", "198.19.248.0/24"});
  a_->ip({"-6", "route", "add", "unreachable", "2001:2:0:f8::/64"});
  const Resolution v4 = resolve_in(*a_, "a0", "198.19.248.1", 300ms);
  ASSERT_FALSE(v4.ok);
  EXPECT_EQ(v4.error, "no route to 198.19.248.1 from 'a0'");
  const Resolution v6 = resolve_in(*a_, "a0", "2001:2:0:f8::1", 300ms);
  ASSERT_FALSE(v6.ok);
  EXPECT_EQ(v6.error, "no route to 2001:2:0:f8::1 from 'a0'");
}

TEST_F(NextHopTest, RouteThroughAnotherInterfaceIsRejected) {
  const Resolution hop = resolve_in(*a_, "a0", "198.19.242.9", 300ms);
  ASSERT_FALSE(hop.ok);
  EXPECT_EQ(hop.error, "route to 198.19.242.9 leaves through 'a1', not 'a0'");
}

TEST_F(NextHopTest, UnansweredArpFailsAtTheDeadline) {
  const Resolution hop = resolve_in(*a_, "a0", "198.19.240.77", 300ms);
  ASSERT_FALSE(hop.ok);
  EXPECT_EQ(hop.error, "198.19.240.77 did not answer ARP on 'a0' within 300 ms");
  EXPECT_GE(hop.elapsed_ms, 300);
  EXPECT_LT(hop.elapsed_ms, 1000);
  // The kernel was asked: its entry for the address is being resolved.
  EXPECT_THAT(neighbours_of_a0(), HasSubstr("198.19.240.77"));
}

TEST_F(NextHopTest, BroadcastDestinationNeedsNoNeighbour) {
  const Resolution hop = resolve_in(*a_, "a0", "198.19.240.255", 300ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.address, "198.19.240.255");
  EXPECT_EQ(hop.mac, "ff:ff:ff:ff:ff:ff");
}

TEST_F(NextHopTest, Ipv6OnLinkDestinationResolvesToThePeersMac) {
  const Resolution hop = resolve_in(*a_, "a0", "2001:2:0:f0::fe", 2000ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.address, "2001:2:0:f0::fe");
  EXPECT_EQ(hop.mac, router_->mac_of("r0"));
  EXPECT_EQ(hop.source, "2001:2:0:f0::1");
}

TEST_F(NextHopTest, Ipv6RoutedDestinationResolvesToTheRoutersMacAndAddress) {
  const Resolution hop = resolve_in(*a_, "a0", "2001:2:0:f1::1", 2000ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.address, "2001:2:0:f0::fe");
  EXPECT_EQ(hop.mac, router_->mac_of("r0"));
  EXPECT_EQ(hop.source, "2001:2:0:f0::1");
}

TEST_F(NextHopTest, Ipv6LinkLocalDestinationIsLookedUpOnTheGivenInterface) {
  const std::string router_mac = router_->mac_of("r0");
  const std::string link_local = router_->link_local_address_of("r0");
  const Resolution hop = resolve_in(*a_, "a0", link_local, 2000ms);
  ASSERT_TRUE(hop.ok) << hop.error;
  EXPECT_EQ(hop.address, link_local);
  EXPECT_EQ(hop.mac, router_mac);
}

TEST_F(NextHopTest, Ipv6NoRouteNamesDestinationAndInterface) {
  const Resolution hop = resolve_in(*a_, "a0", "2001:2:0:f9::1", 300ms);
  ASSERT_FALSE(hop.ok);
  EXPECT_EQ(hop.error, "no route to 2001:2:0:f9::1 from 'a0'");
}

TEST_F(NextHopTest, Ipv6UnansweredNeighbourDiscoveryFailsAtTheDeadline) {
  const Resolution hop = resolve_in(*a_, "a0", "2001:2:0:f0::77", 300ms);
  ASSERT_FALSE(hop.ok);
  EXPECT_EQ(hop.error, "2001:2:0:f0::77 did not answer neighbour discovery on 'a0' within 300 ms");
  EXPECT_GE(hop.elapsed_ms, 300);
  EXPECT_LT(hop.elapsed_ms, 1000);
}

}  // namespace
}  // namespace weaver::traffic::test

#include <utility>

#include "scenarios/scenario.hpp"

namespace weaver::scenarios {
namespace {

using orchestrator::Direction;
using orchestrator::Protocol;

Scenario make_scenario(std::string name, Protocol protocol, std::vector<Axis> axes,
                       Direction direction = Direction::ingress) {
  Scenario scenario;
  scenario.name = std::move(name);
  scenario.base.protocol = protocol;
  scenario.base.direction = direction;
  scenario.axes = std::move(axes);
  return scenario;
}

}  // namespace

// RFC 2544 frame sizes (every one for UdpStream, the two ends for the rest),
// at rates a lab namespace forwards without loss, and counts small enough that
// every case on every lab datapath finishes in a second or two.
std::vector<Scenario> builtin_scenarios() {
  return {
      // What the 2013 tool measured (with hping3 -S floods).
      make_scenario("SynFlood", Protocol::tcp_syn,
                    {{"size", {64, 1518}}, {"rate", {10000}}, {"count", {2000}}}),
      // Every RFC 2544 frame size (jumbo frames need a scenario file and an MTU for them).
      make_scenario("UdpStream", Protocol::udp,
                    {{"size", {64, 128, 256, 512, 1024, 1280, 1518}},
                     {"rate", {10000}},
                     {"count", {2000}}}),
      // 32 back-to-back datagrams every millisecond: what a batch of a VM's
      // peers does to the queues on the way (needs weaver-gen).
      make_scenario("UdpBurst", Protocol::udp,
                    {{"size", {64, 1518}}, {"count", {2048}}, {"burst", {32}},
                     {"burst_interval_us", {1000}}}),
      make_scenario("IcmpEcho", Protocol::icmp_echo,
                    {{"size", {64, 1518}}, {"rate", {1000}}, {"count", {500}}}),
      // The way back: the VM sends (VIF->PIF) to the first source. Registered
      // only for configurations whose VM weaver can reach (the lab's always).
      make_scenario("UdpEgress", Protocol::udp,
                    {{"size", {64, 1518}}, {"rate", {10000}}, {"count", {2000}}}, Direction::egress),
  };
}

}  // namespace weaver::scenarios

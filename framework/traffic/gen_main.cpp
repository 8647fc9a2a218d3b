// weaver-gen: the traffic generator that runs on a source VM. Self-contained
// (linked statically), so the orchestrator can upload it to a source that
// has nothing of weaver installed. Exit status: 0 when every packet was sent,
// 1 on an error, 2 on a bad command line, 128+signal when stopped early (the
// summary is printed all the same).
#include <sys/random.h>

#include <csignal>
#include <cstdio>
#include <iostream>

#include "weaver/text_lines.hpp"
#include "weaver/traffic/gen_command_line.hpp"
#include "weaver/traffic/gen_report.hpp"
#include "weaver/traffic/next_hop.hpp"
#include "weaver/traffic/packet_socket.hpp"
#include "weaver/traffic/traffic_error.hpp"

using namespace weaver;
using namespace weaver::traffic;

namespace {

std::atomic<bool> stop_requested{false};
volatile std::sig_atomic_t stop_signal = 0;

void request_stop(int signal) {
  stop_signal = signal;
  stop_requested.store(true);
}

std::uint32_t random_run_id() {
  std::uint32_t id = 0;
  if (getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) id = 0;
  return id;
}

GeneratorPlan make_plan(const GenCommandLine& line, const Link& link) {
  GeneratorPlan plan;
  FrameSpec& frame = plan.frame;
  frame.protocol = line.protocol;
  frame.source_mac = link.mac;
  frame.destination = line.destination;
  frame.source_addresses = line.source_addresses;
  frame.source_port = line.source_port;
  frame.source_ports = line.source_ports;
  frame.destination_port = line.destination_port;
  frame.frame_size = line.frame_size;
  frame.run_id = line.run_id.value_or(random_run_id());
  plan.schedule = line.schedule;
  plan.count = line.count;
  plan.duration = line.duration;
  if (line.progress) {
    plan.progress = [](std::uint64_t sent) {
      std::fprintf(stderr, "progress %llu\n", static_cast<unsigned long long>(sent));
    };
  }

  std::optional<IpAddress> route_source;
  if (line.destination_mac) {
    frame.destination_mac = *line.destination_mac;
  } else {
    const NextHop hop = resolve_next_hop(link, line.destination, line.resolve_timeout);
    frame.destination_mac = hop.mac;
    route_source = hop.source;
  }
  if (line.source) {
    frame.source = *line.source;
  } else if (route_source) {
    frame.source = *route_source;
  } else {
    throw UsageError("--src: the route to " + line.destination.to_string() +
                     " names no source address; give one");
  }
  check_frame_size(frame, link.mtu);
  return plan;
}

int run(const GenCommandLine& line) {
  const Link link =
      find_link(line.interface.empty() ? route_interface(line.destination) : line.interface);
  if (!link.up) throw TrafficError("interface '" + link.name + "' is down");
  const GeneratorPlan plan = make_plan(line, link);
  PacketSocket socket(link);
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  MonotonicClock clock;
  const GeneratorReport report = generate(plan, socket, clock, stop_requested);
  const GenSummary summary{plan, report, link.name, socket.bypasses_qdisc()};
  std::cout << (line.json ? summary_json(summary) : summary_text(summary)) << std::flush;
  return report.interrupted ? 128 + stop_signal : 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const GenCommandLine line = parse_gen_command_line({argv + 1, argv + argc});
    return run(line);
  } catch (const HelpRequested& help) {
    std::cout << help.text;
    return 0;
  } catch (const UsageError& error) {
    std::cerr << "weaver-gen: " << weaver::printable(error.what()) << "\n";
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "weaver-gen: " << weaver::printable(error.what()) << "\n";
    return 1;
  }
}

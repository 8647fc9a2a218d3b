#include "traffic_command.hpp"

#include <charconv>
#include <chrono>

#include <nlohmann/json.hpp>

#include "count_line.hpp"
#include "weaver/error.hpp"
#include "weaver/orchestrator/source_command.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::orchestrator {

namespace {

std::vector<std::string> generator_argv(const TrafficSpec& spec, const Source& source,
                                        const std::string& destination, const std::string& generator,
                                        bool progress) {
  std::vector<std::string> argv{generator, "--dst", destination, "--proto", to_string(spec.protocol),
                                "--size", std::to_string(spec.frame_size)};
  if (spec.burst > 0) {
    argv.insert(argv.end(), {"--burst", std::to_string(spec.burst), "--burst-interval-us",
                             std::to_string(spec.burst_interval_us)});
  } else {
    argv.insert(argv.end(), {"--rate", spec.rate_pps > 0 ? std::to_string(spec.rate_pps) : "max"});
  }
  argv.insert(argv.end(), {"--count", std::to_string(spec.count), "--json"});
  if (progress) argv.emplace_back("--progress");
  if (spec.protocol != Protocol::icmp_echo) {
    argv.insert(argv.end(), {"--dst-port", std::to_string(spec.destination_port)});
  }
  if (!source.address.empty()) argv.insert(argv.end(), {"--src", source.address});
  if (!source.interface.empty()) {
    remote::validate_interface_name("sources." + source.name + ".interface", source.interface);
    argv.insert(argv.end(), {"--iface", source.interface});
  }
  return argv;
}

}  // namespace

std::vector<std::string> traffic_argv(const TrafficSpec& spec, const Source& source,
                                      const std::string& destination,
                                      const std::optional<std::string>& generator, bool progress) {
  remote::validate_host("destination", destination);
  const std::string source_address = source.address.empty() ? source.ssh.host : source.address;
  if (spec.source_command) {
    return expand_source_command(*spec.source_command, spec, destination, source_address);
  }
  if (generator) {
    if (!source.address.empty()) remote::validate_host("sources." + source.name + ".address", source.address);
    return generator_argv(spec, source, destination, *generator, progress);
  }
  if (spec.burst > 0) {
    throw UsageError("bursts need a generator that sends back-to-back packets; hping3 cannot: "
                     "use weaver-gen (--generator weaver-gen) or give the scenario a source_command");
  }
  if (spec.data_bytes() < 0) {
    throw UsageError("frame size " + std::to_string(spec.frame_size) + " is below the " +
                     to_string(spec.protocol) + " headers");
  }
  std::vector<std::string> argv{"hping3", "-n", "-q"};
  switch (spec.protocol) {
    case Protocol::tcp_syn: argv.insert(argv.end(), {"-S", "-p", std::to_string(spec.destination_port)}); break;
    case Protocol::udp: argv.insert(argv.end(), {"--udp", "-p", std::to_string(spec.destination_port)}); break;
    case Protocol::icmp_echo: argv.emplace_back("--icmp"); break;
  }
  // hping3 paces with usleep: "u1" is as fast as it goes (--flood ignores -c).
  const std::int64_t interval_us = spec.rate_pps > 0 ? std::max<std::int64_t>(1, 1'000'000 / spec.rate_pps) : 1;
  argv.insert(argv.end(), {"-c", std::to_string(spec.count), "-i", "u" + std::to_string(interval_us),
                           "-d", std::to_string(spec.data_bytes())});
  if (!source.interface.empty()) {
    remote::validate_interface_name("sources." + source.name + ".interface", source.interface);
    argv.insert(argv.end(), {"-I", source.interface});
  }
  argv.push_back(destination);
  return argv;
}

std::optional<std::uint64_t> read_packets_transmitted(std::string_view line) {
  // Debian's hping3 says "transmitted"; upstream's has always said "tramitted".
  if (auto count = count_before(line, " packets transmitted")) return count;
  return count_before(line, " packets tramitted");
}

std::optional<std::uint64_t> read_progress(std::string_view line) {
  constexpr std::string_view kPrefix = "progress ";
  if (line.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  const std::string_view digits = line.substr(kPrefix.size());
  std::uint64_t sent = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), sent);
  if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  return sent;
}

std::optional<GeneratorSummary> read_generator_summary(std::string_view line) {
  if (line.empty() || line.front() != '{') return std::nullopt;
  const auto json = nlohmann::json::parse(line, nullptr, false);
  if (!json.is_object() || !json.contains("sent") || !json["sent"].is_number_unsigned()) {
    return std::nullopt;
  }
  GeneratorSummary summary;
  summary.sent = json["sent"].get<std::uint64_t>();
  if (json.contains("achieved_pps") && json["achieved_pps"].is_number()) {
    summary.achieved_pps = json["achieved_pps"].get<double>();
  }
  if (json.contains("send_errors") && json["send_errors"].is_number_unsigned()) {
    summary.send_errors = json["send_errors"].get<std::uint64_t>();
  }
  return summary;
}

std::chrono::seconds expected_duration(const TrafficSpec& spec) {
  if (spec.burst > 0) {
    const std::int64_t bursts = (spec.count + spec.burst - 1) / spec.burst;
    return std::chrono::seconds(bursts * spec.burst_interval_us / 1'000'000 + 1);
  }
  const std::int64_t rate = spec.rate_pps > 0 ? spec.rate_pps : 1'000'000;
  return std::chrono::seconds(spec.count / rate + 1);
}

CaptureFlow capture_flow(const TrafficSpec& spec, const std::vector<std::string>& source_addresses,
                         const std::string& destination) {
  for (const std::string& address : source_addresses) remote::validate_host("source address", address);
  remote::validate_host("destination", destination);
  const char* protocol = spec.protocol == Protocol::tcp_syn ? "tcp"
                         : spec.protocol == Protocol::udp   ? "udp"
                                                            : "icmp";
  return {protocol, source_addresses, destination};
}

std::string capture_filter(const CaptureFlow& flow) {
  std::string sources;
  for (const std::string& address : flow.sources) {
    sources += (sources.empty() ? "src host " : " or src host ") + address;
  }
  return flow.protocol + " and (" + sources + ") and dst host " + flow.destination;
}

}  // namespace weaver::orchestrator

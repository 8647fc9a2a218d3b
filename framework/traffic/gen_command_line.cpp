#include "weaver/traffic/gen_command_line.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <charconv>

#include "weaver/error.hpp"

namespace weaver::traffic {
namespace {

constexpr std::uint64_t kMaxRate = 100'000'000;
constexpr std::uint64_t kMaxCount = 1'000'000'000'000;  // a day at the highest rate, and more
constexpr std::uint64_t kMaxFrameSize = 65'535;        // the MTU check then names the real limit

template <typename Number>
std::optional<Number> parse_number(std::string_view text) {
  Number value{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

[[noreturn]] void bad(const std::string& option, const std::string& value, const std::string& why) {
  throw UsageError(option + " '" + value + "': " + why);
}

IpAddress parse_address(const std::string& option, const std::string& text) {
  const auto address = IpAddress::parse(text);
  if (!address) bad(option, text, "expected a numeric IPv4 or IPv6 address");
  return *address;
}

// "A" or "A-B": the first address and how many there are.
std::pair<IpAddress, std::uint32_t> parse_address_range(const std::string& text) {
  const auto dash = text.find('-');
  const IpAddress first = parse_address("--src", text.substr(0, dash));
  if (dash == std::string::npos) return {first, 1};
  const IpAddress last = parse_address("--src", text.substr(dash + 1));
  if (last.family != first.family) bad("--src", text, "the range mixes IPv4 and IPv6");
  const std::size_t size = first.size();
  // Up to 65536 addresses: everything above the last two bytes must agree.
  if (!std::equal(first.bytes.begin(), first.bytes.begin() + static_cast<long>(size - 2),
                  last.bytes.begin())) {
    bad("--src", text, "a range spans at most 65536 addresses");
  }
  const auto low = [&](const IpAddress& a) { return a.bytes[size - 2] * 256u + a.bytes[size - 1]; };
  if (low(last) < low(first)) bad("--src", text, "the range ends before it starts");
  return {first, low(last) - low(first) + 1};
}

// "P" or "P-Q": the first port and how many there are.
std::pair<std::uint16_t, std::uint32_t> parse_port_range(const std::string& text) {
  const auto dash = text.find('-');
  const auto first = parse_number<std::uint16_t>(std::string_view(text).substr(0, dash));
  if (!first || *first == 0) bad("--src-port", text, "expected a port 1-65535 or a range P-Q");
  if (dash == std::string::npos) return {*first, 1};
  const auto last = parse_number<std::uint16_t>(std::string_view(text).substr(dash + 1));
  if (!last || *last < *first) bad("--src-port", text, "expected a range P-Q with P <= Q");
  return {*first, std::uint32_t{*last} - *first + 1};
}

Protocol parse_protocol(const std::string& text) {
  for (Protocol protocol : {Protocol::syn, Protocol::udp, Protocol::icmp}) {
    if (protocol_name(protocol) == text) return protocol;
  }
  bad("--proto", text, "expected syn, udp or icmp");
}

std::uint64_t parse_rate(const std::string& text) {
  if (text == "max") return 0;
  const auto rate = parse_number<std::uint64_t>(text);
  if (!rate || *rate == 0 || *rate > kMaxRate) {
    bad("--rate", text, "expected packets per second (1 to 100000000) or max");
  }
  return *rate;
}

// Whole numbers only: CLI11 would read "-1" into an unsigned as a huge value.
std::uint64_t parse_count(const std::string& option, const std::string& text, std::uint64_t low,
                          std::uint64_t high, const std::string& what) {
  const auto value = parse_number<std::uint64_t>(text);
  if (!value || *value < low || *value > high) bad(option, text, what);
  return *value;
}

std::chrono::nanoseconds parse_duration(const std::string& text) {
  const auto seconds = parse_number<double>(text);
  // At least a microsecond: a smaller one would round to no time at all.
  if (!seconds || !(*seconds >= 1e-6) || *seconds > 86'400) {
    bad("--duration", text, "expected seconds, at least 0.000001 and at most 86400");
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(*seconds * 1e9));
}

}  // namespace

GenCommandLine parse_gen_command_line(const std::vector<std::string>& arguments) {
  CLI::App app("weaver-gen: sends paced TCP SYN, UDP or ICMP echo frames of exact size through "
               "AF_PACKET, each carrying weaver's packet id",
               "weaver-gen");
  std::string interface, destination, source, destination_mac, protocol = "udp", rate, duration;
  std::string source_port = "40000";
  std::optional<std::uint16_t> destination_port;
  std::string frame_size = "64";
  std::string count;
  std::uint32_t burst = 0, burst_interval_us = 0;
  std::optional<std::uint32_t> run_id;
  std::uint32_t resolve_timeout_ms = 3000;
  bool json = false;
  bool progress = false;

  app.add_option("--iface", interface, "interface to send on (default: the route's)");
  app.add_option("--dst", destination, "destination IPv4 or IPv6 address")->required();
  app.add_option("--src", source, "source address, or a range A-B to spread flows "
                                  "(default: the route's preferred source)");
  app.add_option("--dst-mac", destination_mac, "next hop's Ethernet address (default: resolved)");
  app.add_option("--proto", protocol, "syn, udp or icmp")->capture_default_str();
  app.add_option("--size", frame_size, "frame size with FCS (RFC 2544: 64 ... 1518, jumbo)")
      ->capture_default_str();
  app.add_option("--rate", rate, "packets per second, or max");
  auto* count_option = app.add_option("--count", count, "packets to send");
  auto* duration_option = app.add_option("--duration", duration, "seconds to send for");
  count_option->excludes(duration_option);
  auto* burst_option = app.add_option("--burst", burst, "packets per back-to-back burst");
  auto* interval_option =
      app.add_option("--burst-interval-us", burst_interval_us, "microseconds between bursts");
  burst_option->needs(interval_option);
  interval_option->needs(burst_option);
  app.add_option("--src-port", source_port, "source port, or a range P-Q (SYN, UDP)")
      ->capture_default_str();
  app.add_option("--dst-port", destination_port, "destination port (default: 80 SYN, 9 UDP)");
  app.add_option("--run-id", run_id, "run id in every packet id (default: random)");
  app.add_option("--resolve-timeout-ms", resolve_timeout_ms,
                 "how long to wait for the next hop's ARP / neighbour answer")
      ->capture_default_str();
  app.add_flag("--json", json, "print the summary as one JSON object");
  app.add_flag("--progress", progress, "print 'progress N' (packets sent so far) on stderr 4 times a second");

  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    throw HelpRequested{app.help()};
  } catch (const CLI::ParseError& error) {
    throw UsageError(error.what());
  }

  GenCommandLine line;
  line.interface = interface;
  line.destination = parse_address("--dst", destination);
  if (!source.empty()) {
    const auto [first, addresses] = parse_address_range(source);
    if (first.family != line.destination.family) {
      bad("--src", source, "not of the same IP family as --dst " + destination);
    }
    line.source = first;
    line.source_addresses = addresses;
  }
  if (!destination_mac.empty()) {
    line.destination_mac = parse_mac(destination_mac);
    if (!line.destination_mac) bad("--dst-mac", destination_mac, "expected xx:xx:xx:xx:xx:xx");
  }
  line.protocol = parse_protocol(protocol);
  line.frame_size = static_cast<std::size_t>(
      parse_count("--size", frame_size, 1, kMaxFrameSize, "expected a frame size in bytes (64 ... the MTU + 18)"));
  if (count_option->count() == 0 && duration_option->count() == 0) {
    throw UsageError("give --count N or --duration S");
  }
  if (count_option->count() > 0) {
    line.count = parse_count("--count", count, 1, kMaxCount, "expected at least 1 packet (at most 10^12)");
  }
  if (!duration.empty()) line.duration = parse_duration(duration);
  if (burst_option->count() > 0) {
    if (!rate.empty()) {
      throw UsageError("--rate and --burst exclude each other: bursts of N every T set the rate");
    }
    if (burst == 0) bad("--burst", "0", "expected at least 1 packet per burst");
    if (burst_interval_us == 0) bad("--burst-interval-us", "0", "expected at least 1 microsecond");
    line.schedule.burst = burst;
    line.schedule.burst_interval = std::chrono::microseconds(burst_interval_us);
  } else {
    if (rate.empty()) throw UsageError("give --rate PPS|max, or --burst N --burst-interval-us T");
    line.schedule.rate_pps = parse_rate(rate);
  }
  std::tie(line.source_port, line.source_ports) = parse_port_range(source_port);
  line.destination_port = destination_port.value_or(line.protocol == Protocol::syn ? 80 : 9);
  line.run_id = run_id;
  line.resolve_timeout = std::chrono::milliseconds(resolve_timeout_ms);
  line.json = json;
  line.progress = progress;
  return line;
}

}  // namespace weaver::traffic

// The command a source runs for a TrafficSpec: weaver-gen (exact sizes and
// rates, bursts, packet ids), hping3 (what every source VM of the 2013 tool
// had), or the scenario's own command template.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weaver/orchestrator/run_config.hpp"
#include "weaver/orchestrator/traffic_spec.hpp"

namespace weaver::orchestrator {

// `generator`: the path of weaver-gen on the source; none: hping3. Throws
// weaver::UsageError for what hping3 cannot send: bursts, and frame sizes
// below the headers (weaver-gen checks sizes itself).
// `progress`: weaver-gen reports the packets sent so far (read_progress).
std::vector<std::string> traffic_argv(const TrafficSpec& spec, const Source& source,
                                      const std::string& destination,
                                      const std::optional<std::string>& generator = std::nullopt,
                                      bool progress = false);

// N from weaver-gen's "progress N" line; nullopt for any other line.
std::optional<std::uint64_t> read_progress(std::string_view line);

// What weaver-gen's --json summary line says; nullopt for any other line.
struct GeneratorSummary {
  std::uint64_t sent = 0;
  double achieved_pps = 0;
  std::uint64_t send_errors = 0;
};
std::optional<GeneratorSummary> read_generator_summary(std::string_view line);

// N from hping3's summary "N packets transmitted, M packets received, ..."
// (upstream hping3 spells it "tramitted"); nullopt for any other line.
std::optional<std::uint64_t> read_packets_transmitted(std::string_view line);

// How long the traffic should take, for the remote `timeout` bounds.
std::chrono::seconds expected_duration(const TrafficSpec& spec);

// This traffic's packets: its protocol from the sources to the destination.
struct CaptureFlow {
  std::string protocol;  // "tcp", "udp" or "icmp"
  std::vector<std::string> sources;
  std::string destination;
};
// Throws UsageError for an address that cannot reach a filter.
CaptureFlow capture_flow(const TrafficSpec& spec, const std::vector<std::string>& source_addresses,
                         const std::string& destination);
// The flow as a libpcap filter.
std::string capture_filter(const CaptureFlow& flow);

}  // namespace weaver::orchestrator

// A traffic scenario: a protocol, defaults for its traffic, and the axes whose
// product makes its cases (SynFlood/<configuration>/size:64/rate:10000).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "weaver/orchestrator/traffic_spec.hpp"

namespace weaver::scenarios {

// An axis of a scenario. Names: "size" (frame bytes), "rate" (pps, 0 = max),
// "count" (packets per source), "burst" (packets per burst),
// "burst_interval_us".
struct Axis {
  std::string name;
  std::vector<std::int64_t> values;
};

struct Scenario {
  std::string name;                 // "SynFlood": letters and digits, starts with a letter
  orchestrator::TrafficSpec base;   // protocol, and what no axis sets
  std::vector<Axis> axes;           // in case-name order

  // `base` with one value per axis (in axes order) applied.
  orchestrator::TrafficSpec traffic(const std::vector<std::int64_t>& values) const;
};

const std::vector<std::string>& axis_names();  // the names above, in that order

// The default set: SynFlood (the 2013 default), UdpStream, UdpBurst, IcmpEcho, with
// small counts so the whole set on every lab datapath takes a few minutes.
std::vector<Scenario> builtin_scenarios();

// A YAML scenario file; every problem throws weaver::InputError naming the
// file, the line and the field.
std::vector<Scenario> load_scenario_file(const std::filesystem::path& file);

}  // namespace weaver::scenarios

// A scenario file replaces the built-in set (`weaver run --scenarios file.yaml`):
//
//   scenarios:
//     - name: SynFloodLarge     # letters and digits, starts with a letter, unique
//       protocol: syn           # syn | udp | icmp
//       port: 80                # optional destination port, 1..65535
//       direction: ingress      # optional: ingress | egress
//       # optional; words split without a shell, placeholders replaced inside words:
//       source_command: "hping3 -S -c {count} -d {data_bytes} -p {port} {destination}"
//       axes:                   # in case-name order; each a non-empty list of integers
//         size: [64, 128, 1518] # 64..9018 (above 1518: jumbo frames)
//         rate: [1000, 10000]   # packets per second per source, 0: as fast as possible
//         count: [5000]         # packets per source, >= 1
//         burst: [10]           # >= 1, only together with burst_interval_us
//         burst_interval_us: [1000]
//
// Unknown fields and axes are errors, so a typo never silently becomes a default.
#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include "scenarios/scenario.hpp"
#include "weaver/error.hpp"
#include "weaver/orchestrator/source_command.hpp"
#include "weaver/orchestrator/yaml_fields.hpp"

namespace weaver::scenarios {
namespace {

using orchestrator::Direction;
using orchestrator::Protocol;
using orchestrator::yaml_fields::child;
using orchestrator::yaml_fields::FieldReader;
using orchestrator::yaml_fields::item;

// Scenario names start case names ("SynFlood/lab-bridge/size:64").
bool is_scenario_name(std::string_view name) {
  return !name.empty() && std::isalpha(static_cast<unsigned char>(name.front())) != 0 &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

struct AxisRange {
  std::int64_t min;
  std::int64_t max;
};

// 64 bytes is the smallest Ethernet frame (with FCS); 9018 the usual jumbo
// frame.
// Bounds that keep a hostile or mistaken file from registering more cases
// than any run could measure.
constexpr std::size_t kMaxAxisValues = 1000;
constexpr std::uint64_t kMaxCasesPerScenario = 10000;

AxisRange axis_range(const std::string& axis) {
  constexpr std::int64_t unbounded = std::numeric_limits<std::int64_t>::max();
  if (axis == "size") return {64, 9018};
  if (axis == "rate") return {0, unbounded};
  if (axis == "burst") return {1, std::numeric_limits<int>::max()};
  return {1, unbounded};  // count, burst_interval_us
}

class ScenarioFileParser {
 public:
  explicit ScenarioFileParser(std::string file) : fields_(std::move(file)) {}

  std::vector<Scenario> parse(const YAML::Node& root) {
    fields_.expect_fields(root, "", {"scenarios"});
    const YAML::Node list = root["scenarios"];
    if (!list.IsDefined()) fields_.fail(root, "scenarios", "missing");
    if (!list.IsSequence() || list.size() == 0) {
      fields_.fail(list, "scenarios", "expected a non-empty list");
    }
    std::vector<Scenario> scenarios;
    for (std::size_t i = 0; i < list.size(); ++i) {
      scenarios.push_back(scenario(list[i], item("scenarios", i)));
      for (std::size_t j = 0; j < i; ++j) {
        if (scenarios[j].name == scenarios[i].name) {
          fields_.fail(
              list[i]["name"], item("scenarios", i) + ".name",
              fmt::format("'{}' is already used by {}", scenarios[i].name, item("scenarios", j)));
        }
      }
    }
    return scenarios;
  }

 private:
  // A single non-empty value; nullopt when absent.
  std::optional<std::string> text(const YAML::Node& map, const std::string& path,
                                  const std::string& key) const {
    const YAML::Node node = fields_.value(map, path, key);
    if (!node.IsDefined()) return std::nullopt;
    if (!node.IsScalar() || node.Scalar().empty()) {
      fields_.fail(node, child(path, key), "expected a value");
    }
    return node.Scalar();
  }

  Scenario scenario(const YAML::Node& map, const std::string& path) const {
    fields_.expect_fields(map, path,
                          {"name", "protocol", "port", "direction", "source_command", "axes"});
    Scenario result;
    result.name = text(map, path, "name").value_or("");
    if (!map["name"].IsDefined()) fields_.fail(map, child(path, "name"), "missing");
    if (!is_scenario_name(result.name)) {
      fields_.fail(
          map["name"], child(path, "name"),
          fmt::format("'{}' must be letters and digits, starting with a letter", result.name));
    }
    const std::optional<std::string> protocol = text(map, path, "protocol");
    if (!protocol) fields_.fail(map, child(path, "protocol"), "missing");
    const std::optional<Protocol> parsed = orchestrator::parse_protocol(*protocol);
    if (!parsed) {
      fields_.fail(map["protocol"], child(path, "protocol"),
                   fmt::format("'{}' is not one of: syn, udp, icmp", *protocol));
    }
    result.base.protocol = *parsed;
    if (text(map, path, "port")) {
      result.base.destination_port =
          static_cast<std::uint16_t>(fields_.integer(map["port"], child(path, "port"), 1, 65535));
    }
    if (const auto direction = text(map, path, "direction")) {
      if (*direction != "ingress" && *direction != "egress") {
        fields_.fail(map["direction"], child(path, "direction"),
                     fmt::format("'{}' is not one of: ingress, egress", *direction));
      }
      result.base.direction = *direction == "ingress" ? Direction::ingress : Direction::egress;
    }
    result.axes = axes(map, path, result.base.protocol);
    if (const auto command = text(map, path, "source_command")) {
      result.base.source_command = *command;
      check_source_command(map["source_command"], path, result.base);
    }
    return result;
  }

  // Expands the template once with example addresses, so a bad quote or
  // placeholder is reported now, with its line, rather than mid-run.
  void check_source_command(const YAML::Node& node, const std::string& path,
                            const orchestrator::TrafficSpec& spec) const {
    try {
      orchestrator::expand_source_command(*spec.source_command, spec, "198.18.0.2", "198.18.0.1");
    } catch (const UsageError& error) {
      // Its messages start with "source_command: ", the field's own name.
      fields_.fail_at(node, child(path, error.what()));
    }
  }

  std::vector<Axis> axes(const YAML::Node& scenario, const std::string& scenario_path,
                         Protocol protocol) const {
    const std::string path = child(scenario_path, "axes");
    const YAML::Node map = scenario["axes"];
    if (!map.IsDefined()) fields_.fail(scenario, path, "missing");
    fields_.expect_fields(map, path, axis_names());
    if (map.size() == 0) fields_.fail(map, path, "expected at least one axis");
    std::vector<Axis> result;
    for (const auto& entry : map) {
      Axis axis{entry.first.Scalar(), {}};
      const std::string field = child(path, axis.name);
      const AxisRange range = axis_range(axis.name);
      const YAML::Node values = entry.second;
      if (!values.IsSequence() || values.size() == 0) {
        fields_.fail(values, field, "expected a non-empty list of integers");
      }
      if (values.size() > kMaxAxisValues) {
        fields_.fail(values, field, fmt::format("{} values; an axis takes at most {}", values.size(), kMaxAxisValues));
      }
      for (std::size_t i = 0; i < values.size(); ++i) {
        const std::int64_t value = fields_.integer(values[i], item(field, i), range.min, range.max);
        if (std::find(axis.values.begin(), axis.values.end(), value) != axis.values.end()) {
          fields_.fail(values[i], item(field, i), fmt::format("{} appears twice", value));
        }
        check_payload(values[i], item(field, i), axis.name, value, protocol);
        axis.values.push_back(value);
      }
      result.push_back(std::move(axis));
    }
    std::uint64_t cases = 1;
    for (const Axis& axis : result) cases *= axis.values.size();  // <= 1000^6: no overflow
    if (cases > kMaxCasesPerScenario) {
      fields_.fail(map, path, fmt::format("the axes make {} cases per configuration; at most {}", cases,
                                          kMaxCasesPerScenario));
    }
    const bool has_burst = map["burst"].IsDefined();
    if (has_burst != map["burst_interval_us"].IsDefined()) {
      fields_.fail(map, path, "burst and burst_interval_us must come together");
    }
    return result;
  }

  // A frame must at least hold the headers of its protocol.
  void check_payload(const YAML::Node& near, const std::string& field, const std::string& axis,
                     std::int64_t value, Protocol protocol) const {
    if (axis != "size") return;
    orchestrator::TrafficSpec spec;
    spec.protocol = protocol;
    spec.frame_size = static_cast<int>(value);
    if (spec.data_bytes() < 0) {
      fields_.fail(near, field,
                   fmt::format("{} bytes cannot hold the {} headers", value,
                               orchestrator::to_string(protocol)));
    }
  }

  FieldReader fields_;
};

}  // namespace

std::vector<Scenario> load_scenario_file(const std::filesystem::path& file) {
  return ScenarioFileParser(file.string()).parse(orchestrator::yaml_fields::load_file(file));
}

}  // namespace weaver::scenarios

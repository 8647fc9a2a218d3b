#include <gtest/gtest.h>

#include "scenarios/scenario.hpp"
#include "yaml_test_support.hpp"

namespace weaver::scenarios {
namespace {

using orchestrator::Direction;
using orchestrator::Protocol;
using Values = std::vector<std::int64_t>;

class ScenarioFile : public testing::YamlFileTest {};

TEST_F(ScenarioFile, ParsesScenariosWithTheirAxesInFileOrder) {
  const std::string path = write_text("scenarios.yaml", R"(scenarios:
  - name: SynFloodLarge
    protocol: syn
    port: 80
    direction: ingress
    source_command: "hping3 -S -c {count} -i u{interval_us} -d {data_bytes} -p {port} {destination}"
    axes:
      size: [64, 128, 1518]
      rate: [1000, 10000]
      count: [5000]
  - name: UdpBursts2
    protocol: udp
    direction: egress
    axes:
      count: [100]
      burst: [8, 32]
      burst_interval_us: [1000]
      size: [9018]
      rate: [0]
  - name: Ping
    protocol: icmp-echo
    axes:
      size: [64]
)");
  const std::vector<Scenario> scenarios = load_scenario_file(path);
  ASSERT_EQ(scenarios.size(), 3u);

  const Scenario& syn = scenarios[0];
  EXPECT_EQ(syn.name, "SynFloodLarge");
  EXPECT_EQ(syn.base.protocol, Protocol::tcp_syn);
  EXPECT_EQ(syn.base.destination_port, 80);
  EXPECT_EQ(syn.base.direction, Direction::ingress);
  EXPECT_EQ(syn.base.source_command,
            "hping3 -S -c {count} -i u{interval_us} -d {data_bytes} -p {port} {destination}");
  ASSERT_EQ(syn.axes.size(), 3u);
  EXPECT_EQ(syn.axes[0].name, "size");
  EXPECT_EQ(syn.axes[0].values, (Values{64, 128, 1518}));
  EXPECT_EQ(syn.axes[1].name, "rate");
  EXPECT_EQ(syn.axes[1].values, (Values{1000, 10000}));
  EXPECT_EQ(syn.axes[2].name, "count");
  EXPECT_EQ(syn.axes[2].values, Values{5000});

  const Scenario& udp = scenarios[1];
  EXPECT_EQ(udp.base.protocol, Protocol::udp);
  EXPECT_EQ(udp.base.direction, Direction::egress);
  EXPECT_EQ(udp.base.destination_port, 9);  // TrafficSpec's default
  EXPECT_FALSE(udp.base.source_command);
  ASSERT_EQ(udp.axes.size(), 5u);
  EXPECT_EQ(udp.axes[0].name, "count");
  EXPECT_EQ(udp.axes[1].name, "burst");
  EXPECT_EQ(udp.axes[1].values, (Values{8, 32}));
  EXPECT_EQ(udp.axes[2].name, "burst_interval_us");
  EXPECT_EQ(udp.axes[4].values, Values{0});
  const orchestrator::TrafficSpec spec = udp.traffic({100, 8, 1000, 9018, 0});
  EXPECT_EQ(spec.burst, 8);
  EXPECT_EQ(spec.frame_size, 9018);

  EXPECT_EQ(scenarios[2].base.protocol, Protocol::icmp_echo);
}

struct BadScenarios {
  const char* name;
  const char* yaml;
  const char* message;  // after "<file>: "
};

// gtest names the failing case by this rather than by its bytes.
void PrintTo(const BadScenarios& bad, std::ostream* out) { *out << bad.name; }

const BadScenarios bad_files[] = {
    {"LowercaseName", R"(scenarios:
  - name: synFlood
    protocol: syn
    axes: {size: [64]}
  - name: 2Fast
)",
     "line 5: scenarios[1].name: '2Fast' must be letters and digits, starting with a letter"},
    {"NameWithDash", R"(scenarios:
  - name: Syn-Flood
)",
     "line 2: scenarios[0].name: 'Syn-Flood' must be letters and digits, starting with a letter"},
    {"DuplicateName", R"(scenarios:
  - name: A
    protocol: syn
    axes: {size: [64]}
  - name: A
    protocol: udp
    axes: {size: [64]}
)",
     "line 5: scenarios[1].name: 'A' is already used by scenarios[0]"},
    {"MissingName", R"(scenarios:
  - protocol: syn
)",
     "line 2: scenarios[0].name: missing"},
    {"UnknownProtocol", R"(scenarios:
  - name: A
    protocol: tcp
)",
     "line 3: scenarios[0].protocol: 'tcp' is not one of: syn, udp, icmp"},
    {"PortZero", R"(scenarios:
  - name: A
    protocol: syn
    port: 0
)",
     "line 4: scenarios[0].port: expected an integer from 1 to 65535, got '0'"},
    {"UnknownDirection", R"(scenarios:
  - name: A
    protocol: syn
    direction: both
)",
     "line 4: scenarios[0].direction: 'both' is not one of: ingress, egress"},
    {"UnknownField", R"(scenarios:
  - name: A
    protocol: syn
    axis: {size: [64]}
)",
     "line 4: scenarios[0].axis: unknown field (expected one of: name, protocol, port, "
     "direction, source_command, axes)"},
    {"ProtocolWithoutValue", R"(scenarios:
  - name: A
    protocol:
    axes: {size: [64]}
)",
     "line 3: scenarios[0].protocol: has no value"},
    {"NoScenarios", "scenarios: []\n", "line 1: scenarios: expected a non-empty list"},
    {"NoAxes", R"(scenarios:
  - name: A
    protocol: syn
)",
     "line 2: scenarios[0].axes: missing"},
    {"EmptyAxes", R"(scenarios:
  - name: A
    protocol: syn
    axes: {}
)",
     "line 4: scenarios[0].axes: expected at least one axis"},
    {"UnknownAxis", R"(scenarios:
  - name: A
    protocol: syn
    axes:
      size: [64]
      sizes: [128]
)",
     "line 6: scenarios[0].axes.sizes: unknown field (expected one of: size, rate, count, burst, "
     "burst_interval_us)"},
    {"AxisTwice", R"(scenarios:
  - name: A
    protocol: syn
    axes:
      size: [64]
      rate: [1]
      size: [128]
)",
     "line 7: scenarios[0].axes.size: appears twice"},
    {"SizeBelowMinimum", R"(scenarios:
  - name: A
    protocol: udp
    axes:
      size: [64,
             60]
)",
     "line 6: scenarios[0].axes.size[1]: expected an integer from 64 to 9018, got '60'"},
    {"SizeAboveJumbo", R"(scenarios:
  - name: A
    protocol: udp
    axes: {size: [9019]}
)",
     "line 4: scenarios[0].axes.size[0]: expected an integer from 64 to 9018, got '9019'"},
    {"NegativeRate", R"(scenarios:
  - name: A
    protocol: udp
    axes: {rate: [-1]}
)",
     "line 4: scenarios[0].axes.rate[0]: expected an integer from 0 to 9223372036854775807, got "
     "'-1'"},
    {"ZeroCount", R"(scenarios:
  - name: A
    protocol: udp
    axes: {count: [0]}
)",
     "line 4: scenarios[0].axes.count[0]: expected an integer from 1 to 9223372036854775807, "
     "got '0'"},
    {"ZeroBurst", R"(scenarios:
  - name: A
    protocol: udp
    axes: {burst: [0], burst_interval_us: [10]}
)",
     "line 4: scenarios[0].axes.burst[0]: expected an integer from 1 to 2147483647, got '0'"},
    {"ZeroBurstInterval", R"(scenarios:
  - name: A
    protocol: udp
    axes: {burst: [4], burst_interval_us: [0]}
)",
     "line 4: scenarios[0].axes.burst_interval_us[0]: expected an integer from 1 to "
     "9223372036854775807, got '0'"},
    {"BurstWithoutInterval", R"(scenarios:
  - name: A
    protocol: udp
    axes:
      burst: [4]
)",
     "line 5: scenarios[0].axes: burst and burst_interval_us must come together"},
    {"NotAnInteger", R"(scenarios:
  - name: A
    protocol: udp
    axes: {count: [1e3]}
)",
     "line 4: scenarios[0].axes.count[0]: expected an integer from 1 to 9223372036854775807, "
     "got '1e3'"},
    {"EmptyAxisValues", R"(scenarios:
  - name: A
    protocol: udp
    axes:
      count: []
)",
     "line 5: scenarios[0].axes.count: expected a non-empty list of integers"},
    {"ValueTwice", R"(scenarios:
  - name: A
    protocol: udp
    axes:
      size: [64, 128, 64]
)",
     "line 5: scenarios[0].axes.size[2]: 64 appears twice"},
    {"UnknownPlaceholder", R"(scenarios:
  - name: A
    protocol: syn
    source_command: hping3 -S {dst}
    axes: {size: [64]}
)",
     "line 4: scenarios[0].source_command: unknown placeholder {dst} (known: {destination} "
     "{source} {count} {rate} {interval_us} {size} {data_bytes} {port})"},
    {"UnbalancedQuote", R"(scenarios:
  - name: A
    protocol: syn
    axes: {size: [64]}
    source_command: >-
      hping3 -S 'unfinished
)",
     "line 5: scenarios[0].source_command: unbalanced ' quote"},
    {"SyntaxError", "scenarios:\n  - name: A\n  protocol: [syn\n", "line "},
};

class BadScenarioFile : public testing::YamlFileTest,
                        public ::testing::WithParamInterface<BadScenarios> {};

TEST_P(BadScenarioFile, FailsWithFileLineFieldAndWhat) {
  const std::string path = write_text("scenarios.yaml", GetParam().yaml);
  const std::string message = testing::input_error(path, [&] { load_scenario_file(path); });
  if (std::string(GetParam().name) == "SyntaxError") {
    EXPECT_EQ(message.rfind(GetParam().message, 0), 0u) << message;
    EXPECT_NE(message.find("invalid YAML"), std::string::npos) << message;
  } else {
    EXPECT_EQ(message, GetParam().message);
  }
}

INSTANTIATE_TEST_SUITE_P(ScenarioFile, BadScenarioFile, ::testing::ValuesIn(bad_files),
                         [](const auto& test) { return std::string(test.param.name); });

TEST_F(ScenarioFile, AMissingFileSaysWhyItCannotBeRead) {
  const std::string path = file("absent.yaml");
  EXPECT_EQ(testing::input_error(path, [&] { load_scenario_file(path); }),
            "cannot read the YAML file: No such file or directory");
}

// An axis product of billions of cases is refused before anything is registered.
TEST_F(ScenarioFile, TooManyCasesAreRefusedWithTheCount) {
  std::string values;
  for (int i = 1; i <= 200; ++i) values += (i > 1 ? ", " : "") + std::to_string(i);
  const std::string path = write_text(
      "scenarios.yaml", "scenarios:\n  - name: Huge\n    protocol: udp\n    axes:\n      rate: [" + values +
                            "]\n      count: [" + values + "]\n");
  const std::string message = testing::input_error(path, [&] { load_scenario_file(path); });
  EXPECT_NE(message.find("the axes make 40000 cases per configuration; at most 10000"), std::string::npos)
      << message;
}

}  // namespace
}  // namespace weaver::scenarios

#include "scenarios/scenario.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "weaver/error.hpp"

namespace weaver::scenarios {
namespace {

using orchestrator::Protocol;
using Values = std::vector<std::int64_t>;

TEST(Scenario, AxisNamesAreInCaseNameOrder) {
  EXPECT_EQ(axis_names(),
            (std::vector<std::string>{"size", "rate", "count", "burst", "burst_interval_us"}));
}

TEST(Scenario, TrafficAppliesOneValuePerAxisOntoTheBase) {
  Scenario scenario;
  scenario.name = "Bursts";
  scenario.base.protocol = Protocol::udp;
  scenario.base.destination_port = 5001;
  scenario.axes = {
      {"count", {10}}, {"size", {64}}, {"burst_interval_us", {1}}, {"burst", {1}}, {"rate", {1}}};
  const orchestrator::TrafficSpec spec = scenario.traffic({300, 1518, 250, 16, 0});
  EXPECT_EQ(spec.count, 300);
  EXPECT_EQ(spec.frame_size, 1518);
  EXPECT_EQ(spec.burst_interval_us, 250);
  EXPECT_EQ(spec.burst, 16);
  EXPECT_EQ(spec.rate_pps, 0);
  EXPECT_EQ(spec.protocol, Protocol::udp);
  EXPECT_EQ(spec.destination_port, 5001);
}

TEST(Scenario, TrafficLeavesWhatNoAxisSets) {
  Scenario scenario;
  scenario.base.rate_pps = 77;
  scenario.axes = {{"size", {64}}};
  const orchestrator::TrafficSpec spec = scenario.traffic({128});
  EXPECT_EQ(spec.frame_size, 128);
  EXPECT_EQ(spec.rate_pps, 77);
  EXPECT_EQ(spec.count, scenario.base.count);
}

TEST(Scenario, TrafficWantsExactlyOneValuePerAxis) {
  Scenario scenario;
  scenario.name = "SynFlood";
  scenario.axes = {{"size", {64}}, {"rate", {1}}};
  EXPECT_THROW(scenario.traffic({64}), UsageError);
  EXPECT_THROW(scenario.traffic({64, 1, 1}), UsageError);
  try {
    scenario.traffic({});
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(), "scenario SynFlood: 0 values for 2 axes");
  }
}

TEST(Scenario, TrafficRefusesUnknownAxesAndSizesBeyondInt) {
  Scenario scenario;
  scenario.axes = {{"speed", {1}}};
  EXPECT_THROW(scenario.traffic({1}), UsageError);
  scenario.axes = {{"size", {1}}};
  EXPECT_THROW(scenario.traffic({std::int64_t{1} << 40}), UsageError);
}

TEST(BuiltinScenarios, AreSynFloodUdpStreamUdpBurstIcmpEchoAndUdpEgress) {
  const std::vector<Scenario> scenarios = builtin_scenarios();
  ASSERT_EQ(scenarios.size(), 5u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(scenarios[i].base.direction, orchestrator::Direction::ingress) << scenarios[i].name;
  }

  EXPECT_EQ(scenarios[0].name, "SynFlood");
  EXPECT_EQ(scenarios[0].base.protocol, Protocol::tcp_syn);
  ASSERT_EQ(scenarios[0].axes.size(), 3u);
  EXPECT_EQ(scenarios[0].axes[0].name, "size");
  EXPECT_EQ(scenarios[0].axes[0].values, (Values{64, 1518}));
  EXPECT_EQ(scenarios[0].axes[1].name, "rate");
  EXPECT_EQ(scenarios[0].axes[1].values, Values{10000});
  EXPECT_EQ(scenarios[0].axes[2].name, "count");
  EXPECT_EQ(scenarios[0].axes[2].values, Values{2000});

  EXPECT_EQ(scenarios[1].name, "UdpStream");
  EXPECT_EQ(scenarios[1].base.protocol, Protocol::udp);
  ASSERT_EQ(scenarios[1].axes.size(), 3u);
  EXPECT_EQ(scenarios[1].axes[0].values, (Values{64, 128, 256, 512, 1024, 1280, 1518}));
  EXPECT_EQ(scenarios[1].axes[1].values, Values{10000});
  EXPECT_EQ(scenarios[1].axes[2].values, Values{2000});

  EXPECT_EQ(scenarios[2].name, "UdpBurst");
  EXPECT_EQ(scenarios[2].base.protocol, Protocol::udp);
  const orchestrator::TrafficSpec burst = scenarios[2].traffic({64, 2048, 32, 1000});
  EXPECT_EQ(burst.frame_size, 64);
  EXPECT_EQ(burst.count, 2048);
  EXPECT_EQ(burst.burst, 32);
  EXPECT_EQ(burst.burst_interval_us, 1000);

  EXPECT_EQ(scenarios[3].name, "IcmpEcho");
  EXPECT_EQ(scenarios[3].base.protocol, Protocol::icmp_echo);
  ASSERT_EQ(scenarios[3].axes.size(), 3u);
  EXPECT_EQ(scenarios[3].axes[0].values, (Values{64, 1518}));
  EXPECT_EQ(scenarios[3].axes[1].values, Values{1000});
  EXPECT_EQ(scenarios[3].axes[2].values, Values{500});

  EXPECT_EQ(scenarios[4].name, "UdpEgress");
  EXPECT_EQ(scenarios[4].base.protocol, Protocol::udp);
  EXPECT_EQ(scenarios[4].base.direction, orchestrator::Direction::egress);
  EXPECT_EQ(scenarios[4].axes[0].values, (Values{64, 1518}));
}

TEST(BuiltinScenarios, EveryCaseMakesAValidSpec) {
  for (const Scenario& scenario : builtin_scenarios()) {
    // The axes keep the canonical order, so case names read alike.
    auto canonical = axis_names().begin();
    for (const Axis& axis : scenario.axes) {
      canonical = std::find(canonical, axis_names().end(), axis.name);
      EXPECT_NE(canonical, axis_names().end()) << scenario.name << " " << axis.name;
    }
    ASSERT_EQ(scenario.axes[0].name, "size");
    for (std::int64_t size : scenario.axes[0].values) {
      std::vector<std::int64_t> values(scenario.axes.size(), 1);
      values[0] = size;
      const orchestrator::TrafficSpec spec = scenario.traffic(values);
      EXPECT_GE(spec.data_bytes(), 0) << scenario.name << " size " << size;
      EXPECT_FALSE(spec.source_command) << scenario.name;
    }
  }
}

}  // namespace
}  // namespace weaver::scenarios

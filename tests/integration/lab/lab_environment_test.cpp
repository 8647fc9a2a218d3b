// environment.json from the real lab over SSH: every datapath's hypervisor
// is described (the lab shares this machine's kernel, its PIFs and VIFs are
// veths), and a hypervisor nobody answers for fails alone, within the
// connect timeout, while the others are described.
#include <gtest/gtest.h>
#include <sys/utsname.h>

#include <chrono>
#include <string>

#include "lab_test_support.hpp"
#include "weaver/orchestrator/environment.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/orchestrator/run_config.hpp"

namespace weaver::lab::test {
namespace {

using orchestrator::Configuration;
using orchestrator::RunConfig;

class LabEnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  }
};

std::string this_kernel() {
  utsname names{};
  ::uname(&names);
  return names.release;
}

// The lab state's entry of a configuration's hypervisor (by management address).
const nlohmann::json& lab_hypervisor(const TestLab& lab, const Configuration& configuration) {
  for (const auto& hypervisor : lab.state().at("hypervisors")) {
    if (hypervisor.at("management_address") == configuration.hypervisor.host) return hypervisor;
  }
  throw std::runtime_error("no lab hypervisor at " + configuration.hypervisor.host);
}

void expect_described(const nlohmann::json& entry, const std::string& role, const std::string& name) {
  SCOPED_TRACE(role);
  ASSERT_TRUE(entry.contains("interfaces") && entry.at("interfaces").contains(role)) << entry.dump(2);
  const nlohmann::json& interface = entry.at("interfaces").at(role);
  EXPECT_EQ(interface.at("name"), name);
  ASSERT_TRUE(interface.at("mtu").is_number()) << interface.dump(2);
  EXPECT_GT(interface.at("mtu").get<int>(), 0);
  EXPECT_EQ(interface.at("driver").value("driver", ""), "veth") << interface.dump(2);
  EXPECT_FALSE(interface.at("offloads").empty()) << interface.dump(2);
  const nlohmann::json& stamps = interface.at("capture_timestamps");
  EXPECT_EQ(stamps.at("type"), "host");
  EXPECT_EQ(stamps.at("precision"), "nano");
  EXPECT_TRUE(!stamps.at("available").empty() || !stamps.value("note", "").empty()) << stamps.dump();
}

TEST_F(LabEnvironmentTest, DescribesEveryDatapath) {
  TestLab lab("wv61", {"--datapath", "bridge,routed,tc-redirect,userspace"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  const RunConfig config = orchestrator::run_config_from_lab_state(lab.state());
  ASSERT_EQ(config.configurations.size(), 4u);
  orchestrator::Orchestrator run(config, {});
  const nlohmann::json environment = run.collect_environment();
  run.close();
  RecordProperty("environment", environment.dump());  // in --gtest_output=xml reports

  EXPECT_FALSE(environment.at("collected_utc").get<std::string>().empty());
  const nlohmann::json& configurations = environment.at("configurations");
  ASSERT_EQ(configurations.size(), 4u) << environment.dump(2);
  for (const Configuration& configuration : config.configurations) {
    SCOPED_TRACE(configuration.name);
    ASSERT_TRUE(configurations.contains(configuration.name)) << environment.dump(2);
    const nlohmann::json& entry = configurations.at(configuration.name);
    EXPECT_FALSE(entry.contains("error")) << entry.dump(2);
    const nlohmann::json& hypervisor = lab_hypervisor(lab, configuration);
    EXPECT_EQ(entry.at("host"), configuration.hypervisor.host);
    EXPECT_EQ(entry.at("adapter"), "lab");
    EXPECT_EQ(entry.at("datapath"), hypervisor.at("datapath"));
    EXPECT_EQ(entry.value("kernel", ""), this_kernel());
    EXPECT_FALSE(entry.value("os", "").empty());
    EXPECT_GT(entry.value("cpus", 0), 0);
    EXPECT_NE(entry.value("hypervisor_version", "").find("weaver lab"), std::string::npos);
    EXPECT_FALSE(entry.at("tools").value("tcpdump", "").empty()) << entry.dump(2);
    expect_described(entry, "pif", hypervisor.at("pif"));
    expect_described(entry, "vif", hypervisor.at("vif"));
  }
}

TEST_F(LabEnvironmentTest, AnUnreachableHypervisorFailsAloneWithinTheConnectTimeout) {
  TestLab lab("wv61", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  RunConfig config = orchestrator::run_config_from_lab_state(lab.state());
  ASSERT_EQ(config.configurations.size(), 1u);
  // An address of this lab's management subnet that nobody has, and a VM
  // that does not exist on the lab's hypervisor.
  Configuration ghost = config.configurations.front();
  ghost.name = "ghost";
  ghost.hypervisor.host = "198.19.61.250";
  Configuration nobody = config.configurations.front();
  nobody.name = "nobody";
  nobody.vm = "wv61-nobody-vm";
  config.configurations.push_back(ghost);
  config.configurations.push_back(nobody);

  orchestrator::RunOptions options;
  options.connect_timeout = std::chrono::seconds(3);
  orchestrator::Orchestrator run(config, options);
  const auto started = std::chrono::steady_clock::now();
  const nlohmann::json environment = run.collect_environment();
  const auto elapsed = std::chrono::steady_clock::now() - started;
  try {
    run.close();
  } catch (const std::exception&) {
    // The ghost has no session to close.
  }
  EXPECT_LT(elapsed, options.connect_timeout + std::chrono::seconds(2));

  const nlohmann::json& configurations = environment.at("configurations");
  ASSERT_EQ(configurations.size(), 3u) << environment.dump(2);
  const nlohmann::json& good = configurations.at("lab-bridge");
  EXPECT_FALSE(good.contains("error")) << good.dump(2);
  EXPECT_EQ(good.value("kernel", ""), this_kernel());
  expect_described(good, "vif", lab.hypervisor().at("vif"));

  const nlohmann::json& unreachable = configurations.at("ghost");
  ASSERT_TRUE(unreachable.contains("error")) << unreachable.dump(2);
  const std::string error = unreachable.at("error");
  EXPECT_NE(error.find("198.19.61.250"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
  EXPECT_EQ(unreachable.at("host"), "198.19.61.250");
  EXPECT_FALSE(unreachable.contains("interfaces"));

  // A VM the adapter cannot resolve: the error names host and VM, the host
  // and its PIF are described all the same.
  const nlohmann::json& unresolved = configurations.at("nobody");
  ASSERT_TRUE(unresolved.contains("error")) << unresolved.dump(2);
  EXPECT_NE(unresolved.at("error").get<std::string>().find(nobody.hypervisor.host), std::string::npos);
  EXPECT_NE(unresolved.at("error").get<std::string>().find("wv61-nobody-vm"), std::string::npos);
  EXPECT_EQ(unresolved.value("kernel", ""), this_kernel());
  expect_described(unresolved, "pif", "eth0");
  EXPECT_FALSE(unresolved.at("interfaces").contains("vif"));
}

}  // namespace
}  // namespace weaver::lab::test

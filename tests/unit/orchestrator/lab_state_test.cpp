#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "weaver/error.hpp"
#include "weaver/orchestrator/run_config.hpp"

namespace weaver::orchestrator {
namespace {

using nlohmann::json;
using Names = std::vector<std::string>;

json hypervisor_state(const std::string& name, const std::string& datapath, int number) {
  const std::string suffix = std::to_string(number);
  return {{"name", name},
          {"datapath", datapath},
          {"domid", number},
          {"management_address", "198.19.90." + std::to_string(number + 1)},
          {"netns", "wv90-" + name},
          {"pif", "eth0"},
          {"vif", "vif" + suffix + ".0"},
          {"guest",
           {{"address", "198.18.190." + suffix},
            {"instance", "wv90-" + name + "-vm"},
            {"interface", "eth0"},
            {"netns", "wv90-" + name + "-vm"}}}};
}

// The shape `weaver lab up` writes (see framework/lab/lab_state.cpp).
json lab_state() {
  json userspace = hypervisor_state("us0", "userspace", 2);
  userspace["delay_us"] = 0;
  userspace["forwarder_pid"] = 28288;
  return {{"format", "weaver-lab/1"},
          {"id", "wv90"},
          {"state_dir", "/run/weaver/lab/wv90"},
          {"ssh",
           {{"client_key", "/run/weaver/lab/wv90/client_key"},
            {"known_hosts", "/run/weaver/lab/wv90/known_hosts"},
            {"port", 22},
            {"user", "root"}}},
          {"sources",
           {{{"name", "src0"},
             {"management_address", "198.19.90.100"},
             {"data_address", "198.18.90.1"},
             {"data_interface", "eth0"},
             {"netns", "wv90-src0"}}}},
          {"hypervisors", {hypervisor_state("br0", "bridge", 1), userspace}}};
}

std::string lab_error(const json& state) {
  try {
    run_config_from_lab_state(state);
  } catch (const InputError& error) {
    return error.what();
  }
  return "no error";
}

TEST(LabState, EveryLabHypervisorBecomesAConfigurationNamedAfterItsDatapath) {
  const RunConfig config = run_config_from_lab_state(lab_state());
  EXPECT_EQ(config.origin, "lab wv90");

  ASSERT_EQ(config.sources.size(), 1u);
  const Source& source = config.sources[0];
  EXPECT_EQ(source.name, "src0");
  EXPECT_EQ(source.ssh.host, "198.19.90.100");
  EXPECT_EQ(source.ssh.port, 22);
  EXPECT_EQ(source.ssh.user, "root");
  EXPECT_EQ(source.ssh.key_file, std::filesystem::path("/run/weaver/lab/wv90/client_key"));
  EXPECT_EQ(source.ssh.known_hosts, std::filesystem::path("/run/weaver/lab/wv90/known_hosts"));
  EXPECT_EQ(source.address, "198.18.90.1");
  EXPECT_EQ(source.interface, "eth0");

  ASSERT_EQ(config.configurations.size(), 2u);
  const Configuration& bridge = config.configurations[0];
  EXPECT_EQ(bridge.name, "lab-bridge");
  EXPECT_EQ(bridge.hypervisor.host, "198.19.90.2");
  EXPECT_EQ(bridge.hypervisor.key_file, source.ssh.key_file);
  EXPECT_EQ(bridge.hypervisor.known_hosts, source.ssh.known_hosts);
  EXPECT_EQ(bridge.adapter, "lab");
  EXPECT_EQ(bridge.pif, "eth0");
  EXPECT_EQ(bridge.vm, "wv90-br0-vm");
  EXPECT_EQ(bridge.vif_index, 0);
  EXPECT_EQ(bridge.vif, "");  // the lab adapter resolves it
  EXPECT_EQ(bridge.destination, "198.18.190.1");
  EXPECT_EQ(bridge.vm_shell.netns, "wv90-br0-vm");  // egress traffic starts there
  EXPECT_FALSE(bridge.vm_shell.ssh);
  EXPECT_EQ(bridge.sources, Names{"src0"});
  EXPECT_EQ(bridge.datapath, "bridge");

  const Configuration& userspace = config.configurations[1];
  EXPECT_EQ(userspace.name, "lab-userspace");
  EXPECT_EQ(userspace.hypervisor.host, "198.19.90.3");
  EXPECT_EQ(userspace.datapath, "userspace");  // a zero delay is not mentioned
}

TEST(LabState, AnAddedDelayShowsInTheDatapath) {
  json state = lab_state();
  state["hypervisors"][1]["delay_us"] = 150;
  EXPECT_EQ(run_config_from_lab_state(state).configurations[1].datapath, "userspace delay 150 us");
}

TEST(LabState, ARepeatedDatapathAddsTheHypervisorName) {
  json state = lab_state();
  state["hypervisors"].push_back(hypervisor_state("br1", "bridge", 3));
  state["sources"].push_back({{"name", "src1"},
                              {"management_address", "198.19.90.101"},
                              {"data_address", "198.18.90.2"},
                              {"data_interface", "eth0"}});
  const RunConfig config = run_config_from_lab_state(state);
  ASSERT_EQ(config.configurations.size(), 3u);
  EXPECT_EQ(config.configurations[0].name, "lab-bridge-br0");
  EXPECT_EQ(config.configurations[1].name, "lab-userspace");
  EXPECT_EQ(config.configurations[2].name, "lab-bridge-br1");
  EXPECT_EQ(config.configurations[2].sources, (Names{"src0", "src1"}));
}

TEST(LabState, RefusesAnotherFormat) {
  json state = lab_state();
  state["format"] = "weaver-lab/2";
  EXPECT_EQ(lab_error(state), "lab wv90: format: 'weaver-lab/2' is not weaver-lab/1");
  state.erase("format");
  EXPECT_EQ(lab_error(state), "lab wv90: format: missing");
}

TEST(LabState, NamesAMissingField) {
  json state = lab_state();
  state["hypervisors"][1].erase("pif");
  EXPECT_EQ(lab_error(state), "lab wv90: hypervisors[1].pif: missing");
  state = lab_state();
  state["hypervisors"][0]["guest"].erase("address");
  EXPECT_EQ(lab_error(state), "lab wv90: hypervisors[0].guest.address: missing");
  state = lab_state();
  state.erase("ssh");
  EXPECT_EQ(lab_error(state), "lab wv90: ssh: missing");
}

TEST(LabState, NamesAnIllTypedField) {
  json state = lab_state();
  state["ssh"]["port"] = "22";
  EXPECT_EQ(lab_error(state), "lab wv90: ssh.port: expected an integer from 1 to 65535");
  state = lab_state();
  state["sources"][0]["name"] = 7;
  EXPECT_EQ(lab_error(state), "lab wv90: sources[0].name: expected a string");
  state = lab_state();
  state["hypervisors"] = json::object();
  EXPECT_EQ(lab_error(state), "lab wv90: hypervisors: expected an array");
  state = lab_state();
  state["sources"] = json::array();
  EXPECT_EQ(lab_error(state), "lab wv90: sources: is empty");
  state = lab_state();
  state["hypervisors"][1]["delay_us"] = -5;
  EXPECT_EQ(lab_error(state),
            "lab wv90: hypervisors[1].delay_us: expected an integer from 0 to 1000000");
}

TEST(LabState, ValidatesNamesThatReachARemoteShell) {
  json state = lab_state();
  state["hypervisors"][0]["guest"]["instance"] = "-x";
  EXPECT_EQ(lab_error(state),
            "lab wv90: hypervisors[0].guest.instance: '-x' must not start with '-'");
  state = lab_state();
  state["hypervisors"][0]["pif"] = "eth0 up";
  EXPECT_EQ(lab_error(state),
            "lab wv90: hypervisors[0].pif: 'eth0 up' may contain only letters, digits, '.', '-' "
            "and '_'");
}

TEST(LabState, WithoutAnIdTheStateFileIsNamed) {
  json state = lab_state();
  state.erase("id");
  EXPECT_EQ(lab_error(state), "/run/weaver/lab/wv90/state.json: id: missing");
  EXPECT_EQ(lab_error(json::array()), "lab state: expected a JSON object");
}

}  // namespace
}  // namespace weaver::orchestrator

#include "weaver/orchestrator/run_config.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>

#include "yaml_test_support.hpp"

namespace weaver::orchestrator {
namespace {

using Names = std::vector<std::string>;

// Sets HOME for one test, so ~/ expansion has a known result.
class HomeOverride {
 public:
  explicit HomeOverride(const char* home) {
    if (const char* old = std::getenv("HOME")) old_ = old;
    ::setenv("HOME", home, 1);
  }
  ~HomeOverride() {
    if (old_) {
      ::setenv("HOME", old_->c_str(), 1);
    } else {
      ::unsetenv("HOME");
    }
  }
  HomeOverride(const HomeOverride&) = delete;
  HomeOverride& operator=(const HomeOverride&) = delete;

 private:
  std::optional<std::string> old_;
};

class RunConfigFile : public testing::YamlFileTest {};

TEST_F(RunConfigFile, TheSmallestLabTakesEveryDefault) {
  const std::string path = write_text("lab.yaml", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xl
    pif: eth0
    vms:
      - name: vm1
        address: 198.18.1.20
)");
  const RunConfig config = load_run_config(path);
  EXPECT_EQ(config.origin, path);
  ASSERT_EQ(config.sources.size(), 1u);
  const Source& source = config.sources[0];
  EXPECT_EQ(source.name, "src1");
  EXPECT_EQ(source.ssh.host, "10.0.0.5");
  EXPECT_EQ(source.ssh.port, 22);
  EXPECT_EQ(source.ssh.user, "root");
  EXPECT_EQ(source.ssh.key_file, std::nullopt);
  EXPECT_TRUE(source.ssh.known_hosts.empty());
  EXPECT_EQ(source.address, "");
  EXPECT_EQ(source.interface, "");

  ASSERT_EQ(config.configurations.size(), 1u);
  const Configuration& configuration = config.configurations[0];
  EXPECT_EQ(configuration.name, "xen1");
  EXPECT_EQ(configuration.hypervisor.host, "10.0.0.2");
  EXPECT_EQ(configuration.adapter, "xl");
  EXPECT_EQ(configuration.pif, "eth0");
  EXPECT_EQ(configuration.vm, "vm1");
  EXPECT_EQ(configuration.vif_index, 0);
  EXPECT_EQ(configuration.vif, "");
  EXPECT_EQ(configuration.destination, "198.18.1.20");
  EXPECT_EQ(configuration.sources, Names{"src1"});
  EXPECT_EQ(configuration.datapath, "");
  EXPECT_FALSE(configuration.vm_shell.available());  // no egress without a way into the VM
}

TEST_F(RunConfigFile, TheDocumentedExampleParses) {
  HomeOverride home("/home/tester");
  const std::string path = std::string(WEAVER_ORCHESTRATOR_TEST_DATA) + "/lab.example.yaml";
  const RunConfig config = load_run_config(path);

  ASSERT_EQ(config.sources.size(), 2u);
  const Source& src1 = config.sources[0];
  EXPECT_EQ(src1.name, "src1");
  EXPECT_EQ(src1.ssh.host, "10.0.0.5");
  EXPECT_EQ(src1.ssh.key_file, std::filesystem::path("/home/tester/.ssh/id_ed25519"));
  EXPECT_EQ(src1.ssh.known_hosts, std::filesystem::path("/home/tester/.ssh/known_hosts"));
  EXPECT_EQ(src1.address, "198.18.0.10");
  EXPECT_EQ(src1.interface, "eth1");
  const Source& src2 = config.source("src2");
  EXPECT_EQ(src2.ssh.host, "source2.lab.example");
  EXPECT_EQ(src2.ssh.user, "bench");
  EXPECT_EQ(src2.ssh.port, 2222);
  EXPECT_EQ(src2.ssh.key_file, std::filesystem::path("/home/tester/.ssh/id_ed25519"));

  ASSERT_EQ(config.configurations.size(), 3u);
  const Configuration& xen = config.configurations[0];
  EXPECT_EQ(xen.name, "xen1");
  EXPECT_EQ(xen.adapter, "xenserver");
  EXPECT_EQ(xen.vm, "instance-0f3c");
  EXPECT_EQ(xen.datapath, "bridge");
  EXPECT_EQ(xen.sources, Names{"src1"});
  EXPECT_EQ(xen.hypervisor.user, "root");

  const Configuration& guest1 = config.configurations[1];
  EXPECT_EQ(guest1.name, "kvm1-guest1");
  EXPECT_EQ(guest1.hypervisor.host, "10.0.0.3");
  EXPECT_EQ(guest1.hypervisor.key_file, std::filesystem::path("/etc/weaver/kvm1_key"));
  EXPECT_EQ(guest1.pif, "enp3s0");
  EXPECT_EQ(guest1.vm, "guest1");
  EXPECT_EQ(guest1.destination, "198.18.1.21");
  EXPECT_EQ(guest1.sources, (Names{"src1", "src2"}));
  ASSERT_TRUE(guest1.vm_shell.ssh);
  EXPECT_EQ(guest1.vm_shell.ssh->host, "10.0.1.21");
  EXPECT_EQ(guest1.vm_shell.ssh->user, "bench");
  // The file's defaults, not the hypervisor's overrides: the VM is another host.
  EXPECT_EQ(guest1.vm_shell.ssh->key_file, std::filesystem::path("/home/tester/.ssh/id_ed25519"));
  EXPECT_FALSE(config.configurations[2].vm_shell.available());

  const Configuration& guest2 = config.configurations[2];
  EXPECT_EQ(guest2.name, "kvm1-guest2");
  EXPECT_EQ(guest2.vif_index, 1);
  EXPECT_EQ(guest2.vif, "vnet7");
  EXPECT_EQ(guest2.datapath, "ovs");
}

TEST_F(RunConfigFile, ANullKeyReturnsToTheAgentDespiteTheDefaults) {
  const std::string path = write_text("lab.yaml", R"(defaults:
  key: /keys/lab
  known_hosts: /keys/known_hosts
  user: admin
sources:
  - {name: src1, host: 10.0.0.5, key: null, known_hosts: ~}
hypervisors:
  - name: hv
    host: hv.example
    adapter: lab
    pif: eth0
    vms: [{name: vm1, address: 198.18.1.20}]
)");
  const RunConfig config = load_run_config(path);
  EXPECT_EQ(config.sources[0].ssh.key_file, std::nullopt);
  EXPECT_TRUE(config.sources[0].ssh.known_hosts.empty());
  EXPECT_EQ(config.sources[0].ssh.user, "admin");
  EXPECT_EQ(config.configurations[0].hypervisor.key_file, std::filesystem::path("/keys/lab"));
  EXPECT_EQ(config.configurations[0].hypervisor.known_hosts,
            std::filesystem::path("/keys/known_hosts"));
}

TEST(RunConfig, SourceLooksUpByNameAndNamesTheOriginWhenUnknown) {
  RunConfig config;
  config.origin = "lab.yaml";
  config.sources.push_back(Source{"src1", {}, "198.18.0.1", ""});
  EXPECT_EQ(config.source("src1").address, "198.18.0.1");
  try {
    config.source("src9");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(), "lab.yaml: unknown source 'src9'");
  }
}

}  // namespace
}  // namespace weaver::orchestrator

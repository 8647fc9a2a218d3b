// The kvm and libvirt datapaths for real: QEMU guests booted from the
// generated initramfs, one started directly and one through the lab's own
// libvirtd, measured by `weaver run` like any hypervisor (the libvirt
// guest's tap found by `virsh domiflist` over SSH), and removed without a
// trace by `lab down`, also after `lab up` was killed in the middle.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

class LabVmTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root (network namespaces, QEMU, libvirtd)";
  }
};

// What a lab with QEMU guests could leave behind: processes, namespaces,
// state and mounts that name the lab.
std::vector<std::string> vm_leftovers(const std::string& id) {
  std::vector<std::string> found;
  const std::string state = "/run/weaver/lab/" + id;
  for (const RunningProcess& process : running_processes()) {
    const bool vm_program = process.program().find("qemu-system") != std::string::npos ||
                            process.program().find("libvirtd") != std::string::npos;
    if (vm_program && process.cmdline.find(state + "/") != std::string::npos) {
      found.push_back("process " + process.pid + " " + process.program());
    }
  }
  for (const std::string& netns : lab_footprint().namespaces) {
    if (netns.rfind(id + "-", 0) == 0) found.push_back("namespace " + netns);
  }
  if (std::filesystem::exists(state)) found.push_back("state directory " + state);
  std::ifstream mounts("/proc/self/mountinfo");
  for (std::string line; std::getline(mounts, line);) {
    if (line.find(state) != std::string::npos) found.push_back("mount " + line);
  }
  return found;
}

std::string join(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

const char* const kScenarios = R"(scenarios:
  - name: SynFlood
    protocol: syn
    axes:
      size: [64]
      rate: [2000]
      count: [1000]
  - name: UdpStream
    protocol: udp
    axes:
      size: [64]
      rate: [2000]
      count: [1000]
)";

TEST_F(LabVmTest, MeasuresQemuGuestsThroughTheirTapsAndLeavesNothingBehind) {
  {
    TestLab lab("wv81", {"--datapath", "kvm,libvirt"});
    ASSERT_TRUE(lab.up()) << lab.up_error();
    // Boot to the first measurable packet: `up` returns with the guests ready.
    EXPECT_LT(lab.state().at("up_seconds").get<double>(), 15.0);
    for (std::size_t i = 0; i < 2; ++i) {
      const auto& guest = lab.hypervisor(i).at("guest");
      EXPECT_FALSE(guest.contains("netns"));
      EXPECT_GT(guest.at("qemu_pid").get<int>(), 0);
      RecordProperty("boot_seconds_" + lab.hypervisor(i).at("datapath").get<std::string>(),
                     std::to_string(guest.at("boot_seconds").get<double>()));
    }
    EXPECT_EQ(lab.hypervisor(1).at("adapter"), "libvirt");

    TempDir dir;
    const std::string scenarios = write_file(dir, "scenarios.yaml", kScenarios);
    const ProcessOutput run = run_weaver({"run", "--lab", "wv81", "--scenarios", scenarios,
                                          "--results-dir", dir.path() + "/results"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const auto folder = only_results_folder(dir.path() + "/results");
    const auto document = nlohmann::json::parse(read_file(folder / "weaver.json"));
    EXPECT_EQ(document.at("configurations").at("lab-libvirt").at("adapter"), "libvirt");
    EXPECT_EQ(document.at("configurations").at("lab-kvm").at("adapter"), "lab");
    const auto& benchmarks = document.at("benchmarks");
    ASSERT_EQ(benchmarks.size(), 4u);
    const std::map<std::string, std::string> taps = {
        {"lab-kvm", lab.hypervisor(0).at("vif")}, {"lab-libvirt", lab.hypervisor(1).at("vif")}};
    for (const auto& benchmark : benchmarks) {
      SCOPED_TRACE(benchmark.at("name").get<std::string>());
      EXPECT_FALSE(benchmark.contains("error_message")) << benchmark.value("error_message", "");
      EXPECT_GE(benchmark.at("matched").get<double>(), 0.99 * benchmark.at("sent").get<double>());
      EXPECT_GT(benchmark.at("p50_us").get<double>(), 0);
      // The VIF is the guest's tap, resolved by the adapter (virsh
      // domiflist for the libvirt guest; a guest booted again is on vnet1).
      const std::string vif = benchmark.at("weaver").at("interfaces").at("vif");
      EXPECT_EQ(vif, taps.at(benchmark.at("weaver").at("configuration")));
      EXPECT_EQ(vif.rfind("vnet", 0), 0u) << vif;
    }
  }
  const std::vector<std::string> left = vm_leftovers("wv81");
  EXPECT_TRUE(left.empty()) << join(left);
}

// `lab up` killed while its guests boot: `lab down` finds QEMU, libvirtd and
// their mounts by the lab's prefix and state directory alone.
TEST_F(LabVmTest, DownAfterAKilledUpRemovesTheGuestsAndTheirDaemon) {
  Child up;
  up.pid = ::fork();
  ASSERT_GE(up.pid, 0);
  if (up.pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(WEAVER_BINARY, WEAVER_BINARY, "lab", "up", "--id", "wv81", "--datapath",
            "kvm,libvirt", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Until both guests' QEMUs run (their console logs exist), then SIGKILL.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  const std::string state = "/run/weaver/lab/wv81/";
  while (!(std::filesystem::exists(state + "kv0.console.log") &&
           std::filesystem::exists(state + "lv0.console.log")) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(up.pid, SIGKILL);
  up.wait();
  EXPECT_FALSE(vm_leftovers("wv81").empty()) << "the guests were not booting when up was killed";
  const ProcessOutput down = run_weaver({"lab", "down", "--id", "wv81"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  const std::vector<std::string> left = vm_leftovers("wv81");
  EXPECT_TRUE(left.empty()) << join(left);
}

}  // namespace
}  // namespace weaver::lab::test

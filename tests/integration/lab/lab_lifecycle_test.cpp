// The lab's life cycle: idempotent up, status, two labs at once, a lab killed
// mid-setup removed by `down --all`, start-up times, and the one-line refusal
// without privileges.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

class LabLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  }
};

TEST_F(LabLifecycle, UpIsIdempotentAndStatusSeesEverySshd) {
  TestLab lab("wv84", {"--datapath", "bridge,routed", "--sources", "2"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  const ProcessOutput again = run_weaver({"lab", "up", "--id", "wv84", "--datapath", "bridge,routed",
                                          "--sources", "2"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already up"), std::string::npos) << again.out;
  const ProcessOutput other = run_weaver({"lab", "up", "--id", "wv84", "--datapath", "bridge"});
  EXPECT_EQ(other.exit_code, 2) << "different options for a lab that is up is a usage error";

  const ProcessOutput status = run_weaver({"lab", "status", "--id", "wv84", "--json"});
  ASSERT_EQ(status.exit_code, 0) << status.out << status.err;
  const auto json = nlohmann::json::parse(status.out);
  const auto& lab_status = json.at("labs").at(0);
  EXPECT_TRUE(lab_status.at("healthy").get<bool>());
  int sshds = 0;
  for (const auto& host : lab_status.at("hosts")) {
    if (host.at("role") == "guest") continue;
    EXPECT_TRUE(host.at("sshd_answers").get<bool>()) << host.dump();
    ++sshds;
  }
  EXPECT_EQ(sshds, 4);  // 2 sources + 2 hypervisors
}

TEST_F(LabLifecycle, TwoLabsStartedAtOnceDoNotCollide) {
  const LabFootprint before = lab_footprint();
  {
    // Two `up` processes racing, then traffic in each lab.
    std::unique_ptr<TestLab> first, second;
    std::thread other([&] { second = std::make_unique<TestLab>("wv86", std::vector<std::string>{}); });
    first = std::make_unique<TestLab>("wv85", std::vector<std::string>{});
    other.join();
    ASSERT_TRUE(first->up()) << first->up_error();
    ASSERT_TRUE(second->up()) << second->up_error();
    EXPECT_NE(first->hypervisor().at("guest").at("address"),
              second->hypervisor().at("guest").at("address"));
    for (const TestLab* lab : {first.get(), second.get()}) {
      const std::string guest_netns = lab->hypervisor().at("guest").at("netns");
      const long before_count = guest_udp_no_ports(guest_netns);
      send_udp(lab->source().at("netns"), lab->hypervisor().at("guest").at("address"), 20, 1000);
      EXPECT_GE(guest_udp_no_ports(guest_netns) - before_count, 20) << guest_netns;
    }
    first.reset();  // down one: the other stays healthy
    EXPECT_EQ(run_weaver({"lab", "status", "--id", "wv86"}).exit_code, 0);
  }
  const LabFootprint after = lab_footprint();
  EXPECT_EQ(before, after) << "before: " << describe(before) << "\nafter: " << describe(after);
}

TEST_F(LabLifecycle, LabKilledMidSetupIsRemovedByDownAll) {
  const LabFootprint before = lab_footprint();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl(WEAVER_BINARY, WEAVER_BINARY, "lab", "up", "--id", "wv87", "--hypervisors", "16",
            "--datapath", "userspace", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Kill once the root-namespace links exist: namespaces, links, keys and
  // possibly some processes are there, the state file is not.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!std::filesystem::exists("/sys/class/net/wv87-m-us3") &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "lab up finished before it could be killed";
  EXPECT_FALSE(std::filesystem::exists("/run/weaver/lab/wv87/state.json"));
  EXPECT_NE(before, lab_footprint());

  const ProcessOutput down = run_weaver({"lab", "down", "--all"});
  EXPECT_EQ(down.exit_code, 0) << down.err;
  EXPECT_EQ(before, lab_footprint()) << describe(lab_footprint());
  EXPECT_FALSE(std::filesystem::exists("/run/weaver/lab/wv87"));
}

TEST_F(LabLifecycle, StartupTimes) {
  for (const auto& [hypervisors, limit_s] : {std::pair{1, 2.0}, std::pair{16, 15.0}}) {
    const auto started = std::chrono::steady_clock::now();
    TestLab lab("wv88", {"--hypervisors", std::to_string(hypervisors)});
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    ASSERT_TRUE(lab.up()) << lab.up_error();
    EXPECT_EQ(lab.state().at("hypervisors").size(), static_cast<std::size_t>(hypervisors));
    const double up_seconds = lab.state().at("up_seconds");
    std::printf("lab of %d hypervisor(s): up in %.2f s (wall %.2f s, limit %.0f s)\n", hypervisors,
                up_seconds, wall, limit_s);
    EXPECT_LT(wall, limit_s);
  }
}

TEST(LabPrivileges, WithoutCapNetAdminOneLineAndNonZeroExit) {
  if (!running_as_root()) GTEST_SKIP() << "dropping capabilities is tested from root";
  const ProcessOutput result =
      run_process({"setpriv", "--bounding-set=-net_admin,-sys_admin",
                   "--inh-caps=-net_admin,-sys_admin", WEAVER_BINARY, "lab", "up", "--id", "wv89"});
  EXPECT_NE(result.exit_code, 0);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("root"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists("/run/netns/wv89-net"));
}

TEST(LabPreflight, MissingForwarderIsOneLineNamingIt) {
  if (!running_as_root()) GTEST_SKIP() << "the privilege check comes first";
  const ProcessOutput result = run_process({"env", "WEAVER_FORWARDER=/nonexistent/weaver-forwarder",
                                            WEAVER_BINARY, "lab", "up", "--id", "wv89",
                                            "--datapath", "userspace"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("weaver-forwarder"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists("/run/netns/wv89-net"));
}

}  // namespace
}  // namespace weaver::lab::test

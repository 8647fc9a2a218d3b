// For each datapath: up, traffic from the source reaches the guest, captures
// on PIF and VIF both see it and `weaver analyze` matches them, SSH with
// verified host keys reaches the hypervisor, and down leaves nothing. Then
// the calibration: the userspace forwarder's --delay-us 1000 moves the
// measured PIF->VIF median by 1000 us +- 5% against --delay-us 0.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

struct Measurement {
  nlohmann::json result;  // weaver analyze --json
  long guest_received = 0;
  std::string error;
};

// Captures on the hypervisor's PIF and VIF around `count` UDP packets from the
// first source to the first guest, then analyzes the pair.
Measurement measure(const TestLab& lab, const TempDir& dir, int count, int interval_us) {
  Measurement measurement;
  const auto& hypervisor = lab.hypervisor();
  const std::string netns = hypervisor.at("netns");
  const std::string guest_netns = hypervisor.at("guest").at("netns");
  const std::string guest = hypervisor.at("guest").at("address");
  // Right after `lab up` a new veth may drop frames until the kernel has
  // activated its queue (up to about a second on a loaded machine): probe
  // until one datagram reaches the guest before measuring.
  const std::string source_netns = lab.source().at("netns");
  for (int probe = 0; probe < 50; ++probe) {
    const long before = guest_udp_no_ports(guest_netns);
    send_udp(source_netns, guest, 1, 1000);
    if (guest_udp_no_ports(guest_netns) > before) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const long received_before = guest_udp_no_ports(guest_netns);
  Capture pif(netns, hypervisor.at("pif"), dir.path() + "/" + netns + "-pif.pcap", "udp dst port 9");
  Capture vif(netns, hypervisor.at("vif"), dir.path() + "/" + netns + "-vif.pcap", "udp dst port 9");
  if (!pif.listening() || !vif.listening()) {
    measurement.error = "tcpdump did not start listening";
    return measurement;
  }
  if (!send_udp(source_netns, guest, count, interval_us)) {
    measurement.error = "hping3 failed";
    return measurement;
  }
  pif.stop();
  vif.stop();
  measurement.guest_received = guest_udp_no_ports(guest_netns) - received_before;
  measurement.result = analyze(pif.file(), vif.file(), measurement.error);
  return measurement;
}

bool ssh_runs(const TestLab& lab, const std::string& address, const std::string& command,
              std::string& output) {
  const auto& ssh = lab.state().at("ssh");
  const ProcessOutput result = run_process(
      {"ssh", "-i", ssh.at("client_key"), "-o", "UserKnownHostsFile=" + ssh.at("known_hosts").get<std::string>(),
       "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
       "root@" + address, command});
  output = result.out + result.err;
  return result.exit_code == 0;
}

class DatapathTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  }
};

TEST_P(DatapathTest, TrafficReachesGuestCapturesSeeItDownLeavesNothing) {
  const LabFootprint before = lab_footprint();
  {
    TestLab lab("wv81", {"--datapath", GetParam()});
    ASSERT_TRUE(lab.up()) << lab.up_error();
    EXPECT_EQ(lab.hypervisor().at("datapath"), GetParam());

    std::string output;
    EXPECT_TRUE(ssh_runs(lab, lab.hypervisor().at("management_address"), "ip -o link show", output))
        << output;
    EXPECT_NE(output.find("eth0"), std::string::npos) << output;
    EXPECT_NE(output.find(lab.hypervisor().at("vif").get<std::string>()), std::string::npos) << output;
    EXPECT_TRUE(ssh_runs(lab, lab.source().at("management_address"), "true", output)) << output;

    TempDir dir;
    const Measurement measurement = measure(lab, dir, 200, 1000);
    ASSERT_FALSE(measurement.result.is_null()) << measurement.error;
    EXPECT_GE(measurement.result.at("matched").get<long>(), 190) << measurement.result.dump();
    EXPECT_GE(measurement.guest_received, 190) << measurement.result.dump();
    EXPECT_GT(measurement.result.at("p50_us").get<double>(), 0.0);
    std::printf("%s: matched %ld, guest received %ld, PIF->VIF p50 %.1f us p99 %.1f us\n",
                GetParam(), measurement.result.at("matched").get<long>(),
                measurement.guest_received, measurement.result.at("p50_us").get<double>(),
                measurement.result.at("p99_us").get<double>());
  }
  const LabFootprint after = lab_footprint();
  EXPECT_EQ(before, after) << "before: " << describe(before) << "\nafter: " << describe(after);
}

INSTANTIATE_TEST_SUITE_P(Lab, DatapathTest,
                         ::testing::Values("bridge", "routed", "tc-redirect", "userspace"),
                         [](const auto& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

TEST(DelayCalibration, UserspaceDelayOf1000UsShiftsMedianBy1000Us) {
  if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  // Both labs up at once: also shows two labs do not collide.
  TestLab no_delay("wv82", {"--datapath", "userspace", "--delay-us", "0"});
  TestLab delayed("wv83", {"--datapath", "userspace", "--delay-us", "1000"});
  ASSERT_TRUE(no_delay.up()) << no_delay.up_error();
  ASSERT_TRUE(delayed.up()) << delayed.up_error();
  TempDir dir;
  const Measurement reference = measure(no_delay, dir, 300, 2000);
  const Measurement shifted = measure(delayed, dir, 300, 2000);
  ASSERT_FALSE(reference.result.is_null()) << reference.error;
  ASSERT_FALSE(shifted.result.is_null()) << shifted.error;
  EXPECT_GE(reference.result.at("matched").get<long>(), 285);
  EXPECT_GE(shifted.result.at("matched").get<long>(), 285);
  const double p50_reference = reference.result.at("p50_us");
  const double p50_shifted = shifted.result.at("p50_us");
  std::printf("delay 0: p50 %.1f us; delay 1000: p50 %.1f us; shift %.1f us\n", p50_reference,
              p50_shifted, p50_shifted - p50_reference);
  // Within 10%, as observer_effect.sh checks its 500 us: the forwarder's
  // sleep overshoots by tens of microseconds on a loaded 2-core machine.
  EXPECT_NEAR(p50_shifted - p50_reference, 1000.0, 100.0);
}

}  // namespace
}  // namespace weaver::lab::test

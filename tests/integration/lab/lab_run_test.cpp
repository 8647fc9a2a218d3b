// The main job on the local lab, end to end over SSH: every scenario on every
// datapath (egress too, sent from inside the lab's VMs), the 2013 command line, a lab file with an error, an unreachable
// hypervisor among reachable ones, and Ctrl-C in the middle of a case.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

const char* const kSmallScenarios = R"(scenarios:
  - name: SynFlood
    protocol: syn
    axes:
      size: [64]
      rate: [2000]
      count: [300]
  - name: UdpStream
    protocol: udp
    axes:
      size: [1518]
      rate: [2000]
      count: [300]
  - name: IcmpEcho
    protocol: icmp
    axes:
      size: [128]
      rate: [2000]
      count: [300]
  - name: UdpBurst
    protocol: udp
    axes:
      size: [64]
      count: [300]
      burst: [10]
      burst_interval_us: [2000]
  - name: UdpEgress
    protocol: udp
    direction: egress
    axes:
      size: [64]
      rate: [2000]
      count: [300]
)";

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

// The lab's first hypervisor and source as a YAML lab file, plus `extra`
// hypervisor entries.
std::string lab_file(const TestLab& lab, const std::string& extra = {}) {
  const auto& ssh = lab.state().at("ssh");
  const auto& hypervisor = lab.hypervisor();
  return "defaults:\n  key: " + ssh.at("client_key").get<std::string>() +
         "\n  known_hosts: " + ssh.at("known_hosts").get<std::string>() +
         "\nsources:\n  - name: src\n    host: " + lab.source().at("management_address").get<std::string>() +
         "\n    address: " + lab.source().at("data_address").get<std::string>() +
         "\nhypervisors:\n  - name: lab\n    host: " + hypervisor.at("management_address").get<std::string>() +
         "\n    adapter: lab\n    pif: eth0\n    vms:\n      - name: " +
         hypervisor.at("guest").at("instance").get<std::string>() +
         "\n        address: " + hypervisor.at("guest").at("address").get<std::string>() + "\n" + extra;
}

nlohmann::json benchmarks_of(const ProcessOutput& run) {
  // Google Benchmark writes the coefficient of variation of an all-zero
  // counter as a bare NaN, which is not JSON.
  const std::string text = std::regex_replace(run.out, std::regex(": (-?)NaN"), ": null");
  const nlohmann::json report = nlohmann::json::parse(text, nullptr, false);
  if (report.is_discarded() || !report.contains("benchmarks")) return nlohmann::json::array();
  return report.at("benchmarks");
}

const nlohmann::json* find_case(const nlohmann::json& benchmarks, const std::string& prefix) {
  for (const auto& benchmark : benchmarks) {
    if (benchmark.at("name").get<std::string>().rfind(prefix, 0) == 0) return &benchmark;
  }
  return nullptr;
}

// A traffic generator: hping3, or weaver-gen as uploaded (.../weaver-gen-<hash>).
bool is_traffic(const std::string& program) {
  return program == "hping3" || program.find("weaver-gen") != std::string::npos;
}

// Command lines of running tcpdump and traffic processes.
std::vector<std::string> traffic_and_captures() {
  std::vector<std::string> found;
  for (const RunningProcess& process : running_processes()) {
    const std::string program = process.program();
    if (program == "tcpdump" || is_traffic(program)) found.push_back(process.cmdline);
  }
  return found;
}

// A child process killed and reaped should the test end before it did.
struct Child {
  pid_t pid = -1;
  ~Child() {
    if (pid <= 0) return;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  int wait() {
    int status = 0;
    ::waitpid(pid, &status, 0);
    pid = -1;
    return status;
  }
};

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  }
};

TEST_F(RunTest, EveryScenarioOnEveryDatapathMeasuresSaneNumbers) {
  TestLab lab("wv70", {"--datapath", "bridge", "--datapath", "routed", "--datapath", "tc-redirect",
                       "--datapath", "userspace"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const ProcessOutput run = run_weaver({"run", "--lab", "wv70", "--scenarios",
                                        write_file(dir, "scenarios.yaml", kSmallScenarios),
                                        "--benchmark_format=json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json benchmarks = benchmarks_of(run);
  ASSERT_EQ(benchmarks.size(), 20u) << run.out;
  for (const auto& benchmark : benchmarks) {
    SCOPED_TRACE(benchmark.dump());
    EXPECT_FALSE(benchmark.value("error_occurred", false));
    EXPECT_EQ(benchmark.at("sent").get<double>(), 300.0);
    EXPECT_GE(benchmark.at("matched").get<double>(), 0.95 * 300);
    EXPECT_GT(benchmark.at("min_us").get<double>(), 0.0);
    EXPECT_GE(benchmark.at("p99_us").get<double>(), benchmark.at("p50_us").get<double>());
    EXPECT_GT(benchmark.at("achieved_pps").get<double>(), 0.0);
    EXPECT_EQ(benchmark.at("time_unit"), "us");
  }
  for (const std::string scenario : {"SynFlood", "UdpStream", "IcmpEcho", "UdpBurst"}) {
    const auto* bridge = find_case(benchmarks, scenario + "/lab-bridge/");
    const auto* userspace = find_case(benchmarks, scenario + "/lab-userspace/");
    ASSERT_TRUE(bridge && userspace) << run.out;
    EXPECT_LT(bridge->at("p50_us").get<double>(), userspace->at("p50_us").get<double>()) << scenario;
  }
}

TEST_F(RunTest, ParallelHypervisorsMeasureEveryCaseOnce) {
  TestLab lab("wv71", {"--datapath", "bridge", "--hypervisors", "3"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string scenarios =
      "scenarios:\n  - name: Udp\n    protocol: udp\n    axes:\n      size: [64, 256]\n"
      "      rate: [2000]\n      count: [200]\n";
  const ProcessOutput run = run_weaver({"run", "--lab", "wv71", "--parallel-hypervisors", "--scenarios",
                                        write_file(dir, "scenarios.yaml", scenarios),
                                        "--benchmark_repetitions=2", "--benchmark_format=json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // 3 configurations x 2 sizes x 2 repetitions, plus the aggregates.
  int iterations = 0;
  for (const auto& benchmark : benchmarks_of(run)) {
    if (benchmark.at("run_type") != "iteration") continue;
    ++iterations;
    SCOPED_TRACE(benchmark.dump());
    EXPECT_EQ(benchmark.at("matched").get<double>(), 200.0);
    EXPECT_EQ(benchmark.at("sent").get<double>(), 200.0);
  }
  EXPECT_EQ(iterations, 12) << run.out;
}

TEST_F(RunTest, The2013CommandLinePrintsItsLinesAndResult) {
  TestLab lab("wv72", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  const auto& ssh = lab.state().at("ssh");
  const ProcessOutput run = run_weaver(
      {"measure", "-n", lab.hypervisor().at("guest").at("instance"), "--hv",
       lab.hypervisor().at("management_address"), "-s", lab.source().at("management_address"),
       "--source-address", lab.source().at("data_address"), "-i", "eth0", "--num", "0", "-d",
       lab.hypervisor().at("guest").at("address"), "-k", ssh.at("client_key"), "--known-hosts",
       ssh.at("known_hosts"), "--adapter", "lab", "-c", "300", "--rate", "2000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Spawning packet captures...\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Captures finished, waiting for files to flush.\nTransferring files...\n"),
            std::string::npos)
      << run.out;
  const std::regex result(R"(\{'average': [0-9.e+-]+, 'minimum': [0-9.e+-]+, 'maximum': [0-9.e+-]+, 'stdev': [0-9.e+-]+\})");
  EXPECT_TRUE(std::regex_search(run.out, result)) << run.out;
  EXPECT_NE(run.out.find("'matched': 300,"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("'vif': 'vif1.0'"), std::string::npos) << run.out;
}

TEST(RunConfigError, NamesTheFileLineAndField) {
  TempDir dir;
  const std::string path = write_file(dir, "lab.yaml",
                                      "sources:\n  - name: src\n    host: 198.18.0.1\n"
                                      "hypervisors:\n  - name: hv\n    host: 198.18.0.2\n"
                                      "    adapter: xenserver\n    vms:\n      - name: vm1\n"
                                      "        address: 198.18.1.1\n");
  const ProcessOutput run = run_weaver({"run", "--config", path});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("line "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("hypervisors[0].pif"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST_F(RunTest, AnUnreachableHypervisorFailsItsCasesAndTheOthersRun) {
  TestLab lab("wv73", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  // An address of the lab's management subnet that nobody has.
  const std::string ghost =
      "  - name: ghost\n    host: 198.19.73.250\n    adapter: lab\n    pif: eth0\n    vms:\n"
      "      - name: nobody\n        address: 198.18.173.99\n";
  const std::string scenarios =
      "scenarios:\n  - name: Udp\n    protocol: udp\n    axes:\n      size: [64]\n"
      "      rate: [2000]\n      count: [200]\n";
  const ProcessOutput run =
      run_weaver({"run", "--config", write_file(dir, "lab.yaml", lab_file(lab, ghost)), "--scenarios",
                  write_file(dir, "scenarios.yaml", scenarios), "--benchmark_format=json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const nlohmann::json benchmarks = benchmarks_of(run);
  const auto* reachable = find_case(benchmarks, "Udp/lab/");
  const auto* unreachable = find_case(benchmarks, "Udp/ghost/");
  ASSERT_TRUE(reachable && unreachable) << run.out;
  EXPECT_FALSE(reachable->value("error_occurred", false)) << reachable->dump();
  EXPECT_GE(reachable->at("matched").get<double>(), 190.0);
  EXPECT_TRUE(unreachable->value("error_occurred", false));
  EXPECT_NE(unreachable->value("error_message", "").find("198.19.73.250"), std::string::npos)
      << unreachable->dump();
}

TEST_F(RunTest, InterruptingARunLeavesNothingOnTheHosts) {
  TestLab lab("wv74", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string scenarios =
      "scenarios:\n  - name: Long\n    protocol: udp\n    axes:\n      size: [64]\n"
      "      rate: [1000]\n      count: [60000]\n";
  const std::string scenario_file = write_file(dir, "scenarios.yaml", scenarios);
  const std::string log = dir.path() + "/run.log";
  Child child;
  child.pid = ::fork();
  if (child.pid == 0) {
    std::freopen(log.c_str(), "w", stdout);
    std::freopen(log.c_str(), "a", stderr);
    ::execl(WEAVER_BINARY, WEAVER_BINARY, "run", "--lab", "wv74", "--scenarios", scenario_file.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Interrupt once the traffic runs; the captures show the hypervisor's
  // remote temp dir (tcpdump ... -w /tmp/weaver.XXXXXXXXXX/...).
  bool sending = false;
  std::string remote_dir;
  const std::regex capture_dir("-w\\0(/tmp/weaver\\.[A-Za-z0-9]+)/");
  for (int i = 0; i < 300 && !sending; ++i) {
    for (const std::string& cmdline : traffic_and_captures()) {
      std::smatch match;
      if (std::regex_search(cmdline, match, capture_dir)) remote_dir = match[1];
      if (is_traffic(cmdline.substr(0, cmdline.find('\0')))) sending = true;
    }
    if (!sending) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(child.pid, SIGINT);
  const int status = child.wait();
  std::ifstream in(log);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_TRUE(sending) << output;
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 130) << output;
  EXPECT_NE(output.find("interrupted by SIGINT"), std::string::npos) << output;
  EXPECT_TRUE(traffic_and_captures().empty());
  ASSERT_FALSE(remote_dir.empty());
  EXPECT_FALSE(std::filesystem::exists(remote_dir)) << remote_dir;
}

}  // namespace
}  // namespace weaver::lab::test

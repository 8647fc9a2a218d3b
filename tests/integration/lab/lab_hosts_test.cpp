// What a run does on its hosts and leaves behind there: a host's shell
// start-up runs per run, not per case (weaver-agent runs the commands), and
// neither Ctrl-C nor SIGKILL leaves an agent, capture, generator or folder.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

class HostsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  }
};

// With the agent, a host's shell start-up (its ~/.bashrc, which sshd's bash
// reads for every command) runs a few times per run, never per case: four
// repetitions of a case read it as often as one.
TEST_F(HostsTest, CasesRunNoShellCommandsOfTheirOwn) {
  TempDir dir;
  const std::string log = dir.path() + "/shell-starts.log";
  const std::string rc = write_file(dir, "bashrc", "echo started >> '" + log + "'\n");
  TestLab lab("wv77", {"--datapath", "bridge", "--shell-rc", rc});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  const std::string scenarios = write_file(
      dir, "scenarios.yaml",
      "scenarios:\n  - name: Short\n    protocol: udp\n    axes:\n      count: [50]\n      rate: [1000]\n");
  auto shell_starts = [&](const std::string& repetitions) {
    std::filesystem::remove(log);
    const ProcessOutput run = run_weaver({"run", "--lab", "wv77", "--scenarios", scenarios,
                                          "--benchmark_repetitions=" + repetitions,
                                          "--results-dir", dir.path() + "/results"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const std::string text = std::filesystem::exists(log) ? read_file(log) : "";
    return std::count(text.begin(), text.end(), '\n');
  };
  shell_starts("1");  // uploads what the hosts' caches lack: later runs find it there
  const auto once = shell_starts("1");
  const auto four_times = shell_starts("4");
  EXPECT_GT(once, 0) << "the lab's hosts did not read the --shell-rc file";
  EXPECT_EQ(four_times, once);
}

// The folders weaver's remote side makes in /tmp: each agent's, and the
// run's temp dir on hosts without one (lab hosts share this /tmp).
std::vector<std::string> remote_folders() {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/tmp")) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("weaver-agent.", 0) == 0 || name.rfind("weaver.", 0) == 0) found.push_back(entry.path());
  }
  return found;
}

// weaver's processes on the hosts: agents, captures, traffic.
std::vector<std::string> remote_processes() {
  std::vector<std::string> found = traffic_and_captures();
  for (const RunningProcess& process : running_processes()) {
    if (process.program().find("weaver-agent") != std::string::npos) found.push_back(process.cmdline);
  }
  return found;
}

// `weaver run` of a 60 s case in the background, once its traffic runs;
// with the remote folders that appeared for it.
struct LongRun {
  TempDir dir;
  Child child;
  std::string log = dir.path() + "/run.log";
  std::string results = dir.path() + "/results";
  std::vector<std::string> folders;
  bool sending = false;

  explicit LongRun(const std::string& lab) {
    const std::string scenarios =
        "scenarios:\n  - name: Long\n    protocol: udp\n    axes:\n      size: [64]\n"
        "      rate: [1000]\n      count: [60000]\n";
    const std::string scenario_file = write_file(dir, "scenarios.yaml", scenarios);
    const std::vector<std::string> before = remote_folders();
    child.pid = ::fork();
    if (child.pid == 0) {
      std::freopen(log.c_str(), "w", stdout);
      std::freopen(log.c_str(), "a", stderr);
      ::execl(WEAVER_BINARY, WEAVER_BINARY, "run", "--lab", lab.c_str(), "--scenarios",
              scenario_file.c_str(), "--results-dir", results.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 300 && !sending; ++i) {
      for (const std::string& cmdline : traffic_and_captures()) {
        if (is_traffic(cmdline.substr(0, cmdline.find('\0')))) sending = true;
      }
      if (!sending) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    for (const std::string& folder : remote_folders()) {
      if (std::find(before.begin(), before.end(), folder) == before.end()) folders.push_back(folder);
    }
  }
  std::string output() const { return read_file(log); }
};

TEST_F(HostsTest, InterruptingARunLeavesNothingOnTheHosts) {
  TestLab lab("wv74", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  LongRun run("wv74");
  ::kill(run.child.pid, SIGINT);
  const int status = run.child.wait();
  const std::string output = run.output();
  ASSERT_TRUE(run.sending) << output;
  ASSERT_TRUE(WIFEXITED(status)) << output;
  EXPECT_EQ(WEXITSTATUS(status), 130) << output;
  EXPECT_NE(output.find("interrupted by SIGINT"), std::string::npos) << output;
  EXPECT_TRUE(remote_processes().empty());
  ASSERT_FALSE(run.folders.empty()) << "no agent folder seen while the traffic ran";
  for (const std::string& folder : run.folders) EXPECT_FALSE(std::filesystem::exists(folder)) << folder;
  // The results folder is whole, and says the interrupted case failed.
  const std::filesystem::path folder = only_results_folder(run.results);
  ASSERT_FALSE(folder.empty()) << output;
  const auto weaver = nlohmann::json::parse(read_file(folder / "weaver.json"));
  EXPECT_TRUE(weaver.at("benchmarks").at(0).value("error_occurred", false)) << weaver.dump();
  EXPECT_NE(read_file(folder / "junit.xml").find("failures=\"1\""), std::string::npos);
}

// SIGKILL gives weaver no chance to clean up: its SSH connections close, each
// agent's stdin with them, and the agents stop what they started.
TEST_F(HostsTest, KillingWeaverLeavesNothingOnTheHostsWithinFiveSeconds) {
  TestLab lab("wv75", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  LongRun run("wv75");
  ASSERT_TRUE(run.sending) << run.output();
  ASSERT_FALSE(remote_processes().empty());
  ASSERT_FALSE(run.folders.empty()) << "no agent folder seen while the traffic ran";
  ::kill(run.child.pid, SIGKILL);
  run.child.wait();
  const auto killed = std::chrono::steady_clock::now();
  auto left = [&] {
    std::vector<std::string> found = remote_processes();
    for (const std::string& folder : run.folders) {
      if (std::filesystem::exists(folder)) found.push_back(folder);
    }
    return found;
  };
  while (!left().empty() && std::chrono::steady_clock::now() - killed < std::chrono::seconds(5)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const std::vector<std::string> remaining = left();
  EXPECT_TRUE(remaining.empty()) << remaining.size() << " left 5 s after SIGKILL, first: "
                                 << (remaining.empty() ? "" : remaining.front());
}

}  // namespace
}  // namespace weaver::lab::test

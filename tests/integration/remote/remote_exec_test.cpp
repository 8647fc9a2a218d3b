// Commands over a real sshd: output, exit codes, concurrency, readiness,
// signals, `timeout` bounds and the run's temp dir.
#include <iostream>
#include <filesystem>
#include <vector>

#include "remote_test_support.hpp"

namespace weaver::testing {
namespace {

using remote::Command;
using remote::ExitStatus;

TEST_F(SshdTest, ExecGivesStdoutStderrAndExitCode) {
  auto ssh = connect();
  auto output = run_io(io_, ssh->capture({"sh", "-c", "echo out; echo err >&2; exit 3"}, 10s));
  EXPECT_EQ(output.out, "out\n");
  EXPECT_EQ(output.err, "err\n");
  ASSERT_TRUE(output.status.code);
  EXPECT_EQ(*output.status.code, 3);
  EXPECT_EQ(ssh->where(), "root@127.0.0.1:" + std::to_string(sshd_.port()));
}

TEST_F(SshdTest, ArgvReachesTheCommandVerbatim) {
  auto ssh = connect();
  std::vector<std::string> words = {"it's", "a b", "$HOME", "`id`", "\"q\"", "", "x;y"};
  std::vector<std::string> argv = {"printf", "[%s]\\n"};
  argv.insert(argv.end(), words.begin(), words.end());
  auto output = run_io(io_, ssh->capture(argv, 10s));
  std::string expected;
  for (const auto& word : words) expected += "[" + word + "]\n";
  EXPECT_EQ(output.out, expected);
}

TEST_F(SshdTest, TenMegabytesOfOutputArriveWithoutLoss) {
  auto ssh = connect();
  const std::string line(99, 'x');
  const int lines = 104858;  // 100 bytes each: 10 MB
  std::uint64_t bytes = 0;
  int count = 0;
  bool all_equal = true;
  Command command{{"sh", "-c", "yes \"$1\" | head -n \"$2\"", "sh", line, std::to_string(lines)},
                  [&](std::string_view got) {
                    ++count;
                    bytes += got.size() + 1;
                    all_equal = all_equal && got == line;
                  },
                  {}, std::nullopt};
  ExitStatus status = run_io(io_, ssh->run(std::move(command), 30s));
  EXPECT_TRUE(status.success());
  EXPECT_EQ(count, lines);
  EXPECT_EQ(bytes, 100ull * lines);
  EXPECT_TRUE(all_equal);
}

// 8 sessions, 4 channels each, every command sleeping 1 s: in parallel the
// commands take about 1 s plus start-up, one after another 32 s.
TEST_F(SshdTest, ThirtyTwoCommandsOverEightSessionsRunInParallel) {
  std::vector<std::future<std::unique_ptr<remote::SshExecutor>>> connecting;
  for (int i = 0; i < 8; ++i) {
    connecting.push_back(asio::co_spawn(
        io_, remote::SshExecutor::connect(io_, sshd_.options(), 10s), asio::use_future));
  }
  std::vector<std::unique_ptr<remote::SshExecutor>> sessions;
  for (auto& future : connecting) {
    drive(io_, future);
    sessions.push_back(future.get());
  }
  std::vector<std::future<ExitStatus>> commands;
  double took = seconds_taken([&] {
    for (int i = 0; i < 32; ++i) {
      Command command{{"sleep", "1"}, {}, {}, std::nullopt};
      commands.push_back(
          asio::co_spawn(io_, sessions[i % 8]->run(std::move(command), 20s), asio::use_future));
    }
    for (auto& command : commands) {
      drive(io_, command);
      EXPECT_TRUE(command.get().success());
    }
  });
  // One after another would take 32 s. sshd starting 32 shells is CPU work:
  // on two loaded cores (ctest -j2, sanitizers) this took 5.5-12 s, so the
  // bound only proves the commands overlap.
  EXPECT_LT(took, 16.0) << "32 commands of 1 s took " << took << " s: not parallel";
  std::cout << "32 commands of 1 s over 8 sessions: " << took << " s\n";
}

TEST_F(SshdTest, WaitsForReadinessLineThenSignalsTerm) {
  auto ssh = connect();
  Command command{{"sh", "-c", "sleep 0.3; echo 'listening on eth0, link-type EN10MB'; exec sleep 30"},
                  {}, {}, std::chrono::seconds(60)};
  auto process = run_io(io_, ssh->start(std::move(command), 10s));
  std::string line = run_io(io_, process->wait_for_line("^listening on", 5s));
  EXPECT_EQ(line, "listening on eth0, link-type EN10MB");
  double took = seconds_taken([&] { run_io(io_, process->signal("TERM", 5s)); });
  ExitStatus status = run_io(io_, process->wait(5s));
  EXPECT_FALSE(status.code);
  EXPECT_EQ(status.signal, "TERM");
  EXPECT_LT(took, 2.0);
  run_io(io_, ssh->close(10s));
}

TEST_F(SshdTest, SignalThatDoesNotEndTheProcessGoesThroughThePidFile) {
  auto ssh = connect();
  Command command{{"sh", "-c", "trap 'echo got-usr1; kill $!; exit 7' USR1; echo ready; sleep 30 & wait"},
                  {}, {}, std::chrono::seconds(60)};
  auto process = run_io(io_, ssh->start(std::move(command), 10s));
  run_io(io_, process->wait_for_line("ready", 5s));
  run_io(io_, process->signal("USR1", 5s));
  EXPECT_EQ(run_io(io_, process->wait_for_line("got-usr1", 5s)), "got-usr1");
  ExitStatus status = run_io(io_, process->wait(5s));
  ASSERT_TRUE(status.code);
  EXPECT_EQ(*status.code, 7);
  run_io(io_, ssh->close(10s));
}

TEST_F(SshdTest, TimeLimitStopsARemoteProcessOnItsOwn) {
  auto ssh = connect();
  auto process = run_io(io_, ssh->start({{"sleep", "30"}, {}, {}, std::chrono::seconds(1)}, 10s));
  ExitStatus status = run_io(io_, process->wait(5s));
  ASSERT_TRUE(status.code);
  EXPECT_EQ(*status.code, 124);  // timeout's "timed out"
  run_io(io_, ssh->close(10s));
}

TEST_F(SshdTest, TempDirIsRemovedByCloseAndAfterAFailure) {
  std::string closed_dir;
  std::string abandoned_dir;
  {
    auto ssh = connect();
    closed_dir = run_io(io_, ssh->temp_dir(10s));
    EXPECT_TRUE(std::filesystem::is_directory(closed_dir));  // the "remote" is this machine
    EXPECT_EQ(run_io(io_, ssh->temp_dir(10s)), closed_dir);  // one per run
    run_io(io_, ssh->close(10s));
    EXPECT_FALSE(std::filesystem::exists(closed_dir));
  }
  {
    auto ssh = connect();
    abandoned_dir = run_io(io_, ssh->temp_dir(10s));
    EXPECT_TRUE(std::filesystem::is_directory(abandoned_dir));
    // No close(): as when an exception unwinds the orchestrator.
  }
  EXPECT_FALSE(std::filesystem::exists(abandoned_dir));
}

TEST_F(SshdTest, ClientKeyTypesEd25519EcdsaRsaAuthenticate) {
  for (const char* type : {"ecdsa", "rsa"}) {
    auto options = sshd_.options();
    options.key_file = sshd_.make_client_key(type, true);
    auto ssh = connect(options);
    auto output = run_io(io_, ssh->capture({"echo", type}, 10s));
    EXPECT_EQ(output.out, std::string(type) + "\n");
  }
}

}  // namespace
}  // namespace weaver::testing

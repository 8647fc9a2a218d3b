// weaver-agent over a real sshd: commands through AgentExecutor behave as
// over SSH exec (output, exit codes, time limits, signals); a capture on
// loopback is analysed in place; bad requests get a reason; and the agent
// ends, its commands and folder with it, when its channel closes or the
// link drops.
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <thread>

#include "remote_test_support.hpp"
#include "weaver/agent/agent_protocol.hpp"
#include "weaver/remote/agent_executor.hpp"
#include "weaver/remote/agent_session.hpp"

namespace weaver::testing {
namespace {

using remote::RemoteErrc;
using nlohmann::json;

bool process_alive(pid_t pid) { return ::kill(pid, 0) == 0; }

template <typename Condition>
bool within(std::chrono::milliseconds limit, Condition condition) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

class AgentSessionTest : public SshdTest {
 protected:
  void SetUp() override {
    ssh_ = connect();
    agent_ = run_io(io_, remote::AgentSession::start(*ssh_, WEAVER_AGENT_BINARY, 60s, 60s, 10s));
    through_agent_ = std::make_unique<remote::AgentExecutor>(*ssh_, agent_);
  }
  void TearDown() override {
    through_agent_.reset();
    if (agent_ && agent_->alive()) run_io(io_, agent_->close(10s));
  }
  json request(json message) { return run_io(io_, agent_->request(std::move(message), 10s)); }

  std::unique_ptr<remote::SshExecutor> ssh_;
  std::shared_ptr<remote::AgentSession> agent_;
  std::unique_ptr<remote::AgentExecutor> through_agent_;
};

TEST_F(AgentSessionTest, RunsCommandsWithTheirOutputAndExitStatus) {
  const auto output = run_io(
      io_, through_agent_->capture({"sh", "-c", "echo one; echo two; echo oops >&2; exit 3"}, 10s));
  EXPECT_EQ(output.out, "one\ntwo\n");
  EXPECT_EQ(output.err, "oops\n");
  EXPECT_EQ(output.status.code, 3);
  try {
    run_io(io_, through_agent_->capture({"no-such-command-weaver"}, 10s));
    ADD_FAILURE() << "a missing command ran";
  } catch (const remote::RemoteError& error) {
    EXPECT_EQ(error.code(), RemoteErrc::command_not_found) << error.what();
  }
}

TEST_F(AgentSessionTest, EndsACommandAtItsTimeLimitAndOnASignal) {
  remote::Command limited{{"sleep", "30"}, {}, {}, std::chrono::seconds(1)};
  const auto started = std::chrono::steady_clock::now();
  auto process = run_io(io_, through_agent_->start(std::move(limited), 10s));
  const remote::ExitStatus status = run_io(io_, process->wait(10s));
  EXPECT_EQ(status.signal, "TERM");
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);

  remote::Command long_one{{"sleep", "30"}, {}, {}, std::chrono::seconds(60)};
  auto second = run_io(io_, through_agent_->start(std::move(long_one), 10s));
  run_io(io_, second->signal("INT", 10s));
  EXPECT_EQ(run_io(io_, second->wait(10s)).signal, "INT");
}

TEST_F(AgentSessionTest, CapturesBothSidesAndAnalysesThemInPlace) {
  const int port = 40000 + static_cast<int>(::getpid() % 20000);
  json reply = request({{"op", "capture"},
                        {"interfaces", {"lo", "lo"}},
                        {"filter", "udp and dst port " + std::to_string(port)},
                        {"timeout_ms", 10}});
  const auto capture = reply.at("capture").get<std::uint64_t>();
  const int sender = ::socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  constexpr int kPackets = 300;
  for (int i = 0; i < kPackets; ++i) {
    const std::string payload = "packet " + std::to_string(i);
    ::sendto(sender, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
  }
  ::close(sender);
  // No drain before finish: the agent itself waits for the last partial block.
  reply = request({{"op", "finish"}, {"capture", capture}, {"analyze", {{"first", 0}, {"key", "hash"}}}});
  const auto result = agent::latency_result_from_json(reply.at("result"));
  EXPECT_EQ(result.matched, static_cast<std::uint64_t>(kPackets));
  EXPECT_EQ(result.pif_only, 0u);
  const auto pif = agent::capture_side_from_json(reply.at("sides").at(0));
  EXPECT_EQ(pif.written, static_cast<std::uint64_t>(kPackets));
  EXPECT_EQ(pif.dropped, 0u);
  EXPECT_EQ(pif.precision, "nano");
  EXPECT_FALSE(std::filesystem::exists(pif.file)) << "not kept: removed once analysed";
}

// An analysis that fails (nothing captured) still removes the capture's files.
TEST_F(AgentSessionTest, AFailedAnalysisLeavesNoFiles) {
  json reply = request({{"op", "capture"}, {"interfaces", {"lo", "lo"}}, {"filter", "udp and dst port 1"}});
  const auto capture = reply.at("capture").get<std::uint64_t>();
  const std::string file = reply.at("sides").at(0).at("file");
  ASSERT_TRUE(std::filesystem::exists(file));
  EXPECT_THROW(request({{"op", "finish"}, {"capture", capture}, {"analyze", {{"first", 0}}}}), remote::RemoteError);
  EXPECT_FALSE(std::filesystem::exists(file)) << file;
}

TEST_F(AgentSessionTest, RefusesBadRequestsWithTheReason) {
  try {
    request({{"op", "capture"}, {"interfaces", {"nosuch0", "lo"}}});
    ADD_FAILURE() << "captured on a missing interface";
  } catch (const remote::RemoteError& error) {
    EXPECT_EQ(error.code(), RemoteErrc::agent_refused);
    EXPECT_NE(std::string(error.what()).find("capture on nosuch0"), std::string::npos) << error.what();
  }
  try {
    request({{"op", "spawn"}, {"argv", {"true"}}, {"time_limit_s", 0}});
    ADD_FAILURE() << "spawned without a time limit";
  } catch (const remote::RemoteError& error) {
    EXPECT_NE(std::string(error.what()).find("time_limit_s"), std::string::npos) << error.what();
  }
  try {
    request({{"op", "format-disk"}});
    ADD_FAILURE() << "an unknown operation was accepted";
  } catch (const remote::RemoteError& error) {
    EXPECT_NE(std::string(error.what()).find("unknown operation"), std::string::npos) << error.what();
  }
  EXPECT_TRUE(agent_->alive());
}

TEST_F(AgentSessionTest, EndsWithItsCommandsAndFolderWhenTheLinkDrops) {
  const std::string folder = agent_->folder();
  ASSERT_TRUE(std::filesystem::is_directory(folder)) << folder;
  request({{"op", "capture"}, {"interfaces", {"lo", "lo"}}, {"filter", "udp port 9"}});
  std::string pid_line;
  remote::Command sleeper{{"sh", "-c", "echo $$; exec sleep 60"}, {}, {}, std::chrono::seconds(120)};
  sleeper.on_stdout = [&pid_line](std::string_view line) { pid_line = line; };
  auto process = run_io(io_, through_agent_->start(std::move(sleeper), 10s));
  run_io(io_, process->wait_for_line("^[0-9]+$", 10s));
  const pid_t sleeper_pid = std::stoi(pid_line);
  ASSERT_TRUE(process_alive(sleeper_pid));
  sshd_.crash();  // the session's sshd dies: the agent's stdin closes
  EXPECT_TRUE(within(5000ms, [&] { return !process_alive(sleeper_pid); })) << "the command outlived the agent";
  EXPECT_TRUE(within(5000ms, [&] { return !std::filesystem::exists(folder); })) << folder << " is left";
  process.reset();
  agent_.reset();
}

TEST_F(AgentSessionTest, CloseEndsTheAgentAndRemovesItsFolder) {
  const std::string folder = agent_->folder();
  request({{"op", "capture"}, {"interfaces", {"lo"}}});
  run_io(io_, agent_->close(10s));
  EXPECT_FALSE(agent_->alive());
  EXPECT_FALSE(std::filesystem::exists(folder));
}

}  // namespace
}  // namespace weaver::testing

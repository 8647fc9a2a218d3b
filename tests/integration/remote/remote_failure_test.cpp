// Every failure the issue lists ends in a RemoteError naming the host and the
// operation, within its deadline, never a hang.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

#include "remote_test_support.hpp"

namespace weaver::testing {
namespace {

using remote::Command;
using remote::RemoteErrc;
using remote::RemoteError;

std::string where_of(const remote::SshOptions& options) { return options.where(); }

TEST_F(SshdTest, ConnectionRefusedNamesHostAndConnect) {
  auto options = sshd_.options();
  options.port = free_port();
  expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s), RemoteErrc::connect_failed,
                      where_of(options), {"connect"});
}

TEST_F(SshdTest, SilentHostRunsIntoTheConnectDeadline) {
  // A listener that never answers stands in for an unreachable host.
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 4), 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length);
  auto options = sshd_.options();
  options.port = ntohs(address.sin_port);
  double took = expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 1s),
                                    RemoteErrc::deadline_exceeded, where_of(options),
                                    {"connect", "deadline of 1 s exceeded"});
  ::close(listener);
  EXPECT_LT(took, 2.0);
}

TEST_F(SshdTest, UnauthorizedKeyIsRejected) {
  auto options = sshd_.options();
  options.key_file = sshd_.make_client_key("ed25519", false);
  expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s), RemoteErrc::auth_rejected,
                      where_of(options), {"authenticate", "rejected"});
}

TEST_F(SshdTest, UnknownHostKeyIsRefusedWithItsFingerprint) {
  auto options = sshd_.options();
  options.known_hosts = sshd_.dir() / "empty_known_hosts";
  expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s),
                      RemoteErrc::host_key_unknown, where_of(options),
                      {"verify host key", "127.0.0.1", "ssh-ed25519", "SHA256:",
                       "--accept-new-host-keys"});
}

TEST_F(SshdTest, AcceptNewAddsAnUnknownKeyThenVerifiesIt) {
  auto options = sshd_.options();
  options.known_hosts = sshd_.dir() / "learned_known_hosts";
  options.accept_new_host_keys = true;
  connect(options);
  std::ifstream learned(options.known_hosts);
  std::string content((std::istreambuf_iterator<char>(learned)), {});
  EXPECT_NE(content.find("ssh-ed25519"), std::string::npos) << content;
  options.accept_new_host_keys = false;
  auto again = connect(options);  // now known
  EXPECT_TRUE(run_io(io_, again->capture({"true"}, 10s)).status.success());
}

TEST_F(SshdTest, ChangedHostKeyIsRefusedEvenWithAcceptNew) {
  auto options = sshd_.options();
  run_or_throw("ssh-keygen -q -t ed25519 -N '' -f " + (sshd_.dir() / "impostor").string());
  std::ifstream impostor_file(sshd_.dir() / "impostor.pub");
  std::string type, blob;
  impostor_file >> type >> blob;
  options.known_hosts = sshd_.dir() / "changed_known_hosts";
  std::ofstream(options.known_hosts) << "[127.0.0.1]:" << sshd_.port() << " " << type << " " << blob
                                     << "\n";
  options.accept_new_host_keys = true;
  expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s),
                      RemoteErrc::host_key_changed, where_of(options),
                      {"verify host key", "ssh-ed25519", "SHA256:", "differs"});
}

TEST_F(SshdTest, MissingCommandIsExit127Error) {
  auto ssh = connect();
  expect_remote_error(io_, ssh->run({{"weaver-no-such-command"}, {}, {}, std::nullopt}, 10s),
                      RemoteErrc::command_not_found, ssh->where(),
                      {"exec 'weaver-no-such-command'", "127"});
}

TEST_F(SshdTest, KilledRemoteProcessIsAnError) {
  auto ssh = connect();
  expect_remote_error(io_, ssh->run({{"sh", "-c", "kill -KILL $$"}, {}, {}, std::nullopt}, 10s),
                      RemoteErrc::process_killed, ssh->where(), {"exec 'sh'", "KILL"});
}

TEST_F(SshdTest, CommandDeadlineIsEnforced) {
  auto ssh = connect();
  // The run's temp dir (for pid files) is made by the first command; make it
  // first, so the 500 ms below are the command's own.
  run_io(io_, ssh->temp_dir(10s));
  double took = expect_remote_error(io_, ssh->run({{"sleep", "20"}, {}, {}, std::nullopt}, 500ms),
                                    RemoteErrc::deadline_exceeded, ssh->where(),
                                    {"exec 'sleep' '20'", "deadline of 500 ms exceeded"});
  EXPECT_LT(took, 4.0);
}

TEST_F(SshdTest, ReadinessWaitFailsWhenTheProcessEndsFirstOrTimesOut) {
  auto ssh = connect();
  auto quick = run_io(io_, ssh->start({{"echo", "something else"}, {}, {}, std::nullopt}, 10s));
  expect_remote_error(io_, quick->wait_for_line("^listening", 5s), RemoteErrc::exited_before_match,
                      ssh->where(), {"exec 'echo'"});
  auto slow = run_io(io_, ssh->start({{"sleep", "3"}, {}, {}, std::chrono::seconds(10)}, 10s));
  double took = expect_remote_error(io_, slow->wait_for_line("^listening", 300ms),
                                    RemoteErrc::deadline_exceeded, ssh->where(),
                                    {"exec 'sleep' '3'", "/^listening/", "300 ms"});
  EXPECT_LT(took, 1.5);
  run_io(io_, slow->signal("KILL", 5s));
  run_io(io_, ssh->close(10s));
}

TEST_F(SshdTest, SshdKilledMidCommandIsConnectionLost) {
  auto ssh = connect();
  std::string temp_dir = run_io(io_, ssh->temp_dir(10s));
  auto process = run_io(io_, ssh->start({{"sleep", "30"}, {}, {}, std::chrono::seconds(3)}, 10s));
  sshd_.crash();  // SIGKILL to the listener and every connection handler
  double took = expect_remote_error(io_, process->wait(10s), RemoteErrc::connection_lost,
                                    ssh->where(), {"exec 'sleep' '30'", "connection lost"});
  EXPECT_LT(took, 3.0);
  expect_remote_error(io_, ssh->start({{"true"}, {}, {}, std::nullopt}, 2s),
                      RemoteErrc::connection_lost, ssh->where(), {"exec 'true'"});
  // Nobody can remove the temp dir over a dead link; this "remote" is local.
  ssh.reset();
  std::filesystem::remove_all(temp_dir);
}

TEST_F(SshdTest, DownloadOfAMissingFileNamesIt) {
  auto ssh = connect();
  TestDir local;
  expect_remote_error(io_, ssh->download("/nonexistent/weaver-file", local.path() / "x", {}, 10s),
                      RemoteErrc::transfer_failed, ssh->where(),
                      {"download /nonexistent/weaver-file", "no such remote file"});
  EXPECT_FALSE(std::filesystem::exists(local.path() / "x"));
}

}  // namespace
}  // namespace weaver::testing

namespace weaver::testing {
namespace {

// What a hostile or broken host prints is bounded: a line without end, and a
// command's whole output, each end the command with an error naming the host.
TEST_F(SshdTest, AHostsEndlessLineOrFloodOfOutputIsAnError) {
  auto ssh = connect();
  const std::string where = ssh->where();
  expect_remote_error(io_, ssh->capture({"sh", "-c", "head -c 2000000 /dev/zero | tr '\\0' x"}, 30s),
                      remote::RemoteErrc::channel_failed, where, {"a line longer than 1 MiB"});
  expect_remote_error(io_, ssh->capture({"sh", "-c", "yes 0123456789012345678901234567890123456789 | head -c 20000000"}, 30s),
                      remote::RemoteErrc::channel_failed, where, {"printed more than 16 MiB"});
  // The session still works.
  EXPECT_EQ(run_io(io_, ssh->capture({"echo", "fine"}, 10s)).out, "fine\n");
  run_io(io_, ssh->close(10s));
}

}  // namespace
}  // namespace weaver::testing

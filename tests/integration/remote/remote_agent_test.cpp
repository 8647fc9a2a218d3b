// Authentication through a real ssh-agent: libssh finds it by SSH_AUTH_SOCK,
// with no key file, as a fallback after a rejected key file, for the SFTP
// sessions too; and an agent without the key ends in auth_rejected.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <thread>

#include "remote_test_support.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::testing {
namespace {

using remote::RemoteErrc;

bool unix_socket_accepts(const std::filesystem::path& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

// A real ssh-agent (`ssh-agent -D -a <dir>/agent.sock`) with no keys. The
// destructor stops it (TERM, then KILL) and removes its dir, also when the
// test failed; it dies with the test process even when that is killed.
class SshAgent {
 public:
  SshAgent() : socket_(dir_.path() / "agent.sock") {
    std::vector<std::string> argv = {"ssh-agent", "-D", "-a", socket_.string()};
    std::vector<char*> args;
    for (auto& word : argv) args.push_back(word.data());
    args.push_back(nullptr);
    std::string log_path = (dir_.path() / "agent.log").string();
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);
      int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      ::dup2(log, 1);  // -D prints the SSH_AUTH_SOCK=... lines, not needed here
      ::dup2(log, 2);
      ::execvp(args[0], args.data());
      ::_exit(127);
    }
    if (pid_ < 0) throw std::runtime_error("cannot start ssh-agent");
    for (int attempt = 0; attempt < 500 && !unix_socket_accepts(socket_); ++attempt) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("ssh-agent exited at start");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!unix_socket_accepts(socket_)) {
      stop();
      throw std::runtime_error("ssh-agent does not listen on " + socket_.string());
    }
  }
  ~SshAgent() { stop(); }
  SshAgent(const SshAgent&) = delete;
  SshAgent& operator=(const SshAgent&) = delete;

  const std::filesystem::path& socket() const { return socket_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  pid_t pid() const { return pid_; }

  // Loads the private key `key` into the agent.
  void add(const std::filesystem::path& key) const {
    run_or_throw("SSH_AUTH_SOCK=" + remote::shell_quote(socket_.string()) + " ssh-add -q " +
                 remote::shell_quote(key.string()) + " 2>/dev/null");
  }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  TestDir dir_;  // declared first, removed last: after the agent has stopped
  std::filesystem::path socket_;
  pid_t pid_ = -1;
};

// Points SSH_AUTH_SOCK, which libssh 0.10 reads when it first talks to the
// agent, at `socket` (unsets it for std::nullopt) for one scope, then puts
// back what was there. It must outlive the executors: their SFTP and clean-up
// sessions authenticate through the agent again.
class AuthSockEnv {
 public:
  explicit AuthSockEnv(const std::optional<std::filesystem::path>& socket) {
    if (const char* old = std::getenv("SSH_AUTH_SOCK")) old_ = old;
    if (socket) {
      ::setenv("SSH_AUTH_SOCK", socket->c_str(), 1);
    } else {
      ::unsetenv("SSH_AUTH_SOCK");
    }
  }
  ~AuthSockEnv() {
    if (old_) {
      ::setenv("SSH_AUTH_SOCK", old_->c_str(), 1);
    } else {
      ::unsetenv("SSH_AUTH_SOCK");
    }
  }
  AuthSockEnv(const AuthSockEnv&) = delete;
  AuthSockEnv& operator=(const AuthSockEnv&) = delete;

 private:
  std::optional<std::string> old_;
};

remote::SshOptions agent_only(remote::SshOptions options) {
  options.key_file.reset();
  options.use_agent = true;
  return options;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST_F(SshdTest, AgentHoldingTheClientKeyAuthenticatesWithoutAKeyFile) {
  SshAgent agent;
  agent.add(sshd_.client_key());
  AuthSockEnv env(agent.socket());
  auto ssh = connect(agent_only(sshd_.options()));
  auto output = run_io(io_, ssh->capture({"sh", "-c", "echo via-agent; id -un"}, 10s));
  EXPECT_EQ(output.out, "via-agent\nroot\n");
  EXPECT_TRUE(output.status.success());
  run_io(io_, ssh->close(10s));
}

TEST_F(SshdTest, RejectedKeyFileFallsBackToTheAgent) {
  SshAgent agent;
  agent.add(sshd_.client_key());
  AuthSockEnv env(agent.socket());
  auto options = sshd_.options();
  options.key_file = sshd_.make_client_key("ed25519", false);
  options.use_agent = true;
  auto ssh = connect(options);
  EXPECT_EQ(run_io(io_, ssh->capture({"echo", "fallback"}, 10s)).out, "fallback\n");
  run_io(io_, ssh->close(10s));
}

// Transfers and the temp dir's clean-up open blocking sessions of their own;
// those authenticate through the agent as well.
TEST_F(SshdTest, SftpAndCleanupSessionsAuthenticateThroughTheAgent) {
  SshAgent agent;
  agent.add(sshd_.client_key());
  AuthSockEnv env(agent.socket());
  TestDir local;
  const std::string content = "carried by an agent-authenticated session\n";
  std::ofstream(local.path() / "up.txt", std::ios::binary) << content;
  std::string temp_dir;
  {
    auto ssh = connect(agent_only(sshd_.options()));
    temp_dir = run_io(io_, ssh->temp_dir(10s));
    run_io(io_, ssh->upload(local.path() / "up.txt", temp_dir + "/up.txt", {}, 10s));
    run_io(io_, ssh->download(temp_dir + "/up.txt", local.path() / "down.txt", {}, 10s));
    EXPECT_EQ(read_file(local.path() / "down.txt"), content);
    // No close(): the destructor removes the temp dir over a new session.
  }
  EXPECT_FALSE(std::filesystem::exists(temp_dir));
}

TEST_F(SshdTest, AgentWithoutTheAuthorizedKeyIsAuthRejected) {
  SshAgent agent;
  AuthSockEnv env(agent.socket());
  const auto options = agent_only(sshd_.options());
  // No key at all.
  expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s), RemoteErrc::auth_rejected,
                      options.where(),
                      {"authenticate", "user root rejected", "(tried ssh-agent)"});
  // Only a key the server does not know.
  agent.add(sshd_.make_client_key("ecdsa", false));
  expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s), RemoteErrc::auth_rejected,
                      options.where(),
                      {"authenticate", "user root rejected", "(tried ssh-agent)"});
}

TEST_F(SshdTest, UseAgentWithoutSshAuthSockIsAuthRejected) {
  AuthSockEnv env(std::nullopt);
  const auto options = agent_only(sshd_.options());
  double took = expect_remote_error(io_, remote::SshExecutor::connect(io_, options, 5s),
                                    RemoteErrc::auth_rejected, options.where(),
                                    {"authenticate", "user root rejected", "(tried ssh-agent)"});
  EXPECT_LT(took, 5.0);
  // The message names both when a key file was tried first.
  auto with_key = options;
  with_key.key_file = sshd_.make_client_key("ed25519", false);
  expect_remote_error(io_, remote::SshExecutor::connect(io_, with_key, 5s),
                      RemoteErrc::auth_rejected, with_key.where(),
                      {"tried key " + with_key.key_file->string() + " and ssh-agent"});
}

TEST(SshAgentTest, AgentIsStoppedAndItsDirRemovedWhenItGoesAway) {
  pid_t pid = -1;
  std::filesystem::path dir;
  {
    SshAgent agent;
    pid = agent.pid();
    dir = agent.dir();
    EXPECT_TRUE(unix_socket_accepts(agent.socket()));
  }
  EXPECT_EQ(::kill(pid, 0), -1);
  EXPECT_EQ(errno, ESRCH);
  EXPECT_FALSE(std::filesystem::exists(dir));
}

}  // namespace
}  // namespace weaver::testing

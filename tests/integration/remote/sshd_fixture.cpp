#include "sshd_fixture.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "weaver/remote/shell_words.hpp"

namespace weaver::testing {
namespace {

bool port_accepts(std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return ok;
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// sshd's connection handlers call setsid(), so they leave its process group:
// find them by parent pid.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    std::getline(stat, line);
    auto close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    std::istringstream rest(line.substr(close_paren + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == parent) children.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return children;
}

}  // namespace

TestDir::TestDir() {
  // The test process's pid in the name: remote_leftovers.cpp finds its own.
  std::string pattern = "/tmp/weaver-remote-test-" + std::to_string(::getpid()) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TestDir::~TestDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void run_or_throw(const std::string& command_line) {
  if (std::system(command_line.c_str()) != 0) throw std::runtime_error("failed: " + command_line);
}

std::uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(address);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

SshdServer::SshdServer() {
  const auto& d = dir_.path();
  using remote::shell_quote;
  run_or_throw("ssh-keygen -q -t ed25519 -N '' -C weaver-test-host -f " +
               shell_quote((d / "host_ed25519").string()));
  make_client_key("ed25519", true);
  port_ = free_port();
  std::ofstream config(d / "sshd_config");
  config << "ListenAddress 127.0.0.1\nPort " << port_ << "\nHostKey " << (d / "host_ed25519").string()
         << "\nAuthorizedKeysFile " << (d / "authorized_keys").string() << "\nPidFile "
         << (d / "sshd.pid").string()
         << "\nUsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\n"
            "Subsystem sftp internal-sftp\nLogLevel ERROR\nMaxSessions 64\n"
            "MaxStartups 100:30:200\n";
  config.close();
  std::ofstream known(d / "known_hosts");
  std::string host_key = read_file(d / "host_ed25519.pub");
  known << "[127.0.0.1]:" << port_ << " " << host_key.substr(0, host_key.rfind(' ')) << "\n";
  known.close();
  std::filesystem::create_directories("/run/sshd");  // privilege separation dir

  std::string config_path = (d / "sshd_config").string();
  std::vector<std::string> argv = {"/usr/sbin/sshd", "-D", "-e", "-f", config_path};
  std::vector<char*> args;
  for (auto& word : argv) args.push_back(word.data());
  args.push_back(nullptr);
  std::string log_path = (d / "sshd.log").string();
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // Its own process group, so stop() reaches connection handlers too; dies
    // with the test process even when that is killed.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(1);
    int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("cannot start sshd");
  for (int attempt = 0; attempt < 500 && !port_accepts(port_); ++attempt) {
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("sshd exited at start");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!port_accepts(port_)) {
    stop();
    throw std::runtime_error("sshd does not listen on port " + std::to_string(port_));
  }
}

SshdServer::~SshdServer() { stop(); }

void SshdServer::crash() {
  if (pid_ <= 0) return;
  for (pid_t child : children_of(pid_)) ::kill(child, SIGKILL);
  ::killpg(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

void SshdServer::stop() {
  if (pid_ <= 0) return;
  for (pid_t child : children_of(pid_)) ::kill(child, SIGTERM);
  ::killpg(pid_, SIGTERM);
  for (int attempt = 0; attempt < 100; ++attempt) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      ::killpg(pid_, SIGKILL);  // connection handlers left in the group
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::killpg(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

std::filesystem::path SshdServer::make_client_key(const std::string& type, bool authorize) {
  auto key = dir_.path() / ("client_" + type + (authorize ? "" : "_stranger"));
  std::string bits = type == "rsa" ? " -b 2048" : "";
  run_or_throw("ssh-keygen -q -t " + type + bits + " -N '' -C weaver-test -f " +
               remote::shell_quote(key.string()));
  if (authorize) {
    std::ofstream(dir_.path() / "authorized_keys", std::ios::app)
        << read_file(key.string() + ".pub");
  }
  return key;
}

remote::SshOptions SshdServer::options() const {
  remote::SshOptions options;
  options.host = "127.0.0.1";
  options.port = port_;
  options.key_file = client_key();
  options.known_hosts = dir_.path() / "known_hosts";
  return options;
}

}  // namespace weaver::testing

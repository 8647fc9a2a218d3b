#include "netns_fixture.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace weaver::traffic::test {
namespace {

// Reads everything from `fd` until end of file, then closes it.
std::string drain(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return text;
}

// A close-on-exec pipe: {read end, write end}.
std::array<int, 2> make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe: " + std::string(std::strerror(errno)));
  }
  return fds;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

std::string joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

std::string sysctl_path(std::string key) {
  for (char& c : key) {
    if (c == '.') c = '/';
  }
  return "/proc/sys/" + key;
}

nlohmann::json link_json(const TestNetns& netns, const std::string& interface) {
  return nlohmann::json::parse(netns.ip({"-j", "link", "show", "dev", interface})).at(0);
}

}  // namespace

bool running_as_root() { return ::geteuid() == 0; }

CommandResult run_command(const std::vector<std::string>& argv) {
  const std::array<int, 2> fds = make_pipe();
  std::vector<char*> c_argv;
  for (const std::string& arg : argv) c_argv.push_back(const_cast<char*>(arg.c_str()));
  c_argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::dup2(fds[1], 1);
    ::dup2(fds[1], 2);
    ::execvp(c_argv[0], c_argv.data());
    _exit(127);
  }
  ::close(fds[1]);
  CommandResult result;
  result.output = drain(fds[0]);
  result.exit_code = wait_for(pid);
  return result;
}

std::string run_checked(const std::vector<std::string>& argv) {
  CommandResult result = run_command(argv);
  if (result.exit_code != 0) {
    throw std::runtime_error(joined(argv) + " failed (exit " + std::to_string(result.exit_code) +
                             "): " + result.output);
  }
  return std::move(result.output);
}

TestNetns::TestNetns(const std::string& role)
    : name_("wvt" + std::to_string(::getpid()) + "-" + role) {
  run_command({"ip", "netns", "delete", name_});  // a leftover of a crashed run with our pid
  run_checked({"ip", "netns", "add", name_});
  ip({"link", "set", "lo", "up"});
}

TestNetns::~TestNetns() { run_command({"ip", "netns", "delete", name_}); }

std::string TestNetns::ip(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = {"ip", "-n", name_};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_checked(argv);
}

void TestNetns::set_sysctl(const std::string& key, const std::string& value) const {
  const ChildOutcome outcome = run_in_netns(name_, [&] {
    std::ofstream file(sysctl_path(key));
    file << value << '\n';
    file.close();
    if (!file) throw std::runtime_error("cannot write " + sysctl_path(key));
    return std::string();
  });
  if (!outcome.ok) throw std::runtime_error(name_ + ": " + outcome.text);
}

std::string TestNetns::mac_of(const std::string& interface) const {
  return link_json(*this, interface).at("address").get<std::string>();
}

int TestNetns::index_of(const std::string& interface) const {
  return link_json(*this, interface).at("ifindex").get<int>();
}

std::string TestNetns::link_local_address_of(const std::string& interface) const {
  const nlohmann::json addresses =
      nlohmann::json::parse(ip({"-j", "-6", "address", "show", "dev", interface, "scope", "link"}));
  // ip lists the addresses the filter left out as empty objects.
  for (const nlohmann::json& address : addresses.at(0).at("addr_info")) {
    if (address.contains("local")) return address.at("local").get<std::string>();
  }
  throw std::runtime_error(name_ + ": " + interface + " has no link-local address");
}

ChildOutcome run_in_netns(const std::string& netns, const std::function<std::string()>& body) {
  const std::array<int, 2> fds = make_pipe();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::close(fds[0]);
    std::string text;
    int exit_code = 0;
    try {
      const std::string path = "/run/netns/" + netns;
      const int netns_fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      if (netns_fd < 0 || ::setns(netns_fd, CLONE_NEWNET) != 0) {
        throw std::runtime_error("entering " + path + ": " + std::strerror(errno));
      }
      ::close(netns_fd);
      text = body();
    } catch (const std::exception& error) {
      text = error.what();
      exit_code = 1;
    }
    for (std::size_t written = 0; written < text.size();) {
      const ssize_t n = ::write(fds[1], text.data() + written, text.size() - written);
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    _exit(exit_code);  // no atexit handlers, no gtest teardown in the child
  }
  ::close(fds[1]);
  ChildOutcome outcome;
  outcome.text = drain(fds[0]);
  const int exit_code = wait_for(pid);
  outcome.ok = exit_code == 0;
  if (exit_code > 1) outcome.text = "child died (exit " + std::to_string(exit_code) + ")";
  return outcome;
}

}  // namespace weaver::traffic::test

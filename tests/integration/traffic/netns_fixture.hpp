// Helpers of the traffic integration tests: network namespaces as RAII
// objects (named wvt<pid>-<role>, removed also when an assertion fails),
// `ip` commands run in them, and code under test run inside one of them in a
// forked child.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace weaver::traffic::test {

bool running_as_root();

struct CommandResult {
  int exit_code = 0;   // 128 + signal when killed by a signal
  std::string output;  // stdout and stderr together
};

// Runs argv[0] (searched in PATH) to completion.
CommandResult run_command(const std::vector<std::string>& argv);

// Like run_command; a non-zero exit throws std::runtime_error with the command and its output.
std::string run_checked(const std::vector<std::string>& argv);

// The namespace `wvt<pid>-<role>`, created with its loopback up (a leftover
// of the same name is removed first) and deleted, with every interface in
// it, on destruction.
class TestNetns {
 public:
  explicit TestNetns(const std::string& role);
  ~TestNetns();
  TestNetns(const TestNetns&) = delete;
  TestNetns& operator=(const TestNetns&) = delete;

  const std::string& name() const { return name_; }

  // `ip -n NAME ARGS...`; throws when ip fails.
  std::string ip(const std::vector<std::string>& args) const;
  // Writes /proc/sys/KEY (dots for slashes, as sysctl names it) inside the namespace.
  void set_sysctl(const std::string& key, const std::string& value) const;
  // From `ip -j link show`.
  std::string mac_of(const std::string& interface) const;
  int index_of(const std::string& interface) const;
  // The interface's IPv6 link-local address (fe80::...), from `ip -j address show`.
  std::string link_local_address_of(const std::string& interface) const;

 private:
  std::string name_;
};

// What code run by run_in_netns returned, or the message of what it threw.
struct ChildOutcome {
  bool ok = false;
  std::string text;
};

// Runs `body` in a forked child that has entered namespace `netns` (so the
// sockets it opens belong there) and hands back its outcome. The parent's
// namespace never changes.
ChildOutcome run_in_netns(const std::string& netns, const std::function<std::string()>& body);

}  // namespace weaver::traffic::test

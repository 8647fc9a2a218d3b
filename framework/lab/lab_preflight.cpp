// What `lab` needs before it touches anything: privileges, and the tools of
// the chosen datapaths, each reported in one line with its Debian package.
#include <fstream>
#include <string>

#include "process.hpp"
#include "weaver/lab/lab.hpp"
#include "weaver/lab/lab_error.hpp"
#include "lab_paths.hpp"

namespace weaver::lab {
namespace {

// Effective capability set from /proc: works for root and for a binary
// given file capabilities alike.
bool has_capability(int capability) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("CapEff:", 0) == 0) {
      const unsigned long long mask = std::stoull(line.substr(7), nullptr, 16);
      return (mask >> capability) & 1ULL;
    }
  }
  return false;
}

constexpr int cap_net_admin = 12;
constexpr int cap_sys_admin = 21;  // setns, and the mounts of `ip netns add`

}  // namespace

void check_lab_privileges() {
  if (!has_capability(cap_net_admin) || !has_capability(cap_sys_admin)) {
    throw LabError(
        "lab: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces; "
        "run as root");
  }
}

void check_lab_tools(const LabOptions& options) {
  struct Tool {
    const char* name;
    const char* package;
  };
  std::vector<Tool> tools = {{"ip", "iproute2"}, {"bridge", "iproute2"},
                             {"sshd", "openssh-server"}, {"ssh-keygen", "openssh-client"}};
  for (Datapath datapath : options.datapaths) {
    if (datapath == Datapath::tc_redirect) tools.push_back({"tc", "iproute2"});
  }
  for (const Tool& tool : tools) {
    if (find_tool(tool.name).empty()) {
      throw LabError(std::string("lab: '") + tool.name +
                     "' not found; install the Debian package " + tool.package);
    }
  }
  for (Datapath datapath : options.datapaths) {
    if (datapath == Datapath::userspace && forwarder_path().empty()) {
      throw LabError("lab: weaver-forwarder not found next to the weaver executable; build the "
                     "weaver-forwarder target");
    }
  }
}

}  // namespace weaver::lab

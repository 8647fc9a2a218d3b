// What `lab` needs before it touches anything: privileges, and the tools of
// the chosen datapaths (for kvm and libvirt also a guest kernel and a static
// busybox), each reported in one line with its Debian package.
#include <fstream>
#include <string>

#include "process.hpp"
#include "weaver/lab/lab.hpp"
#include "weaver/lab/lab_error.hpp"
#include "guest_image.hpp"
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

struct Tool {
  const char* name;
  const char* package;
};

std::vector<Tool> datapath_tools(Datapath datapath) {
  switch (datapath) {
    case Datapath::tc_redirect: return {{"tc", "iproute2"}};
    case Datapath::kvm: return {{"qemu-system-x86_64", "qemu-system-x86"}};
    case Datapath::libvirt:
      return {{"qemu-system-x86_64", "qemu-system-x86"},
              {"libvirtd", "libvirt-daemon-system"},
              {"virsh", "libvirt-clients"},
              {"unshare", "util-linux"},
              {"timeout", "coreutils"}};
    default: return {};
  }
}

// The first missing tool of `datapath` (or of the guests it boots), as a
// line naming its package; empty when all are there.
std::string missing_for(Datapath datapath) {
  for (const Tool& tool : datapath_tools(datapath)) {
    if (find_tool(tool.name).empty()) {
      return std::string("'") + tool.name + "' not found; install the Debian package " +
             tool.package;
    }
  }
  if (!runs_vm(datapath)) return {};
  try {
    find_guest_kernel();
    static_busybox_path();
  } catch (const LabError& error) {
    const std::string what = error.what();
    return what.rfind("lab: ", 0) == 0 ? what.substr(5) : what;
  }
  return {};
}

}  // namespace

void check_lab_privileges() {
  if (!has_capability(cap_net_admin) || !has_capability(cap_sys_admin)) {
    throw LabError(
        "lab: needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create network namespaces; "
        "run as root");
  }
}

void check_lab_tools(const LabOptions& options) {
  const std::vector<Tool> tools = {{"ip", "iproute2"}, {"bridge", "iproute2"},
                                   {"sshd", "openssh-server"}, {"ssh-keygen", "openssh-client"}};
  for (const Tool& tool : tools) {
    if (find_tool(tool.name).empty()) {
      throw LabError(std::string("lab: '") + tool.name +
                     "' not found; install the Debian package " + tool.package);
    }
  }
  for (Datapath datapath : options.datapaths) {
    if (const std::string missing = missing_for(datapath); !missing.empty()) {
      throw LabError("lab: --datapath " + to_string(datapath) + ": " + missing);
    }
  }
  for (Datapath datapath : options.datapaths) {
    if (datapath == Datapath::userspace && forwarder_path().empty()) {
      throw LabError("lab: weaver-forwarder not found next to the weaver executable; build the "
                     "weaver-forwarder target");
    }
  }
}

std::vector<Datapath> default_datapaths(std::string& note) {
  std::vector<Datapath> datapaths = {Datapath::bridge, Datapath::routed, Datapath::tc_redirect,
                                     Datapath::userspace};
  const std::string missing = missing_for(Datapath::libvirt);
  if (missing.empty()) {
    datapaths.push_back(Datapath::kvm);
    datapaths.push_back(Datapath::libvirt);
  } else {
    note = "lab: the kvm and libvirt datapaths are left out: " + missing;
  }
  return datapaths;
}

}  // namespace weaver::lab

#include "lab_libvirtd.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "process.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

std::string daemon_root(const LabPlan& plan, const HypervisorPlan& hypervisor) {
  return plan.state_dir + "/" + hypervisor.name + ".libvirt";
}

// Private folder -> the system path it stands in for.
const std::pair<const char*, const char*> private_dirs[] = {
    {"run", "/run/libvirt"},
    {"lib", "/var/lib/libvirt"},
    {"etc", "/etc/libvirt"},
    {"log", "/var/log/libvirt"},
};

// The lab runs QEMU as root with no confinement, cgroups or per-VM /dev:
// none of which a namespace lab without systemd can give, and none of which
// changes the datapath between PIF and tap.
constexpr const char* qemu_conf =
    "user = \"root\"\n"
    "group = \"root\"\n"
    "dynamic_ownership = 0\n"
    "remember_owner = 0\n"
    "security_driver = \"none\"\n"
    "namespaces = [ ]\n"
    "cgroup_controllers = [ ]\n"
    "stdio_handler = \"file\"\n";

constexpr const char* libvirtd_conf =
    "unix_sock_rw_perms = \"0700\"\n"
    "unix_sock_ro_perms = \"0700\"\n"
    "auth_unix_rw = \"none\"\n"
    "auth_unix_ro = \"none\"\n"
    "log_outputs = \"3:stderr\"\n";

// Bind-mounts each private folder ($1..$4) over its system path (made if the
// package did not), then becomes libvirtd with the config file $5.
constexpr const char* mount_then_exec =
    "set -e\n"
    "mkdir -p /run/libvirt /var/lib/libvirt /etc/libvirt /var/log/libvirt\n"
    "mount --bind \"$1\" /run/libvirt\n"
    "mount --bind \"$2\" /var/lib/libvirt\n"
    "mount --bind \"$3\" /etc/libvirt\n"
    "mount --bind \"$4\" /var/log/libvirt\n"
    "exec libvirtd -f \"$5\" -p /run/libvirt/libvirtd.pid\n";

}  // namespace

std::string libvirt_uri(const LabPlan& plan, const HypervisorPlan& hypervisor) {
  return "qemu:///system?socket=" + daemon_root(plan, hypervisor) + "/run/libvirt-sock";
}

pid_t start_libvirtd(const LabPlan& plan, const HypervisorPlan& hypervisor) {
  const std::string root = daemon_root(plan, hypervisor);
  std::vector<std::string> argv = {"unshare", "--mount", "--propagation", "private",
                                   "sh",      "-c",      mount_then_exec, "weaver-libvirtd"};
  if (::mkdir(root.c_str(), 0700) != 0 && errno != EEXIST) throw LabError(root + ": cannot create");
  for (const auto& [folder, system_path] : private_dirs) {
    const std::string path = root + "/" + folder;
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) throw LabError(path + ": cannot create");
    argv.push_back(path);
  }
  write_text_file(root + "/etc/qemu.conf", qemu_conf);
  write_text_file(root + "/etc/libvirtd.conf", libvirtd_conf);
  // The config's real path, not /etc/libvirt's: it names the lab on the
  // daemon's command line, where `lab down` looks.
  argv.push_back(root + "/etc/libvirtd.conf");
  return spawn_detached(argv, hypervisor.netns, root + ".log");
}

void wait_for_libvirtd(const LabPlan& plan, const HypervisorPlan& hypervisor, pid_t pid,
                       int timeout_ms) {
  const std::string root = daemon_root(plan, hypervisor);
  const std::string socket = root + "/run/libvirt-sock";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  struct stat info{};
  while (::stat(socket.c_str(), &info) != 0 || !S_ISSOCK(info.st_mode)) {
    if (!process_running(pid) || std::chrono::steady_clock::now() > deadline) {
      throw LabError("libvirtd of " + hypervisor.netns + " did not start (see " + root + ".log)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string virsh(const LabPlan& plan, const HypervisorPlan& hypervisor,
                  const std::vector<std::string>& arguments) {
  // Bounded like every remote command: a wedged daemon must not hang `up`.
  std::vector<std::string> argv = {"timeout", "--kill-after=5", "60", "virsh", "-q", "-c",
                                   libvirt_uri(plan, hypervisor)};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  const ProcessOutput output = run_process(argv);
  if (output.exit_code != 0) {
    // virsh says what it tried on its first line and why on the last.
    std::string said = output.err;
    while (!said.empty() && said.back() == '\n') said.pop_back();
    if (const auto last = said.rfind('\n'); last != std::string::npos) said = said.substr(last + 1);
    throw LabError("libvirt of " + hypervisor.netns + ": virsh " + arguments.front() + " failed (exit " +
                   std::to_string(output.exit_code) + "): " + said);
  }
  return output.out;
}

}  // namespace weaver::lab

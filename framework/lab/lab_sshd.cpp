#include "lab_sshd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "lab_libvirtd.hpp"
#include "process.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw LabError(path + ": cannot read");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The session environment (sshd takes only its first SetEnv line):
// --shell-rc: HOME points at a folder holding that file as .bashrc, which
// bash reads for each command sshd runs. Commands still start in root's home
// (sshd changes into it before HOME is set), so ~/.cache/weaver stays put.
// A libvirt hypervisor: virsh finds the lab's own libvirtd.
std::string environment_setting(const LabPlan& plan, const SshHost& host) {
  std::string variables;
  if (!plan.shell_rc.empty()) {
    const std::string home = plan.state_dir + "/home";
    ::mkdir(home.c_str(), 0700);
    write_text_file(home + "/.bashrc", read_file(plan.shell_rc));
    variables += " HOME=" + home;
  }
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    if (hypervisor.name == host.name && hypervisor.datapath == Datapath::libvirt) {
      variables += " LIBVIRT_DEFAULT_URI=" + libvirt_uri(plan, hypervisor);
    }
  }
  return variables.empty() ? "" : "SetEnv" + variables + "\n";
}

std::string sshd_config(const LabPlan& plan, const SshHost& host) {
  // Own config only (-f): nothing of the system's sshd_config leaks in.
  // MaxStartups is generous because a fan-out run opens many sessions at once.
  return "ListenAddress " + host.address + ":22\n" +
         "HostKey " + host_key_path(plan, host.name) + "\n" +
         "PidFile " + plan.state_dir + "/" + host.name + ".sshd.pid\n" +
         "AuthorizedKeysFile " + client_key_path(plan) + ".pub\n" +
         "PermitRootLogin prohibit-password\n"
         "PubkeyAuthentication yes\n"
         "PasswordAuthentication no\n"
         "KbdInteractiveAuthentication no\n"
         "UsePAM no\n"
         "UseDNS no\n"
         "PrintMotd no\n"
         "MaxStartups 200:30:400\n"
         "MaxSessions 64\n"
         "Subsystem sftp internal-sftp\n"
         "LogLevel ERROR\n" + environment_setting(plan, host);
}

}  // namespace

std::vector<SshHost> ssh_hosts(const LabPlan& plan) {
  std::vector<SshHost> hosts;
  for (const SourcePlan& source : plan.sources) {
    hosts.push_back({source.name, source.netns, source.management_address});
  }
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    hosts.push_back({hypervisor.name, hypervisor.netns, hypervisor.management_address});
  }
  return hosts;
}

std::string client_key_path(const LabPlan& plan) { return plan.state_dir + "/client_key"; }
std::string known_hosts_path(const LabPlan& plan) { return plan.state_dir + "/known_hosts"; }
std::string host_key_path(const LabPlan& plan, const std::string& host) {
  return plan.state_dir + "/" + host + ".host_key";
}

void generate_ssh_keys(const LabPlan& plan) {
  auto keygen = [](const std::string& path, const std::string& comment) {
    run_checked("key " + path, {"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
                                "-f", path});
  };
  keygen(client_key_path(plan), "weaver-lab-" + plan.id);
  std::string known_hosts;
  for (const SshHost& host : ssh_hosts(plan)) {
    const std::string path = host_key_path(plan, host.name);
    keygen(path, plan.prefix + host.name);
    // "ssh-ed25519 AAAA... comment" -> "address ssh-ed25519 AAAA..."
    std::istringstream public_key(read_file(path + ".pub"));
    std::string type, key;
    public_key >> type >> key;
    known_hosts += host.address + " " + type + " " + key + "\n";
  }
  write_text_file(known_hosts_path(plan), known_hosts);
}

pid_t start_sshd(const LabPlan& plan, const SshHost& host) {
  // sshd refuses to start without its privilege separation directory, which
  // only the system's sshd unit creates; it is shared, never removed by us.
  ::mkdir("/run/sshd", 0755);
  const std::string config = plan.state_dir + "/" + host.name + ".sshd_config";
  write_text_file(config, sshd_config(plan, host));
  const std::string sshd = find_tool("sshd");
  return spawn_detached({sshd, "-D", "-e", "-f", config}, host.netns,
                        plan.state_dir + "/" + host.name + ".sshd.log");
}

bool sshd_answers(const std::string& address, int timeout_ms) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(22);
  bool answered = false;
  if (inet_pton(AF_INET, address.c_str(), &peer.sin_addr) == 1) {
    ::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::string banner;
    while (!answered) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd readable{fd, POLLIN, 0};
      if (::poll(&readable, 1, static_cast<int>(left.count())) <= 0) break;
      char buffer[64];
      const ssize_t n = ::read(fd, buffer, sizeof buffer);
      if (n <= 0) break;
      banner.append(buffer, static_cast<std::size_t>(n));
      answered = banner.rfind("SSH-", 0) == 0;
    }
  }
  ::close(fd);
  return answered;
}

void wait_for_sshds(const std::vector<SshHost>& hosts, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (const SshHost& host : hosts) {
    while (!sshd_answers(host.address, 200)) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw LabError("sshd of " + host.netns + " on " + host.address +
                       ":22 does not answer (see its .sshd.log in the lab's state directory)");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

}  // namespace weaver::lab

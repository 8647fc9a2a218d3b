#include "lab_network.hpp"

#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <cerrno>
#include <cstring>
#include <initializer_list>
#include <fmt/format.h>

#include "process.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

// `ip link add` of a veth pair whose ends are created directly in their
// namespaces (empty: the root namespace), with fixed MACs.
std::string veth_pair(const std::string& name, const std::string& netns, const std::string& mac,
                      const std::string& peer, const std::string& peer_netns,
                      const std::string& peer_mac) {
  std::string line = "link add name " + name;
  if (!netns.empty()) line += " netns " + netns;
  if (!mac.empty()) line += " address " + mac;
  line += " type veth peer name " + peer + " netns " + peer_netns;
  if (!peer_mac.empty()) line += " address " + peer_mac;
  return line + "\n";
}

// A bridge named `bridge` with `ports` on it, up.
std::string bridge_lines(const std::string& bridge, std::initializer_list<std::string> ports) {
  std::string lines = "link add " + bridge + " type bridge\n";
  for (const std::string& port : ports) lines += "link set " + port + " master " + bridge + "\n";
  return lines + "link set " + bridge + " up\n";
}

std::string management_lines(const std::string& address) {
  return fmt::format("link set lo up\nlink set mgmt0 up\naddr add {}/24 dev mgmt0\n", address);
}

// What the per-namespace functions below are given.
struct PlanContext {
  const LabPlan* plan;
};

bool write_proc(const std::string& path, const char* value) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::write(fd, value, std::strlen(value)) >= 0;
  ::close(fd);
  return ok;
}

// Runs inside each namespace before its links exist: no IPv6 (router
// solicitations and MLD reports would only add unmatched noise to the
// captures), no reverse-path filter, forwarding on routed hypervisors.
std::string apply_sysctls(const std::string& netns, void* context) {
  const LabPlan& plan = *static_cast<PlanContext*>(context)->plan;
  std::vector<std::pair<std::string, const char*>> settings = {
      {"/proc/sys/net/ipv6/conf/all/disable_ipv6", "1"},
      {"/proc/sys/net/ipv6/conf/default/disable_ipv6", "1"},
      {"/proc/sys/net/ipv4/conf/all/rp_filter", "0"},
      {"/proc/sys/net/ipv4/conf/default/rp_filter", "0"},
  };
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    if (hypervisor.netns == netns && hypervisor.datapath == Datapath::routed) {
      settings.emplace_back("/proc/sys/net/ipv4/ip_forward", "1");
    }
  }
  for (const auto& [path, value] : settings) {
    if (!write_proc(path, value)) {
      return "namespace " + netns + ": " + path + ": " + std::strerror(errno);
    }
  }
  return {};
}

// A veth end set up before its peer gets its queue only when linkwatch
// handles the carrier event, which it may defer by up to a second (always
// when both ends have the same ifindex, common in fresh namespaces); until
// then it silently drops every frame. So `up` returns only once every
// interface of every namespace is IFF_RUNNING, but for a guest's tap, which
// runs once QEMU opens it (lab_guests waits for that).
bool is_guest_tap(const LabPlan& plan, const std::string& netns, const std::string& name) {
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    if (hypervisor.netns == netns && hypervisor.runs_vm() && hypervisor.vif == name) return true;
  }
  return false;
}

std::string wait_until_running(const std::string& netns, void* context) {
  const LabPlan& plan = *static_cast<PlanContext*>(context)->plan;
  const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);  // in `netns` now
  if (fd < 0) return "namespace " + netns + ": socket: " + std::strerror(errno);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  std::string waiting_for;
  do {
    waiting_for.clear();
    if (struct if_nameindex* interfaces = ::if_nameindex()) {
      for (const struct if_nameindex* it = interfaces; it->if_index != 0; ++it) {
        ifreq request{};
        std::snprintf(request.ifr_name, IFNAMSIZ, "%s", it->if_name);
        if (::ioctl(fd, SIOCGIFFLAGS, &request) != 0 || (request.ifr_flags & IFF_LOOPBACK)) continue;
        if (is_guest_tap(plan, netns, it->if_name)) continue;
        if (!(request.ifr_flags & IFF_RUNNING)) waiting_for = it->if_name;
      }
      ::if_freenameindex(interfaces);
    }
    if (!waiting_for.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  } while (!waiting_for.empty() && std::chrono::steady_clock::now() < deadline);
  ::close(fd);
  return waiting_for.empty() ? "" : "namespace " + netns + ": " + waiting_for + " is not running";
}

// Root-namespace batches go through a file in the state directory, so the
// `ip` process names the lab on its command line and `lab down` finds it.
void run_root_batch(const LabPlan& plan, const std::string& name, const std::string& batch) {
  const std::string path = plan.state_dir + "/" + name + ".batch";
  write_text_file(path, batch);
  run_checked("lab " + plan.id + " " + name, {"ip", "-batch", path});
}

}  // namespace

std::string root_link_batch(const LabPlan& plan) {
  std::string batch = fmt::format("link add name {0} type bridge\naddr add {1}/24 dev {0}\n",
                                  plan.management_bridge, plan.management_gateway);
  auto attach = [&](const std::string& netns, const std::string& root_end) {
    batch += veth_pair(root_end, "", "", "mgmt0", netns, "");
    batch += fmt::format("link set {} master {} up\n", root_end, plan.management_bridge);
  };
  for (const SourcePlan& source : plan.sources) {
    attach(source.netns, source.root_management_if);
    batch += veth_pair(source.switch_port, plan.switch_netns, "", source.data_if, source.netns,
                       source.data_mac);
  }
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    attach(hypervisor.netns, hypervisor.root_management_if);
    batch += veth_pair(hypervisor.switch_port, plan.switch_netns, "", hypervisor.pif,
                       hypervisor.netns, hypervisor.pif_mac);
    if (hypervisor.runs_vm()) continue;  // the VIF is the guest's tap
    batch += veth_pair(hypervisor.vif, hypervisor.netns, hypervisor.vif_mac, hypervisor.guest_if,
                       hypervisor.guest_netns, hypervisor.guest_mac);
  }
  batch += fmt::format("link set {} up\n", plan.management_bridge);
  return batch;
}

std::string switch_batch(const LabPlan& plan) {
  std::string batch = "link set lo up\nlink add br0 type bridge\nlink set br0 up\n";
  for (const SourcePlan& source : plan.sources) {
    batch += fmt::format("link set {} master br0 up\n", source.switch_port);
  }
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    batch += fmt::format("link set {} master br0 up\n", hypervisor.switch_port);
  }
  return batch;
}

// Static forwarding entries: nobody in the lab sends ARP (neighbours are
// static too), so a learning switch would flood every frame to every PIF.
std::string switch_fdb_batch(const LabPlan& plan) {
  std::string batch;
  for (const SourcePlan& source : plan.sources) {
    batch += fmt::format("fdb add {} dev {} master static\n", source.data_mac, source.switch_port);
  }
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    batch += fmt::format("fdb add {} dev {} master static\n", hypervisor.pif_mac,
                         hypervisor.switch_port);
    batch += fmt::format("fdb add {} dev {} master static\n", hypervisor.guest_mac,
                         hypervisor.switch_port);
  }
  return batch;
}

std::string source_batch(const LabPlan& plan, const SourcePlan& source) {
  std::string batch = management_lines(source.management_address);
  batch += fmt::format("link set {0} up\naddr add {1}/24 dev {0}\nroute add {2} dev {0}\n",
                       source.data_if, source.data_address, plan.guest_subnet);
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    batch += fmt::format("neigh replace {} lladdr {} dev {} nud permanent\n",
                         hypervisor.guest_address, hypervisor.next_hop_mac(), source.data_if);
  }
  return batch;
}

std::string hypervisor_batch(const LabPlan& plan, const HypervisorPlan& hypervisor) {
  std::string batch = management_lines(hypervisor.management_address);
  batch += fmt::format("link set {} up\n", hypervisor.pif);
  // The VIF's alias names the VM behind it: the lab's hypervisor adapter
  // finds the VIF from the instance name, as xe or virsh would. libvirt's
  // tap is libvirt's to create, and virsh's to name.
  if (hypervisor.datapath == Datapath::kvm) {
    batch += fmt::format("tuntap add dev {} mode tap\n", hypervisor.vif);
  }
  if (hypervisor.datapath != Datapath::libvirt) {
    batch += fmt::format("link set {} alias {} up\n", hypervisor.vif, hypervisor.instance);
  }
  switch (hypervisor.datapath) {
    case Datapath::bridge:
      batch += bridge_lines("xenbr0", {hypervisor.pif, hypervisor.vif});
      break;
    case Datapath::routed:
      batch += fmt::format("addr add {}/24 dev {}\nroute add {}/32 dev {}\n",
                           hypervisor.pif_address, hypervisor.pif, hypervisor.guest_address,
                           hypervisor.vif);
      batch += fmt::format("neigh replace {} lladdr {} dev {} nud permanent\n",
                           hypervisor.guest_address, hypervisor.guest_mac, hypervisor.vif);
      for (const SourcePlan& source : plan.sources) {
        batch += fmt::format("neigh replace {} lladdr {} dev {} nud permanent\n",
                             source.data_address, source.data_mac, hypervisor.pif);
      }
      break;
    case Datapath::kvm:
      batch += bridge_lines(vm_bridge, {hypervisor.pif, hypervisor.vif});
      break;
    case Datapath::libvirt:  // libvirtd adds the tap: <interface type='bridge'>
      batch += bridge_lines(vm_bridge, {hypervisor.pif});
      break;
    case Datapath::tc_redirect:  // tc rules: hypervisor_tc_batch
    case Datapath::userspace:    // frames copied by weaver-forwarder
      break;
  }
  return batch;
}

// Ingress redirect both ways (matchall is not built on these kernels: u32
// matching everything does the same).
std::string hypervisor_tc_batch(const HypervisorPlan& hypervisor) {
  std::string batch;
  for (const auto& [from, to] : {std::pair{hypervisor.pif, hypervisor.vif},
                                 std::pair{hypervisor.vif, hypervisor.pif}}) {
    batch += fmt::format(
        "qdisc add dev {0} ingress\nfilter add dev {0} parent ffff: protocol all u32 match u32 0 0 "
        "action mirred egress redirect dev {1}\n",
        from, to);
  }
  return batch;
}

std::string guest_batch(const LabPlan& plan, const HypervisorPlan& hypervisor) {
  std::string batch = fmt::format(
      "link set lo up\nlink set {0} up\naddr add {1}/24 dev {0}\nroute add {2} dev {0}\n",
      hypervisor.guest_if, hypervisor.guest_address, plan.data_subnet);
  // Replies go to the source itself, or to the VIF when the hypervisor routes.
  for (const SourcePlan& source : plan.sources) {
    const std::string& mac =
        hypervisor.datapath == Datapath::routed ? hypervisor.vif_mac : source.data_mac;
    batch += fmt::format("neigh replace {} lladdr {} dev {} nud permanent\n", source.data_address,
                         mac, hypervisor.guest_if);
  }
  return batch;
}

void create_namespaces(const LabPlan& plan) {
  std::string batch;
  for (const std::string& netns : plan.all_netns()) batch += "netns add " + netns + "\n";
  run_root_batch(plan, "namespaces", batch);
  PlanContext context{&plan};
  for_each_netns_in_child(plan.all_netns(), apply_sysctls, &context);
}

void build_network(const LabPlan& plan) {
  run_root_batch(plan, "links", root_link_batch(plan));
  run_checked("namespace " + plan.switch_netns, {"ip", "-n", plan.switch_netns, "-batch", "-"},
              switch_batch(plan));
  run_checked("namespace " + plan.switch_netns + " fdb",
              {"bridge", "-n", plan.switch_netns, "-batch", "-"}, switch_fdb_batch(plan));
  for (const SourcePlan& source : plan.sources) {
    run_checked("namespace " + source.netns, {"ip", "-n", source.netns, "-batch", "-"},
                source_batch(plan, source));
  }
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    run_checked("namespace " + hypervisor.netns, {"ip", "-n", hypervisor.netns, "-batch", "-"},
                hypervisor_batch(plan, hypervisor));
    if (!hypervisor.guest_netns.empty()) {
      run_checked("namespace " + hypervisor.guest_netns,
                  {"ip", "-n", hypervisor.guest_netns, "-batch", "-"},
                  guest_batch(plan, hypervisor));
    }
    if (hypervisor.datapath == Datapath::tc_redirect) {
      run_checked("namespace " + hypervisor.netns + " tc",
                  {"tc", "-n", hypervisor.netns, "-batch", "-"}, hypervisor_tc_batch(hypervisor));
    }
  }
  PlanContext context{&plan};
  for_each_netns_in_child(plan.all_netns(), wait_until_running, &context);
}

}  // namespace weaver::lab

// What a lab consists of: every namespace, interface, address and MAC, derived
// from the lab's number alone, so `up`, `down`, `status` and the state file
// agree without asking the kernel. Addresses come only from 198.18.0.0/15
// (RFC 2544): lab L uses
//   198.18.L.0/24        the "wire" between sources and PIFs (via a switch namespace)
//   198.18.(100+L).0/24  the guests behind the VIFs
//   198.19.L.0/24        management: root namespace .1, hypervisors .2+, sources .100+
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace weaver::lab {

// The first four are network namespaces end to end; kvm and libvirt boot a
// real QEMU guest whose virtio-net NIC is backed by a tap (the VIF) on a
// Linux bridge with the PIF, QEMU started directly or through libvirtd.
enum class Datapath { bridge, routed, tc_redirect, userspace, kvm, libvirt };

std::string to_string(Datapath datapath);
std::optional<Datapath> parse_datapath(const std::string& text);
// Two-letter tag used in namespace names: br, rt, tc, us, kv, lv.
std::string datapath_tag(Datapath datapath);
bool runs_vm(Datapath datapath);  // kvm, libvirt
// The bridge of the PIF and a VM's tap in a kvm or libvirt hypervisor.
inline constexpr const char* vm_bridge = "br0";

// How QEMU runs the kvm and libvirt guests: automatic is KVM where /dev/kvm
// opens and the guest's kernel starts promptly under it, else TCG.
enum class Accelerator { automatic, kvm, tcg };
std::string to_string(Accelerator accelerator);
std::optional<Accelerator> parse_accelerator(const std::string& text);

struct LabOptions {
  std::optional<std::string> id;  // wv1 ... wv99; empty: first free
  std::vector<Datapath> datapaths{Datapath::bridge};
  int hypervisors = 1;  // per datapath
  int sources = 1;
  int delay_us = 0;  // userspace datapath only
  Accelerator accelerator = Accelerator::automatic;  // kvm and libvirt datapaths only
  // A file the lab's hosts run as their shell start-up file (~/.bashrc) for
  // every command sshd runs, to reproduce hosts whose start-up is slow;
  // empty: the machine's own.
  std::string shell_rc;
};

inline constexpr int max_lab_number = 99;
inline constexpr int max_hypervisors_total = 64;
inline constexpr int max_sources = 64;
inline constexpr const char* lab_state_root = "/run/weaver/lab";

struct SourcePlan {
  std::string name;     // src0
  std::string netns;    // wv1-src0
  std::string data_if = "eth0";
  std::string data_address;  // 198.18.L.(1+s)
  std::string data_mac;
  std::string management_address;  // 198.19.L.(100+s)
  std::string switch_port;         // p-src0 (in the switch namespace)
  std::string root_management_if;  // wv1-m-src0 (root namespace end)
};

struct HypervisorPlan {
  std::string name;  // br0, rt0, tc0, us0
  std::string netns;  // wv1-br0
  Datapath datapath = Datapath::bridge;
  int domid = 1;      // VIF vif<domid>.0, as Xen names them
  std::string pif = "eth0";
  std::string pif_mac;
  std::string pif_address;  // 198.18.L.(100+k); configured on the routed datapath only
  std::string vif;          // vif<domid>.0; vnet0 for a VM's tap
  std::string vif_mac;
  std::string management_address;  // 198.19.L.(2+k)
  std::string switch_port;         // p-br0
  std::string root_management_if;  // wv1-m-br0
  std::string instance;            // wv1-br0-vm: the guest's namespace or VM domain name
  std::string guest_netns;         // = instance for namespace guests; empty for VMs
  std::string guest_if = "eth0";
  std::string guest_address;  // 198.18.(100+L).(1+k)
  std::string guest_mac;
  bool runs_vm() const { return lab::runs_vm(datapath); }
  // The MAC a source sends guest traffic to: the guest itself, or the PIF
  // when the hypervisor routes.
  const std::string& next_hop_mac() const {
    return datapath == Datapath::routed ? pif_mac : guest_mac;
  }
};

struct LabPlan {
  std::string id;  // wv1
  int number = 1;
  std::string prefix;  // wv1-
  std::string state_dir;
  int delay_us = 0;
  Accelerator accelerator = Accelerator::automatic;
  std::string shell_rc;  // absolute; empty: none
  std::vector<Datapath> datapaths;
  int hypervisors_per_datapath = 1;
  std::string switch_netns;         // wv1-net: the "physical" switch
  std::string management_bridge;    // wv1-mgmt, root namespace
  std::string management_gateway;   // 198.19.L.1
  std::string data_subnet;          // 198.18.L.0/24
  std::string guest_subnet;         // 198.18.(100+L).0/24
  std::vector<SourcePlan> sources;
  std::vector<HypervisorPlan> hypervisors;

  std::vector<std::string> all_netns() const;
};

// Throws UsageError for counts or ids out of range.
LabPlan make_lab_plan(const LabOptions& options, int lab_number);
// "wv7" -> 7; nullopt when the text is not a lab id.
std::optional<int> parse_lab_id(const std::string& id);

}  // namespace weaver::lab

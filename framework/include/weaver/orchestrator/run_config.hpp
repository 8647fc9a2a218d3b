// Where a run measures: the hypervisor configurations (one hypervisor and one
// VM each) and the source VMs that send the traffic. Read from a YAML lab
// file (`weaver run --config lab.yaml`) or from the local lab's state.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace weaver::orchestrator {

struct SshEndpoint {
  std::string host;  // name or address, validated (remote::validate_host)
  std::uint16_t port = 22;
  std::string user = "root";
  std::optional<std::filesystem::path> key_file;  // none: ssh-agent
  std::filesystem::path known_hosts;              // empty: ~/.ssh/known_hosts
};

// A source VM: where traffic starts.
struct Source {
  std::string name;
  SshEndpoint ssh;
  std::string address;    // traffic's source address (BPF `src host`); empty: ssh.host
  std::string interface;  // the data interface on the source; empty: chosen by the route
};

// How weaver runs a command inside a VM, for traffic that leaves it (egress,
// VIF->PIF): over SSH, or, for the local lab, in the VM's network namespace
// on this machine. Neither: egress cannot be measured on that VM.
struct VmShell {
  std::optional<SshEndpoint> ssh;
  std::string netns;

  bool available() const { return ssh.has_value() || !netns.empty(); }
};

// One hypervisor and one VM behind it: what a case measures.
struct Configuration {
  std::string name;  // appears in case names: SynFlood/<name>/size:64/...
  SshEndpoint hypervisor;
  std::string adapter;  // "xenserver", "xl", "libvirt" or "lab"
  std::string pif;      // "eth0"
  std::string vm;       // what the adapter resolves: XenServer name-label, xl/libvirt domain name
  int vif_index = 0;    // n of vif<domid>.<n>; the n-th interface for libvirt
  std::string vif;      // when set, used as is (no adapter lookup)
  std::string destination;           // the VM's address: where ingress traffic goes
  VmShell vm_shell;                  // where egress traffic starts
  std::vector<std::string> sources;  // names in RunConfig::sources; all when empty in the file
  std::string datapath;              // free text for reports ("bridge", "ovs", ...), may be empty
};

struct RunConfig {
  std::string origin;  // "lab.yaml", "lab wv3": the start of messages about it
  std::vector<Source> sources;
  std::vector<Configuration> configurations;

  const Source& source(const std::string& name) const;  // throws weaver::Error if unknown
};

// Parses and validates a YAML lab file. Every problem throws weaver::InputError
// naming the file, the line and the field ("lab.yaml: line 7: hypervisors[1].pif: ...").
RunConfig load_run_config(const std::filesystem::path& file);

// The configuration of a lab that is up (its state.json, format weaver-lab/1):
// one Configuration per lab hypervisor named "lab-<datapath>" (plus the
// hypervisor's name when a datapath appears more than once), adapter "lab".
RunConfig run_config_from_lab_state(const nlohmann::json& state);

}  // namespace weaver::orchestrator

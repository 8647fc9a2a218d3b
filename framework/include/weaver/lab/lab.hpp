// The embedded local lab: `weaver lab up | down | status` as library calls.
// A lab is a set of network namespaces that behaves like hypervisors with a
// VM each, reachable over real SSH; its state file (state.json in the lab's
// state directory) is what a run reads as its default target.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

struct LabUpReport {
  LabPlan plan;
  bool already_up = false;  // an identical, healthy lab existed: nothing built
  double seconds = 0;       // wall time of `up`
  nlohmann::json state;     // the state file's content
  // One line each for what the user should know about how the lab was
  // built (the accelerator the guests fell back to).
  std::vector<std::string> notes;
};

// Builds the lab (idempotent: an identical healthy lab is reported, not
// rebuilt). Throws LabError on failure after removing what it had built.
LabUpReport lab_up(const LabOptions& options);

struct LabDownReport {
  std::vector<std::string> namespaces;
  std::vector<std::string> links;
  std::vector<int> processes;
  std::vector<std::string> state_dirs;
  bool empty() const {
    return namespaces.empty() && links.empty() && processes.empty() && state_dirs.empty();
  }
};

// Removes every namespace, root-namespace link, process and state file of
// lab `id`, found by its prefix (works after a crash, without a state file).
LabDownReport lab_down(const std::string& id);
// The same for every lab and leftover whose names match wv<N>-.
LabDownReport lab_down_all();

// Ids of the labs that have a state directory, sorted.
std::vector<std::string> list_labs();

struct LabHostStatus {
  std::string name;
  std::string role;  // source, hypervisor, guest
  std::string netns;      // a VM guest's is its hypervisor's, where QEMU runs
  std::string datapath;  // hypervisors only
  std::string address;
  bool netns_present = false;
  bool sshd_answers = false;  // sources and hypervisors only
  int qemu_pid = 0;            // VM guests only
  bool qemu_running = false;
};

struct LabStatus {
  std::string id;
  bool complete = false;  // state file present (up finished)
  nlohmann::json state;
  std::vector<LabHostStatus> hosts;
  bool healthy() const;
};

LabStatus lab_status(const std::string& id);

// Exits with a LabError naming what is missing: root/CAP_NET_ADMIN, or a tool
// (with its Debian package) that these options need.
void check_lab_privileges();
void check_lab_tools(const LabOptions& options);

// The datapaths of the lab a run brings up when none is up: every one, but
// kvm and libvirt where their tools are missing (`note` then says which).
std::vector<Datapath> default_datapaths(std::string& note);

}  // namespace weaver::lab

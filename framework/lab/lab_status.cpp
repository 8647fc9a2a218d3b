// `lab status`: the hosts of a lab from its state file, whether their
// namespaces exist and whether each sshd answers.
#include <unistd.h>

#include <algorithm>

#include "lab_sshd.hpp"
#include "lab_state.hpp"
#include "process.hpp"
#include "weaver/lab/lab.hpp"

namespace weaver::lab {
namespace {

bool netns_exists(const std::string& netns) {
  return ::access(("/run/netns/" + netns).c_str(), F_OK) == 0;
}

}  // namespace

bool LabStatus::healthy() const {
  return complete && std::all_of(hosts.begin(), hosts.end(), [](const LabHostStatus& host) {
           if (!host.netns_present) return false;
           if (host.role == "guest") return host.qemu_pid == 0 || host.qemu_running;
           return host.sshd_answers;
         });
}

LabStatus lab_status(const std::string& id) {
  LabStatus status;
  status.id = id;
  status.state = read_state(id);
  status.complete = !status.state.is_null();
  if (!status.complete) return status;
  try {
    for (const auto& source : status.state.at("sources")) {
      status.hosts.push_back({source.at("name"), "source", source.at("netns"), "",
                              source.at("management_address"), false, false});
    }
    for (const auto& hypervisor : status.state.at("hypervisors")) {
      status.hosts.push_back({hypervisor.at("name"), "hypervisor", hypervisor.at("netns"),
                              hypervisor.at("datapath"), hypervisor.at("management_address"),
                              false, false});
      const auto& guest = hypervisor.at("guest");
      LabHostStatus entry{guest.at("instance"), "guest", guest.value("netns", ""), "",
                          guest.at("address"), false, false, guest.value("qemu_pid", 0), false};
      if (entry.qemu_pid) entry.netns = hypervisor.at("netns");
      status.hosts.push_back(std::move(entry));
    }
  } catch (const nlohmann::json::exception&) {
    status.complete = false;  // unreadable state: treated as a broken lab
    return status;
  }
  for (LabHostStatus& host : status.hosts) {
    host.netns_present = netns_exists(host.netns);
    if (host.role != "guest" && host.netns_present) host.sshd_answers = sshd_answers(host.address, 500);
    if (host.qemu_pid) host.qemu_running = process_running(host.qemu_pid);
  }
  return status;
}

}  // namespace weaver::lab

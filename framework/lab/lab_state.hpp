// state.json: the lab described for its users (hosts, addresses, keys,
// interfaces, datapaths) and the options it was built with, so `up` can tell
// an identical lab from a different one.
#pragma once

#include <sys/types.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "lab_guests.hpp"
#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

struct LabProcesses {
  std::map<std::string, pid_t> sshd;       // host name -> pid
  std::map<std::string, pid_t> forwarder;  // hypervisor name -> pid
  std::map<std::string, GuestProcess> guests;  // hypervisor name -> its VM
};

std::string state_file_path(const std::string& id);
nlohmann::json make_state(const LabPlan& plan, const LabProcesses& processes, double up_seconds);
LabOptions options_from_state(const nlohmann::json& state);
bool same_options(const LabOptions& a, const LabOptions& b);
// Written to a temporary name and renamed: readers never see half a file.
void write_state(const LabPlan& plan, const nlohmann::json& state);
// nullopt-like: an empty json when there is no readable state file.
nlohmann::json read_state(const std::string& id);

}  // namespace weaver::lab

// The lab's SSH: one sshd per source and hypervisor namespace on the
// management network, a generated host key each, one generated client key
// authorized everywhere, and a known_hosts file so clients verify host keys
// exactly as they do against a real hypervisor.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

struct SshHost {
  std::string name;  // src0, br0
  std::string netns;
  std::string address;  // management address; sshd listens on port 22 there
};

std::vector<SshHost> ssh_hosts(const LabPlan& plan);

std::string client_key_path(const LabPlan& plan);
std::string known_hosts_path(const LabPlan& plan);
std::string host_key_path(const LabPlan& plan, const std::string& host);

// Generates the client key and every host key, writes known_hosts.
void generate_ssh_keys(const LabPlan& plan);
// Writes the host's sshd_config and starts sshd inside its namespace.
pid_t start_sshd(const LabPlan& plan, const SshHost& host);
// True when something answers on address:22 with an SSH banner in time.
bool sshd_answers(const std::string& address, int timeout_ms);
// Waits until every host's sshd answers; throws naming the first that never did.
void wait_for_sshds(const std::vector<SshHost>& hosts, int timeout_ms);

}  // namespace weaver::lab

// The libvirt datapath's own libvirtd: one per hypervisor namespace (it
// creates the guest's tap there), started by the lab as no systemd would be,
// in a private mount namespace where /run/libvirt, /var/lib/libvirt,
// /etc/libvirt and /var/log/libvirt are folders of the lab's state directory.
// So two labs' daemons never meet, and `lab down` removes every trace. Only
// the capabilities cache (/var/cache/libvirt) is the machine's, as it is
// for the packaged daemon. Clients reach it through its socket:
// LIBVIRT_DEFAULT_URI, which the hypervisor's sshd sets for every session,
// so `virsh domiflist` over SSH works as on any libvirt host.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

// qemu:///system?socket=<state>/<hypervisor>.libvirt/run/libvirt-sock
std::string libvirt_uri(const LabPlan& plan, const HypervisorPlan& hypervisor);

// Writes libvirtd.conf and qemu.conf and starts the daemon in the
// hypervisor's namespace; returns its pid.
pid_t start_libvirtd(const LabPlan& plan, const HypervisorPlan& hypervisor);
// Waits for the daemon's socket; throws naming its log when it never comes.
void wait_for_libvirtd(const LabPlan& plan, const HypervisorPlan& hypervisor, pid_t pid,
                       int timeout_ms);

// `virsh -c <uri> <arguments...>`; a failure throws LabError with virsh's line.
std::string virsh(const LabPlan& plan, const HypervisorPlan& hypervisor,
                  const std::vector<std::string>& arguments);

}  // namespace weaver::lab

// The kvm and libvirt datapaths' guests: each boots the machine's kernel
// with its generated initramfs under QEMU, with one virtio-net NIC on the
// hypervisor's tap (vnet0). kvm starts QEMU itself (`-netdev tap` on the tap
// the lab made); libvirt defines and starts a domain through virsh, and
// libvirtd makes the tap and puts it on the bridge (<interface
// type='bridge'>), as on any libvirt host.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "guest_image.hpp"
#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

struct GuestFiles {
  std::string initramfs;    // <state>/<hypervisor>.initramfs
  std::string console_log;  // the guest's serial console
};
GuestFiles guest_files(const LabPlan& plan, const HypervisorPlan& hypervisor);

// Quiet on the console but for the first kernel line, which tells a KVM
// that starts the kernel from one that does not.
std::string guest_kernel_command_line();
// The kvm datapath's QEMU (argv, no shell); `accelerator` is kvm or tcg.
std::vector<std::string> qemu_argv(const HypervisorPlan& hypervisor, const GuestFiles& files,
                                   const GuestKernel& kernel, Accelerator accelerator);
// The libvirt datapath's domain.
std::string domain_xml(const HypervisorPlan& hypervisor, const GuestFiles& files,
                       const GuestKernel& kernel, Accelerator accelerator);

struct GuestProcess {
  pid_t qemu = 0;      // libvirt: read from libvirtd's pid file once started
  pid_t libvirtd = 0;  // libvirt datapath only
  std::string tap;     // the VIF: the lab's vnet0, or the tap libvirtd made
  Accelerator accelerator = Accelerator::tcg;
  double boot_seconds = 0;  // QEMU start (the last one) to the ready line
};

// Boots every guest of the plan (libvirtds first) and waits until each says
// it is ready. With Accelerator::automatic a guest whose kernel shows no line
// within a few seconds under KVM is booted again under TCG, and `notes` says
// so; so does it when /dev/kvm cannot be opened. Throws LabError with the
// console's last line when a guest does not come up.
std::map<std::string, GuestProcess> boot_guests(const LabPlan& plan,
                                                std::vector<std::string>& notes);

}  // namespace weaver::lab

// What a kvm or libvirt guest boots: the machine's Debian cloud kernel
// (virtio drivers as modules) and an initramfs generated per guest, holding
// busybox-static, the virtio-net modules and an /init that sets the guest's
// address and static neighbours, says "weaver-guest: ready" on the serial
// console and sleeps. No disk image, nothing downloaded.
#pragma once

#include <string>
#include <vector>

#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {

struct GuestKernel {
  std::string release;  // 6.1.0-57-cloud-amd64
  std::string image;    // /boot/vmlinuz-<release>
  // The .ko files virtio_pci and virtio_net need, dependencies first, as
  // paths below /lib/modules/<release>/ (those built in are left out).
  std::vector<std::string> modules;
};

// The newest /boot/vmlinuz-* whose modules include virtio_net; throws
// LabError naming the package to install when there is none.
GuestKernel find_guest_kernel();
// busybox from busybox-static: it must run without a loader in the guest.
// Throws LabError when it is missing or dynamically linked.
std::string static_busybox_path();

// The marker /init prints once the guest's NIC is configured.
inline constexpr const char* guest_ready_line = "weaver-guest: ready";

std::string guest_init_script(const LabPlan& plan, const HypervisorPlan& hypervisor,
                              const GuestKernel& kernel);
// Writes the initramfs (an uncompressed newc cpio archive) to `path`.
void write_guest_initramfs(const std::string& path, const GuestKernel& kernel,
                           const std::string& busybox, const std::string& init_script);

// One file of a newc archive; `write_newc` is what write_guest_initramfs
// uses, separate so a test can read the archive back.
struct CpioEntry {
  std::string name;  // no leading '/'
  unsigned mode = 0;  // type and permissions (S_IFDIR | 0755, ...)
  std::string data;
  unsigned rdev_major = 0, rdev_minor = 0;
};
std::string write_newc(const std::vector<CpioEntry>& entries);

}  // namespace weaver::lab

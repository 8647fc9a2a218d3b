// Hypervisor adapters: which interface on the hypervisor is a VM's VIF.
// One small class per hypervisor family, all behind VifResolver, each asking
// the hypervisor's own tool over the executor (xe, xl, virsh) as the 2013
// tool did in determine_vif_number().
#pragma once

#include <memory>
#include <string>

#include "weaver/remote/executor.hpp"

namespace weaver::hypervisor {

struct VmInterface {
  std::string vm;     // as configured: name-label / domain name
  int vif_index = 0;  // n of vif<domid>.<n>, or the n-th interface
};

class VifResolver {
 public:
  virtual ~VifResolver() = default;
  virtual const char* name() const = 0;  // "xenserver", "xl", "libvirt", "lab"
  // The VIF's interface name on the hypervisor ("vif7.0", "vnet3"). Throws
  // weaver::Error naming the host (executor.where()), the VM and what the
  // tool said when the VM or the interface does not exist.
  virtual remote::asio::awaitable<std::string> resolve(remote::Executor& executor,
                                                       const VmInterface& interface,
                                                       remote::Timeout timeout) = 0;
  // A POSIX sh fragment that prints the hypervisor's version on one line
  // ("XenServer 8.2.1", "Xen 4.17.3", "QEMU 7.2.0, libvirtd 9.0.0"), or
  // nothing when the tool is missing or says nothing usable. It never fails
  // the script it is pasted into, and bounds each tool call with `timeout 5`.
  virtual std::string version_script() const = 0;
};

// "xenserver" | "xl" | "libvirt" | "lab"; throws weaver::UsageError otherwise.
std::unique_ptr<VifResolver> make_vif_resolver(const std::string& adapter);

}  // namespace weaver::hypervisor

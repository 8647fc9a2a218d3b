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
};

// "xenserver" | "xl" | "libvirt" | "lab"; throws weaver::UsageError otherwise.
std::unique_ptr<VifResolver> make_vif_resolver(const std::string& adapter);

}  // namespace weaver::hypervisor

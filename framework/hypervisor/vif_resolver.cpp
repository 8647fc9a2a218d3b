#include "weaver/hypervisor/vif_resolver.hpp"

#include "resolvers.hpp"
#include "weaver/error.hpp"

namespace weaver::hypervisor {

std::unique_ptr<VifResolver> make_vif_resolver(const std::string& adapter) {
  if (adapter == "xenserver") return make_xenserver_resolver();
  if (adapter == "xl") return make_xl_resolver();
  if (adapter == "libvirt") return make_libvirt_resolver();
  if (adapter == "lab") return make_lab_resolver();
  throw UsageError("hypervisor adapter: '" + adapter +
                   "' is not one of xenserver, xl, libvirt, lab");
}

}  // namespace weaver::hypervisor

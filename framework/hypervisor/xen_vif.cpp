#include "xen_vif.hpp"

#include <fmt/format.h>

namespace weaver::hypervisor {

std::string xen_vif_name(const remote::Executor& executor, const Tool& tool,
                         const VmInterface& interface, const std::vector<std::string>& argv,
                         const std::string& printed) {
  const auto domid = parse_int(printed);
  if (domid == -1) {
    fail(executor, tool, interface.vm,
         fmt::format("is not running ({} printed dom-id -1)", command_line(argv)));
  }
  if (domid == 0) {
    fail(executor, tool, interface.vm,
         fmt::format("is dom0, which has no VIF ({} printed 0)", command_line(argv)));
  }
  if (!domid || *domid < 0) {
    fail(executor, tool, interface.vm,
         fmt::format("has no domain id: {} printed '{}'", command_line(argv), printed));
  }
  return checked_vif_name(executor, tool, interface.vm,
                          fmt::format("vif{}.{}", *domid, interface.vif_index));
}

}  // namespace weaver::hypervisor

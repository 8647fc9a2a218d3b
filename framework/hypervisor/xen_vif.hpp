// Xen names a guest's backend interface vif<domid>.<devid>; xe and xl both
// report the domid, with their own ways of saying "not running".
#pragma once

#include <string>
#include <vector>

#include "tool_call.hpp"

namespace weaver::hypervisor {

// "vif7.0" for the domid the tool printed (`printed`, first line already
// taken). -1 means a halted or suspended VM; 0 is dom0, which has no VIFs.
std::string xen_vif_name(const remote::Executor& executor, const Tool& tool,
                         const VmInterface& interface, const std::vector<std::string>& argv,
                         const std::string& printed);

}  // namespace weaver::hypervisor

// Names for what the in-kernel probes record as numbers: drop reasons from
// the kernel's BTF, code addresses from /proc/kallsyms.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace weaver::agent {

// enum skb_drop_reason's values by name without the SKB_DROP_REASON_ prefix;
// empty when the BTF cannot be read.
std::map<std::uint32_t, std::string> drop_reason_names(const std::string& btf_path);

// Kernel text addresses as "function+0xoffset" (the address itself where no
// symbol precedes it, as for a reader without root).
std::map<std::uint64_t, std::string> symbolize(const std::vector<std::uint64_t>& addresses);

}  // namespace weaver::agent

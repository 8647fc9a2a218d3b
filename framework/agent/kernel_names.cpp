#include "kernel_names.hpp"

#include <charconv>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string_view>

#include <bpf/btf.h>

namespace weaver::agent {

// enum skb_drop_reason's names, from the running kernel's BTF.
std::map<std::uint32_t, std::string> drop_reason_names(const std::string& btf_path) {
  std::map<std::uint32_t, std::string> names;
  const std::unique_ptr<btf, decltype(&btf__free)> parsed(btf__parse(btf_path.c_str(), nullptr), btf__free);
  btf* kernel = parsed.get();
  if (!kernel) return names;
  const int id = btf__find_by_name_kind(kernel, "skb_drop_reason", BTF_KIND_ENUM);
  if (id > 0) {
    const btf_type* type = btf__type_by_id(kernel, static_cast<std::uint32_t>(id));
    const struct btf_enum* values = btf_enum(type);
    for (int i = 0; i < btf_vlen(type); ++i) {
      std::string name = btf__name_by_offset(kernel, values[i].name_off);
      constexpr std::string_view kPrefix = "SKB_DROP_REASON_";
      if (name.starts_with(kPrefix)) name.erase(0, kPrefix.size());
      names[static_cast<std::uint32_t>(values[i].val)] = name;
    }
  }
  return names;
}

// Kernel text addresses as "function+0xoffset" (root reads real addresses).
std::map<std::uint64_t, std::string> symbolize(const std::vector<std::uint64_t>& addresses) {
  std::map<std::uint64_t, std::string> names;
  std::map<std::uint64_t, std::pair<std::uint64_t, std::string>> best;  // address -> (symbol start, name)
  std::ifstream symbols("/proc/kallsyms");
  std::string line;
  while (std::getline(symbols, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos || line.size() < space + 4) continue;
    const char type = line[space + 1];
    if (type != 't' && type != 'T') continue;
    std::uint64_t start = 0;
    if (std::from_chars(line.data(), line.data() + space, start, 16).ec != std::errc() || start == 0) continue;
    for (std::uint64_t address : addresses) {
      if (start <= address && (best[address].first == 0 || start > best[address].first)) {
        auto name_end = line.find_first_of(" \t", space + 3);
        best[address] = {start, line.substr(space + 3, name_end == std::string::npos ? std::string::npos
                                                                                      : name_end - space - 3)};
      }
    }
  }
  for (std::uint64_t address : addresses) {
    char hex[32];
    const auto& [start, name] = best[address];
    if (start != 0) {
      std::snprintf(hex, sizeof hex, "+0x%llx", static_cast<unsigned long long>(address - start));
      names[address] = name + hex;
    } else {
      std::snprintf(hex, sizeof hex, "0x%llx", static_cast<unsigned long long>(address));
      names[address] = hex;
    }
  }
  return names;
}

}  // namespace weaver::agent

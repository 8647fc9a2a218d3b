// The local lab (weaver lab up): each VIF is named vif<domid>.<n> like Xen's
// (a kvm guest's tap vnet0, as QEMU hosts name them) and carries the VM's
// instance name as its ifalias, so `ip -o link show` on the hypervisor is
// all the lab needs in place of xe or virsh.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join

#include <algorithm>
#include <iterator>
#include <sstream>
#include <string_view>

#include "resolvers.hpp"
#include "tool_call.hpp"

namespace weaver::hypervisor {
namespace {

using remote::asio::awaitable;

constexpr Tool kIp{"lab", "ip", "is iproute2 installed?"};

struct Link {
  std::string name;   // without the "@ifN" of a veth whose peer is elsewhere
  std::string alias;  // "" when it has none
};

// One line of `ip -o link show`: "5: vif1.0@if4: <...> mtu ...\    link/ether
// ... link-netns x\    alias wv90-br0-vm". -o joins a link's lines with '\'.
std::optional<Link> parse_link(std::string_view line) {
  const auto name_begin = line.find(": ");
  if (name_begin == std::string_view::npos) return std::nullopt;
  const auto name_end = line.find(':', name_begin + 2);
  if (name_end == std::string_view::npos) return std::nullopt;
  std::string_view name = line.substr(name_begin + 2, name_end - name_begin - 2);
  name = name.substr(0, name.find('@'));
  Link link{std::string(name), {}};
  for (auto part = line.find('\\', name_end); part != std::string_view::npos;
       part = line.find('\\', part + 1)) {
    const std::string field =
        first_line(line.substr(part + 1, line.find('\\', part + 1) - part - 1));
    if (field.rfind("alias ", 0) == 0) link.alias = first_line(field.substr(6));
  }
  return link;
}

// n of "vif<d>.<n>", if the name has that form.
std::optional<int> vif_device(const std::string& name) {
  if (name.rfind("vif", 0) != 0) return std::nullopt;
  const auto dot = name.find('.');
  if (dot == std::string::npos || !parse_int(name.substr(3, dot - 3))) return std::nullopt;
  return parse_int(std::string_view(name).substr(dot + 1));
}

bool is_tap_name(const std::string& name) {
  return name.size() > 4 && name.rfind("vnet", 0) == 0 &&
         name.find_first_not_of("0123456789", 4) == std::string::npos;
}

class LabResolver final : public VifResolver {
 public:
  const char* name() const override { return kIp.adapter; }

  // The lab's datapaths are the kernel's own (bridge, routing, tc) or
  // weaver's forwarder, set up with iproute2: its version is what there is.
  std::string version_script() const override {
    return R"sh(v=$(timeout 5 ip -V 2>/dev/null | sed -n 's/.*\(iproute2-[^ ,]*\).*/\1/p'); echo "weaver lab (network namespaces${v:+, $v})")sh";
  }

  awaitable<std::string> resolve(remote::Executor& executor, const VmInterface& interface,
                                 remote::Timeout timeout) override {
    check_request(executor, kIp, interface);
    const std::string& vm = interface.vm;
    const std::vector<std::string> link_show{"ip", "-o", "link", "show"};
    const auto output = co_await run_tool(executor, kIp, link_show, timeout);
    if (!output.status.success()) fail_exit(executor, kIp, vm, link_show, output);

    std::vector<std::string> aliased;  // the VM's interfaces, for the message
    std::vector<std::string> matches;
    std::istringstream lines(output.out);
    for (std::string line; std::getline(lines, line);) {
      const auto link = parse_link(line);
      if (!link || link->alias != vm) continue;
      aliased.push_back(link->name);
      if (vif_device(link->name) == interface.vif_index) matches.push_back(link->name);
    }
    // A QEMU guest's taps (vnet<N>, as QEMU hosts name them) carry no
    // device number: its n-th, in the order ip lists them (ifindex order).
    std::vector<std::string> taps;
    std::copy_if(aliased.begin(), aliased.end(), std::back_inserter(taps), is_tap_name);
    if (matches.empty() && static_cast<std::size_t>(interface.vif_index) < taps.size()) {
      matches.push_back(taps[static_cast<std::size_t>(interface.vif_index)]);
    }
    if (aliased.empty()) {
      fail(executor, kIp, vm,
           fmt::format("not found (no interface in {} has alias '{}')", command_line(link_show),
                       vm));
    }
    if (matches.empty()) {
      fail(executor, kIp, vm,
           fmt::format("has no VIF with index {} (its interfaces: {})", interface.vif_index,
                       fmt::join(aliased, ", ")));
    }
    if (matches.size() > 1) {
      fail(executor, kIp, vm,
           fmt::format("is ambiguous: {} all have alias '{}'", fmt::join(matches, ", "), vm));
    }
    co_return checked_vif_name(executor, kIp, vm, matches.front());
  }
};

}  // namespace

std::unique_ptr<VifResolver> make_lab_resolver() { return std::make_unique<LabResolver>(); }

}  // namespace weaver::hypervisor

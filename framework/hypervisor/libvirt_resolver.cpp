// libvirt (KVM/QEMU, Xen via libxl): `virsh domiflist` lists the domain's
// interfaces in device order with the host-side tap ("vnet3") first.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join

#include <algorithm>
#include <sstream>

#include "resolvers.hpp"
#include "tool_call.hpp"

namespace weaver::hypervisor {
namespace {

using remote::asio::awaitable;

constexpr Tool kVirsh{"libvirt", "virsh", "is this a libvirt host?"};

bool is_separator(const std::string& line) {
  return !line.empty() && std::all_of(line.begin(), line.end(), [](char c) { return c == '-'; });
}

// The Interface column of each data row. Versions differ in leading blanks
// and in the separator's length; both put the rows after a line of dashes.
std::optional<std::vector<std::string>> interface_column(const std::string& table) {
  std::istringstream lines(table);
  std::string line;
  bool past_separator = false;
  std::vector<std::string> interfaces;
  while (std::getline(lines, line)) {
    const std::string text = first_line(line);
    if (text.empty()) continue;
    if (!past_separator) {
      past_separator = is_separator(text);
      continue;
    }
    interfaces.push_back(text.substr(0, text.find_first_of(" \t")));
  }
  if (!past_separator) return std::nullopt;
  return interfaces;
}

class LibvirtResolver final : public VifResolver {
 public:
  const char* name() const override { return kVirsh.adapter; }

  // `virsh version --daemon`: "Running hypervisor: QEMU 7.2.0" and
  // "Running against daemon: 9.0.0".
  std::string version_script() const override {
    return R"sh(timeout 5 virsh version --daemon 2>/dev/null | awk -F': *' '$1=="Running hypervisor"{h=$2} $1=="Running against daemon"{d=$2} END{s=h; if (d!="") s=s (s=="" ? "" : ", ") "libvirtd " d; if (s!="") print s}')sh";
  }

  awaitable<std::string> resolve(remote::Executor& executor, const VmInterface& interface,
                                 remote::Timeout timeout) override {
    check_request(executor, kVirsh, interface);
    const std::string& vm = interface.vm;
    const std::vector<std::string> domiflist{"virsh", "domiflist", vm};
    const auto output = co_await run_tool(executor, kVirsh, domiflist, timeout);
    if (!output.status.success()) {
      const std::string said = first_line(output.err);
      if (said.find("failed to get domain") != std::string::npos) {
        fail(executor, kVirsh, vm,
             fmt::format("not found ({}: {})", command_line(domiflist), said));
      }
      fail_exit(executor, kVirsh, vm, domiflist, output);
    }
    const auto interfaces = interface_column(output.out);
    if (!interfaces) {
      fail(executor, kVirsh, vm,
           fmt::format("has no interface table: {} printed '{}'", command_line(domiflist),
                       first_line(output.out)));
    }
    const auto index = static_cast<std::size_t>(interface.vif_index);
    if (index >= interfaces->size()) {
      fail(executor, kVirsh, vm,
           fmt::format(
               "has no interface {} ({} lists {}: {})", interface.vif_index,
               command_line(domiflist), interfaces->size(),
               interfaces->empty() ? "none" : fmt::format("{}", fmt::join(*interfaces, ", "))));
    }
    const std::string& host_side = (*interfaces)[index];
    // A shut-off domain has no tap yet; virsh prints "-" in its place.
    if (host_side == "-") {
      fail(executor, kVirsh, vm,
           fmt::format("is not running ({} shows no host interface for interface {})",
                       command_line(domiflist), interface.vif_index));
    }
    co_return checked_vif_name(executor, kVirsh, vm, host_side);
  }
};

}  // namespace

std::unique_ptr<VifResolver> make_libvirt_resolver() { return std::make_unique<LibvirtResolver>(); }

}  // namespace weaver::hypervisor

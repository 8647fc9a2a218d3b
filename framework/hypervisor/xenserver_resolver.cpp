// XenServer / XCP-ng: xe gives the VM's domid, and confirms the VIF device
// exists, as determine_vif_number() did in the 2013 tool.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "resolvers.hpp"
#include "tool_call.hpp"
#include "xen_vif.hpp"

namespace weaver::hypervisor {
namespace {

using remote::asio::awaitable;

constexpr Tool kXe{"xenserver", "xe", "is this a XenServer host?"};

// A VM given by UUID (8-4-4-4-12 hex digits) is selected by uuid=, which
// cannot be ambiguous the way a name-label can.
bool is_uuid(const std::string& text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    const bool ok =
        dash_position ? text[i] == '-' : std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
    if (!ok) return false;
  }
  return true;
}

class XenServerResolver final : public VifResolver {
 public:
  const char* name() const override { return kXe.adapter; }

  // The inventory every XenServer / XCP-ng dom0 has (PRODUCT_BRAND='XCP-ng',
  // PRODUCT_VERSION='8.2.1'): no xe call, no host UUID needed.
  std::string version_script() const override {
    return R"sh(tr -d "'\"" < /etc/xensource-inventory 2>/dev/null | awk -F= '$1=="PRODUCT_BRAND"{b=$2} $1=="PRODUCT_VERSION"{v=$2} END{if (v!="") print b " " v}')sh";
  }

  awaitable<std::string> resolve(remote::Executor& executor, const VmInterface& interface,
                                 remote::Timeout timeout) override {
    check_request(executor, kXe, interface);
    const auto deadline = Clock::now() + timeout;
    const std::string& vm = interface.vm;
    const bool by_uuid = is_uuid(vm);

    const std::vector<std::string> vm_list{
        "xe", "vm-list", (by_uuid ? "uuid=" : "name-label=") + vm, "params=dom-id", "--minimal"};
    const auto domains = co_await run_tool(executor, kXe, vm_list, remaining(deadline));
    if (!domains.status.success()) fail_exit(executor, kXe, vm, vm_list, domains);
    const std::string dom_ids = first_line(domains.out);
    if (dom_ids.empty()) {
      fail(executor, kXe, vm, fmt::format("not found ({} printed nothing)", command_line(vm_list)));
    }
    if (dom_ids.find(',') != std::string::npos) {
      const auto count = std::count(dom_ids.begin(), dom_ids.end(), ',') + 1;
      fail(executor, kXe, vm,
           fmt::format("is ambiguous: {} VMs have this name-label (dom-ids {}); give its UUID",
                       count, dom_ids));
    }
    std::string vif = xen_vif_name(executor, kXe, interface, vm_list, dom_ids);

    // The domid alone would name a VIF that may not exist; xe knows the devices.
    const std::vector<std::string> vif_list{"xe",
                                            "vif-list",
                                            (by_uuid ? "vm-uuid=" : "vm-name-label=") + vm,
                                            fmt::format("device={}", interface.vif_index),
                                            "params=device",
                                            "--minimal"};
    const auto vifs = co_await run_tool(executor, kXe, vif_list, remaining(deadline));
    if (!vifs.status.success()) fail_exit(executor, kXe, vm, vif_list, vifs);
    if (first_line(vifs.out).empty()) {
      fail(executor, kXe, vm,
           fmt::format("has no VIF with device {} ({} printed nothing)", interface.vif_index,
                       command_line(vif_list)));
    }
    co_return vif;
  }
};

}  // namespace

std::unique_ptr<VifResolver> make_xenserver_resolver() {
  return std::make_unique<XenServerResolver>();
}

}  // namespace weaver::hypervisor

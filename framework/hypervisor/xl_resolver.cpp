// Xen with the xl toolstack: `xl domid` gives the domid of a running domain.
#include <fmt/format.h>

#include "resolvers.hpp"
#include "tool_call.hpp"
#include "xen_vif.hpp"

namespace weaver::hypervisor {
namespace {

using remote::asio::awaitable;

constexpr Tool kXl{"xl", "xl", "is this a Xen host with the xl toolstack?"};

class XlResolver final : public VifResolver {
 public:
  const char* name() const override { return kXl.adapter; }

  // `xl info` prints "xen_major : 4", "xen_minor : 17", "xen_extra : .3" and,
  // in newer releases, "xen_version : 4.17.3".
  std::string version_script() const override {
    return R"sh(timeout 5 xl info 2>/dev/null | awk '{k=$0; sub(/[ \t]*:.*/,"",k); v=$0; sub(/^[^:]*:[ \t]*/,"",v)} k=="xen_major"{ma=v} k=="xen_minor"{mi=v} k=="xen_extra"{ex=v} k=="xen_version"{xv=v} END{if (xv=="" && ma!="") xv=ma "." mi ex; if (xv!="") print "Xen " xv}')sh";
  }

  awaitable<std::string> resolve(remote::Executor& executor, const VmInterface& interface,
                                 remote::Timeout timeout) override {
    check_request(executor, kXl, interface);
    const std::vector<std::string> domid{"xl", "domid", interface.vm};
    const auto output = co_await run_tool(executor, kXl, domid, timeout);
    if (!output.status.success()) {
      // "Can't get domid of domain name 'x', maybe this domain does not exist."
      // xl knows only running domains, so a halted VM ends up here too.
      const std::string said = first_line(output.err);
      if (said.find("Can't get domid") != std::string::npos ||
          said.find("does not exist") != std::string::npos) {
        fail(executor, kXl, interface.vm,
             fmt::format("not found or not running ({}: {})", command_line(domid), said));
      }
      fail_exit(executor, kXl, interface.vm, domid, output);
    }
    const std::string printed = first_line(output.out);
    if (printed.empty()) {
      fail(executor, kXl, interface.vm,
           fmt::format("has no domain id: {} printed nothing", command_line(domid)));
    }
    co_return xen_vif_name(executor, kXl, interface, domid, printed);
  }
};

}  // namespace

std::unique_ptr<VifResolver> make_xl_resolver() { return std::make_unique<XlResolver>(); }

}  // namespace weaver::hypervisor

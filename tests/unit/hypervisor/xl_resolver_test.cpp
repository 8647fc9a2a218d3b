#include <gtest/gtest.h>

#include "fake_executor.hpp"

namespace weaver::testing {
namespace {

const Argv kDomid{"xl", "domid", "web1"};

TEST(XlResolver, ResolvesTheDomid) {
  FakeExecutor executor;
  executor.reply(kDomid, 0, "4\n");
  EXPECT_EQ(resolve("xl", executor, "web1"), "vif4.0");
  EXPECT_EQ(resolve("xl", executor, "web1", 1), "vif4.1");
  EXPECT_EQ(executor.commands(), (std::vector<Argv>{kDomid, kDomid}));
}

TEST(XlResolver, ReportsADomainThatIsNotThere) {
  FakeExecutor executor;
  executor.reply(kDomid, 1, "",
                 "Can't get domid of domain name 'web1', maybe this domain does not exist.\n");
  EXPECT_EQ(resolve_error("xl", executor, "web1"),
            "root@10.0.0.2:22: xl: VM 'web1' not found or not running (xl domid web1: "
            "Can't get domid of domain name 'web1', maybe this domain does not exist.)");
}

TEST(XlResolver, ReportsAMissingXl) {
  FakeExecutor executor;
  executor.reply(kDomid, 127, "", "sh: 1: xl: not found\n");
  EXPECT_EQ(resolve_error("xl", executor, "web1"),
            "xl not found on root@10.0.0.2:22: is this a Xen host with the xl toolstack?");
}

TEST(XlResolver, QuotesWhatXlSaidWhenItFailsOtherwise) {
  FakeExecutor executor;
  executor.reply(kDomid, 1, "",
                 "xencall: error: Could not obtain handle on privileged command interface: "
                 "Permission denied\nlibxl: error: libxl.c:102:libxl_ctx_alloc: cannot open "
                 "libxc handle: Permission denied\n");
  EXPECT_EQ(resolve_error("xl", executor, "web1"),
            "root@10.0.0.2:22: xl: VM 'web1' could not be looked up: xl domid web1 exited with "
            "status 1: xencall: error: Could not obtain handle on privileged command interface: "
            "Permission denied");
}

TEST(XlResolver, RefusesDom0) {
  FakeExecutor executor;
  executor.reply({"xl", "domid", "Domain-0"}, 0, "0\n");
  EXPECT_EQ(resolve_error("xl", executor, "Domain-0"),
            "root@10.0.0.2:22: xl: VM 'Domain-0' is dom0, which has no VIF "
            "(xl domid Domain-0 printed 0)");
}

TEST(XlResolver, RefusesOutputThatIsNoDomid) {
  FakeExecutor executor;
  executor.reply(kDomid, 0, "");
  EXPECT_EQ(resolve_error("xl", executor, "web1"),
            "root@10.0.0.2:22: xl: VM 'web1' has no domain id: xl domid web1 printed nothing");
  executor.reply(kDomid, 0, "4x\n");
  EXPECT_EQ(resolve_error("xl", executor, "web1"),
            "root@10.0.0.2:22: xl: VM 'web1' has no domain id: xl domid web1 printed '4x'");
}

}  // namespace
}  // namespace weaver::testing

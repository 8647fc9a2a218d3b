#include <gtest/gtest.h>

#include <chrono>

#include "fake_executor.hpp"

namespace weaver::testing {
namespace {

const Argv kVmList{"xe", "vm-list", "name-label=web1", "params=dom-id", "--minimal"};
const Argv kVifList{"xe",       "vif-list",      "vm-name-label=web1",
                    "device=0", "params=device", "--minimal"};
constexpr const char* kUuid = "5b3a5c6e-1f0d-4e6b-9c3a-0123456789ab";

TEST(XenServerResolver, ResolvesTheDomidAndChecksTheDevice) {
  FakeExecutor executor;
  executor.reply(kVmList, 0, "7\n");
  executor.reply(kVifList, 0, "0\n");
  EXPECT_EQ(resolve("xenserver", executor, "web1"), "vif7.0");
  EXPECT_EQ(executor.commands(), (std::vector<Argv>{kVmList, kVifList}));
  for (const auto timeout : executor.timeouts()) EXPECT_LE(timeout, std::chrono::seconds(10));
}

TEST(XenServerResolver, ResolvesALaterDevice) {
  FakeExecutor executor;
  const Argv vif_list{"xe",       "vif-list",      "vm-name-label=web1",
                      "device=2", "params=device", "--minimal"};
  executor.reply(kVmList, 0, "12\n");
  executor.reply(vif_list, 0, "2\n");
  EXPECT_EQ(resolve("xenserver", executor, "web1", 2), "vif12.2");
  EXPECT_EQ(executor.commands().back(), vif_list);
}

TEST(XenServerResolver, SelectsAVmGivenByUuidByUuid) {
  FakeExecutor executor;
  const Argv vm_list{"xe", "vm-list", std::string("uuid=") + kUuid, "params=dom-id", "--minimal"};
  const Argv vif_list{"xe",       "vif-list",      std::string("vm-uuid=") + kUuid,
                      "device=0", "params=device", "--minimal"};
  executor.reply(vm_list, 0, "3\n");
  executor.reply(vif_list, 0, "0\n");
  EXPECT_EQ(resolve("xenserver", executor, kUuid), "vif3.0");
  EXPECT_EQ(executor.commands(), (std::vector<Argv>{vm_list, vif_list}));
}

TEST(XenServerResolver, TakesANearUuidAsAName) {
  FakeExecutor executor;
  const std::string vm = "5b3a5c6e-1f0d-4e6b-9c3a-0123456789ag";  // 'g' is no hex digit
  executor.reply({"xe", "vm-list", "name-label=" + vm, "params=dom-id", "--minimal"}, 0, "");
  resolve_error("xenserver", executor, vm);
  ASSERT_EQ(executor.commands().size(), 1u);
  EXPECT_EQ(executor.commands()[0][2], "name-label=" + vm);
}

TEST(XenServerResolver, ReportsAVmThatIsNotThere) {
  FakeExecutor executor;
  executor.reply(kVmList, 0, "\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "root@10.0.0.2:22: xenserver: VM 'web1' not found "
            "(xe vm-list name-label=web1 params=dom-id --minimal printed nothing)");
  EXPECT_EQ(executor.commands().size(), 1u);
}

TEST(XenServerResolver, ReportsAnAmbiguousName) {
  FakeExecutor executor;
  executor.reply(kVmList, 0, "3,-1\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "root@10.0.0.2:22: xenserver: VM 'web1' is ambiguous: 2 VMs have this name-label "
            "(dom-ids 3,-1); give its UUID");
}

TEST(XenServerResolver, ReportsAHaltedVm) {
  FakeExecutor executor;
  executor.reply(kVmList, 0, "-1\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "root@10.0.0.2:22: xenserver: VM 'web1' is not running "
            "(xe vm-list name-label=web1 params=dom-id --minimal printed dom-id -1)");
  EXPECT_EQ(executor.commands().size(), 1u);
}

TEST(XenServerResolver, ReportsAMissingDevice) {
  FakeExecutor executor;
  executor.reply(kVmList, 0, "7\n");
  executor.reply(kVifList, 0, "\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "root@10.0.0.2:22: xenserver: VM 'web1' has no VIF with device 0 "
            "(xe vif-list vm-name-label=web1 device=0 params=device --minimal printed nothing)");
}

TEST(XenServerResolver, ReportsAMissingXe) {
  FakeExecutor executor;
  executor.reply(kVmList, 127, "", "bash: xe: command not found\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "xe not found on root@10.0.0.2:22: is this a XenServer host?");
}

TEST(XenServerResolver, QuotesTheFirstLineOfWhatXeSaidWhenItFails) {
  FakeExecutor executor;
  executor.reply(kVmList, 1, "",
                 "\nThe server failed to handle your request, due to an internal error.\n"
                 "message: Connection refused\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "root@10.0.0.2:22: xenserver: VM 'web1' could not be looked up: "
            "xe vm-list name-label=web1 params=dom-id --minimal exited with status 1: "
            "The server failed to handle your request, due to an internal error.");
}

TEST(XenServerResolver, RefusesOutputThatIsNoDomid) {
  FakeExecutor executor;
  executor.reply(kVmList, 0, "Usage: xe vm-list\n");
  EXPECT_EQ(resolve_error("xenserver", executor, "web1"),
            "root@10.0.0.2:22: xenserver: VM 'web1' has no domain id: "
            "xe vm-list name-label=web1 params=dom-id --minimal printed 'Usage: xe vm-list'");
}

}  // namespace
}  // namespace weaver::testing

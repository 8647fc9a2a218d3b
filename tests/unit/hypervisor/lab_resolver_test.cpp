#include <gtest/gtest.h>

#include <string>

#include "fake_executor.hpp"

namespace weaver::testing {
namespace {

const Argv kLinkShow{"ip", "-o", "link", "show"};

// `ip -o link show` in a lab hypervisor's namespace (weaver lab up, bridged).
const std::string kLabLinks =
    "1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT group "
    "default qlen 1000\\    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00\n"
    "2: mgmt0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode "
    "DEFAULT group default qlen 1000\\    link/ether 02:57:5a:05:00:00 brd ff:ff:ff:ff:ff:ff "
    "link-netnsid 0\n"
    "3: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master xenbr0 state "
    "UP mode DEFAULT group default qlen 1000\\    link/ether 02:57:5a:02:00:00 brd "
    "ff:ff:ff:ff:ff:ff link-netnsid 0\n"
    "5: vif1.0@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master xenbr0 "
    "state UP mode DEFAULT group default qlen 1000\\    link/ether 02:57:5a:03:00:00 brd "
    "ff:ff:ff:ff:ff:ff link-netns wv90-br0-vm\\    alias wv90-br0-vm\n"
    "6: xenbr0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT "
    "group default qlen 1000\\    link/ether 02:57:5a:02:00:00 brd ff:ff:ff:ff:ff:ff\n";

std::string vif_line(int number, const std::string& name, const std::string& alias) {
  return std::to_string(number) + ": " + name +
         "@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT "
         "group default qlen 1000\\    link/ether 02:57:5a:03:00:01 brd ff:ff:ff:ff:ff:ff "
         "link-netns " +
         alias + "\\    alias " + alias + "\n";
}

TEST(LabResolver, FindsTheVifByItsAlias) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0, kLabLinks);
  EXPECT_EQ(resolve("lab", executor, "wv90-br0-vm"), "vif1.0");
  EXPECT_EQ(executor.commands(), (std::vector<Argv>{kLinkShow}));
}

TEST(LabResolver, PicksTheVifWithTheIndex) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0, kLabLinks + vif_line(8, "vif1.1", "wv90-br0-vm"));
  EXPECT_EQ(resolve("lab", executor, "wv90-br0-vm", 1), "vif1.1");
  EXPECT_EQ(resolve("lab", executor, "wv90-br0-vm", 0), "vif1.0");
}

// A kvm guest's taps: vnet<N>, taken in the order ip lists them.
TEST(LabResolver, TakesAQemuGuestsTapsInOrder) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0,
                 vif_line(4, "vnet0", "wv90-kv0-vm") + vif_line(9, "vnet1", "wv90-kv0-vm"));
  EXPECT_EQ(resolve("lab", executor, "wv90-kv0-vm", 0), "vnet0");
  EXPECT_EQ(resolve("lab", executor, "wv90-kv0-vm", 1), "vnet1");
  EXPECT_EQ(resolve_error("lab", executor, "wv90-kv0-vm", 2),
            "root@10.0.0.2:22: lab: VM 'wv90-kv0-vm' has no VIF with index 2 "
            "(its interfaces: vnet0, vnet1)");
}

TEST(LabResolver, ReportsAVmNoInterfaceNames) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0, kLabLinks);
  // Aliases match whole, not by prefix.
  EXPECT_EQ(resolve_error("lab", executor, "wv90-br0"),
            "root@10.0.0.2:22: lab: VM 'wv90-br0' not found "
            "(no interface in ip -o link show has alias 'wv90-br0')");
}

TEST(LabResolver, ReportsAMissingIndex) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0, kLabLinks);
  EXPECT_EQ(resolve_error("lab", executor, "wv90-br0-vm", 1),
            "root@10.0.0.2:22: lab: VM 'wv90-br0-vm' has no VIF with index 1 "
            "(its interfaces: vif1.0)");
}

TEST(LabResolver, ReportsTwoVifsClaimingTheVm) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0, kLabLinks + vif_line(8, "vif2.0", "wv90-br0-vm"));
  EXPECT_EQ(resolve_error("lab", executor, "wv90-br0-vm"),
            "root@10.0.0.2:22: lab: VM 'wv90-br0-vm' is ambiguous: "
            "vif1.0, vif2.0 all have alias 'wv90-br0-vm'");
}

TEST(LabResolver, IgnoresAliasedInterfacesThatAreNoVif) {
  FakeExecutor executor;
  executor.reply(kLinkShow, 0, vif_line(8, "tap0", "web1"));
  EXPECT_EQ(resolve_error("lab", executor, "web1"),
            "root@10.0.0.2:22: lab: VM 'web1' has no VIF with index 0 (its interfaces: tap0)");
}

TEST(LabResolver, ReportsAMissingIp) {
  FakeExecutor executor("local netns wv90-br0");
  executor.reply(kLinkShow, 127, "", "exec of \"ip\" failed: No such file or directory\n");
  EXPECT_EQ(resolve_error("lab", executor, "wv90-br0-vm"),
            "ip not found on local netns wv90-br0: is iproute2 installed?");
}

TEST(LabResolver, QuotesWhatIpSaidWhenItFails) {
  FakeExecutor executor("local netns wv90-br0");
  executor.reply(kLinkShow, 1, "", "Cannot open netlink socket: Permission denied\n");
  EXPECT_EQ(resolve_error("lab", executor, "wv90-br0-vm"),
            "local netns wv90-br0: lab: VM 'wv90-br0-vm' could not be looked up: "
            "ip -o link show exited with status 1: Cannot open netlink socket: Permission denied");
}

}  // namespace
}  // namespace weaver::testing

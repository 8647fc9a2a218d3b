#include <gtest/gtest.h>

#include "fake_executor.hpp"

namespace weaver::testing {
namespace {

const Argv kDomiflist{"virsh", "domiflist", "web1"};

// libvirt 6 and later: a leading blank and a long separator.
constexpr const char* kRunning =
    " Interface   Type      Source    Model    MAC\n"
    "-----------------------------------------------------------\n"
    " vnet3       bridge    virbr0    virtio   52:54:00:6b:3c:58\n"
    " vnet4       network   default   virtio   52:54:00:aa:bb:cc\n"
    "\n";

TEST(LibvirtResolver, TakesTheNthInterface) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0, kRunning);
  EXPECT_EQ(resolve("libvirt", executor, "web1"), "vnet3");
  EXPECT_EQ(resolve("libvirt", executor, "web1", 1), "vnet4");
  EXPECT_EQ(executor.commands(), (std::vector<Argv>{kDomiflist, kDomiflist}));
}

TEST(LibvirtResolver, ReadsTheOlderTable) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0,
                 "Interface  Type       Source     Model       MAC\n"
                 "-------------------------------------------------------\n"
                 "vnet0      network    default    virtio      52:54:00:12:34:56\n"
                 "\n");
  EXPECT_EQ(resolve("libvirt", executor, "web1"), "vnet0");
}

TEST(LibvirtResolver, ReportsAShutOffDomain) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0,
                 " Interface   Type      Source    Model    MAC\n"
                 "-----------------------------------------------------------\n"
                 " -           network   default   virtio   52:54:00:6b:3c:58\n"
                 "\n");
  EXPECT_EQ(resolve_error("libvirt", executor, "web1"),
            "root@10.0.0.2:22: libvirt: VM 'web1' is not running "
            "(virsh domiflist web1 shows no host interface for interface 0)");
}

TEST(LibvirtResolver, ReportsAMissingInterface) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0, kRunning);
  EXPECT_EQ(resolve_error("libvirt", executor, "web1", 2),
            "root@10.0.0.2:22: libvirt: VM 'web1' has no interface 2 "
            "(virsh domiflist web1 lists 2: vnet3, vnet4)");
}

TEST(LibvirtResolver, ReportsADomainWithoutInterfaces) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0,
                 " Interface   Type   Source   Model   MAC\n"
                 "-------------------------------------------\n"
                 "\n");
  EXPECT_EQ(resolve_error("libvirt", executor, "web1"),
            "root@10.0.0.2:22: libvirt: VM 'web1' has no interface 0 "
            "(virsh domiflist web1 lists 0: none)");
}

TEST(LibvirtResolver, ReportsADomainThatIsNotThere) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 1, "",
                 "error: failed to get domain 'web1'\n"
                 "error: Domain not found: no domain with matching name 'web1'\n\n");
  EXPECT_EQ(resolve_error("libvirt", executor, "web1"),
            "root@10.0.0.2:22: libvirt: VM 'web1' not found "
            "(virsh domiflist web1: error: failed to get domain 'web1')");
}

TEST(LibvirtResolver, QuotesWhatVirshSaidWhenItFailsOtherwise) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 1, "",
                 "error: failed to connect to the hypervisor\n"
                 "error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': "
                 "No such file or directory\n");
  EXPECT_EQ(resolve_error("libvirt", executor, "web1"),
            "root@10.0.0.2:22: libvirt: VM 'web1' could not be looked up: virsh domiflist web1 "
            "exited with status 1: error: failed to connect to the hypervisor");
}

TEST(LibvirtResolver, ReportsAMissingVirsh) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 127, "", "bash: virsh: command not found\n");
  EXPECT_EQ(resolve_error("libvirt", executor, "web1"),
            "virsh not found on root@10.0.0.2:22: is this a libvirt host?");
}

TEST(LibvirtResolver, RefusesOutputWithoutATable) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0, "vnet3 bridge virbr0\n");
  EXPECT_EQ(resolve_error("libvirt", executor, "web1"),
            "root@10.0.0.2:22: libvirt: VM 'web1' has no interface table: "
            "virsh domiflist web1 printed 'vnet3 bridge virbr0'");
}

TEST(LibvirtResolver, RefusesAnInterfaceNameUnfitForTcpdump) {
  FakeExecutor executor;
  executor.reply(kDomiflist, 0,
                 " Interface   Type   Source   Model   MAC\n"
                 "-------------------------------------------\n"
                 " vnet3;reboot   bridge   virbr0   virtio   52:54:00:6b:3c:58\n");
  try {
    resolve("libvirt", executor, "web1");
    FAIL() << "no Error";
  } catch (const UsageError& error) {
    FAIL() << "the tool's output is no usage error: " << error.what();
  } catch (const Error& error) {
    EXPECT_STREQ(error.what(),
                 "root@10.0.0.2:22: libvirt: VM 'web1': VIF name: 'vnet3;reboot' may contain "
                 "only letters, digits, '.', '-' and '_'");
  }
}

}  // namespace
}  // namespace weaver::testing

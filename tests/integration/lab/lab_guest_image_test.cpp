// What the kvm and libvirt guests are made of, checked without booting them:
// the initramfs archive reads back entry by entry, /init configures exactly
// the plan's address and neighbours and stops at the first failing step,
// QEMU gets an argv (no shell) on the lab's tap without vhost, and the
// libvirt domain puts its NIC on the hypervisor's bridge.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <string>

#include "guest_image.hpp"
#include "lab_guests.hpp"
#include "lab_network.hpp"
#include "weaver/lab/lab_plan.hpp"

namespace weaver::lab {
namespace {

// Reads a newc archive back: (name, mode, data) per entry, up to the trailer.
struct ReadEntry {
  std::string name;
  unsigned mode;
  std::string data;
};

std::vector<ReadEntry> read_newc(const std::string& archive) {
  std::vector<ReadEntry> entries;
  std::size_t at = 0;
  auto field = [&](int index) {
    return static_cast<unsigned>(std::stoul(archive.substr(at + 6 + 8 * index, 8), nullptr, 16));
  };
  auto align = [](std::size_t n) { return (n + 3) & ~std::size_t{3}; };
  while (at + 110 <= archive.size()) {
    EXPECT_EQ(archive.substr(at, 6), "070701");
    const unsigned mode = field(1), size = field(6), name_size = field(11);
    const std::string name = archive.substr(at + 110, name_size - 1);
    const std::size_t data_at = align(at + 110 + name_size);
    if (name == "TRAILER!!!") break;
    entries.push_back({name, mode, archive.substr(data_at, size)});
    at = align(data_at + size);
  }
  return entries;
}

LabPlan vm_plan(int sources) {
  LabOptions options;
  options.datapaths = {Datapath::kvm, Datapath::libvirt};
  options.sources = sources;
  return make_lab_plan(options, 7);
}

GuestKernel fake_kernel() {
  return {"6.1.0-0-test", "/boot/vmlinuz-6.1.0-0-test",
          {"kernel/drivers/virtio/virtio_ring.ko", "kernel/drivers/net/virtio_net.ko"}};
}

TEST(GuestImage, NewcArchiveReadsBackEntryByEntry) {
  const std::string payload(1001, 'x');  // not a multiple of 4: padding matters
  const std::string archive = write_newc({{"bin", S_IFDIR | 0755, {}, 0, 0},
                                          {"bin/busybox", S_IFREG | 0755, payload, 0, 0},
                                          {"dev/console", S_IFCHR | 0600, {}, 5, 1},
                                          {"init", S_IFREG | 0755, "#!/bin/busybox sh\n", 0, 0}});
  EXPECT_EQ(archive.size() % 4, 0u);
  const auto entries = read_newc(archive);
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1].name, "bin/busybox");
  EXPECT_EQ(entries[1].data, payload);
  EXPECT_TRUE(S_ISCHR(entries[2].mode));
  EXPECT_EQ(entries[3].name, "init");
  EXPECT_EQ(entries[3].data, "#!/bin/busybox sh\n");
}

TEST(GuestImage, InitSetsThePlansAddressAndEverySourceAsAStaticNeighbour) {
  const LabPlan plan = vm_plan(3);
  const HypervisorPlan& guest = plan.hypervisors.front();
  const std::string script = guest_init_script(plan, guest, fake_kernel());
  EXPECT_NE(script.find("ip addr add " + guest.guest_address + "/24 dev eth0"), std::string::npos);
  for (const SourcePlan& source : plan.sources) {
    EXPECT_NE(script.find("arp -i eth0 -s " + source.data_address + " " + source.data_mac),
              std::string::npos)
        << source.name;
  }
  // Modules in the given order, after `set -e`, before the ready line.
  const auto set_e = script.find("set -e");
  const auto ring = script.find("insmod /lib/modules/virtio_ring.ko");
  const auto net = script.find("insmod /lib/modules/virtio_net.ko");
  const auto ready = script.find(guest_ready_line);
  ASSERT_NE(set_e, std::string::npos);
  EXPECT_LT(set_e, ring);
  EXPECT_LT(ring, net);
  EXPECT_LT(net, ready);
}

TEST(GuestImage, VmHypervisorsHaveATapAndNoGuestNamespace) {
  const LabPlan plan = vm_plan(1);
  ASSERT_EQ(plan.hypervisors.size(), 2u);
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    EXPECT_EQ(hypervisor.vif, "vnet0");
    EXPECT_TRUE(hypervisor.guest_netns.empty());
    EXPECT_EQ(hypervisor.instance, hypervisor.netns + "-vm");
    const auto netns = plan.all_netns();
    EXPECT_EQ(std::count(netns.begin(), netns.end(), hypervisor.instance), 0);
  }
  const std::string kvm = hypervisor_batch(plan, plan.hypervisors[0]);
  EXPECT_NE(kvm.find("tuntap add dev vnet0 mode tap"), std::string::npos);
  EXPECT_NE(kvm.find("link set vnet0 master br0"), std::string::npos);
  const std::string libvirt = hypervisor_batch(plan, plan.hypervisors[1]);
  EXPECT_EQ(libvirt.find("vnet0"), std::string::npos) << "libvirtd makes the libvirt guest's tap";
  EXPECT_NE(libvirt.find("link set eth0 master br0"), std::string::npos);
  EXPECT_EQ(root_link_batch(plan).find("vnet"), std::string::npos);
}

TEST(GuestImage, QemuRunsOnTheLabsTapWithoutVhostAndWithoutAShell) {
  const LabPlan plan = vm_plan(1);
  const HypervisorPlan& hypervisor = plan.hypervisors.front();
  const GuestFiles files = guest_files(plan, hypervisor);
  const auto argv = qemu_argv(hypervisor, files, fake_kernel(), Accelerator::tcg);
  auto after = [&](const std::string& flag) {
    const auto found = std::find(argv.begin(), argv.end(), flag);
    return found == argv.end() || found + 1 == argv.end() ? std::string() : *(found + 1);
  };
  EXPECT_EQ(argv.front(), "qemu-system-x86_64");
  EXPECT_EQ(after("-accel"), "tcg");
  EXPECT_EQ(after("-netdev"), "tap,id=vif,ifname=vnet0,script=no,downscript=no,vhost=off");
  EXPECT_NE(after("-device").find("mac=" + hypervisor.guest_mac), std::string::npos);
  EXPECT_EQ(after("-initrd"), files.initramfs);
  EXPECT_EQ(after("-serial"), "file:" + files.console_log);
  EXPECT_EQ(qemu_argv(hypervisor, files, fake_kernel(), Accelerator::kvm)[4], "kvm");
  // The state directory on the command line: `lab down` finds QEMU by it.
  EXPECT_EQ(files.console_log.rfind(plan.state_dir + "/", 0), 0u);
}

TEST(GuestImage, LibvirtDomainPutsItsNicOnTheHypervisorsBridge) {
  const LabPlan plan = vm_plan(1);
  const HypervisorPlan& hypervisor = plan.hypervisors[1];
  const std::string xml =
      domain_xml(hypervisor, guest_files(plan, hypervisor), fake_kernel(), Accelerator::kvm);
  EXPECT_NE(xml.find("<domain type='kvm'>"), std::string::npos);
  EXPECT_NE(xml.find("<name>" + hypervisor.instance + "</name>"), std::string::npos);
  EXPECT_NE(xml.find("<source bridge='br0'/>"), std::string::npos);
  EXPECT_NE(xml.find("<mac address='" + hypervisor.guest_mac + "'/>"), std::string::npos);
  EXPECT_NE(xml.find("<kernel>/boot/vmlinuz-6.1.0-0-test</kernel>"), std::string::npos);
  EXPECT_NE(domain_xml(hypervisor, guest_files(plan, hypervisor), fake_kernel(), Accelerator::tcg)
                .find("<domain type='qemu'>"),
            std::string::npos);
}

// The machine's own kernel and busybox, as `lab up` finds them (the setup
// scripts install linux-image-cloud-amd64 and busybox-static).
TEST(GuestImage, FindsTheMachinesGuestKernelAndStaticBusybox) {
  const GuestKernel kernel = find_guest_kernel();
  EXPECT_EQ(kernel.image, "/boot/vmlinuz-" + kernel.release);
  ASSERT_FALSE(kernel.modules.empty());
  EXPECT_EQ(kernel.modules.back(), "kernel/drivers/net/virtio_net.ko");
  const auto position = [&](const std::string& module) {
    return std::find(kernel.modules.begin(), kernel.modules.end(), module) - kernel.modules.begin();
  };
  // Each module after what it needs (Debian builds these as modules).
  const auto failover = position("kernel/net/core/failover.ko");
  const auto net_failover = position("kernel/drivers/net/net_failover.ko");
  if (net_failover < static_cast<long>(kernel.modules.size())) EXPECT_LT(failover, net_failover);
  EXPECT_FALSE(static_busybox_path().empty());
}

}  // namespace
}  // namespace weaver::lab

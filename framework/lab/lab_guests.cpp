#include "lab_guests.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include "lab_libvirtd.hpp"
#include "process.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* guest_memory_mib = "128";
// Fast KVM prints the kernel's first line well within a second; the nested
// KVM of some cloud machines takes minutes for the same (seen: 100 s to
// decompress the kernel), where TCG boots the whole guest in about 3 s.
constexpr auto kernel_line_deadline = std::chrono::seconds(5);
constexpr auto ready_deadline = std::chrono::seconds(60);
constexpr const char* kernel_line = "Linux version";

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string last_line(const std::string& text) {
  std::string trimmed = text;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == '\r')) trimmed.pop_back();
  const auto start = trimmed.find_last_of('\n');
  return start == std::string::npos ? trimmed : trimmed.substr(start + 1);
}

void kill_and_wait(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (process_running(pid) && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

// Why KVM cannot be used at all, or empty.
std::string kvm_unavailable() {
  const int fd = ::open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::string("/dev/kvm: ") + std::strerror(errno);
  ::close(fd);
  return {};
}

std::string domain_type(Accelerator accelerator) {
  return accelerator == Accelerator::kvm ? "kvm" : "qemu";
}

// One guest being booted.
struct Boot {
  const HypervisorPlan* hypervisor;
  GuestFiles files;
  GuestProcess process;
  Clock::time_point started;
};

class GuestBooter {
 public:
  GuestBooter(const LabPlan& plan, std::vector<std::string>& notes)
      : plan_(plan), notes_(notes), kernel_(find_guest_kernel()), busybox_(static_busybox_path()) {}

  std::map<std::string, GuestProcess> boot() {
    const Accelerator first = first_accelerator();
    std::vector<Boot> boots;
    for (const HypervisorPlan& hypervisor : plan_.hypervisors) {
      if (!hypervisor.runs_vm()) continue;
      Boot boot{&hypervisor, guest_files(plan_, hypervisor), {}, {}};
      boot.process.accelerator = first;
      write_guest_initramfs(boot.files.initramfs, kernel_, busybox_,
                            guest_init_script(plan_, hypervisor, kernel_));
      if (hypervisor.datapath == Datapath::libvirt) {
        boot.process.libvirtd = start_libvirtd(plan_, hypervisor);
      }
      boots.push_back(std::move(boot));
    }
    for (Boot& boot : boots) {
      if (boot.process.libvirtd) {
        wait_for_libvirtd(plan_, *boot.hypervisor, boot.process.libvirtd, 20'000);
      }
      start(boot);
    }
    std::map<std::string, GuestProcess> guests;
    while (guests.size() < boots.size()) {
      for (Boot& boot : boots) {
        if (!guests.count(boot.hypervisor->name) && ready(boot)) {
          guests[boot.hypervisor->name] = boot.process;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return guests;
  }

 private:
  Accelerator first_accelerator() {
    const std::string why_not = kvm_unavailable();
    if (plan_.accelerator == Accelerator::tcg) return Accelerator::tcg;
    if (why_not.empty()) return Accelerator::kvm;
    if (plan_.accelerator == Accelerator::kvm) throw LabError("lab: --accel kvm: " + why_not);
    notes_.push_back("lab: " + why_not + ": the kvm and libvirt guests run under QEMU's TCG emulator");
    return Accelerator::tcg;
  }

  void start(Boot& boot) {
    const HypervisorPlan& hypervisor = *boot.hypervisor;
    ::unlink(boot.files.console_log.c_str());
    boot.started = Clock::now();
    if (hypervisor.datapath == Datapath::kvm) {
      boot.process.qemu = spawn_detached(
          qemu_argv(hypervisor, boot.files, kernel_, boot.process.accelerator), hypervisor.netns,
          plan_.state_dir + "/" + hypervisor.name + ".qemu.log");
      boot.process.tap = hypervisor.vif;
      return;
    }
    const std::string xml_path = plan_.state_dir + "/" + hypervisor.name + ".domain.xml";
    write_text_file(xml_path, domain_xml(hypervisor, boot.files, kernel_, boot.process.accelerator));
    virsh(plan_, hypervisor, {"define", xml_path});
    virsh(plan_, hypervisor, {"start", hypervisor.instance});
    const std::string pid_file =
        plan_.state_dir + "/" + hypervisor.name + ".libvirt/run/qemu/" + hypervisor.instance + ".pid";
    boot.process.qemu = static_cast<pid_t>(std::atol(read_text(pid_file).c_str()));
    // libvirtd numbers its taps on: after a restart the guest's is vnet1.
    // `-q domiflist`: " vnet1   bridge   br0   virtio   02:57:..." per NIC.
    std::istringstream row(virsh(plan_, hypervisor, {"domiflist", hypervisor.instance}));
    row >> boot.process.tap;
  }

  void stop(Boot& boot) {
    if (boot.hypervisor->datapath == Datapath::libvirt) {
      // Undefined too: the domain is defined afresh (no uuid in our XML).
      virsh(plan_, *boot.hypervisor, {"destroy", boot.hypervisor->instance});
      virsh(plan_, *boot.hypervisor, {"undefine", boot.hypervisor->instance});
    }
    kill_and_wait(boot.process.qemu);
  }

  // One look at a guest's console: true once it is ready. Boots again under
  // TCG a guest whose kernel KVM does not start in time (automatic only).
  bool ready(Boot& boot) {
    const HypervisorPlan& hypervisor = *boot.hypervisor;
    const std::string console = read_text(boot.files.console_log);
    if (console.find(guest_ready_line) != std::string::npos) {
      boot.process.boot_seconds = std::chrono::duration<double>(Clock::now() - boot.started).count();
      return true;
    }
    const auto waited = Clock::now() - boot.started;
    if (plan_.accelerator == Accelerator::automatic &&
        boot.process.accelerator == Accelerator::kvm && waited > kernel_line_deadline &&
        console.find(kernel_line) == std::string::npos) {
      notes_.push_back(fmt::format(
          "lab: {}: the guest's kernel showed no line within {} s under KVM (nested KVM "
          "without hardware help is this slow); booted under QEMU's TCG emulator instead",
          hypervisor.instance, kernel_line_deadline.count()));
      stop(boot);
      boot.process.accelerator = Accelerator::tcg;
      start(boot);
      return false;
    }
    if (!process_running(boot.process.qemu) || waited > ready_deadline) {
      throw LabError(fmt::format("guest {} did not come up ({}; its console, {}, ends: '{}')",
                                 hypervisor.instance,
                                 process_running(boot.process.qemu) ? "no ready line in time" : "QEMU ended",
                                 boot.files.console_log, last_line(console)));
    }
    return false;
  }

  const LabPlan& plan_;
  std::vector<std::string>& notes_;
  GuestKernel kernel_;
  std::string busybox_;
};

}  // namespace

GuestFiles guest_files(const LabPlan& plan, const HypervisorPlan& hypervisor) {
  const std::string base = plan.state_dir + "/" + hypervisor.name;
  return {base + ".initramfs", base + ".console.log"};
}

std::string guest_kernel_command_line() {
  return "console=ttyS0 loglevel=6 panic=-1 edd=off ipv6.disable=1";
}

std::vector<std::string> qemu_argv(const HypervisorPlan& hypervisor, const GuestFiles& files,
                                   const GuestKernel& kernel, Accelerator accelerator) {
  return {"qemu-system-x86_64",
          "-name", hypervisor.instance,
          "-accel", accelerator == Accelerator::kvm ? "kvm" : "tcg",
          "-machine", "pc",
          "-m", guest_memory_mib,
          "-smp", "1",
          "-nodefaults", "-no-user-config", "-display", "none", "-no-reboot",
          "-serial", "file:" + files.console_log,
          "-kernel", kernel.image,
          "-initrd", files.initramfs,
          "-append", guest_kernel_command_line(),
          // No vhost-net on these machines: QEMU's own thread copies frames,
          // as without the vhost_net module anywhere.
          "-netdev", "tap,id=vif,ifname=" + hypervisor.vif + ",script=no,downscript=no,vhost=off",
          "-device", "virtio-net-pci,netdev=vif,mac=" + hypervisor.guest_mac + ",romfile="};
}

std::string domain_xml(const HypervisorPlan& hypervisor, const GuestFiles& files,
                       const GuestKernel& kernel, Accelerator accelerator) {
  return fmt::format(R"(<domain type='{type}'>
  <name>{name}</name>
  <memory unit='MiB'>{memory}</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>{kernel}</kernel>
    <initrd>{initrd}</initrd>
    <cmdline>{cmdline}</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <interface type='bridge'>
      <source bridge='{bridge}'/>
      <mac address='{mac}'/>
      <model type='virtio'/>
      <driver name='qemu'/>
      <rom enabled='no'/>
    </interface>
    <serial type='file'>
      <source path='{console}'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
)",
                     fmt::arg("type", domain_type(accelerator)),
                     fmt::arg("name", hypervisor.instance), fmt::arg("bridge", vm_bridge), fmt::arg("memory", guest_memory_mib),
                     fmt::arg("kernel", kernel.image), fmt::arg("initrd", files.initramfs),
                     fmt::arg("cmdline", guest_kernel_command_line()),
                     fmt::arg("mac", hypervisor.guest_mac), fmt::arg("console", files.console_log));
}

std::map<std::string, GuestProcess> boot_guests(const LabPlan& plan,
                                                std::vector<std::string>& notes) {
  // A lab of namespace datapaths needs no guest kernel, busybox or /dev/kvm.
  if (std::none_of(plan.hypervisors.begin(), plan.hypervisors.end(),
                   [](const HypervisorPlan& hypervisor) { return hypervisor.runs_vm(); })) {
    return {};
  }
  return GuestBooter(plan, notes).boot();
}

}  // namespace weaver::lab

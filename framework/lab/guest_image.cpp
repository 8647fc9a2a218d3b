#include "guest_image.hpp"

#include <elf.h>
#include <string.h>  // strverscmp
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "process.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

namespace fs = std::filesystem;

constexpr const char* kernel_package = "linux-image-cloud-amd64";
// What the guest's NIC needs, besides what the kernel has built in.
constexpr const char* wanted_modules[] = {"kernel/drivers/virtio/virtio_pci.ko",
                                          "kernel/drivers/net/virtio_net.ko"};

std::string read_whole(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LabError(path + ": cannot read");
  std::string data;
  data.resize(limit);
  in.read(data.data(), static_cast<std::streamsize>(limit));
  data.resize(static_cast<std::size_t>(in.gcount()));
  if (data.size() == limit && in.peek() != EOF) {
    throw LabError(fmt::format("{}: larger than {} bytes", path, limit));
  }
  return data;
}

std::set<std::string> lines_of(const std::string& path) {
  std::set<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

// modules.dep: "kernel/drivers/net/virtio_net.ko: kernel/drivers/net/net_failover.ko ...".
std::map<std::string, std::vector<std::string>> read_module_deps(const std::string& path) {
  std::map<std::string, std::vector<std::string>> deps;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::istringstream rest(line.substr(colon + 1));
    std::vector<std::string>& list = deps[line.substr(0, colon)];
    for (std::string dep; rest >> dep;) list.push_back(dep);
  }
  return deps;
}

// Dependencies before dependants, each once, built-in modules left out.
std::optional<std::vector<std::string>> modules_in_load_order(const std::string& modules_dir) {
  const auto deps = read_module_deps(modules_dir + "/modules.dep");
  const std::set<std::string> builtin = lines_of(modules_dir + "/modules.builtin");
  std::vector<std::string> order;
  std::set<std::string> seen;
  bool complete = true;
  std::function<void(const std::string&)> visit = [&](const std::string& module) {
    if (builtin.count(module) || !seen.insert(module).second) return;
    const auto found = deps.find(module);
    if (found == deps.end()) {
      complete = false;
      return;
    }
    for (const std::string& dep : found->second) visit(dep);
    order.push_back(module);
  };
  for (const char* module : wanted_modules) visit(module);
  if (!complete) return std::nullopt;
  return order;
}

bool is_dynamic_elf(const std::string& image) {
  if (image.size() < sizeof(Elf64_Ehdr) || image.compare(0, 4, ELFMAG) != 0 ||
      image[EI_CLASS] != ELFCLASS64) {
    return true;  // not something the guest could run as it is
  }
  Elf64_Ehdr header;
  std::copy_n(image.data(), sizeof header, reinterpret_cast<char*>(&header));
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    const std::size_t offset = header.e_phoff + std::size_t{i} * header.e_phentsize;
    if (header.e_phentsize < sizeof(Elf64_Phdr) || offset + sizeof(Elf64_Phdr) > image.size()) {
      return true;
    }
    Elf64_Phdr program;
    std::copy_n(image.data() + offset, sizeof program, reinterpret_cast<char*>(&program));
    if (program.p_type == PT_INTERP) return true;
  }
  return false;
}

void append_padded(std::string& out, const std::string& bytes) {
  out += bytes;
  out.append((4 - out.size() % 4) % 4, '\0');
}

}  // namespace

GuestKernel find_guest_kernel() {
  std::vector<std::string> releases;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator("/boot", error)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("vmlinuz-", 0) == 0) releases.push_back(name.substr(8));
  }
  // Newest first: version order, which for Debian's names is close enough to
  // the order of their text with numbers compared as numbers.
  std::sort(releases.begin(), releases.end(), [](const std::string& a, const std::string& b) {
    return ::strverscmp(a.c_str(), b.c_str()) > 0;
  });
  for (const std::string& release : releases) {
    const std::string modules_dir = "/lib/modules/" + release;
    if (const auto modules = modules_in_load_order(modules_dir)) {
      return {release, "/boot/vmlinuz-" + release, *modules};
    }
  }
  throw LabError(std::string("lab: no guest kernel with virtio_net in /boot and /lib/modules "
                             "(the kvm and libvirt datapaths boot one); install the Debian "
                             "package ") +
                 kernel_package);
}

std::string static_busybox_path() {
  const std::string path = find_tool("busybox");
  if (path.empty()) {
    throw LabError("lab: 'busybox' not found (the kvm and libvirt guests run it); install the "
                   "Debian package busybox-static");
  }
  if (is_dynamic_elf(read_whole(path, 16 << 20))) {
    throw LabError("lab: " + path +
                   " is not a static x86-64 binary, and the guests have no loader; install the "
                   "Debian package busybox-static");
  }
  return path;
}

std::string guest_init_script(const LabPlan& plan, const HypervisorPlan& hypervisor,
                              const GuestKernel& kernel) {
  std::string script =
      "#!/bin/busybox sh\n"
      "# Generated by weaver lab up for " + hypervisor.instance + ".\n"
      "export PATH=/bin\n"
      "busybox mount -t proc proc /proc\n"
      "busybox mount -t sysfs sysfs /sys\n"
      "busybox mount -t devtmpfs devtmpfs /dev\n"
      // A failed step ends init, so the kernel panics and QEMU exits: the
      // lab reports the console's last lines instead of a guest that
      // only looks ready.
      "set -e\n";
  for (const std::string& module : kernel.modules) {
    script += "busybox insmod /lib/modules/" + fs::path(module).filename().string() + "\n";
  }
  // Neighbours are static in the whole lab: nobody sends ARP.
  script += fmt::format(
      "busybox ip link set lo up\n"
      "busybox ip link set {0} up\n"
      "busybox ip addr add {1}/24 dev {0}\n"
      "busybox ip route add {2} dev {0}\n",
      hypervisor.guest_if, hypervisor.guest_address, plan.data_subnet);
  for (const SourcePlan& source : plan.sources) {
    script += fmt::format("busybox arp -i {} -s {} {}\n", hypervisor.guest_if, source.data_address,
                          source.data_mac);
  }
  script += fmt::format("echo \"{} $(busybox cat /proc/uptime)\"\n", guest_ready_line);
  script += "exec busybox sleep 2147483647\n";
  return script;
}

std::string write_newc(const std::vector<CpioEntry>& entries) {
  std::string out;
  unsigned inode = 1;
  auto add = [&](const CpioEntry& entry) {
    const bool is_dir = S_ISDIR(entry.mode);
    out += fmt::format(
        "070701{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}{:08x}",
        inode++, entry.mode, 0, 0, is_dir ? 2 : 1, 0, entry.data.size(), 0, 0, entry.rdev_major,
        entry.rdev_minor, entry.name.size() + 1, 0);
    append_padded(out, entry.name + '\0');
    append_padded(out, entry.data);
  };
  for (const CpioEntry& entry : entries) add(entry);
  add({"TRAILER!!!", 0, {}, 0, 0});
  return out;
}

void write_guest_initramfs(const std::string& path, const GuestKernel& kernel,
                           const std::string& busybox, const std::string& init_script) {
  std::vector<CpioEntry> entries;
  for (const char* dir : {"bin", "dev", "proc", "sys", "lib", "lib/modules"}) {
    entries.push_back({dir, S_IFDIR | 0755, {}, 0, 0});
  }
  entries.push_back({"dev/console", S_IFCHR | 0600, {}, 5, 1});
  entries.push_back({"bin/busybox", S_IFREG | 0755, read_whole(busybox, 16 << 20), 0, 0});
  // The script calls busybox by name: `sh` for its interpreter line.
  entries.push_back({"bin/sh", S_IFLNK | 0777, "busybox", 0, 0});
  entries.push_back({"init", S_IFREG | 0755, init_script, 0, 0});
  for (const std::string& module : kernel.modules) {
    entries.push_back({"lib/modules/" + fs::path(module).filename().string(), S_IFREG | 0644,
                       read_whole("/lib/modules/" + kernel.release + "/" + module, 64 << 20), 0,
                       0});
  }
  write_text_file(path, write_newc(entries));
}

}  // namespace weaver::lab

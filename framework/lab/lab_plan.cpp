#include "weaver/lab/lab_plan.hpp"

#include <fmt/format.h>

#include <filesystem>

#include <regex>

#include "weaver/error.hpp"

namespace weaver::lab {
namespace {

// Locally administered unicast MACs: 02:57 ('W'), lab number, role, index.
enum class MacRole : int { source = 1, pif = 2, vif = 3, guest = 4 };

std::string make_mac(int lab_number, MacRole role, int index) {
  return fmt::format("02:57:{:02x}:{:02x}:{:02x}:{:02x}", lab_number, static_cast<int>(role),
                     index >> 8, index & 0xff);
}

}  // namespace

std::string to_string(Datapath datapath) {
  switch (datapath) {
    case Datapath::bridge: return "bridge";
    case Datapath::routed: return "routed";
    case Datapath::tc_redirect: return "tc-redirect";
    case Datapath::userspace: return "userspace";
    case Datapath::kvm: return "kvm";
    case Datapath::libvirt: return "libvirt";
  }
  return "?";
}

std::string datapath_tag(Datapath datapath) {
  switch (datapath) {
    case Datapath::bridge: return "br";
    case Datapath::routed: return "rt";
    case Datapath::tc_redirect: return "tc";
    case Datapath::userspace: return "us";
    case Datapath::kvm: return "kv";
    case Datapath::libvirt: return "lv";
  }
  return "?";
}

bool runs_vm(Datapath datapath) { return datapath == Datapath::kvm || datapath == Datapath::libvirt; }

std::string to_string(Accelerator accelerator) {
  switch (accelerator) {
    case Accelerator::automatic: return "auto";
    case Accelerator::kvm: return "kvm";
    case Accelerator::tcg: return "tcg";
  }
  return "?";
}

std::optional<Accelerator> parse_accelerator(const std::string& text) {
  for (Accelerator accelerator : {Accelerator::automatic, Accelerator::kvm, Accelerator::tcg}) {
    if (text == to_string(accelerator)) return accelerator;
  }
  return std::nullopt;
}

std::optional<Datapath> parse_datapath(const std::string& text) {
  for (Datapath datapath : {Datapath::bridge, Datapath::routed, Datapath::tc_redirect,
                            Datapath::userspace, Datapath::kvm, Datapath::libvirt}) {
    if (text == to_string(datapath)) return datapath;
  }
  return std::nullopt;
}

std::optional<int> parse_lab_id(const std::string& id) {
  static const std::regex pattern("wv([1-9][0-9]?)");
  std::smatch match;
  if (!std::regex_match(id, match, pattern)) return std::nullopt;
  return std::stoi(match[1].str());
}

std::vector<std::string> LabPlan::all_netns() const {
  std::vector<std::string> names{switch_netns};
  for (const SourcePlan& source : sources) names.push_back(source.netns);
  for (const HypervisorPlan& hypervisor : hypervisors) {
    names.push_back(hypervisor.netns);
    if (!hypervisor.guest_netns.empty()) names.push_back(hypervisor.guest_netns);
  }
  return names;
}

LabPlan make_lab_plan(const LabOptions& options, int lab_number) {
  if (lab_number < 1 || lab_number > max_lab_number) {
    throw UsageError(fmt::format("lab number {} out of range 1..{}", lab_number, max_lab_number));
  }
  if (options.datapaths.empty()) throw UsageError("--datapath: give at least one datapath");
  const int total = options.hypervisors * static_cast<int>(options.datapaths.size());
  if (options.hypervisors < 1 || total > max_hypervisors_total) {
    throw UsageError(fmt::format("--hypervisors {}: between 1 and {} hypervisors in all datapaths",
                                 options.hypervisors, max_hypervisors_total));
  }
  if (options.sources < 1 || options.sources > max_sources) {
    throw UsageError(fmt::format("--sources {}: between 1 and {}", options.sources, max_sources));
  }
  if (options.delay_us < 0 || options.delay_us > 1'000'000) {
    throw UsageError(fmt::format("--delay-us {}: between 0 and 1000000", options.delay_us));
  }
  const int L = lab_number;
  LabPlan plan;
  plan.id = fmt::format("wv{}", L);
  plan.number = L;
  plan.prefix = plan.id + "-";
  plan.state_dir = std::string(lab_state_root) + "/" + plan.id;
  plan.delay_us = options.delay_us;
  plan.accelerator = options.accelerator;
  if (!options.shell_rc.empty()) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(options.shell_rc, error)) {
      throw UsageError("--shell-rc '" + options.shell_rc + "': not a regular file");
    }
    plan.shell_rc = std::filesystem::absolute(options.shell_rc).string();
  }
  plan.datapaths = options.datapaths;
  plan.hypervisors_per_datapath = options.hypervisors;
  plan.switch_netns = plan.prefix + "net";
  plan.management_bridge = plan.prefix + "mgmt";
  plan.management_gateway = fmt::format("198.19.{}.1", L);
  plan.data_subnet = fmt::format("198.18.{}.0/24", L);
  plan.guest_subnet = fmt::format("198.18.{}.0/24", 100 + L);

  for (int s = 0; s < options.sources; ++s) {
    SourcePlan source;
    source.name = fmt::format("src{}", s);
    source.netns = plan.prefix + source.name;
    source.data_address = fmt::format("198.18.{}.{}", L, 1 + s);
    source.data_mac = make_mac(L, MacRole::source, s);
    source.management_address = fmt::format("198.19.{}.{}", L, 100 + s);
    source.switch_port = "p-" + source.name;
    source.root_management_if = plan.prefix + "m-" + source.name;
    plan.sources.push_back(std::move(source));
  }
  int k = 0;
  for (Datapath datapath : options.datapaths) {
    for (int h = 0; h < options.hypervisors; ++h, ++k) {
      HypervisorPlan hypervisor;
      hypervisor.name = fmt::format("{}{}", datapath_tag(datapath), h);
      hypervisor.netns = plan.prefix + hypervisor.name;
      hypervisor.datapath = datapath;
      hypervisor.domid = k + 1;
      hypervisor.pif_mac = make_mac(L, MacRole::pif, k);
      hypervisor.pif_address = fmt::format("198.18.{}.{}", L, 100 + k);
      // A VM's tap is named as libvirt names the first one; the namespace
      // keeps it apart from other labs'.
      hypervisor.vif = hypervisor.runs_vm() ? "vnet0" : fmt::format("vif{}.0", hypervisor.domid);
      hypervisor.vif_mac = make_mac(L, MacRole::vif, k);
      hypervisor.management_address = fmt::format("198.19.{}.{}", L, 2 + k);
      hypervisor.switch_port = "p-" + hypervisor.name;
      hypervisor.root_management_if = plan.prefix + "m-" + hypervisor.name;
      hypervisor.instance = hypervisor.netns + "-vm";
      if (!hypervisor.runs_vm()) hypervisor.guest_netns = hypervisor.instance;
      hypervisor.guest_address = fmt::format("198.18.{}.{}", 100 + L, 1 + k);
      hypervisor.guest_mac = make_mac(L, MacRole::guest, k);
      plan.hypervisors.push_back(std::move(hypervisor));
    }
  }
  return plan;
}

}  // namespace weaver::lab

#include "lab_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "weaver/error.hpp"
#include "weaver/lab/lab.hpp"

namespace weaver::cli {
namespace {

struct LabArguments {
  std::string id;
  std::vector<std::string> datapaths{"bridge"};
  int hypervisors = 1;
  int sources = 1;
  int delay_us = 0;
  std::string accelerator = "auto";
  std::string shell_rc;
  bool all = false;
  bool json = false;
};

lab::LabOptions to_options(const LabArguments& args) {
  lab::LabOptions options;
  if (!args.id.empty()) options.id = args.id;
  options.datapaths.clear();
  for (const std::string& name : args.datapaths) {
    const auto datapath = lab::parse_datapath(name);
    if (!datapath) {
      throw UsageError("--datapath '" + name +
                       "': expected bridge, routed, tc-redirect, userspace, kvm or libvirt");
    }
    options.datapaths.push_back(*datapath);
  }
  options.hypervisors = args.hypervisors;
  options.sources = args.sources;
  options.delay_us = args.delay_us;
  const auto accelerator = lab::parse_accelerator(args.accelerator);
  if (!accelerator) throw UsageError("--accel '" + args.accelerator + "': expected auto, kvm or tcg");
  options.accelerator = *accelerator;
  options.shell_rc = args.shell_rc;
  return options;
}

void print_plan(const lab::LabUpReport& report, std::ostream& out) {
  const lab::LabPlan& plan = report.plan;
  if (report.already_up) {
    out << fmt::format("lab {} already up: state {}/state.json\n", plan.id, plan.state_dir);
  } else {
    out << fmt::format("lab {} up in {:.2f} s ({} hypervisor{}, {} source{}): state {}/state.json\n",
                       plan.id, report.seconds, plan.hypervisors.size(),
                       plan.hypervisors.size() == 1 ? "" : "s", plan.sources.size(),
                       plan.sources.size() == 1 ? "" : "s", plan.state_dir);
  }
  for (const lab::SourcePlan& source : plan.sources) {
    out << fmt::format("  {:<6} source      ssh root@{:<14} netns {:<12} {} {}\n", source.name,
                       source.management_address, source.netns, source.data_if,
                       source.data_address);
  }
  for (std::size_t i = 0; i < plan.hypervisors.size(); ++i) {
    const lab::HypervisorPlan& hv = plan.hypervisors[i];
    std::string guest = hv.instance;
    std::string vif = hv.vif;
    if (hv.runs_vm()) {
      vif = report.state.at("hypervisors").at(i).value("vif", vif);
      const auto& state = report.state.at("hypervisors").at(i).at("guest");
      guest += fmt::format(", QEMU {}, booted in {:.1f} s", state.value("accelerator", "?"),
                           state.value("boot_seconds", 0.0));
    }
    out << fmt::format("  {:<6} hypervisor  ssh root@{:<14} netns {:<12} {:<11} PIF {} VIF {} -> "
                       "guest {} ({})\n",
                       hv.name, hv.management_address, hv.netns, lab::to_string(hv.datapath),
                       hv.pif, vif, hv.guest_address, guest);
  }
  if (!plan.hypervisors.empty()) {
    out << fmt::format("  ssh -i {0}/client_key -o UserKnownHostsFile={0}/known_hosts root@{1}\n",
                       plan.state_dir, plan.hypervisors.front().management_address);
  }
}

int run_up(const LabArguments& args) {
  const lab::LabUpReport report = lab::lab_up(to_options(args));
  for (const std::string& note : report.notes) std::cerr << note << '\n';
  if (args.json) {
    std::cout << report.state.dump(2) << '\n';
  } else {
    print_plan(report, std::cout);
  }
  return 0;
}

int run_down(const LabArguments& args) {
  lab::check_lab_privileges();
  std::string id = args.id;
  if (!args.all && id.empty()) {
    const auto labs = lab::list_labs();
    if (labs.size() != 1) throw UsageError("lab down: give --id ID or --all");
    id = labs.front();
  }
  if (!args.all && !lab::parse_lab_id(id)) {
    throw UsageError("--id '" + id + "': expected wv1 ... wv99");
  }
  const lab::LabDownReport report = args.all ? lab::lab_down_all() : lab::lab_down(id);
  const std::string what = args.all ? "all labs" : "lab " + id;
  if (report.empty()) {
    std::cout << what << ": nothing to remove\n";
  } else {
    std::cout << fmt::format("{} down: removed {} namespaces, {} links, {} processes, {} state "
                             "directories\n",
                             what, report.namespaces.size(), report.links.size(),
                             report.processes.size(), report.state_dirs.size());
  }
  return 0;
}

nlohmann::json status_json(const lab::LabStatus& status) {
  nlohmann::json hosts = nlohmann::json::array();
  for (const lab::LabHostStatus& host : status.hosts) {
    nlohmann::json entry = {{"name", host.name},       {"role", host.role},
                            {"netns", host.netns},     {"address", host.address},
                            {"netns_present", host.netns_present}};
    if (!host.datapath.empty()) entry["datapath"] = host.datapath;
    if (host.role != "guest") entry["sshd_answers"] = host.sshd_answers;
    if (host.qemu_pid) entry["qemu_running"] = host.qemu_running;
    hosts.push_back(std::move(entry));
  }
  return {{"id", status.id}, {"complete", status.complete}, {"healthy", status.healthy()},
          {"hosts", hosts}};
}

void print_status(const lab::LabStatus& status, std::ostream& out) {
  if (!status.complete) {
    out << fmt::format("lab {}: incomplete (no state file); remove it with weaver lab down --id {}\n",
                       status.id, status.id);
    return;
  }
  out << fmt::format("lab {}: {}\n", status.id, status.healthy() ? "healthy" : "NOT healthy");
  for (const lab::LabHostStatus& host : status.hosts) {
    std::string sshd = host.role == "guest" ? "" : host.sshd_answers ? "sshd answers" : "sshd DOWN";
    if (host.qemu_pid) sshd = host.qemu_running ? "QEMU running" : "QEMU DOWN";
    out << fmt::format("  {:<10} {:<10} {:<11} {:<14} netns {:<13} {}\n", host.name, host.role,
                       host.datapath.empty() ? "-" : host.datapath, host.address,
                       host.netns_present ? host.netns : host.netns + " MISSING", sshd);
  }
}

int run_status(const LabArguments& args) {
  lab::check_lab_privileges();
  std::vector<std::string> ids = args.id.empty() ? lab::list_labs() : std::vector{args.id};
  bool all_healthy = true;
  nlohmann::json labs = nlohmann::json::array();
  for (const std::string& id : ids) {
    const lab::LabStatus status = lab::lab_status(id);
    all_healthy = all_healthy && status.healthy();
    if (args.json) labs.push_back(status_json(status));
    else print_status(status, std::cout);
  }
  if (args.json) std::cout << nlohmann::json{{"labs", labs}}.dump(2) << '\n';
  else if (ids.empty()) std::cout << "no lab is up\n";
  return all_healthy ? 0 : 1;
}

}  // namespace

std::function<int()> add_lab_command(CLI::App& app) {
  auto args = std::make_shared<LabArguments>();
  CLI::App* lab = app.add_subcommand(
      "lab", "The local lab: network namespaces that behave like hypervisors with a VM each, "
             "reachable over SSH (needs root)");
  lab->require_subcommand(1);
  CLI::App* up = lab->add_subcommand("up", "Build a lab (idempotent) and report what it built");
  up->add_option("--id", args->id, "lab id wv1 ... wv99 (default: first free)");
  up->add_option("--datapath", args->datapaths,
                 "bridge, routed, tc-redirect, userspace, kvm, libvirt (comma-separated, several "
                 "allowed)")
      ->delimiter(',')
      ->capture_default_str();
  up->add_option("--hypervisors", args->hypervisors, "hypervisors per datapath")->capture_default_str();
  up->add_option("--sources", args->sources, "source VMs")->capture_default_str();
  up->add_option("--delay-us", args->delay_us,
                 "delay the userspace forwarder adds to each PIF->VIF frame")
      ->capture_default_str();
  up->add_option("--accel", args->accelerator,
                 "how QEMU runs the kvm and libvirt guests: auto (KVM where it starts the guest's "
                 "kernel promptly, else TCG), kvm or tcg")
      ->capture_default_str();
  up->add_option("--shell-rc", args->shell_rc,
                 "a file the lab's hosts read as ~/.bashrc for every command run over SSH "
                 "(to reproduce hosts with a slow shell start-up)");
  up->add_flag("--json", args->json, "print the state file instead of the summary");
  CLI::App* down = lab->add_subcommand("down", "Remove a lab: namespaces, links, processes, files");
  down->add_option("--id", args->id, "lab id (default: the only lab)");
  down->add_flag("--all", args->all, "every lab and every leftover named wv<N>-...");
  CLI::App* status = lab->add_subcommand("status", "Show hosts, datapaths and whether sshds answer");
  status->add_option("--id", args->id, "lab id (default: every lab)");
  status->add_flag("--json", args->json, "print JSON");
  return [lab, up, down, status, args]() -> int {
    if (!lab->parsed()) return -1;
    if (up->parsed()) return run_up(*args);
    if (down->parsed()) return run_down(*args);
    if (status->parsed()) return run_status(*args);
    return 2;
  };
}

}  // namespace weaver::cli

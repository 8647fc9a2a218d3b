#include "lab_state.hpp"

#include <cstdio>
#include <ctime>
#include <fstream>

#include "lab_sshd.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

std::string utc_now() {
  char text[32];
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

template <typename Map>
nlohmann::json pid_or_null(const Map& pids, const std::string& name) {
  const auto found = pids.find(name);
  return found == pids.end() ? nlohmann::json() : nlohmann::json(found->second);
}

}  // namespace

std::string state_file_path(const std::string& id) {
  return std::string(lab_state_root) + "/" + id + "/state.json";
}

nlohmann::json make_state(const LabPlan& plan, const LabProcesses& processes, double up_seconds) {
  nlohmann::json datapaths = nlohmann::json::array();
  for (Datapath datapath : plan.datapaths) datapaths.push_back(to_string(datapath));
  nlohmann::json state = {
      {"format", "weaver-lab/1"},
      {"id", plan.id},
      {"prefix", plan.prefix},
      {"state_dir", plan.state_dir},
      {"created", utc_now()},
      {"up_seconds", up_seconds},
      {"options",
       {{"datapaths", datapaths},
        {"hypervisors", plan.hypervisors_per_datapath},
        {"sources", static_cast<int>(plan.sources.size())},
        {"delay_us", plan.delay_us},
        {"accelerator", to_string(plan.accelerator)}}},
      {"ssh",
       {{"user", "root"},
        {"port", 22},
        {"client_key", client_key_path(plan)},
        {"known_hosts", known_hosts_path(plan)}}},
      {"management",
       {{"bridge", plan.management_bridge},
        {"gateway", plan.management_gateway},
        {"subnet", "198.19." + std::to_string(plan.number) + ".0/24"}}},
      {"switch_netns", plan.switch_netns},
      {"data_subnet", plan.data_subnet},
      {"guest_subnet", plan.guest_subnet},
  };
  nlohmann::json& sources = state["sources"] = nlohmann::json::array();
  for (const SourcePlan& source : plan.sources) {
    sources.push_back({{"name", source.name},
                       {"netns", source.netns},
                       {"management_address", source.management_address},
                       {"host_key", host_key_path(plan, source.name) + ".pub"},
                       {"data_interface", source.data_if},
                       {"data_address", source.data_address},
                       {"data_mac", source.data_mac},
                       {"sshd_pid", pid_or_null(processes.sshd, source.name)}});
  }
  nlohmann::json& hypervisors = state["hypervisors"] = nlohmann::json::array();
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    nlohmann::json entry = {
        {"name", hypervisor.name},
        {"netns", hypervisor.netns},
        {"datapath", to_string(hypervisor.datapath)},
        {"management_address", hypervisor.management_address},
        {"host_key", host_key_path(plan, hypervisor.name) + ".pub"},
        {"pif", hypervisor.pif},
        {"pif_mac", hypervisor.pif_mac},
        {"vif", hypervisor.vif},
        {"vif_mac", hypervisor.vif_mac},
        {"domid", hypervisor.domid},
        {"adapter", hypervisor.datapath == Datapath::libvirt ? "libvirt" : "lab"},
        {"guest",
         {{"instance", hypervisor.instance},
          {"interface", hypervisor.guest_if},
          {"address", hypervisor.guest_address},
          {"mac", hypervisor.guest_mac}}},
        {"sshd_pid", pid_or_null(processes.sshd, hypervisor.name)},
    };
    nlohmann::json& guest = entry["guest"];
    if (!hypervisor.guest_netns.empty()) guest["netns"] = hypervisor.guest_netns;
    if (const auto vm = processes.guests.find(hypervisor.name); vm != processes.guests.end()) {
      entry["vif"] = vm->second.tap;
      guest["qemu_pid"] = vm->second.qemu;
      guest["accelerator"] = to_string(vm->second.accelerator);
      guest["boot_seconds"] = vm->second.boot_seconds;
      guest["console_log"] = guest_files(plan, hypervisor).console_log;
      if (vm->second.libvirtd) entry["libvirtd_pid"] = vm->second.libvirtd;
    }
    if (hypervisor.datapath == Datapath::routed) entry["pif_address"] = hypervisor.pif_address;
    if (hypervisor.datapath == Datapath::userspace) {
      entry["delay_us"] = plan.delay_us;
      entry["forwarder_pid"] = pid_or_null(processes.forwarder, hypervisor.name);
    }
    hypervisors.push_back(std::move(entry));
  }
  return state;
}

LabOptions options_from_state(const nlohmann::json& state) {
  const nlohmann::json& options = state.at("options");
  LabOptions result;
  result.id = state.at("id").get<std::string>();
  result.datapaths.clear();
  for (const auto& name : options.at("datapaths")) {
    if (auto datapath = parse_datapath(name.get<std::string>())) result.datapaths.push_back(*datapath);
  }
  result.hypervisors = options.at("hypervisors").get<int>();
  result.sources = options.at("sources").get<int>();
  result.delay_us = options.at("delay_us").get<int>();
  if (const auto accelerator = options.find("accelerator"); accelerator != options.end()) {
    result.accelerator =
        parse_accelerator(accelerator->get<std::string>()).value_or(Accelerator::automatic);
  }
  return result;
}

bool same_options(const LabOptions& a, const LabOptions& b) {
  return a.datapaths == b.datapaths && a.hypervisors == b.hypervisors && a.sources == b.sources &&
         a.delay_us == b.delay_us && a.accelerator == b.accelerator;
}

void write_state(const LabPlan& plan, const nlohmann::json& state) {
  const std::string path = state_file_path(plan.id);
  const std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << state.dump(2) << '\n';
    if (!out.flush()) throw LabError(temporary + ": cannot write");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) throw LabError(path + ": cannot rename");
}

nlohmann::json read_state(const std::string& id) {
  std::ifstream in(state_file_path(id));
  if (!in) return {};
  try {
    return nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    return {};
  }
}

}  // namespace weaver::lab

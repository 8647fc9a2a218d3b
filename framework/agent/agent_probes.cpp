// The agent's requests for the in-kernel probes (--capture ebpf): starting
// them between two interfaces and reading out what they counted.
#include <filesystem>

#include "agent.hpp"
#include "request_fields.hpp"

namespace weaver::agent {

using nlohmann::json;

namespace {

// One interface as the probes stamp it: one clock, nanoseconds.
CaptureSide probe_side(const std::string& interface) {
  CaptureSide side;
  side.interface = interface;
  side.timestamp_type = "bpf_ktime_get_ns";
  side.precision = "nano";
  return side;
}

}  // namespace

json Agent::start_probes(const json& request, std::uint64_t id) {
  const auto interfaces = field<std::vector<std::string>>(request, "interfaces");
  if (interfaces.size() != 2) throw Error("ebpf: give two interfaces");
  const auto first = static_cast<std::size_t>(bounded(request, "first", 0, 0, 1));
  EbpfSettings settings;
  settings.first = interfaces[first];
  settings.second = interfaces[1 - first];
  const json flow = field<json>(request, "flow");
  settings.flow.protocol = field<std::string>(flow, "protocol");
  settings.flow.sources = field<std::vector<std::string>>(flow, "sources");
  settings.flow.destination = field<std::string>(flow, "destination");
  const auto key = capture::parse_key_kind(field_or<std::string>(request, "key", "auto"));
  if (!key) throw Error("field 'key' names no match key");
  settings.key = *key;
  if (field_or<bool>(request, "records", false)) settings.records_file = dir_ + "/records-" + std::to_string(id) + ".csv";
  settings.btf_path = field_or<std::string>(request, "btf", btf_);
  if (settings.btf_path.empty() || settings.btf_path.front() != '/') throw Error("field 'btf' is not an absolute path");
  Probes probes{std::make_unique<EbpfCapture>(settings), interfaces, first, settings.records_file};
  json sides = json::array();
  for (const std::string& interface : interfaces) sides.push_back(to_json(probe_side(interface)));
  probes_.emplace(id, std::move(probes));
  return {{"capture", id}, {"sides", std::move(sides)}};
}

json Agent::finish_probes(std::uint64_t id, bool keep) {
  auto found = probes_.find(id);
  const Probes probes = std::move(found->second);
  probes_.erase(found);
  const EbpfResult result = probes.capture->finish();
  json sides = json::array();
  for (std::size_t side_index = 0; side_index < 2; ++side_index) {
    const bool is_first = side_index == probes.first;
    CaptureSide side = probe_side(probes.interfaces[side_index]);
    side.file = probes.records_file;
    side.received = is_first ? result.latency.pif.packets : result.latency.vif.packets;
    side.dropped = is_first ? result.summary.tool.map_full + result.summary.tool.evicted
                            : result.summary.tool.ring_full;
    sides.push_back(to_json(side));
  }
  if (!probes.records_file.empty()) {
    if (keep) kept_records_[id] = probes.records_file;
    else std::filesystem::remove(probes.records_file);
  }
  return {{"sides", std::move(sides)}, {"result", to_json(result.latency)}, {"probes", to_json(result.summary)}};
}

}  // namespace weaver::agent

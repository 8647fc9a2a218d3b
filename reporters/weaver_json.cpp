#include <map>

#include "weaver/error.hpp"
#include "weaver/reporters/json_number_tokens.hpp"
#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {
namespace {

using nlohmann::json;

json context_fields(const RunContext& context) {
  return {{"version", context.weaver_version},
          {"git_revision", context.git_revision},
          {"started_utc", context.started_utc},
          {"label", context.label},
          {"target", context.target},
          {"lab_file", context.lab_file},
          {"lab_file_sha256", context.lab_file_sha256},
          {"host", context.host}};
}

json case_fields(const CaseRun& run) {
  json parameters = json::object();
  for (const auto& [name, value] : run.parameters) parameters[name] = value;
  json fields{{"scenario", run.scenario},
              {"configuration", run.configuration},
              {"protocol", run.protocol},
              {"direction", run.direction},
              {"parameters", std::move(parameters)}};
  if (!run.pif.empty()) fields["interfaces"] = {{"pif", run.pif}, {"vif", run.vif}};
  if (!run.capture.is_null()) fields["capture"] = run.capture;
  if (!run.probes.is_null()) {
    fields["lost_by_reason"] = run.lost_by_reason;
    fields["probes"] = run.probes;
  }
  if (!run.packets_file.empty()) fields["packets"] = run.packets_file;
  if (!run.pif_capture.empty()) {
    fields["captures"] = {
        {"pif", run.pif_capture}, {"vif", run.vif_capture}, {"annotated", run.annotated_capture}};
  }
  return fields;
}

// Google Benchmark's run_name is the case name followed by its own fields
// ("SynFlood/lab-bridge/size:64" + "/iterations:1/manual_time").
bool benchmark_field(std::string_view part) {
  for (const std::string_view prefix :
       {"iterations:", "repeats:", "min_time:", "min_warmup_time:", "threads:"}) {
    if (part.substr(0, prefix.size()) == prefix) return true;
  }
  return part == "manual_time" || part == "real_time" || part == "process_time";
}

std::string case_name(std::string_view run_name) {
  std::string name;
  while (!run_name.empty()) {
    const std::size_t slash = run_name.find('/');
    const std::string_view part = run_name.substr(0, slash);
    if (!benchmark_field(part)) name += (name.empty() ? "" : "/") + std::string(part);
    run_name = slash == std::string_view::npos ? std::string_view() : run_name.substr(slash + 1);
  }
  return name;
}

const CaseRun* case_of(const json& entry, const std::map<std::string, const CaseRun*>& cases) {
  const auto run_name = entry.find("run_name");
  if (run_name == entry.end() || !run_name->is_string()) return nullptr;
  const auto found = cases.find(case_name(run_name->get_ref<const std::string&>()));
  return found == cases.end() ? nullptr : found->second;
}

}  // namespace

std::string weaver_json(std::string_view benchmark_json, const RunResults& results) {
  const NonFiniteTokensAsNull sanitized(benchmark_json);
  json document = json::parse(sanitized.text(), nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    throw Error("Google Benchmark's JSON of the run is not a JSON object");
  }
  document["context"]["weaver"] = context_fields(results.context);
  document["configurations"] = results.context.configurations;
  std::map<std::string, const CaseRun*> cases;
  for (const CaseRun& run : results.runs) cases.emplace(run.name, &run);
  for (json& entry : document["benchmarks"]) {
    if (const CaseRun* run = case_of(entry, cases)) entry["weaver"] = case_fields(*run);
  }
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace weaver::reporters

#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {
namespace {

// The counters weaver's cases report, in the column order of weaver.csv.
const std::vector<std::string>& counter_columns() {
  static const std::vector<std::string> columns{
      "p50_us",  "p90_us", "p99_us",   "p999_us",   "min_us",        "max_us",       "stdev_us",
      "matched", "lost",   "vif_only", "reordered", "capture_drops", "achieved_pps", "sent"};
  return columns;
}

const std::vector<std::string>& parameter_columns() {
  static const std::vector<std::string> columns{"size", "rate", "count", "burst",
                                                "burst_interval_us"};
  return columns;
}

std::string csv_field(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (const char c : field) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::optional<std::int64_t> parameter(const CaseRun& run, const std::string& name) {
  const auto found = std::find_if(run.parameters.begin(), run.parameters.end(),
                                  [&](const auto& entry) { return entry.first == name; });
  if (found == run.parameters.end()) return std::nullopt;
  return found->second;
}

std::string number(double value) { return fmt::format("{}", value); }

std::string row(const std::vector<std::string>& fields) {
  std::string line;
  for (std::size_t i = 0; i < fields.size(); ++i) line += (i == 0 ? "" : ",") + fields[i];
  return line + "\r\n";
}

}  // namespace

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> columns = [] {
    std::vector<std::string> all{"name", "scenario", "configuration", "protocol", "direction"};
    all.insert(all.end(), parameter_columns().begin(), parameter_columns().end());
    all.insert(all.end(), {"repetition", "time_us"});
    all.insert(all.end(), counter_columns().begin(), counter_columns().end());
    all.insert(all.end(), {"case_seconds", "label", "error", "capture", "lost_by_reason", "tool_losses"});
    return all;
  }();
  return columns;
}

std::string results_csv(const RunResults& results) {
  std::string out = row(csv_columns());
  for (const CaseRun& run : results.runs) {
    std::vector<std::string> fields{csv_field(run.name), csv_field(run.scenario),
                                    csv_field(run.configuration), csv_field(run.protocol),
                                    csv_field(run.direction)};
    for (const std::string& name : parameter_columns()) {
      const auto value = parameter(run, name);
      fields.push_back(value ? std::to_string(*value) : "");
    }
    fields.push_back(std::to_string(run.repetition));
    fields.push_back(run.error ? "" : number(run.time_us));
    for (const std::string& name : counter_columns()) {
      const auto found = run.counters.find(name);
      fields.push_back(found == run.counters.end() ? "" : number(found->second));
    }
    fields.push_back(number(run.case_seconds));
    fields.push_back(csv_field(run.label));
    fields.push_back(csv_field(run.error.value_or("")));
    fields.push_back(csv_field(run.capture_method));
    fields.push_back(csv_field(lost_by_reason_text(run.lost_by_reason)));
    const auto tool_losses = run.counters.find("tool_losses");  // ebpf only
    fields.push_back(tool_losses == run.counters.end() ? "" : number(tool_losses->second));
    out += row(fields);
  }
  return out;
}

}  // namespace weaver::reporters

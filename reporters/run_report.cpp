#include "weaver/reporters/run_report.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <system_error>

#include "weaver/error.hpp"
#include "weaver/input_file.hpp"
#include "weaver/reporters/json_number_tokens.hpp"

namespace weaver::reporters {
namespace {

using nlohmann::json;

// Fields of a Google Benchmark entry that are not results; every other
// number in an entry is a counter.
constexpr std::array<std::string_view, 12> bookkeeping_fields = {
    "family_index", "per_family_instance_index",
    "repetitions",  "repetition_index",
    "threads",      "iterations",
    "real_time",    "cpu_time",
    "big_o",        "rms",
    "complexity_n", "aggregate_unit"};

bool is_bookkeeping(const std::string& field) {
  return std::find(bookkeeping_fields.begin(), bookkeeping_fields.end(), field) !=
         bookkeeping_fields.end();
}

// Microseconds per `time_unit` (Google Benchmark: ns, us, ms, s); weaver uses us.
double microseconds_per(const json& entry, const std::string& source, std::size_t index) {
  const auto unit = entry.find("time_unit");
  if (unit == entry.end() || !unit->is_string()) return 1e-3;  // Google Benchmark's default, ns
  const std::string name = unit->get<std::string>();
  if (name == "ns") return 1e-3;
  if (name == "us") return 1.0;
  if (name == "ms") return 1e3;
  if (name == "s") return 1e6;
  throw InputError(source,
                   "benchmarks[" + std::to_string(index) + "]: unknown time_unit '" + name + "'");
}

// The metric values one entry reports: its counters and its real time.
std::map<std::string, double> entry_metrics(const json& entry, const std::string& source,
                                            std::size_t index) {
  std::map<std::string, double> metrics;
  for (const auto& [field, value] : entry.items()) {
    // A number JSON can write but a double cannot hold (1e400) is not a figure.
    if (value.is_number_float() && !std::isfinite(value.get<double>())) {
      throw InputError(source, "benchmarks[" + std::to_string(index) + "]." + field + ": a number out of range");
    }
    if (value.is_number() && !is_bookkeeping(field)) metrics[field] = value.get<double>();
  }
  if (const auto real_time = entry.find("real_time");
      real_time != entry.end() && real_time->is_number()) {
    metrics[std::string(time_metric)] =
        real_time->get<double>() * microseconds_per(entry, source, index);
  }
  return metrics;
}

std::string string_field(const json& entry, const char* field) {
  const auto found = entry.find(field);
  return found != entry.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool error_occurred(const json& entry) {
  const auto found = entry.find("error_occurred");
  return found != entry.end() && found->get<bool>();  // checked to be a boolean
}

// Cases under construction, with the mean aggregates kept aside for cases
// reported by aggregates only.
class CaseCollector {
 public:
  void add_repetition(const std::string& name, const json& entry,
                      const std::map<std::string, double>& metrics) {
    CaseResult& result = case_named(name);
    ++result.repetitions;
    if (error_occurred(entry)) {
      ++result.failed_repetitions;
      if (!result.error) result.error = string_field(entry, "error_message");
      return;
    }
    for (const auto& [metric, value] : metrics) result.values[metric].push_back(value);
  }

  void add_mean_aggregate(const std::string& name, const std::map<std::string, double>& metrics) {
    case_named(name);
    mean_aggregates_.emplace(name, metrics);
  }

  std::vector<CaseResult> finish() {
    for (CaseResult& result : cases_) {
      const auto mean = mean_aggregates_.find(result.name);
      if (result.repetitions > 0 || mean == mean_aggregates_.end()) continue;
      result.repetitions = 1;
      for (const auto& [metric, value] : mean->second) result.values[metric].push_back(value);
    }
    return std::move(cases_);
  }

 private:
  CaseResult& case_named(const std::string& name) {
    const auto [found, added] = index_of_name_.emplace(name, cases_.size());
    if (added) {
      cases_.emplace_back();
      cases_.back().name = name;
    }
    return cases_[found->second];
  }

  std::vector<CaseResult> cases_;
  std::map<std::string, std::size_t> index_of_name_;
  std::map<std::string, std::map<std::string, double>> mean_aggregates_;
};

json parse_json(std::string_view json_text, const std::string& source) {
  const NonFiniteTokensAsNull sanitized(json_text);
  try {
    return json::parse(sanitized.text());
  } catch (const json::parse_error& error) {
    throw InputError(source, "not JSON (parse error at byte " +
                                 std::to_string(sanitized.original_byte(error.byte)) + ")");
  } catch (const json::exception& error) {
    // nlohmann refuses a number a double cannot hold (out_of_range.406).
    std::string what = error.what();
    what = what.substr(what.find(']') + 2);
    throw InputError(source, "not usable JSON (" + what + ")");
  }
}



// A results folder holds the run's JSON as weaver.json.
std::filesystem::path json_file_of(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw InputError(path.string(), "no such file or folder");
  }
  if (!std::filesystem::is_directory(status)) return path;
  const std::filesystem::path inside = path / "weaver.json";
  if (!std::filesystem::exists(inside, error)) {
    throw InputError(path.string(), "a folder without weaver.json (not a results folder)");
  }
  return inside;
}

}  // namespace

const CaseResult* RunReport::find(std::string_view name) const {
  const auto found =
      std::find_if(cases.begin(), cases.end(), [&](const CaseResult& c) { return c.name == name; });
  return found == cases.end() ? nullptr : &*found;
}

RunReport parse_run_report(std::string_view json_text, const std::string& source) {
  const json document = parse_json(json_text, source);
  const auto benchmarks = document.is_object() ? document.find("benchmarks") : document.end();
  if (!document.is_object() || benchmarks == document.end() || !benchmarks->is_array()) {
    throw InputError(source, "no \"benchmarks\" array (not Google Benchmark JSON)");
  }
  CaseCollector collector;
  for (std::size_t index = 0; index < benchmarks->size(); ++index) {
    const json& entry = (*benchmarks)[index];
    const std::string where = "benchmarks[" + std::to_string(index) + "]";
    if (!entry.is_object()) throw InputError(source, where + ": not an object");
    for (const char* field : {"name", "run_name", "run_type", "aggregate_name", "error_message", "time_unit"}) {
      if (entry.contains(field) && !entry[field].is_string()) {
        throw InputError(source, where + "." + field + ": expected a string");
      }
    }
    if (entry.contains("error_occurred") && !entry["error_occurred"].is_boolean()) {
      throw InputError(source, where + ".error_occurred: expected true or false");
    }
    std::string name = string_field(entry, "run_name");
    if (name.empty()) name = string_field(entry, "name");
    if (name.empty()) throw InputError(source, where + ": no \"name\"");
    const bool aggregate =
        string_field(entry, "run_type") == "aggregate" || entry.contains("aggregate_name");
    const auto metrics = entry_metrics(entry, source, index);
    if (aggregate) {
      if (string_field(entry, "aggregate_name") == "mean")
        collector.add_mean_aggregate(name, metrics);
    } else {
      collector.add_repetition(name, entry, metrics);
    }
  }
  RunReport report;
  report.source = source;
  report.cases = collector.finish();
  return report;
}

bool higher_is_better(std::string_view metric) {
  return metric == "matched" || metric == "sent" || metric == "achieved_pps";
}

std::vector<std::string> resolve_metrics(const std::vector<std::string>& wanted,
                                         const std::vector<const RunReport*>& runs) {
  if (wanted.empty()) throw UsageError("no metric given");
  std::set<std::string> reported;
  for (const RunReport* run : runs) {
    for (const CaseResult& result : run->cases) {
      for (const auto& [metric, values] : result.values) reported.insert(metric);
    }
  }
  std::vector<std::string> metrics;
  for (const std::string& name : wanted) {
    std::string metric = name;
    if (name != time_metric && !reported.contains(name)) {
      if (reported.contains(name + "_us")) {
        metric = name + "_us";
      } else if (!reported.empty()) {  // nothing measured at all: nothing to check
        std::string names;
        for (const std::string& known : reported) names += (names.empty() ? "" : ", ") + known;
        throw UsageError("metric '" + name + "': no run reports it (choose with --metric: " +
                         names + ")");
      }
    }
    if (std::find(metrics.begin(), metrics.end(), metric) == metrics.end()) {
      metrics.push_back(std::move(metric));
    }
  }
  return metrics;
}

RunReport read_run_report(const std::filesystem::path& path) {
  const std::filesystem::path file = json_file_of(path);
  const std::string source = file.string();
  return parse_run_report(read_input_file(file.string(), kMaxResultsBytes, "run's JSON"), source);
}

}  // namespace weaver::reporters

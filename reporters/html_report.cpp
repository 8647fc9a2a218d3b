#include "weaver/reporters/html_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "weaver/reporters/html_page.hpp"

namespace weaver::reporters {
namespace {

using nlohmann::json;
using Parameters = std::vector<std::pair<std::string, std::int64_t>>;

constexpr std::array kCounterColumns = {
    "p50_us",  "p90_us", "p99_us",   "p999_us",   "min_us",        "max_us",       "stdev_us",
    "matched", "lost",   "vif_only", "reordered", "capture_drops", "achieved_pps", "sent"};

// Runs with the same scenario and the same parameters: one CDF and one
// histogram, with a line per configuration.
struct ScenarioGroup {
  std::string scenario;
  Parameters parameters;
  std::vector<std::vector<const CaseRun*>>
      cases;  // each case's repetitions, in order of appearance
};

// "SynFlood/size:64/rate:10000": the case name without its configuration.
std::string group_key(const ScenarioGroup& group) {
  std::string key = group.scenario;
  for (const auto& [name, value] : group.parameters) key += fmt::format("/{}:{}", name, value);
  return key;
}

std::vector<ScenarioGroup> scenario_groups(const std::vector<CaseRun>& runs) {
  std::vector<ScenarioGroup> groups;
  for (const CaseRun& run : runs) {
    auto group = std::find_if(groups.begin(), groups.end(), [&](const ScenarioGroup& g) {
      return g.scenario == run.scenario && g.parameters == run.parameters;
    });
    if (group == groups.end())
      group = groups.insert(groups.end(), {run.scenario, run.parameters, {}});
    auto same_case = std::find_if(
        group->cases.begin(), group->cases.end(),
        [&](const auto& repetitions) { return repetitions.front()->name == run.name; });
    if (same_case == group->cases.end())
      group->cases.push_back({&run});
    else
      same_case->push_back(&run);
  }
  return groups;
}

const json& member(const json& object, const char* key) {
  static const json kNull;
  return object.is_object() && object.contains(key) ? object.at(key) : kNull;
}

// The object at `key`, or an empty one: what to iterate over.
const json& object_at(const json& object, const char* key) {
  static const json kEmpty = json::object();
  const json& value = member(object, key);
  return value.is_object() ? value : kEmpty;
}

// A value of the environment json as text: strings as they are, numbers and
// booleans as JSON writes them, "" for null.
std::string text_of(const json& value) {
  if (value.is_null()) return "";
  return value.is_string() ? value.get<std::string>()
                           : value.dump(-1, ' ', false, json::error_handler_t::replace);
}

// "" also for a missing key or a non-object.
std::string text_at(const json& object, const char* key) { return text_of(member(object, key)); }

std::string cell(const std::string& text, const char* css_class = nullptr) {
  const std::string attribute = css_class ? fmt::format(" class=\"{}\"", css_class) : "";
  return fmt::format("<td{}>{}</td>", attribute, text.empty() ? "–" : html_escape(text));
}

std::string joined(const std::vector<std::string>& parts, std::string_view separator) {
  std::string text;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!text.empty()) text += separator;
    text += part;
  }
  return text;
}

// `prefix` + `text`, or "" when there is no text.
std::string prefixed(std::string_view prefix, const std::string& text) {
  return text.empty() ? "" : std::string(prefix) + text;
}

std::string counter_text(double value) {
  if (!std::isfinite(value)) return fmt::format("{}", value);
  if (value == std::trunc(value) && std::abs(value) < 1e15) return fmt::format("{:.0f}", value);
  std::string text = fmt::format("{:.3f}", value);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}

std::string context_header(const RunContext& context) {
  const std::vector<std::pair<const char*, std::string>> rows = {
      {"weaver", joined({context.weaver_version, prefixed("git ", context.git_revision)}, ", ")},
      {"started", context.started_utc},
      {"target", context.target},
      {"label", context.label},
      {"lab file", joined({context.lab_file, prefixed("sha256 ", context.lab_file_sha256)}, ", ")},
      {"host", context.host}};
  std::string html = fmt::format("<header><h1>weaver report{}</h1><table class=\"context\">",
                                 html_escape(prefixed(": ", context.label)));
  for (const auto& [name, value] : rows)
    html += fmt::format("<tr><th>{}</th>{}</tr>", name, cell(value));
  return html + "</table></header>\n";
}

// "pif: eth0 · veth 1.0 · MTU 1500 · host timestamps (nano)"
std::string interface_summary(const std::string& role, const json& interface) {
  const json& driver = member(interface, "driver");
  const json& stamps = member(interface, "capture_timestamps");
  const std::string precision = prefixed(" (", text_at(stamps, "precision"));
  return role + ": " +
         joined({text_at(interface, "name"),
                 joined({text_at(driver, "driver"), text_at(driver, "version")}, " "),
                 prefixed("MTU ", text_at(interface, "mtu")),
                 prefixed("timestamps ", text_at(stamps, "type")) +
                     (precision.empty() ? "" : precision + ")")},
                " · ");
}

std::string environment_row(const std::string& name, const json& configuration) {
  std::vector<std::string> interfaces;
  std::vector<std::string> tools;
  for (const auto& [role, interface] : object_at(configuration, "interfaces").items())
    interfaces.push_back(interface_summary(role, interface));
  for (const auto& [tool, version] : object_at(configuration, "tools").items())
    tools.push_back(tool + " " + text_of(version));
  std::string row =
      "<tr><th>" + html_escape(name) + "</th>" + cell(text_at(configuration, "host")) +
      cell(joined({text_at(configuration, "adapter"), text_at(configuration, "datapath")}, " / "));
  for (const char* key : {"os", "kernel", "cpu_model", "cpus", "hypervisor_version"})
    row += cell(text_at(configuration, key));
  row += cell(joined(interfaces, "\n"), "lines") + cell(joined(tools, ", ")) + "</tr>\n";
  const std::string error = text_at(configuration, "error");
  if (!error.empty())
    row += "<tr><td colspan=\"11\" class=\"error\">collecting the environment failed: " +
           html_escape(error) + "</td></tr>\n";
  return row;
}

std::string offloads_details(const json& configurations) {
  std::string rows;
  for (const auto& [name, configuration] : configurations.items())
    for (const auto& [role, interface] : object_at(configuration, "interfaces").items()) {
      std::vector<std::string> offloads;
      for (const auto& [offload, state] : object_at(interface, "offloads").items())
        offloads.push_back(offload + " " + text_of(state));
      rows += "<tr><th>" + html_escape(name) + "</th>" + cell(role) +
              cell(text_at(interface, "name")) + cell(joined(offloads, ", ")) + "</tr>\n";
    }
  if (rows.empty()) return "";
  return "<details><summary>Interface offloads</summary><table><tr><th>configuration</th>"
         "<th>interface</th><th>name</th><th>offloads</th></tr>\n" +
         rows + "</table></details>\n";
}

std::string environment_section(const json& environment) {
  std::string html = "<section><h2 id=\"environment\">Environment</h2>\n";
  const json& configurations = object_at(environment, "configurations");
  if (configurations.empty())
    return html + "<p class=\"note\">The environment was not collected.</p></section>\n";
  const std::string collected = text_at(environment, "collected_utc");
  if (!collected.empty()) html += "<p>Collected " + html_escape(collected) + ".</p>\n";
  html +=
      "<div class=\"scroll\"><table class=\"environment\"><tr><th>configuration</th><th>host</th>"
      "<th>adapter / datapath</th><th>OS</th><th>kernel</th><th>CPU</th><th>cpus</th>"
      "<th>hypervisor</th><th>interfaces</th><th>tools</th></tr>\n";
  for (const auto& [name, configuration] : configurations.items())
    html += environment_row(name, configuration);
  return html + "</table></div>\n" + offloads_details(configurations) + "</section>\n";
}

// `text` with every `c` replaced by `replacement`.
std::string replaced(const std::string& text, char c, std::string_view replacement) {
  std::string result;
  result.reserve(text.size());
  for (const char t : text) {
    if (t == c)
      result.append(replacement);
    else
      result += t;
  }
  return result;
}

std::string run_row(const CaseRun& run, std::size_t name_rowspan) {
  std::string row = fmt::format("<tr data-repetition=\"{}\"{}>", run.repetition,
                                run.error ? " class=\"failed\"" : "");
  if (name_rowspan > 0)
    row += fmt::format("<td rowspan=\"{}\" class=\"name\">{}</td>", name_rowspan,
                       replaced(html_escape(run.name), '/', "/<wbr>"));  // wraps after a '/'
  row += cell(run.configuration) + cell(std::to_string(run.repetition), "number");
  if (run.error)
    return row + fmt::format("<td colspan=\"{}\" class=\"error\">failed: {}</td></tr>\n",
                             kCounterColumns.size() + 1, html_escape(*run.error));
  for (const char* counter : kCounterColumns) {
    const auto value = run.counters.find(counter);
    row += cell(value == run.counters.end() ? "" : counter_text(value->second), "number");
  }
  std::string label = run.label;
  if (const std::string lost = lost_by_reason_text(run.lost_by_reason); !lost.empty()) {
    label += (label.empty() ? "" : "; ") + std::string("lost in the kernel: ") + lost;
  }
  if (run.annotated_capture.empty() && run.packets_file.empty()) return row + cell(label, "label") + "</tr>\n";
  // Kept captures, relative to the results folder the page sits in.
  std::string links;
  for (const auto& [text, file] : {std::pair{"pif", &run.pif_capture}, std::pair{"vif", &run.vif_capture},
                                   std::pair{"annotated pcapng", &run.annotated_capture},
                                   std::pair{"packets.csv", &run.packets_file}}) {
    if (!file->empty()) links += fmt::format(" <a href=\"{}\">{}</a>", html_escape(*file), text);
  }
  return row + "<td class=\"label\">" + html_escape(label) + links + "</td></tr>\n";
}

std::string counters_table(const ScenarioGroup& group) {
  std::string html =
      "<div class=\"scroll\"><table "
      "class=\"counters\"><tr><th>case</th><th>configuration</th><th>rep</th>";
  for (const char* counter : kCounterColumns) html += fmt::format("<th>{}</th>", counter);
  html += "<th>label / error / captures</th></tr>\n";
  for (const auto& repetitions : group.cases)
    for (std::size_t i = 0; i < repetitions.size(); ++i)
      html += run_row(*repetitions[i], i == 0 ? repetitions.size() : 0);
  return html + "</table></div>\n";
}

// Per configuration, the histograms of its measured repetitions summed, as
// flat [lower_ns, upper_ns, count, ...] (the page's script draws from it).
json chart_series(const ScenarioGroup& group) {
  std::vector<std::string> configurations;
  std::map<std::string, std::map<std::pair<std::int64_t, std::int64_t>, std::uint64_t>> merged;
  for (const auto& repetitions : group.cases)
    for (const CaseRun* run : repetitions) {
      if (run->error || run->histogram.empty()) continue;
      if (!merged.contains(run->configuration)) configurations.push_back(run->configuration);
      for (const HistogramBucket& bucket : run->histogram)
        merged[run->configuration][{bucket.lower_ns, bucket.upper_ns}] += bucket.count;
    }
  json series = json::array();
  for (const std::string& configuration : configurations) {
    json buckets = json::array();
    for (const auto& [bounds, count] : merged[configuration])
      buckets.insert(buckets.end(), {bounds.first, bounds.second, count});
    series.push_back({{"configuration", configuration}, {"buckets", std::move(buckets)}});
  }
  return series;
}

std::string canvas(const char* kind, std::size_t index, const std::string& key) {
  return fmt::format(
      "<div class=\"chart\"><canvas id=\"{}-{}\" data-kind=\"{}\" data-group=\"{}\" "
      "data-case=\"{}\"></canvas></div>",
      kind, index, kind, index, html_escape(key));
}

std::string group_section(const ScenarioGroup& group, std::size_t index, const json& series,
                          bool charts_available) {
  const std::string key = group_key(group);
  std::string html = fmt::format("<section class=\"group\"><h2 id=\"group-{}\">{}</h2>\n", index,
                                 html_escape(key));
  if (series.empty())
    html += "<p class=\"note\">No chart: no run of this group measured anything.</p>\n";
  else if (charts_available)
    html += "<div class=\"charts\">" + canvas("cdf", index, key) + canvas("histogram", index, key) +
            "</div>\n";
  return html + counters_table(group) + "</section>\n";
}

std::string summary_line(const RunResults& results, std::size_t groups) {
  std::set<std::string> cases;
  std::size_t failed = 0;
  for (const CaseRun& run : results.runs) {
    cases.insert(run.name);
    if (run.error) ++failed;
  }
  return fmt::format(
      "<p class=\"summary\">{} runs of {} cases in {} scenario groups; {} failed.</p>\n",
      results.runs.size(), cases.size(), groups, failed);
}

}  // namespace

std::string html_report(const RunResults& results,
                        const std::optional<std::string>& chart_library) {
  const std::vector<ScenarioGroup> groups = scenario_groups(results.runs);
  std::set<std::string> configurations;
  for (const CaseRun& run : results.runs) configurations.insert(run.configuration);
  json data = {{"configurations", configurations}, {"groups", json::array()}};
  std::string sections;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    json series = chart_series(groups[i]);
    sections += group_section(groups[i], i, series, chart_library.has_value());
    data["groups"].push_back({{"key", group_key(groups[i])}, {"series", std::move(series)}});
  }
  const std::string title = "weaver report" + prefixed(": ", results.context.label);
  std::string page =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>" +
      html_escape(title) + "</title><style>" + std::string(html_report_style()) +
      "</style></head>\n<body>\n" + context_header(results.context) +
      summary_line(results, groups.size());
  if (!chart_library)
    page += fmt::format(
        "<p class=\"error\" id=\"charts-unavailable\">Charts unavailable: the chart library was "
        "not found at {}.</p>\n",
        html_escape(kChartLibraryPath));
  page += environment_section(results.environment) + sections;
  // Written with '<' as \u003c, the data cannot end its <script> element.
  const std::string data_text = data.dump(-1, ' ', false, json::error_handler_t::replace);
  page += "<script type=\"application/json\" id=\"weaver-data\">" +
          replaced(data_text, '<', "\\u003c") + "</script>\n";
  if (chart_library) page += "<script>" + *chart_library + "</script>\n";
  return page + "<script>" + inline_script(html_report_script()) + "</script>\n</body></html>\n";
}

}  // namespace weaver::reporters

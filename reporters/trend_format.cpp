#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "weaver/reporters/html_page.hpp"
#include "weaver/reporters/trend.hpp"

namespace weaver::reporters {
namespace {

using nlohmann::json;

std::string format_value(double value) {
  const double size = std::abs(value);
  if (size >= 1e5) return fmt::format("{:.0f}", value);  // packet counts, rates
  return size >= 1.0 || size == 0.0 ? fmt::format("{:.2f}", value) : fmt::format("{:.3g}", value);
}

std::string format_change(double change_pct) {
  if (std::isinf(change_pct)) return change_pct > 0 ? "+inf%" : "-inf%";
  return fmt::format("{:+.1f}%", change_pct);
}

std::string step_mark(const Step& step) {
  return (step.direction == StepDirection::up ? "▲ " : "▼ ") + format_change(step.change_pct);
}

// One cell of a case's table: the run's value and what marks it.
struct Cell {
  std::string value;
  std::string mark;  // "▲ +23.4%", "(outlier +40.0%)" or empty
  std::string kind;  // "up", "down", "outlier", "failed" or empty (for HTML classes)
};

Cell cell_of(const MetricTrend& series, RunState state, std::size_t run) {
  if (state == RunState::failed) return {"failed", "", "failed"};
  if (!series.values[run]) return {"-", "", ""};
  Cell cell{format_value(*series.values[run]), "", ""};
  for (const Step& step : series.steps) {
    if (step.run == run)
      cell = {cell.value, step_mark(step), std::string(direction_name(step.direction))};
  }
  for (const Outlier& outlier : series.outliers) {
    if (outlier.run == run)
      cell = {cell.value, "(outlier " + format_change(outlier.change_pct) + ")", "outlier"};
  }
  return cell;
}

// Terminal columns taken by UTF-8 text (every code point one column).
std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string pad(const std::string& text, std::size_t width, bool right) {
  const std::string fill(width - std::min(width, display_width(text)), ' ');
  return right ? fill + text : text + fill;
}

std::string rule_line(const Trend& trend) {
  return fmt::format(
      "values: medians of repetitions; step (▲ up: slower for latency, ▼ down): a run off by "
      "more than {}% from the median of the previous {} (at least {}, since the last step), and "
      "so is the run after it; outlier: the run after it came back",
      trend.options.threshold_pct, step_baseline_runs, step_baseline_min_runs);
}

std::string case_table_text(const Trend& trend, const CaseTrend& trend_case) {
  std::vector<std::vector<std::string>> rows{{"run", "label"}};
  for (const MetricTrend& series : trend_case.metrics) {
    rows[0].push_back(series.metric);
    rows[0].push_back("");
  }
  for (std::size_t run = 0; run < trend.runs.size(); ++run) {
    std::vector<std::string> row{iso_timestamp(trend.runs[run].name.timestamp),
                                 trend.runs[run].name.label};
    for (const MetricTrend& series : trend_case.metrics) {
      Cell cell = cell_of(series, trend_case.states[run], run);
      row.push_back(std::move(cell.value));
      row.push_back(std::move(cell.mark));
    }
    rows.push_back(std::move(row));
  }
  std::vector<std::size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], display_width(row[i]));
  }
  std::string text = trend_case.name + '\n';
  for (const auto& row : rows) {
    std::string line = "  ";
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool value_column = i >= 2 && i % 2 == 0;
      line += (i > 0 ? "  " : "") + pad(row[i], widths[i], value_column);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    text += line + '\n';
  }
  return text;
}

std::string latest_summary(const Trend& trend) {
  const std::size_t latest = trend.runs.size() - 1;
  std::string text = "latest run " + trend.runs[latest].folder + ": ";
  const auto stepping = cases_stepping_in_latest_run(trend);
  if (stepping.empty()) return text + fmt::format("no step in {} case(s)\n", trend.cases.size());
  text += fmt::format("{} of {} case(s) with a step\n", stepping.size(), trend.cases.size());
  for (const CaseTrend* trend_case : stepping) {
    for (const MetricTrend& series : trend_case->metrics) {
      if (series.steps.empty() || series.steps.back().run != latest) continue;
      const Step& step = series.steps.back();
      text +=
          fmt::format("  {} {} {}  {} -> {}  {}\n", step.direction == StepDirection::up ? "▲" : "▼",
                      series.metric, format_change(step.change_pct), format_value(step.before),
                      format_value(step.after), trend_case->name);
    }
  }
  return text;
}

json optional_number(const std::optional<double>& value) {
  return value && std::isfinite(*value) ? json(*value) : json(nullptr);
}

json metric_json(const MetricTrend& series) {
  json values = json::array(), steps = json::array(), outliers = json::array();
  for (const auto& value : series.values) values.push_back(optional_number(value));
  for (const Step& step : series.steps) {
    steps.push_back({{"run", step.run},
                     {"change_pct", optional_number(step.change_pct)},
                     {"direction", direction_name(step.direction)},
                     {"before", step.before},
                     {"after", step.after}});
  }
  for (const Outlier& outlier : series.outliers) {
    outliers.push_back({{"run", outlier.run}, {"change_pct", optional_number(outlier.change_pct)}});
  }
  return {{"values", std::move(values)},
          {"steps", std::move(steps)},
          {"outliers", std::move(outliers)}};
}

json case_json(const CaseTrend& trend_case) {
  json metrics = json::object(), failed = json::array();
  for (const MetricTrend& series : trend_case.metrics) metrics[series.metric] = metric_json(series);
  for (std::size_t run = 0; run < trend_case.states.size(); ++run) {
    if (trend_case.states[run] == RunState::failed) failed.push_back(run);
  }
  return {{"name", trend_case.name},
          {"failed_runs", std::move(failed)},
          {"metrics", std::move(metrics)}};
}

std::string case_table_html(const Trend& trend, const CaseTrend& trend_case) {
  std::string html = "<table><thead><tr><th>run</th><th>label</th>";
  for (const MetricTrend& series : trend_case.metrics)
    html += "<th>" + html_escape(series.metric) + "</th>";
  html += "</tr></thead><tbody>\n";
  for (std::size_t run = 0; run < trend.runs.size(); ++run) {
    html += "<tr><td>" + iso_timestamp(trend.runs[run].name.timestamp) + "</td><td>" +
            html_escape(trend.runs[run].name.label) + "</td>";
    for (const MetricTrend& series : trend_case.metrics) {
      const Cell cell = cell_of(series, trend_case.states[run], run);
      html += "<td class=\"num " + cell.kind + "\">" + html_escape(cell.value) +
              (cell.mark.empty() ? "" : " <span>" + html_escape(cell.mark) + "</span>") + "</td>";
    }
    html += "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

// Draws one chart per case from the JSON in #trend-data.
constexpr const char* chart_script = R"(
(function () {
  const data = JSON.parse(document.getElementById('trend-data').textContent);
  const labels = data.runs.map(r => r.timestamp);
  const palette = ['#1f77b4', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
  let drawn = 0;
  data.cases.forEach((c, k) => {
    const datasets = Object.entries(c.metrics).map(([metric, m], j) => {
      const colour = palette[j % palette.length];
      const style = m.values.map(() => 'circle'), radius = m.values.map(() => 3);
      const fill = m.values.map(() => colour), rotation = m.values.map(() => 0);
      const border = m.values.map(() => 1);
      m.steps.forEach(s => {
        style[s.run] = 'triangle'; radius[s.run] = 8; border[s.run] = 2;
        fill[s.run] = s.direction === 'up' ? '#d62728' : '#2ca02c';
        rotation[s.run] = s.direction === 'up' ? 0 : 180;
      });
      m.outliers.forEach(o => {
        style[o.run] = 'crossRot'; radius[o.run] = 8; border[o.run] = 3; fill[o.run] = '#7f7f7f';
      });
      return {label: metric, data: m.values, borderColor: colour, backgroundColor: colour,
              pointStyle: style, pointRadius: radius, pointBackgroundColor: fill,
              pointBorderColor: fill, pointBorderWidth: border, pointRotation: rotation, spanGaps: false};
    });
    new Chart(document.getElementById('chart-' + k), {type: 'line', data: {labels, datasets},
      options: {animation: false, responsive: true, maintainAspectRatio: false}});
    drawn += 1;
  });
  document.querySelectorAll('canvas').forEach(canvas => {
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = false;
    for (let i = 3; i < pixels.length && !painted; i += 4) painted = pixels[i] !== 0;
    canvas.dataset.painted = String(painted);
  });
  document.body.dataset.chartsDrawn = String(drawn);
  document.body.dataset.ready = 'true';
})();
)";

constexpr const char* page_style = R"(
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h2 { font-size: 1em; font-family: monospace; word-break: break-all; margin-top: 2em; }
.chart { position: relative; height: 260px; max-width: 960px; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { padding: 0.2em 0.7em; border-bottom: 1px solid #ddd; text-align: left; }
td.num { text-align: right; font-family: monospace; }
td.up { color: #d62728; font-weight: bold; } td.down { color: #2ca02c; font-weight: bold; }
td.outlier, td.failed { color: #7f7f7f; } .note { color: #a00; }
)";

// The page's data for the script; '<' escaped so no text in it ends the element.
std::string data_script(const Trend& trend) {
  std::string text;
  for (const char c : trend_json(trend).dump())
    text += c == '<' ? std::string("\\u003c") : std::string(1, c);
  return "<script type=\"application/json\" id=\"trend-data\">" + text + "</script>\n";
}

}  // namespace

std::optional<TrendFormat> parse_trend_format(std::string_view name) {
  if (name == "text") return TrendFormat::text;
  if (name == "json") return TrendFormat::json;
  if (name == "html") return TrendFormat::html;
  return std::nullopt;
}

std::string trend_text(const Trend& trend) {
  std::string text = fmt::format("weaver trend {}: {} run(s), {} case(s)\n{}\n", trend.directory,
                                 trend.runs.size(), trend.cases.size(), rule_line(trend));
  for (const CaseTrend& trend_case : trend.cases) text += '\n' + case_table_text(trend, trend_case);
  return text + '\n' + latest_summary(trend);
}

json trend_json(const Trend& trend) {
  json runs = json::array(), cases = json::array(), stepped = json::array(), up = json::array();
  for (const HistoryRun& run : trend.runs) {
    runs.push_back({{"folder", run.folder},
                    {"timestamp", iso_timestamp(run.name.timestamp)},
                    {"label", run.name.label}});
  }
  for (const CaseTrend& trend_case : trend.cases) cases.push_back(case_json(trend_case));
  for (const CaseTrend* trend_case : cases_stepping_in_latest_run(trend)) {
    stepped.push_back(trend_case->name);
    if (steps_worse_in_latest_run(*trend_case, trend.runs.size())) up.push_back(trend_case->name);
  }
  return {{"directory", trend.directory},
          {"metrics", trend.options.metrics},
          {"threshold_pct", trend.options.threshold_pct},
          {"runs", std::move(runs)},
          {"cases", std::move(cases)},
          {"latest_run", {{"stepped", std::move(stepped)}, {"stepped_worse", std::move(up)}}},
          {"regressed", trend_exit_code(trend) != 0}};
}

std::string trend_html(const Trend& trend, const std::optional<std::string>& chart_library) {
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>weaver trend " +
      html_escape(trend.directory) + "</title>\n<style>" + page_style + "</style>\n</head>\n";
  html += chart_library ? "<body>\n" : "<body data-ready=\"true\" data-charts-drawn=\"0\">\n";
  html += "<h1>weaver trend</h1>\n<p>" + html_escape(trend.directory) + ": " +
          std::to_string(trend.runs.size()) + " run(s), " + std::to_string(trend.cases.size()) +
          " case(s)</p>\n<p>" + html_escape(rule_line(trend)) + "</p>\n<pre>" +
          html_escape(latest_summary(trend)) + "</pre>\n";
  if (!chart_library) {
    html += "<p class=\"note\">No charts: the chart library " + html_escape(kChartLibraryPath) +
            " (Debian's libjs-chart.js) could not be read.</p>\n";
  }
  for (std::size_t k = 0; k < trend.cases.size(); ++k) {
    html += "<h2>" + html_escape(trend.cases[k].name) + "</h2>\n";
    if (chart_library)
      html +=
          "<div class=\"chart\"><canvas id=\"chart-" + std::to_string(k) + "\"></canvas></div>\n";
    html += case_table_html(trend, trend.cases[k]);
  }
  if (chart_library) {
    html += data_script(trend) + "<script>" + *chart_library + "</script>\n<script>" +
            chart_script + "</script>\n";
  }
  return html + "</body></html>\n";
}

}  // namespace weaver::reporters

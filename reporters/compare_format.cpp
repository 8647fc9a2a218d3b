#include "weaver/reporters/compare_format.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

namespace weaver::reporters {
namespace {

using nlohmann::json;

// A comparison as cells: one header row, then one row per case. A metric's
// columns share its name as their group ("p99_us" over "base", "new", ...).
struct Table {
  std::vector<std::string> groups;  // per column; empty outside a metric
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  void add_column(std::string group, std::string name) {
    groups.push_back(std::move(group));
    header.push_back(std::move(name));
  }
  // "p99_us new" for a table with one header row.
  std::string full_header(std::size_t column) const {
    return groups[column].empty() ? header[column] : groups[column] + " " + header[column];
  }
};

std::string format_value(const std::optional<double>& value) {
  if (!value) return "-";
  const double size = std::abs(*value);
  if (size >= 1e5) return fmt::format("{:.0f}", *value);  // packet counts, rates
  return size >= 1.0 || size == 0.0 ? fmt::format("{:.2f}", *value) : fmt::format("{:.3g}", *value);
}

std::string format_change(const std::optional<double>& change_pct) {
  if (!change_pct) return "-";
  if (std::isinf(*change_pct)) return *change_pct > 0 ? "+inf%" : "-inf%";
  return fmt::format("{:+.1f}%", *change_pct);
}

std::string format_p_value(const std::optional<double>& p_value) {
  if (!p_value) return "-";
  return *p_value < 0.001 ? "<0.001" : fmt::format("{:.3f}", *p_value);
}

std::string format_repetitions(const CaseComparison& result) {
  const auto side = [](std::size_t count) { return count ? std::to_string(count) : "-"; };
  return side(result.base_repetitions) + "/" + side(result.new_repetitions);
}

std::string verdict_text(Verdict verdict) {
  switch (verdict) {
    case Verdict::regressed:
      return "REGRESSED";
    case Verdict::improved:
      return "improved";
    case Verdict::unchanged:
      return "unchanged";
    case Verdict::only_in_base:
      return "only in BASE";
    case Verdict::only_in_new:
      return "only in NEW";
    case Verdict::failed:
      return "FAILED in NEW";
    case Verdict::base_failed:
      return "failed in BASE";
  }
  return "";
}

Table comparison_table(const Comparison& comparison) {
  Table table;
  table.add_column("", "case");
  for (const std::string& metric : comparison.options.metrics) {
    for (const char* column : {"base", "new", "change", "p"}) table.add_column(metric, column);
  }
  table.add_column("", "reps");
  table.add_column("", "verdict");
  for (const CaseComparison& result : comparison.cases) {
    std::vector<std::string> row{result.name};
    for (const MetricComparison& metric : result.metrics) {
      row.push_back(format_value(metric.base));
      row.push_back(format_value(metric.current));
      row.push_back(format_change(metric.change_pct));
      row.push_back(format_p_value(metric.p_value));
    }
    row.push_back(format_repetitions(result));
    row.push_back(verdict_text(result.verdict));
    table.rows.push_back(std::move(row));
  }
  return table;
}

// The name column and the verdict are text; the others numbers.
bool is_text_column(std::size_t column, std::size_t columns) {
  return column == 0 || column + 1 == columns;
}

std::string summary_line(const Comparison& comparison) {
  const CompareSummary& s = comparison.summary;
  std::string line = fmt::format("{} case(s): {} regressed, {} improved, {} unchanged",
                                 comparison.cases.size(), s.regressed, s.improved, s.unchanged);
  if (s.only_in_base) line += fmt::format(", {} only in BASE", s.only_in_base);
  if (s.only_in_new) line += fmt::format(", {} only in NEW", s.only_in_new);
  if (s.failed) line += fmt::format(", {} failed in NEW", s.failed);
  if (s.base_failed) line += fmt::format(", {} failed in BASE", s.base_failed);
  return line;
}

std::string rule_line(const Comparison& comparison) {
  return fmt::format(
      "values: medians of repetitions; regressed: up by more than {}% and, with "
      ">= 2 repetitions a side, U test p < {}",
      comparison.options.threshold_pct, comparison.options.alpha);
}

// The metric names centred over their columns: "--- p99_us ---".
std::string group_line(const Table& table, const std::vector<std::size_t>& widths) {
  std::string line;
  for (std::size_t first = 0; first < table.groups.size();) {
    std::size_t end = first + 1;
    while (end < table.groups.size() && table.groups[end] == table.groups[first]) ++end;
    std::size_t span = 2 * (end - first - 1);
    for (std::size_t i = first; i < end; ++i) span += widths[i];
    if (first > 0) line += "  ";
    const std::string& group = table.groups[first];
    line +=
        group.empty() ? std::string(span, ' ') : fmt::format("{:-^{}}", " " + group + " ", span);
    first = end;
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string escape_markdown_cell(const std::string& text) {
  std::string escaped;
  for (char c : text) {
    if (c == '|') escaped += '\\';
    escaped += c == '\n' ? ' ' : c;
  }
  return escaped;
}

json optional_number(const std::optional<double>& value) {
  return value && std::isfinite(*value) ? json(*value) : json(nullptr);
}

json summary_json(const Comparison& comparison) {
  const CompareSummary& s = comparison.summary;
  return {{"cases", comparison.cases.size()},
          {"regressed", s.regressed},
          {"improved", s.improved},
          {"unchanged", s.unchanged},
          {"only_in_base", s.only_in_base},
          {"only_in_new", s.only_in_new},
          {"failed", s.failed},
          {"base_failed", s.base_failed}};
}

json case_json(const CaseComparison& result) {
  json metrics = json::object();
  for (const MetricComparison& metric : result.metrics) {
    metrics[metric.metric] = {{"base", optional_number(metric.base)},
                              {"new", optional_number(metric.current)},
                              {"change_pct", optional_number(metric.change_pct)},
                              {"p_value", optional_number(metric.p_value)},
                              {"verdict", verdict_name(metric.verdict)}};
  }
  json entry = {
      {"name", result.name},
      {"verdict", verdict_name(result.verdict)},
      {"repetitions", {{"base", result.base_repetitions}, {"new", result.new_repetitions}}},
      {"metrics", std::move(metrics)}};
  if (result.error) entry["error"] = *result.error;
  return entry;
}

}  // namespace

std::optional<CompareFormat> parse_compare_format(std::string_view name) {
  if (name == "text") return CompareFormat::text;
  if (name == "json") return CompareFormat::json;
  if (name == "markdown") return CompareFormat::markdown;
  return std::nullopt;
}

void write_comparison(const Comparison& comparison, CompareFormat format, std::ostream& out) {
  switch (format) {
    case CompareFormat::text:
      write_comparison_text(comparison, out);
      return;
    case CompareFormat::json:
      out << comparison_json(comparison).dump(2) << '\n';
      return;
    case CompareFormat::markdown:
      write_comparison_markdown(comparison, out);
      return;
  }
}

void write_comparison_text(const Comparison& comparison, std::ostream& out) {
  out << "BASE  " << comparison.base_source << '\n'
      << "NEW   " << comparison.new_source << '\n'
      << rule_line(comparison) << "\n\n";
  const Table table = comparison_table(comparison);
  std::vector<std::size_t> widths;
  for (const std::string& cell : table.header) widths.push_back(cell.size());
  for (const auto& row : table.rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  out << group_line(table, widths) << '\n';
  const auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) line += "  ";
      line += is_text_column(i, row.size()) ? fmt::format("{:<{}}", row[i], widths[i])
                                            : fmt::format("{:>{}}", row[i], widths[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  };
  print_row(table.header);
  for (const auto& row : table.rows) print_row(row);
  out << '\n';
  for (const CaseComparison& result : comparison.cases) {
    if (result.error)
      out << verdict_text(result.verdict) << ": " << result.name << ": " << *result.error << '\n';
  }
  out << summary_line(comparison) << '\n';
}

void write_comparison_markdown(const Comparison& comparison, std::ostream& out) {
  out << "**BASE** `" << comparison.base_source << "`  \n**NEW** `" << comparison.new_source
      << "`\n\n";
  const Table table = comparison_table(comparison);
  const auto print_row = [&](const std::vector<std::string>& row) {
    out << '|';
    for (const std::string& cell : row) out << ' ' << escape_markdown_cell(cell) << " |";
    out << '\n';
  };
  std::vector<std::string> header;
  for (std::size_t i = 0; i < table.header.size(); ++i) header.push_back(table.full_header(i));
  print_row(header);
  out << '|';
  for (std::size_t i = 0; i < table.header.size(); ++i) {
    out << (is_text_column(i, table.header.size()) ? " --- |" : " ---: |");
  }
  out << '\n';
  for (const auto& row : table.rows) print_row(row);
  out << '\n';
  for (const CaseComparison& result : comparison.cases) {
    if (result.error) {
      out << "- " << verdict_text(result.verdict) << ": `" << result.name
          << "`: " << escape_markdown_cell(*result.error) << '\n';
    }
  }
  out << "\n**" << summary_line(comparison) << "**  \n" << rule_line(comparison) << '\n';
}

json comparison_json(const Comparison& comparison) {
  json cases = json::array();
  for (const CaseComparison& result : comparison.cases) cases.push_back(case_json(result));
  return {
      {"base", comparison.base_source},        {"new", comparison.new_source},
      {"metrics", comparison.options.metrics}, {"threshold_pct", comparison.options.threshold_pct},
      {"alpha", comparison.options.alpha},     {"cases", std::move(cases)},
      {"summary", summary_json(comparison)},   {"regressed", compare_exit_code(comparison) != 0}};
}

}  // namespace weaver::reporters

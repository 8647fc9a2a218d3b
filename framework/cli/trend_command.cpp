#include "trend_command.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weaver/text_lines.hpp"
#include "weaver/error.hpp"
#include "weaver/output_file.hpp"
#include "weaver/reporters/html_page.hpp"
#include "weaver/reporters/trend.hpp"

namespace weaver::cli {
namespace {

// Skipped folders noted one by one up to this many, then counted.
constexpr std::size_t max_skip_notes = 5;

struct TrendArguments {
  std::string directory;
  std::vector<std::string> metrics;
  std::string label;
  double threshold_pct = 10.0;
  std::string format = "text";
  std::string output;
};

void note_skipped(const reporters::RunHistory& history) {
  const auto& skipped = history.skipped;
  for (std::size_t i = 0; i < skipped.size() && i < max_skip_notes; ++i) {
    std::cerr << "weaver trend: skipped " << weaver::printable(skipped[i].folder) << ": " << weaver::printable(skipped[i].reason) << '\n';
  }
  if (skipped.size() > max_skip_notes) {
    std::cerr << "weaver trend: skipped " << skipped.size() - max_skip_notes
              << " more folder(s) that are not results folders\n";
  }
}

std::string render(const reporters::Trend& trend, reporters::TrendFormat format) {
  switch (format) {
    case reporters::TrendFormat::text:
      return reporters::trend_text(trend);
    case reporters::TrendFormat::json:
      return reporters::trend_json(trend).dump(2) + '\n';
    case reporters::TrendFormat::html:
      return reporters::trend_html(trend, reporters::load_chart_library());
  }
  return "";
}

void write_output(const std::string& text, const std::string& output) {
  if (output.empty() || output == "-") {
    std::cout << text;
    return;
  }
  write_output_file(output, text, "--output");
}

int run_trend(const TrendArguments& args) {
  const auto format = reporters::parse_trend_format(args.format);
  if (!format) throw UsageError("--format '" + args.format + "': expected text, json or html");
  reporters::TrendOptions options;
  if (!args.metrics.empty()) options.metrics = args.metrics;
  options.threshold_pct = args.threshold_pct;

  const std::optional<std::string> label =
      args.label.empty() ? std::nullopt : std::optional<std::string>(args.label);
  reporters::RunHistory history = reporters::read_run_history(args.directory, label);
  note_skipped(history);
  const reporters::Trend trend = reporters::build_trend(std::move(history), options);
  write_output(render(trend, *format), args.output);
  return reporters::trend_exit_code(trend);
}

}  // namespace

std::function<int()> add_trend_command(CLI::App& app) {
  auto args = std::make_shared<TrendArguments>();
  CLI::App* command = app.add_subcommand(
      "trend",
      "Every results folder (<YYYYMMDDTHHMMSSZ>-<label>/weaver.json) under DIR, oldest first: "
      "each case's p50 and p99 run after run, step changes marked. Exit 1 when a case stepped "
      "the worse way in the latest run (up; down for matched, sent, achieved_pps).");
  command->add_option("DIR", args->directory, "folder of results folders (e.g. results)")
      ->required();
  command
      ->add_option("--metric", args->metrics,
                   "follow this counter (p50, p99_us, max_us, lost ...) or time (the mean "
                   "latency); repeatable; default: p50 and p99")
      ->allow_extra_args(false);
  command->add_option("--label", args->label, "only the runs with this label (e.g. nightly)");
  command
      ->add_option("--threshold", args->threshold_pct,
                   "percent a level must move to count as a step")
      ->capture_default_str();
  command->add_option("--format", args->format, "text, json or html")->capture_default_str();
  command->add_option("--output", args->output, "write to this file instead of stdout");
  return [command, args]() -> int {
    if (!command->parsed()) return -1;
    try {
      return run_trend(*args);
    } catch (const weaver::Error& error) {
      std::cerr << "weaver trend: " << weaver::printable(error.what()) << '\n';
      return 2;
    }
  };
}

}  // namespace weaver::cli

#include "compare_command.hpp"

#include <iostream>
#include <memory>
#include <string>

#include "weaver/text_lines.hpp"
#include "weaver/error.hpp"
#include "weaver/reporters/compare.hpp"
#include "weaver/reporters/compare_format.hpp"
#include "weaver/reporters/run_report.hpp"

namespace weaver::cli {
namespace {

struct CompareArguments {
  std::string base;
  std::string current;
  std::string metric;
  double threshold_pct = 10.0;
  double alpha = 0.05;
  std::string format = "text";
};

int run_compare(const CompareArguments& args) {
  const auto format = reporters::parse_compare_format(args.format);
  if (!format) throw UsageError("--format '" + args.format + "': expected text, json or markdown");
  reporters::CompareOptions options;
  if (!args.metric.empty()) options.metrics = {args.metric};
  options.threshold_pct = args.threshold_pct;
  options.alpha = args.alpha;

  const reporters::RunReport base = reporters::read_run_report(args.base);
  const reporters::RunReport current = reporters::read_run_report(args.current);
  const reporters::Comparison comparison = reporters::compare_runs(base, current, options);
  if (comparison.underpowered_test) {
    std::cerr << "weaver compare: warning: fewer than " << reporters::recommended_repetitions
              << " repetitions: the U test has little power\n";
  }
  reporters::write_comparison(comparison, *format, std::cout);
  return reporters::compare_exit_code(comparison);
}

}  // namespace

std::function<int()> add_compare_command(CLI::App& app) {
  auto args = std::make_shared<CompareArguments>();
  CLI::App* command = app.add_subcommand(
      "compare",
      "Compare two runs of `weaver run` case by case: the change of p50 and p99 latency and, "
      "with --benchmark_repetitions on both sides, a Mann-Whitney U test. Exit 1 when a case "
      "regressed or failed in NEW.");
  command->add_option("BASE", args->base, "results folder (with weaver.json) or JSON file")
      ->required();
  command->add_option("NEW", args->current, "results folder (with weaver.json) or JSON file")
      ->required();
  command->add_option("--metric", args->metric,
                      "compare this counter only (p50, p99_us, max_us, lost ...) or time "
                      "(the manual time, the mean latency); default: p50 and p99");
  command
      ->add_option("--threshold", args->threshold_pct,
                   "percent a metric may grow before it counts as a regression")
      ->capture_default_str();
  command
      ->add_option("--alpha", args->alpha,
                   "significance level of the U test (with >= 2 repetitions a side)")
      ->capture_default_str();
  command->add_option("--format", args->format, "text, json or markdown")->capture_default_str();
  return [command, args]() -> int {
    if (!command->parsed()) return -1;
    try {
      return run_compare(*args);
    } catch (const weaver::Error& error) {
      std::cerr << "weaver compare: " << weaver::printable(error.what()) << '\n';
      return 2;
    }
  };
}

}  // namespace weaver::cli

// The `weaver` executable. Exit codes: 0 success, 2 bad usage or bad input,
// 1 a run that failed.
#include <CLI/CLI.hpp>
#include <iostream>

#include "analyze_command.hpp"
#include "compare_command.hpp"
#include "lab_command.hpp"
#include "measure_command.hpp"
#include "run_command.hpp"
#include "trend_command.hpp"
#include "weaver/text_lines.hpp"
#include "weaver/error.hpp"

int main(int argc, char** argv) {
  CLI::App app("weaver: the latency a hypervisor's virtual networking adds to each packet, "
               "from the physical interface (PIF) to the VM's virtual interface (VIF)",
               "weaver");
  app.set_version_flag("--version", "weaver " WEAVER_VERSION);
  app.require_subcommand(1);
  const auto analyze = weaver::cli::add_analyze_command(app);
  const auto lab = weaver::cli::add_lab_command(app);
  const auto run = weaver::cli::add_run_command(app, argv[0]);
  const auto measure = weaver::cli::add_measure_command(app);
  const auto compare = weaver::cli::add_compare_command(app);
  const auto trend = weaver::cli::add_trend_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "weaver: " << weaver::printable(error.what()) << " (see weaver --help)\n";
    return 2;
  }

  try {
    for (const auto& command : {analyze, lab, run, measure, compare, trend}) {
      if (const int code = command(); code >= 0) return code;
    }
    return 2;
  } catch (const weaver::UsageError& error) {
    std::cerr << "weaver: " << weaver::printable(error.what()) << '\n';
    return 2;
  } catch (const weaver::InputError& error) {
    std::cerr << "weaver: " << weaver::printable(error.what()) << '\n';
    return 2;
  } catch (const std::exception& error) {
    std::cerr << "weaver: " << weaver::printable(error.what()) << '\n';
    return 1;
  }
}

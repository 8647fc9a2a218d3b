#include "run_command.hpp"

#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <optional>

#include "run_context.hpp"
#include "run_target.hpp"
#include "scenarios/registration.hpp"
#include "weaver/error.hpp"
#include "weaver/text_lines.hpp"
#include "weaver/orchestrator/environment.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/reporters/html_page.hpp"
#include "weaver/reporters/results_folder.hpp"
#include "weaver/reporters/results_reporter.hpp"
#include "beside_weaver.hpp"
#include "benchmark_flags.hpp"

namespace weaver::cli {
namespace {

struct RunArguments {
  std::string config;
  std::string lab;
  std::string scenarios;
  std::string key = "auto";
  std::string btf;
  bool accept_new_host_keys = false;
  bool parallel_hypervisors = false;
  bool keep_captures = false;
  std::string capture_dir;
  std::string generator = "weaver-gen";
  std::string capture = "auto";
  std::string results_dir = "results";
  std::string label;  // empty: "lab", or the lab file's name
};

// --generator: weaver-gen (the one beside weaver), hping3, or a path to a weaver-gen binary.
std::optional<std::filesystem::path> generator_to_upload(const std::string& choice) {
  if (choice == "hping3") return std::nullopt;
  const std::filesystem::path path =
      choice == "weaver-gen" ? beside_weaver("weaver-gen") : std::filesystem::path(choice);
  if (!std::filesystem::is_regular_file(path)) {
    throw UsageError("--generator '" + choice + "': no weaver-gen binary at '" + path.string() +
                     "' (give its path, or --generator hping3)");
  }
  return path;
}

// --capture: auto, ebpf, agent (also "libpcap"), tcpdump; see CaptureMethod.
orchestrator::CaptureMethod capture_method(const std::string& choice) {
  if (choice == "auto") return orchestrator::CaptureMethod::automatic;
  if (choice == "ebpf") return orchestrator::CaptureMethod::ebpf;
  if (choice == "agent" || choice == "libpcap") return orchestrator::CaptureMethod::agent;
  if (choice == "tcpdump") return orchestrator::CaptureMethod::tcpdump;
  throw UsageError("--capture '" + choice + "': expected auto, ebpf, agent (libpcap) or tcpdump");
}

// --btf: a path on the hypervisors, handed to weaver-agent as is (no shell).
void check_btf_path(const std::string& path) {
  if (path.empty()) return;
  if (path.front() != '/' || path.size() > 4096 || printable(path) != path) {
    throw UsageError("--btf '" + printable(path) + "': give an absolute path of at most 4096 printable characters");
  }
}

// weaver-agent beside weaver, unless the captures are tcpdump's.
std::optional<std::filesystem::path> agent_to_upload(orchestrator::CaptureMethod method) {
  if (method == orchestrator::CaptureMethod::tcpdump) return std::nullopt;
  const std::filesystem::path path = beside_weaver("weaver-agent");
  if (std::filesystem::is_regular_file(path)) return path;
  if (method == orchestrator::CaptureMethod::agent || method == orchestrator::CaptureMethod::ebpf) {
    throw UsageError("--capture: no weaver-agent binary at '" + path.string() + "'");
  }
  return std::nullopt;
}

// The default label: "lab" for the local lab, the lab file's name otherwise
// (characters a label cannot hold become '-').
std::string default_label(const RunArguments& args) {
  if (args.config.empty()) return "lab";
  std::string label = std::filesystem::path(args.config).stem().string();
  for (char& c : label) {
    const bool kept = std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    if (!kept) c = '-';
  }
  label = label.substr(0, 64);
  if (label.empty() || label.front() == '.' || label.front() == '-') label = "run";
  return label;
}

// --benchmark_list_tests only names the cases: no results folder then.
bool lists_tests_only(const std::vector<std::string>& benchmark_flags) {
  for (const std::string& flag : benchmark_flags) {
    if (flag == "--benchmark_list_tests" || flag == "--benchmark_list_tests=true" ||
        flag == "--benchmark_list_tests=1" || flag == "--benchmark_list_tests=yes") {
      return true;
    }
  }
  return false;
}

// A kept capture's path as the results folder's files name it: relative to it.
std::string inside(const std::filesystem::path& folder, const std::string& file) {
  if (file.empty()) return file;
  const std::filesystem::path relative = std::filesystem::path(file).lexically_relative(folder);
  return relative.empty() || *relative.begin() == ".." ? file : relative.string();
}

void write_results_folder(const reporters::ResultsFolder& folder, reporters::ResultsReporter& reporter) {
  const std::optional<std::string> chart_library = reporters::load_chart_library();
  if (!chart_library) {
    std::cerr << "weaver: " << reporters::kChartLibraryPath
              << " not found (Debian package libjs-chart.js): report.html has tables but no charts\n";
  }
  reporters::write_results(folder, reporter.results(), reporter.benchmark_json(), chart_library);
  std::cerr << "weaver: results in " << folder.path().string() << "\n";
}

// Under Google Benchmark's context: what weaver's table says, once.
std::string context_lines(const reporters::RunContext& context) {
  return "weaver " + context.weaver_version + " (" + context.git_revision + "), measuring " + context.target +
         ", label " + context.label +
         "\nTime: a case's mean PIF->VIF latency, from the captures' timestamps (not timed code); "
         "CPU: weaver's own CPU time for the case. Counters ending in _us are microseconds.\n";
}

int run(const RunArguments& args, const char* program, std::vector<std::string> benchmark_flags) {
  const DisplayFlags display = take_display_flags(benchmark_flags);
  check_benchmark_filter(benchmark_flags);
  const auto key = capture::parse_key_kind(args.key);
  if (!key) throw UsageError("--key '" + args.key + "': expected auto, tcp-seq, ip-id, payload-id or hash");
  check_btf_path(args.btf);
  std::vector<scenarios::Scenario> scenario_set =
      args.scenarios.empty() ? scenarios::builtin_scenarios() : scenarios::load_scenario_file(args.scenarios);

  // Google Benchmark reads its own flags; anything else left over is an error.
  std::vector<std::string> words{program};
  words.insert(words.end(), benchmark_flags.begin(), benchmark_flags.end());
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  int argc = static_cast<int>(argv.size());
  benchmark::Initialize(&argc, argv.data());
  if (argc > 1) throw UsageError(std::string("unknown option '") + argv[1] + "' (see weaver run --help)");

  const std::string label = args.label.empty() ? default_label(args) : args.label;
  reporters::validate_label(label);
  const auto started = std::chrono::system_clock::now();
  // Created first, so a run that could not keep its results measures nothing
  // (an empty folder is removed again).
  std::optional<reporters::ResultsFolder> folder;
  if (!lists_tests_only(benchmark_flags)) folder.emplace(args.results_dir, label, started);
  RunTarget target(args.config, args.lab);
  reporters::ResultsReporter reporter(benchmark::CreateDefaultDisplayReporter(),
                                      run_context(target, label, started));
  reporter.show_aggregates_only(display.aggregates_only);
  reporter.set_context_lines(context_lines(reporter.results().context));
  orchestrator::RunOptions options;
  options.accept_new_host_keys = args.accept_new_host_keys;
  options.key = *key;
  options.keep_captures = args.keep_captures;
  options.capture_dir = args.capture_dir;
  if (folder && args.keep_captures && args.capture_dir.empty()) {
    options.capture_dir = folder->path() / "captures";
  }
  options.stop_on_signals = true;
  options.generator = generator_to_upload(args.generator);
  options.capture = capture_method(args.capture);
  options.btf = args.btf;
  options.agent = agent_to_upload(options.capture);
  if (::isatty(STDERR_FILENO)) {
    options.progress = [](orchestrator::CaseStage, std::string_view name, std::string_view what) {
      std::cerr << "\r\033[K" << name << ": " << what << std::flush;
    };
  }
  orchestrator::Orchestrator orchestrator(target.config(), options);
  scenarios::CaseTally tally;
  scenarios::RegistrationOptions registration{args.parallel_hypervisors, {}};
  if (folder) {
    registration.on_case = [&reporter, &folder](reporters::CaseRun run) {
      run.pif_capture = inside(folder->path(), run.pif_capture);
      run.vif_capture = inside(folder->path(), run.vif_capture);
      run.annotated_capture = inside(folder->path(), run.annotated_capture);
      run.packets_file = inside(folder->path(), run.packets_file);
      reporter.add_case(std::move(run));
    };
  }
  scenarios::register_cases(scenario_set, orchestrator, registration, tally);
  std::cerr << "weaver: measuring " << target.description() << ": "
            << target.config().configurations.size() << " configuration(s), " << scenario_set.size()
            << " scenario(s)\n";
  // Before the first case: the VIFs it resolves are the cases' too.
  reporter.collect_environment_with([&orchestrator] { return orchestrator.collect_environment(); });
  const std::size_t matched = benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  if (options.progress) std::cerr << "\r\033[K";
  if (matched == 0) {
    // Google Benchmark has said which filter matched nothing; a nightly job
    // must not pass on an empty run.
    throw UsageError("no case to run (weaver run --benchmark_list_tests lists them)");
  }
  // The results are kept before the hosts are cleaned, so a host lost at the
  // end costs its clean-up, not the run's figures.
  if (folder) write_results_folder(*folder, reporter);
  orchestrator.close();
  if (const int signal_number = orchestrator.interrupted()) {
    std::cerr << "weaver: interrupted: " << tally.measured
              << " case(s) measured before it; the others are reported as failed\n";
    return 128 + signal_number;
  }
  if (tally.failed > 0) {
    std::cerr << "weaver: " << tally.failed << " case(s) failed, " << tally.measured << " measured\n";
    return 1;
  }
  return 0;
}

}  // namespace

std::function<int()> add_run_command(CLI::App& app, const char* program) {
  auto args = std::make_shared<RunArguments>();
  auto benchmark_flags = std::make_shared<std::vector<std::string>>();
  CLI::App* command = app.add_subcommand(
      "run",
      "Run every traffic scenario on every hypervisor configuration as Google Benchmark cases "
      "(PIF->VIF latency as manual time and counters). --benchmark_filter, "
      "--benchmark_repetitions, --benchmark_out and the other --benchmark_* flags work as usual.");
  command->add_option("--config", args->config, "YAML lab file (hypervisors, VMs, sources); "
                      "default: the local lab that is up, or one brought up for the run")
      ->check(CLI::ExistingFile);
  command->add_option("--lab", args->lab, "the local lab to measure (wv1 ...), when several are up");
  command->add_option("--scenarios", args->scenarios, "YAML scenario file instead of the built-in set")
      ->check(CLI::ExistingFile);
  command->add_option("--key", args->key, "match key: auto, tcp-seq, ip-id, payload-id, hash");
  command->add_option("--btf", args->btf,
                      "the kernel BTF the in-kernel probes load against, a file on the hypervisors "
                      "(default /sys/kernel/btf/vmlinux; e.g. a BTFHub file for a kernel that does not "
                      "expose its own)");
  command->add_flag("--accept-new-host-keys", args->accept_new_host_keys,
                    "add unknown SSH host keys to known_hosts (changed keys are still refused)");
  command->add_flag("--parallel-hypervisors", args->parallel_hypervisors,
                    "measure a case on every hypervisor at once");
  command->add_option("--results-dir", args->results_dir,
                      "where the run's results folder <UTC timestamp>-<label>/ is created")
      ->capture_default_str();
  command->add_option("--label", args->label,
                      "the results folder's suffix, also recorded in its files "
                      "(default: lab, or the lab file's name)");
  command->add_flag("--keep-captures", args->keep_captures,
                    "keep each case's PIF and VIF captures (in the results folder's captures/), "
                    "and the VIF capture as pcapng with each packet's PIF->VIF delay as a comment");
  command->add_option("--capture-dir", args->capture_dir,
                      "where fetched captures go (default: captures/ in the results folder with "
                      "--keep-captures, a temporary folder otherwise)");
  command->add_option("--generator", args->generator,
                      "traffic generator on the sources: weaver-gen (uploaded to each source and "
                      "cached there), hping3 (installed on the sources), or the path of a weaver-gen "
                      "binary")
      ->capture_default_str();
  command->add_option("--capture", args->capture,
                      "how PIF and VIF are measured: ebpf (weaver-agent's in-kernel probes: every "
                      "packet stamped and matched in the kernel, drops with their reason), agent or "
                      "libpcap (weaver-agent captures with libpcap, buffered, analysed in place), "
                      "tcpdump (buffered, fetched), or auto (ebpf where the probes load, else libpcap, "
                      "else tcpdump; libpcap with --keep-captures)")
      ->capture_default_str();
  command->allow_extras();
  return [command, args, benchmark_flags, program]() -> int {
    if (!command->parsed()) return -1;
    return run(*args, program, command->remaining());
  };
}

}  // namespace weaver::cli

#include "analyze_command.hpp"

#include <iostream>
#include <memory>
#include <optional>

#include "analyze_output.hpp"
#include "duration.hpp"
#include "packet_csv_writer.hpp"
#include "weaver/text_lines.hpp"
#include "weaver/analysis/analyze.hpp"
#include "weaver/error.hpp"

namespace weaver::cli {
namespace {

struct AnalyzeArguments {
  std::string pif;
  std::string vif;
  std::string key = "auto";
  std::string window = "10s";
  std::string filter;
  std::string packets_csv;
  bool json = false;
};

int run_analyze(const AnalyzeArguments& args) {
  analysis::AnalyzeOptions options;
  options.pif_path = args.pif;
  options.vif_path = args.vif;
  const auto key = capture::parse_key_kind(args.key);
  if (!key) {
    throw UsageError("--key '" + args.key + "': expected auto, tcp-seq, ip-id, payload-id or hash");
  }
  options.key = *key;
  options.window_ns = parse_duration_ns(args.window, "--window");
  options.filter = args.filter;
  std::optional<PacketCsvWriter> csv;
  if (!args.packets_csv.empty()) {
    csv.emplace(args.packets_csv, std::vector<std::string>{args.pif, args.vif});
    options.on_match = [&csv](const analysis::MatchedPacket& packet) { csv->write(packet); };
  }

  const analysis::LatencyResult result = analysis::analyze_captures(options);
  if (csv) csv->commit();
  for (const std::string& warning : result.warnings) std::cerr << "warning: " << printable(warning) << '\n';
  if (args.json) {
    std::cout << to_json(result).dump(2) << '\n';
  } else {
    print_table(result, std::cout);
  }
  return 0;
}

}  // namespace

std::function<int()> add_analyze_command(CLI::App& app) {
  auto args = std::make_shared<AnalyzeArguments>();
  CLI::App* command = app.add_subcommand(
      "analyze", "Match the packets of a PIF capture and a VIF capture and report the latency "
                 "the datapath added to each");
  command->add_option("--pif", args->pif, "capture on the physical interface (pcap or pcapng)")
      ->required();
  command->add_option("--vif", args->vif, "capture on the VM's virtual interface")->required();
  command->add_option("--key", args->key,
                      "how packets are matched: auto (payload-id where present, else hash), "
                      "tcp-seq (as the 2013 tool), ip-id, payload-id, hash")
      ->capture_default_str();
  command->add_option("--window", args->window,
                      "how long (capture time) a packet waits for its partner before it counts "
                      "as lost, e.g. 10s, 500ms")
      ->capture_default_str();
  command->add_option("--filter", args->filter, "BPF expression applied to both captures");
  command->add_option("--packets", args->packets_csv,
                      "write one CSV row per matched packet: pif_ns,vif_ns,delta_ns");
  command->add_flag("--json", args->json, "print one JSON object instead of the table");
  return [command, args]() -> int {
    if (!command->parsed()) return -1;
    return run_analyze(*args);
  };
}

}  // namespace weaver::cli

// weaver-synth: writes a PIF/VIF capture pair with known latency, loss,
// reordering and duplication, and prints the ground truth as JSON. Used by
// the README demo and the benchmarks.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "synthetic_traffic.hpp"

int main(int argc, char** argv) {
  weaver::testing::SyntheticTraffic traffic;
  std::string pif_path;
  std::string vif_path;
  std::string format = "pcap-ns";
  CLI::App app("Write a synthetic PIF/VIF capture pair with known ground truth", "weaver-synth");
  app.add_option("--pif", pif_path, "PIF capture to write")->required();
  app.add_option("--vif", vif_path, "VIF capture to write")->required();
  app.add_option("--packets", traffic.packets, "packets sent")->capture_default_str();
  app.add_option("--rate", traffic.rate_pps, "packets per second")->capture_default_str();
  app.add_option("--min-delay-ns", traffic.min_delay_ns)->capture_default_str();
  app.add_option("--max-delay-ns", traffic.max_delay_ns)->capture_default_str();
  app.add_option("--loss", traffic.loss, "fraction lost")->capture_default_str();
  app.add_option("--reorder", traffic.reorder, "fraction of pairs swapped")->capture_default_str();
  app.add_option("--duplicate", traffic.duplicate, "fraction duplicated")->capture_default_str();
  app.add_flag("--payload-id", traffic.payload_id, "UDP with weaver payload ids instead of SYNs");
  app.add_option("--seed", traffic.seed)->capture_default_str();
  app.add_option("--format", format, "pcap, pcap-ns, pcapng or pcapng-ns")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  using weaver::testing::CaptureFormat;
  if (format == "pcap") {
    traffic.format = CaptureFormat::pcap_us;
  } else if (format == "pcap-ns") {
    traffic.format = CaptureFormat::pcap_ns;
  } else if (format == "pcapng") {
    traffic.format = CaptureFormat::pcapng_us;
  } else if (format == "pcapng-ns") {
    traffic.format = CaptureFormat::pcapng_ns;
  } else {
    std::cerr << "weaver-synth: --format '" << format << "': expected pcap, pcap-ns, pcapng or pcapng-ns\n";
    return 2;
  }
  try {
    const auto truth = weaver::testing::write_synthetic_captures(traffic, pif_path, vif_path);
    std::cout << nlohmann::json{{"pif_packets", truth.pif_packets},
                                {"vif_packets", truth.vif_packets},
                                {"lost", truth.lost},
                                {"reordered", truth.reordered},
                                {"duplicated", truth.duplicated},
                                {"min_delay_ns", truth.min_delay_ns},
                                {"max_delay_ns", truth.max_delay_ns},
                                {"mean_delay_ns", truth.mean_delay_ns}}
                     .dump()
              << '\n';
  } catch (const std::exception& error) {
    std::cerr << "weaver-synth: " << error.what() << '\n';
    return 1;
  }
  return 0;
}

#include "measure_command.hpp"

#include <fmt/format.h>

#include <iostream>
#include <optional>

#include "beside_weaver.hpp"
#include "weaver/error.hpp"
#include "weaver/hypervisor/vif_resolver.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::cli {
namespace {

struct MeasureArguments {
  std::string instance;
  std::string hypervisor;
  std::vector<std::string> sources;
  std::string source_address;
  std::string pif = "eth0";
  int vif_index = 0;
  std::string destination;
  std::string key_file;
  std::string known_hosts;
  std::string adapter = "xenserver";
  std::string user = "root";
  std::int64_t count = 10000;
  std::int64_t rate = 10;  // hping3 --fast, as in 2013
  int size = 64;
  bool accept_new_host_keys = false;
};

// Everything that reaches a host is checked before weaver connects to one.
void validate(const MeasureArguments& args) {
  remote::validate_vm_name("-n", args.instance);
  remote::validate_host("--hv", args.hypervisor);
  for (const std::string& source : args.sources) remote::validate_host("-s", source);
  if (!args.source_address.empty()) remote::validate_host("--source-address", args.source_address);
  remote::validate_interface_name("-i", args.pif);
  remote::validate_host("-d", args.destination);
  remote::validate_vm_name("--user", args.user);
  if (args.vif_index < 0 || args.vif_index > 65535) {
    throw UsageError("--num " + std::to_string(args.vif_index) + ": between 0 and 65535");
  }
  if (args.count < 1 || args.count > 100'000'000) throw UsageError("-c " + std::to_string(args.count) + ": between 1 and 100000000");
  if (args.rate < 1) throw UsageError("--rate " + std::to_string(args.rate) + ": at least 1 packet per second");
  if (args.size < 64 || args.size > 9018) throw UsageError("--size " + std::to_string(args.size) + ": between 64 and 9018");
  hypervisor::make_vif_resolver(args.adapter);  // throws for an unknown adapter
}

orchestrator::RunConfig to_config(const MeasureArguments& args) {
  validate(args);
  orchestrator::RunConfig config;
  config.origin = "weaver measure";
  orchestrator::SshEndpoint ssh;
  ssh.user = args.user;
  if (!args.key_file.empty()) ssh.key_file = args.key_file;
  ssh.known_hosts = args.known_hosts;
  orchestrator::Configuration configuration;
  configuration.name = "measure";
  configuration.hypervisor = ssh;
  configuration.hypervisor.host = args.hypervisor;
  configuration.adapter = args.adapter;
  configuration.pif = args.pif;
  configuration.vm = args.instance;
  configuration.vif_index = args.vif_index;
  configuration.destination = args.destination;
  for (std::size_t i = 0; i < args.sources.size(); ++i) {
    orchestrator::Source source;
    source.name = "source" + std::to_string(i + 1);
    source.ssh = ssh;
    source.ssh.host = args.sources[i];
    source.address = args.source_address;
    configuration.sources.push_back(source.name);
    config.sources.push_back(source);
  }
  config.configurations.push_back(configuration);
  return config;
}

// What the 2013 tool printed as each step began.
void print_stage(orchestrator::CaseStage stage) {
  switch (stage) {
    case orchestrator::CaseStage::capturing: std::cout << "Spawning packet captures...\n"; break;
    case orchestrator::CaseStage::sending: break;
    case orchestrator::CaseStage::fetching:
      std::cout << "Captures finished, waiting for files to flush.\nTransferring files...\n";
      break;
    case orchestrator::CaseStage::analyzing: break;
  }
  std::cout.flush();
}

int measure(const MeasureArguments& args) {
  orchestrator::TrafficSpec spec;
  spec.protocol = orchestrator::Protocol::tcp_syn;
  spec.count = args.count;
  spec.rate_pps = args.rate;
  spec.frame_size = args.size;
  orchestrator::RunOptions options;
  options.accept_new_host_keys = args.accept_new_host_keys;
  options.stop_on_signals = true;
  // Captured by weaver-agent where it starts (buffered, on one clock), else tcpdump.
  if (const auto agent = beside_weaver("weaver-agent"); std::filesystem::is_regular_file(agent)) {
    options.agent = agent;
  }
  // A stage may be reported several times (ending the captures, then fetching
  // them): its 2013 lines are printed once.
  options.progress = [last = std::optional<orchestrator::CaseStage>()](
                         orchestrator::CaseStage stage, std::string_view, std::string_view) mutable {
    if (stage != last) print_stage(stage);
    last = stage;
  };
  orchestrator::Orchestrator orchestrator(to_config(args), options);
  const orchestrator::CaseResult result =
      orchestrator.run_case(orchestrator.config().configurations.front(), spec, "measure");
  orchestrator.close();
  const analysis::LatencyResult& latency = result.latency;
  auto us = [](double ns) { return ns / 1000.0; };
  // The 2013 line, Python dict syntax, microseconds; then what it lacked.
  std::cout << fmt::format("{{'average': {}, 'minimum': {}, 'maximum': {}, 'stdev': {}}}\n",
                           us(latency.moments.mean_ns()), us(static_cast<double>(latency.moments.min_ns)),
                           us(static_cast<double>(latency.moments.max_ns)), us(latency.moments.stdev_ns()));
  std::cout << fmt::format(
      "{{'p50': {}, 'p90': {}, 'p99': {}, 'p999': {}, 'matched': {}, 'lost': {}, 'vif_only': {}, "
      "'capture_drops': {}, 'vif': '{}'}}\n",
      us(static_cast<double>(latency.histogram.percentile(0.5))),
      us(static_cast<double>(latency.histogram.percentile(0.9))),
      us(static_cast<double>(latency.histogram.percentile(0.99))),
      us(static_cast<double>(latency.histogram.percentile(0.999))), latency.matched, latency.pif_only,
      latency.vif_only, result.pif_capture.dropped_by_kernel + result.vif_capture.dropped_by_kernel,
      result.vif);
  return 0;
}

}  // namespace

std::function<int()> add_measure_command(CLI::App& app) {
  auto args = std::make_shared<MeasureArguments>();
  CLI::App* command = app.add_subcommand(
      "measure", "One SYN-flood measurement with the 2013 tool's options and output lines");
  command->add_option("-n,--instance", args->instance, "the VM (instance-<uuid> name-label)")->required();
  command->add_option("--hv", args->hypervisor, "the hypervisor's address (SSH)")->required();
  command->add_option("-s,--source", args->sources, "a source VM's address (SSH); repeat for several")
      ->required();
  command->add_option("--source-address", args->source_address,
                      "the address the traffic leaves the sources from, when not their SSH address");
  command->add_option("-i,--interface", args->pif, "the PIF on the hypervisor (default eth0)");
  command->add_option("--num", args->vif_index, "the VIF index n of vif<domid>.<n> (default 0)");
  command->add_option("-d,--destination", args->destination, "the VM's address")->required();
  command->add_option("-k,--key", args->key_file, "SSH private key (default: ssh-agent)")->check(CLI::ExistingFile);
  command->add_option("--known-hosts", args->known_hosts, "known_hosts file (default ~/.ssh/known_hosts)");
  command->add_flag("--accept-new-host-keys", args->accept_new_host_keys,
                    "add unknown SSH host keys (changed keys are still refused)");
  command->add_option("--adapter", args->adapter, "xenserver (default), xl, libvirt or lab");
  command->add_option("--user", args->user, "SSH user (default root)");
  command->add_option("-c,--count", args->count, "SYNs per source (default 10000)")->check(CLI::PositiveNumber);
  command->add_option("--rate", args->rate, "SYNs per second per source (default 10, hping3 --fast)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--size", args->size, "frame size with FCS (default 64)")->check(CLI::Range(64, 9018));
  return [command, args]() -> int {
    if (!command->parsed()) return -1;
    return measure(*args);
  };
}

}  // namespace weaver::cli

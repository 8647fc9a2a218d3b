#include "case_steps.hpp"

#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <exception>
#include <functional>

#include "capture_pair.hpp"
#include "concurrently.hpp"
#include "end_quietly.hpp"
#include "binary_install.hpp"
#include "traffic_command.hpp"
#include "weaver/analysis/analyze.hpp"
#include "weaver/analysis/annotate_capture.hpp"
#include "weaver/error.hpp"
#include "weaver/hypervisor/vif_resolver.hpp"
#include "weaver/remote/local_executor.hpp"
#include "weaver/remote/remote_error.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::orchestrator {
namespace {

namespace asio = remote::asio;
using Clock = std::chrono::steady_clock;
constexpr std::chrono::seconds kControlTimeout{10};
constexpr std::chrono::seconds kTransferTimeout{300};

double seconds_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// Per sender, from the first and last matched packet on the first capture.
void set_achieved_pps(CaseResult& result, std::size_t senders) {
  const analysis::LatencyResult& latency = result.latency;
  if (latency.matched > 1 && latency.last_matched_ns > latency.first_matched_ns && senders > 0) {
    result.achieved_pps = static_cast<double>(latency.matched - 1) * 1e9 /
                          static_cast<double>(latency.last_matched_ns - latency.first_matched_ns) /
                          static_cast<double>(senders);
  }
}

// A coroutine of its own, so concurrently() can run both fetches side by side.
asio::awaitable<void> fetch(remote::Executor& host, std::string remote_file, std::filesystem::path local) {
  const remote::ProgressCallback no_progress;  // named: no temporary inside co_await
  co_await host.download(std::move(remote_file), std::move(local), no_progress, kTransferTimeout);
}

// Fetches the host's files side by side, then removes them there; a failed
// fetch ends the captures (removing their files) and is rethrown.
asio::awaitable<void> fetch_all(asio::io_context& io, remote::Executor& host, CapturePair& captures,
                                std::vector<std::pair<std::string, std::filesystem::path>> files) {
  std::vector<asio::awaitable<void>> fetches;
  for (auto& [remote_file, local] : files) fetches.push_back(fetch(host, std::move(remote_file), std::move(local)));
  std::exception_ptr failure;
  try {
    co_await concurrently(io, std::move(fetches));
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await captures.abort();
    std::rethrow_exception(failure);
  }
  co_await captures.remove_files();
}

}  // namespace

void CaseSteps::progress(CaseStage stage, const std::string& case_name, const std::string& text) const {
  if (options.progress) options.progress(stage, case_name, text);
}

asio::awaitable<std::string> CaseSteps::resolve_vif(remote::Executor& hypervisor,
                                                    const Configuration& configuration) {
  if (!configuration.vif.empty()) {
    remote::validate_interface_name(configuration.name + ".vif", configuration.vif);
    co_return configuration.vif;
  }
  if (auto found = vif_cache.find(configuration.name); found != vif_cache.end()) co_return found->second;
  auto resolver = hypervisor::make_vif_resolver(configuration.adapter);
  // A named object, not a temporary in the co_await: GCC 12 destroys such
  // temporaries twice.
  const hypervisor::VmInterface vm{configuration.vm, configuration.vif_index};
  std::string vif = co_await resolver->resolve(hypervisor, vm, std::chrono::seconds(30));
  vif_cache[configuration.name] = vif;
  co_return vif;
}

asio::awaitable<remote::AgentSession*> CaseSteps::choose_capture(const Configuration& configuration,
                                                                CaseResult& result) {
  if (options.capture == CaptureMethod::tcpdump) co_return nullptr;
  remote::AgentSession* agent = hosts.agent(configuration.hypervisor);
  if (agent) co_return agent;
  std::string why = hosts.agent_failure(configuration.hypervisor);
  if (why.empty()) why = "no weaver-agent binary was given";
  if (options.capture == CaptureMethod::agent || options.capture == CaptureMethod::ebpf) {
    throw Error(configuration.hypervisor.host + ": --capture " + std::string(options.capture == CaptureMethod::ebpf ? "ebpf" : "agent") + ": " + why);
  }
  result.warnings.push_back("captured with tcpdump: " + why);
  co_return nullptr;
}

asio::awaitable<std::unique_ptr<CapturePair>> CaseSteps::start_agent_side(remote::AgentSession& agent,
                                                                          const Configuration& configuration,
                                                                          const std::string& vif,
                                                                          const CaptureFlow& flow, bool egress,
                                                                          CaseResult& result) {
  // auto keeps packet captures when asked to keep them; ebpf keeps records.
  const bool try_probes = options.capture == CaptureMethod::ebpf ||
                          (options.capture == CaptureMethod::automatic && !options.keep_captures);
  const std::string& host = configuration.hypervisor.host;
  std::string why_not;
  if (try_probes) {
    if (auto failed = probe_failures.find(host); failed != probe_failures.end()) why_not = failed->second;
  }
  if (try_probes && why_not.empty()) {
    ProbeRequest request{configuration.pif, vif, egress, flow, options.key, options.keep_captures, options.btf};
    try {
      co_return co_await start_probe_captures(agent, std::move(request));
    } catch (const remote::RemoteError& error) {
      // The agent's one line about the probes; the host or the link failing is no reason to fall back.
      if (error.code() != remote::RemoteErrc::agent_refused) throw;
      why_not = error.what();
      probe_failures[host] = why_not;
    }
  }
  if (options.capture == CaptureMethod::ebpf) throw Error("--capture ebpf: " + why_not);
  if (!why_not.empty()) result.warnings.push_back("captured with libpcap: " + why_not);
  co_return co_await start_agent_captures(agent, configuration.pif, vif, capture_filter(flow));
}

asio::awaitable<void> CaseSteps::choose_generator(TrafficRun& run, const TrafficSpec& spec,
                                                  CaseResult& result) {
  if (!generator || spec.source_command) co_return;
  // A local executor (the lab VM's namespace) runs the binary where it is.
  if (dynamic_cast<remote::LocalExecutor*>(run.host) != nullptr) {
    run.generator = generator->local.string();
    co_return;
  }
  const SourceGenerator on_source = co_await generator_on(*run.host);
  run.generator = on_source.path;
  if (!on_source.path) {
    result.warnings.push_back("hping3 on " + run.source->name + ": " + on_source.fallback_reason);
  }
}

asio::awaitable<SourceGenerator> CaseSteps::generator_on(remote::Executor& source) {
  if (auto found = source_generators.find(source.where()); found != source_generators.end()) {
    co_return found->second;
  }
  SourceGenerator on_source;
  try {
    on_source.path = co_await install_binary(source, *generator);
  } catch (const Error& error) {
    on_source.fallback_reason = std::string("weaver-gen could not be installed (") + error.what() + ")";
  }
  source_generators[source.where()] = on_source;
  co_return on_source;
}

asio::awaitable<CaseResult> CaseSteps::run(const Configuration& configuration, const TrafficSpec& spec,
                                           const std::string& case_name,
                                           const std::string& folder_name,
                                           const std::function<std::filesystem::path()>& make_local_dir) {
  const auto case_started = Clock::now();
  const bool egress = spec.direction == Direction::egress;
  if (egress && !configuration.vm_shell.available()) {
    throw UsageError("egress (VIF->PIF) traffic starts inside VM '" + configuration.vm +
                     "', and the lab file gives no way in: add ssh (host, ...) to its vms entry");
  }
  if (egress && configuration.sources.empty()) {
    throw UsageError("egress (VIF->PIF) traffic goes to the first source, and there is none");
  }
  CaseResult result;
  result.configuration = configuration.name;
  result.pif = configuration.pif;

  remote::Executor& hypervisor = *co_await hosts.get(configuration.hypervisor);
  // Ingress: every source sends to the VM. Egress: the VM sends to the first source.
  std::vector<TrafficRun> traffic;
  std::vector<std::string> sender_addresses;
  std::string destination = configuration.destination;
  Source vm_sender;  // egress: the VM as the sender
  if (egress) {
    const Source& receiver = config.source(configuration.sources.front());
    destination = receiver.address.empty() ? receiver.ssh.host : receiver.address;
    vm_sender.name = configuration.vm;
    vm_sender.address = configuration.destination;
    TrafficRun run;
    run.source = &vm_sender;
    run.host = co_await hosts.get(configuration.vm_shell);
    co_await choose_generator(run, spec, result);
    sender_addresses.push_back(vm_sender.address);
    traffic.push_back(std::move(run));
  } else {
    for (const std::string& name : configuration.sources) {
      TrafficRun run;
      run.source = &config.source(name);
      run.host = co_await hosts.get(run.source->ssh);
      co_await choose_generator(run, spec, result);
      sender_addresses.push_back(run.source->address.empty() ? run.source->ssh.host
                                                             : run.source->address);
      traffic.push_back(std::move(run));
    }
  }
  result.vif = co_await resolve_vif(hypervisor, configuration);
  remote::AgentSession* agent = co_await choose_capture(configuration, result);
  const CaptureFlow flow = capture_flow(spec, sender_addresses, destination);
  const auto limit = expected_duration(spec) * 2 + std::chrono::seconds(60);

  std::unique_ptr<CapturePair> captures;
  FinishedCaptures finished;
  std::exception_ptr failure;
  try {
    progress(CaseStage::capturing, case_name, "capturing on " + configuration.pif + " and " + result.vif);
    if (agent) {
      captures = co_await start_agent_side(*agent, configuration, result.vif, flow, egress, result);
    } else {
      const std::string stem = co_await hypervisor.temp_dir(kControlTimeout) + "/" + folder_name;
      captures = co_await start_tcpdump_captures(io, hypervisor, configuration.pif, result.vif, capture_filter(flow), stem,
                                                 limit, configuration.hypervisor.user == "root");
    }
    progress(CaseStage::sending, case_name,
             "sending " + std::to_string(spec.count) + " packets from " +
                 (egress ? "the VM" : std::to_string(traffic.size()) + " source(s)"));
    const auto traffic_started = Clock::now();
    std::vector<std::uint64_t> sent(traffic.size());
    {
      // On a terminal: "sending: 12000 of 20000 packets", from weaver-gen's progress lines.
      std::function<void()> on_progress;
      if (options.progress) {
        const std::uint64_t total = static_cast<std::uint64_t>(spec.count) * traffic.size();
        on_progress = [this, &traffic, &case_name, total] {
          std::uint64_t so_far = 0;
          for (const TrafficRun& run : traffic) so_far += *run.sent_so_far;
          progress(CaseStage::sending, case_name,
                   "sending: " + std::to_string(so_far) + " of " + std::to_string(total) + " packets");
        };
      }
      std::vector<asio::awaitable<void>> runs;
      for (std::size_t i = 0; i < traffic.size(); ++i) {
        runs.push_back(run_traffic(traffic[i], spec, destination, limit, active_traffic, sent[i],
                                   on_progress));
      }
      co_await concurrently(io, std::move(runs));
    }
    for (std::uint64_t count : sent) result.sent += count;
    for (const TrafficRun& run : traffic) {
      result.source_pps += run.summary->achieved_pps / static_cast<double>(traffic.size());
      result.send_errors += run.summary->send_errors;
    }
    result.traffic_seconds = seconds_between(traffic_started, Clock::now());
    asio::steady_timer drain(io, captures->drain(options.drain));  // packets still in the datapath
    co_await drain.async_wait(asio::use_awaitable);
    // The stages the 2013 command line prints: the captures end and their
    // contents are collected (the agent matches them on the host).
    progress(CaseStage::fetching, case_name, "ending the captures on " + hypervisor.where());
    finished = co_await captures->finish(egress, options.key, options.keep_captures);
    result.pif_capture = finished.pif;
    result.vif_capture = finished.vif;
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    // Nothing may outlive a failed case: traffic first, then the captures.
    for (TrafficRun& run : traffic) {
      active_traffic.remove(run.process.get());
      co_await end_quietly(run.process);
    }
    if (captures) co_await captures->abort();
    std::rethrow_exception(failure);
  }

  if (finished.probes) {
    result.probes = finished.probes;
    if (options.keep_captures && !finished.probes->records_file.empty()) {
      progress(CaseStage::fetching, case_name, "fetching the per-packet records");
      result.packets_file = make_local_dir() / "packets.csv";
      // Named, not a temporary inside co_await (GCC 12).
      std::vector<std::pair<std::string, std::filesystem::path>> records{
          {finished.probes->records_file, result.packets_file}};
      co_await fetch_all(io, hypervisor, *captures, std::move(records));
    }
  }
  if (finished.latency && (!options.keep_captures || finished.probes)) {
    result.latency = std::move(*finished.latency);
    set_achieved_pps(result, traffic.size());
    result.case_seconds = seconds_between(case_started, Clock::now());
    co_return result;
  }
  progress(CaseStage::fetching, case_name, "fetching captures");
  const std::filesystem::path local_dir = make_local_dir();
  result.pif_file = local_dir / "pif.pcap";
  result.vif_file = local_dir / "vif.pcap";
  std::vector<std::pair<std::string, std::filesystem::path>> files{{finished.pif_file, result.pif_file},
                                                                   {finished.vif_file, result.vif_file}};
  co_await fetch_all(io, hypervisor, *captures, std::move(files));

  progress(CaseStage::analyzing, case_name, "matching packets");
  analysis::AnalyzeOptions analyze;
  // The capture the packets reach first is the analysis's first side.
  analyze.pif_path = (egress ? result.vif_file : result.pif_file).string();
  analyze.vif_path = (egress ? result.pif_file : result.vif_file).string();
  analyze.key = options.key;
  if (options.keep_captures) {
    // The second side's capture again, as pcapng with each packet's delay.
    analysis::AnnotateOptions annotate;
    annotate.analyze = analyze;
    annotate.output_path =
        (local_dir / (egress ? "pif-annotated.pcapng" : "vif-annotated.pcapng")).string();
    annotate.direction = egress ? "VIF->PIF" : "PIF->VIF";
    result.latency = analysis::write_annotated_capture(annotate).latency;
    result.annotated_file = annotate.output_path;
  } else {
    result.latency = analysis::analyze_captures(analyze);
  }
  set_achieved_pps(result, traffic.size());
  if (!options.keep_captures) {
    std::error_code ignored;
    std::filesystem::remove_all(local_dir, ignored);
  }
  result.case_seconds = seconds_between(case_started, Clock::now());
  co_return result;
}

}  // namespace weaver::orchestrator

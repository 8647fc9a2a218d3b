// The steps of one case, in order: sessions, VIF, both captures listening,
// traffic from every source, drain, stop, fetch, analyze.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "binary_install.hpp"
#include "capture_pair.hpp"
#include "host_pool.hpp"
#include "traffic_run.hpp"
#include "weaver/orchestrator/orchestrator.hpp"

namespace weaver::orchestrator {

struct CaseSteps {
  remote::asio::io_context& io;
  HostPool& hosts;
  const RunConfig& config;
  const RunOptions& options;
  std::map<std::string, std::string>& vif_cache;
  ActiveTraffic& active_traffic;
  const CachedBinary* generator;  // none: the sources run hping3
  std::map<std::string, SourceGenerator>& source_generators;  // by source host
  // Hypervisors whose in-kernel probes did not load, and why: asked once per run.
  std::map<std::string, std::string>& probe_failures;

  remote::asio::awaitable<CaseResult> run(const Configuration& configuration, const TrafficSpec& spec,
                                          const std::string& case_name, const std::string& folder_name,
                                          const std::function<std::filesystem::path()>& make_local_dir);

 private:
  // weaver-gen for this sender (uploaded if need be), or hping3 when it cannot
  // take it (noted in the result's warnings), or neither for a source_command.
  remote::asio::awaitable<void> choose_generator(TrafficRun& run, const TrafficSpec& spec,
                                                 CaseResult& result);
  remote::asio::awaitable<SourceGenerator> generator_on(remote::Executor& source);
  // The hypervisor's agent, or null for tcpdump captures (with the reason
  // in the result's warnings, or thrown for --capture agent).
  remote::asio::awaitable<remote::AgentSession*> choose_capture(const Configuration& configuration,
                                                                CaseResult& result);
  // Starts the agent's measurement: the in-kernel probes where asked for and
  // where they load, libpcap captures otherwise (--capture auto says why).
  remote::asio::awaitable<std::unique_ptr<CapturePair>> start_agent_side(remote::AgentSession& agent,
                                                                         const Configuration& configuration,
                                                                         const std::string& vif,
                                                                         const CaptureFlow& flow, bool egress,
                                                                         CaseResult& result);
  remote::asio::awaitable<std::string> resolve_vif(remote::Executor& hypervisor,
                                                   const Configuration& configuration);
  void progress(CaseStage stage, const std::string& case_name, const std::string& text) const;
};

}  // namespace weaver::orchestrator

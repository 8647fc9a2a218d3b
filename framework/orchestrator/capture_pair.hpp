// The PIF and VIF captures of one case, whichever way they are made:
// weaver-agent (both interfaces in one process, analysed on the host) or two
// tcpdumps (fetched and analysed here). A case starts the pair before its
// traffic, waits drain() after it, and finishes the pair.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "traffic_command.hpp"
#include "weaver/analysis/latency_result.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/remote/agent_session.hpp"
#include "weaver/remote/executor.hpp"

#include <boost/asio/io_context.hpp>

namespace weaver::orchestrator {

struct FinishedCaptures {
  CaptureStats pif;
  CaptureStats vif;
  // Analysed on the host (the agent); none: fetch the files and analyse.
  std::optional<analysis::LatencyResult> latency;
  std::string pif_file;  // on the host, until remove_files()
  std::string vif_file;
  // The in-kernel probes' account (ebpf); their per-packet records file on
  // the host when kept.
  std::optional<agent::ProbeSummary> probes;
};

class CapturePair {
 public:
  virtual ~CapturePair() = default;
  // How long to wait after the traffic before finish(), given the run's drain.
  virtual std::chrono::milliseconds drain(std::chrono::milliseconds asked) const = 0;
  // Ends both captures once everything they hold is written. With the agent,
  // also matches them (the capture packets reach first, the VIF for egress,
  // as first side); `keep`: the files stay on the host for a download.
  virtual remote::asio::awaitable<FinishedCaptures> finish(bool egress, capture::KeyKind key, bool keep) = 0;
  // Removes the files on the host (after their download).
  virtual remote::asio::awaitable<void> remove_files() = 0;
  // For failure paths: ends the captures, removes their files, never throws.
  virtual remote::asio::awaitable<void> abort() noexcept = 0;
};

// Returns once both interfaces capture.
remote::asio::awaitable<std::unique_ptr<CapturePair>> start_agent_captures(remote::AgentSession& agent,
                                                                           std::string pif, std::string vif,
                                                                           std::string filter);
// The in-kernel probes between PIF and VIF (--capture ebpf): returns once they
// are attached; throws weaver::Error with the agent's one line where they
// cannot load. `records`: each matched packet's stamps kept in a file.
struct ProbeRequest {
  std::string pif;
  std::string vif;
  bool egress = false;  // packets reach the VIF first
  CaptureFlow flow;
  capture::KeyKind key = capture::KeyKind::automatic;
  bool records = false;
  std::string btf;  // empty: the agent's default
};
remote::asio::awaitable<std::unique_ptr<CapturePair>> start_probe_captures(remote::AgentSession& agent,
                                                                           ProbeRequest request);
// `stem`: the files' path on the host without "-pif.pcap"; `limit` bounds
// each tcpdump (`timeout`); `as_root`: tcpdump keeps root to write there.
remote::asio::awaitable<std::unique_ptr<CapturePair>> start_tcpdump_captures(
    remote::asio::io_context& io, remote::Executor& host, std::string pif, std::string vif, std::string filter, std::string stem,
    std::chrono::seconds limit, bool as_root);

}  // namespace weaver::orchestrator

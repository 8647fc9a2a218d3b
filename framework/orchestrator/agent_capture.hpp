// A case's PIF and VIF captured by weaver-agent: both interfaces in one
// process on one clock, buffered (see framework/agent/live_capture.hpp), and
// analysed on the host, so only the LatencyResult travels; the capture files
// come back only when asked for (keep).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "weaver/analysis/latency_result.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/remote/agent_session.hpp"

namespace weaver::orchestrator {

struct AgentCaptureResult {
  analysis::LatencyResult latency;
  CaptureStats pif;
  CaptureStats vif;
  std::int64_t first_ns = 0;  // first and last matched packet on the capture packets reach first
  std::int64_t last_ns = 0;
  std::string pif_file;  // on the host, until discard()
  std::string vif_file;
};

class AgentCapture {
 public:
  // Returns once both interfaces capture.
  static remote::asio::awaitable<std::unique_ptr<AgentCapture>> start(remote::AgentSession& agent,
                                                                      std::string pif, std::string vif,
                                                                      std::string filter);
  // Stops both after the last partial block is in, and analyses them with
  // the capture packets reach first (the VIF for egress) as first side.
  // `keep`: the files stay on the host for a download, until discard().
  remote::asio::awaitable<AgentCaptureResult> finish(bool egress, capture::KeyKind key, bool keep);
  // Ends the capture (if running) and removes its files; never throws.
  remote::asio::awaitable<void> discard() noexcept;

 private:
  AgentCapture(remote::AgentSession& agent, std::uint64_t id) : agent_(agent), id_(id) {}
  remote::AgentSession& agent_;
  std::uint64_t id_;
  bool gone_ = false;
};

}  // namespace weaver::orchestrator

// The agent's side of a CapturePair: one "capture" request, one "finish";
// libpcap captures or the in-kernel probes alike.
#include "capture_pair.hpp"
#include "weaver/agent/agent_protocol.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::orchestrator {
namespace {

using nlohmann::json;
constexpr std::chrono::seconds kControlTimeout{10};
// The analysis runs on the host: allow it the time a large capture takes.
constexpr std::chrono::seconds kFinishTimeout{300};
// Settings of both captures: the match keys read the headers and the first
// payload bytes; 32 MiB of ring absorbs bursts; blocks retire after 10 ms.
constexpr int kSnaplen = 256;
constexpr int kBufferBytes = 32 << 20;
constexpr int kBlockTimeoutMs = 10;

CaptureStats stats_of(const agent::CaptureSide& side, const char* method) {
  CaptureStats stats;
  stats.method = method;
  stats.captured = side.written;
  stats.received_by_filter = side.received;
  stats.dropped_by_kernel = side.dropped;
  stats.dropped_by_interface = side.if_dropped;
  stats.timestamp_type = side.timestamp_type;
  stats.precision = side.precision;
  stats.reported = true;
  return stats;
}

class AgentCaptures final : public CapturePair {
 public:
  // `probes`: the in-kernel probes, whose matching was done as they went.
  AgentCaptures(remote::AgentSession& agent, std::uint64_t id, bool probes)
      : agent_(agent), id_(id), probes_(probes) {}

  // The agent reads the last partial block itself: the drain is only for
  // packets still in the datapath.
  std::chrono::milliseconds drain(std::chrono::milliseconds asked) const override { return asked; }

  remote::asio::awaitable<FinishedCaptures> finish(bool egress, capture::KeyKind key, bool keep) override {
    json request{{"op", "finish"},
                 {"capture", id_},
                 {"keep", keep},
                 {"analyze", {{"first", egress ? 1 : 0}, {"key", std::string(capture::key_kind_name(key))}}}};
    if (!keep) removed_ = true;  // the agent removes the files whatever the outcome
    const json reply = co_await agent_.request(std::move(request), kFinishTimeout);
    FinishedCaptures finished;
    try {
      const json& sides = reply.at("sides");
      const auto pif = agent::capture_side_from_json(sides.at(0));
      const auto vif = agent::capture_side_from_json(sides.at(1));
      const char* method = probes_ ? "ebpf" : "agent";
      finished.pif = stats_of(pif, method);
      finished.vif = stats_of(vif, method);
      finished.pif_file = pif.file;
      finished.vif_file = vif.file;
      finished.latency = agent::latency_result_from_json(reply.at("result"));
      if (probes_) finished.probes = agent::probe_summary_from_json(reply.at("probes"));
    } catch (const json::exception& error) {
      throw Error(agent_.where() + ": weaver-agent finish: a reply weaver cannot read: " + error.what());
    }
    co_return finished;
  }

  remote::asio::awaitable<void> remove_files() override {
    if (removed_) co_return;
    removed_ = true;
    json request{{"op", "discard"}, {"capture", id_}};
    co_await agent_.request(std::move(request), kControlTimeout);
  }

  remote::asio::awaitable<void> abort() noexcept override {
    try {
      co_await remove_files();
    } catch (...) {
      // The agent removes its whole folder when it ends.
    }
  }

 private:
  remote::AgentSession& agent_;
  std::uint64_t id_;
  bool probes_;
  bool removed_ = false;
};

remote::asio::awaitable<std::unique_ptr<CapturePair>> start(remote::AgentSession& agent, json request,
                                                            bool probes) {
  const json reply = co_await agent.request(std::move(request), kControlTimeout);
  const json& id = reply.at("capture");
  if (!id.is_number_unsigned()) throw Error(agent.where() + ": weaver-agent capture: a reply without its number");
  co_return std::make_unique<AgentCaptures>(agent, id.get<std::uint64_t>(), probes);
}

}  // namespace

remote::asio::awaitable<std::unique_ptr<CapturePair>> start_agent_captures(remote::AgentSession& agent,
                                                                           std::string pif, std::string vif,
                                                                           std::string filter) {
  remote::validate_interface_name("pif", pif);
  remote::validate_interface_name("vif", vif);
  json request{{"op", "capture"},
               {"interfaces", {pif, vif}},
               {"filter", filter},
               {"snaplen", kSnaplen},
               {"buffer_bytes", kBufferBytes},
               {"timeout_ms", kBlockTimeoutMs}};
  co_return co_await start(agent, std::move(request), false);
}

remote::asio::awaitable<std::unique_ptr<CapturePair>> start_probe_captures(remote::AgentSession& agent,
                                                                           ProbeRequest probes) {
  remote::validate_interface_name("pif", probes.pif);
  remote::validate_interface_name("vif", probes.vif);
  json request{{"op", "capture"},
               {"method", "ebpf"},
               {"interfaces", {probes.pif, probes.vif}},
               {"first", probes.egress ? 1 : 0},
               {"key", std::string(capture::key_kind_name(probes.key))},
               {"records", probes.records},
               {"flow",
                {{"protocol", probes.flow.protocol},
                 {"sources", probes.flow.sources},
                 {"destination", probes.flow.destination}}}};
  if (!probes.btf.empty()) request["btf"] = probes.btf;
  co_return co_await start(agent, std::move(request), true);
}

}  // namespace weaver::orchestrator

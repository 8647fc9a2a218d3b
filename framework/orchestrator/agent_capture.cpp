#include "agent_capture.hpp"

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

CaptureStats stats_of(const agent::CaptureSide& side) {
  CaptureStats stats;
  stats.method = "agent";
  stats.captured = side.written;
  stats.received_by_filter = side.received;
  stats.dropped_by_kernel = side.dropped;
  stats.dropped_by_interface = side.if_dropped;
  stats.timestamp_type = side.timestamp_type;
  stats.precision = side.precision;
  stats.reported = true;
  return stats;
}

}  // namespace

remote::asio::awaitable<std::unique_ptr<AgentCapture>> AgentCapture::start(remote::AgentSession& agent,
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
  const json reply = co_await agent.request(std::move(request), kControlTimeout);
  co_return std::unique_ptr<AgentCapture>(new AgentCapture(agent, reply.at("capture").get<std::uint64_t>()));
}

remote::asio::awaitable<AgentCaptureResult> AgentCapture::finish(bool egress, capture::KeyKind key, bool keep) {
  json request{{"op", "finish"},
               {"capture", id_},
               {"keep", keep},
               {"analyze", {{"first", egress ? 1 : 0}, {"key", std::string(capture::key_kind_name(key))}}}};
  if (!keep) gone_ = true;  // the agent removes the files whatever the outcome
  const json reply = co_await agent_.request(std::move(request), kFinishTimeout);
  AgentCaptureResult result;
  try {
    const json& sides = reply.at("sides");
    const auto pif = agent::capture_side_from_json(sides.at(0));
    const auto vif = agent::capture_side_from_json(sides.at(1));
    result.pif = stats_of(pif);
    result.vif = stats_of(vif);
    result.pif_file = pif.file;
    result.vif_file = vif.file;
    result.latency = agent::latency_result_from_json(reply.at("result"));
    result.first_ns = reply.at("first_ns").get<std::int64_t>();
    result.last_ns = reply.at("last_ns").get<std::int64_t>();
  } catch (const json::exception& error) {
    throw Error(agent_.where() + ": weaver-agent finish: a reply weaver cannot read: " + error.what());
  }
  co_return result;
}

remote::asio::awaitable<void> AgentCapture::discard() noexcept {
  if (gone_) co_return;
  gone_ = true;
  try {
    json request{{"op", "discard"}, {"capture", id_}};
    co_await agent_.request(std::move(request), kControlTimeout);
  } catch (...) {
    // The agent removes its whole folder when it ends.
  }
}

}  // namespace weaver::orchestrator

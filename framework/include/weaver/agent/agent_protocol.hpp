// The line protocol between weaver and weaver-agent: one JSON object per line
// each way, on the agent's stdin and stdout.
//
// weaver -> agent, requests:  {"id": N, "op": "...", ...}
// agent -> weaver, replies:   {"id": N, "ok": true, ...} or {"id": N, "ok": false, "error": "..."}
// agent -> weaver, events:    {"event": "line", "run": R, "stream": "stdout"|"stderr", "text": "..."}
//                             {"event": "exit", "run": R, "code": C} or {..., "signal": "TERM"}
//
// Every request gets exactly one reply. The first line the agent prints is
// {"event": "hello", "version": kProtocolVersion, ...}. Operations:
//   capture  {interfaces: [..], filter, snaplen, buffer_bytes, timeout_ms}
//            -> {capture: C, sides: [CaptureSide...]} once every interface captures
//   finish   {capture: C, analyze: {first: 0|1, key, window_ns}, keep: bool}
//            -> {sides: [...], result: LatencyResult}
//   discard  {capture: C}: removes a finished capture's files
//   spawn    {argv: [..], time_limit_s}  -> {run: R}; then line and exit events
//   signal   {run: R, signal: "TERM"}
// The agent ends, stopping what it started and removing its files, when its
// stdin closes (weaver ended or the link dropped), on SIGTERM, or when idle.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "weaver/analysis/latency_result.hpp"

namespace weaver::agent {

inline constexpr int kProtocolVersion = 1;
// A request or reply line longer than this is refused: bounded memory both ways.
inline constexpr std::size_t kMaxLineBytes = 4 << 20;

// One interface of a live capture, as libpcap reports it.
struct CaptureSide {
  std::string interface;
  std::string file;             // the pcap file on the host
  std::string timestamp_type;   // "host", "adapter", ... (pcap_tstamp_type_val_to_name)
  std::string precision;        // "nano" or "micro"
  std::uint64_t received = 0;   // pcap_stats ps_recv: passed the filter
  std::uint64_t dropped = 0;    // ps_drop: no room in the buffer
  std::uint64_t if_dropped = 0; // ps_ifdrop: dropped by the interface
  std::uint64_t written = 0;    // records in the file
};

nlohmann::json to_json(const CaptureSide& side);
CaptureSide capture_side_from_json(const nlohmann::json& json);

// Everything a LatencyResult holds (the histogram as its non-empty buckets),
// so the agent's analysis arrives whole.
nlohmann::json to_json(const analysis::LatencyResult& result);
// Throws weaver::Error naming the field that is missing or of the wrong type.
analysis::LatencyResult latency_result_from_json(const nlohmann::json& json);

}  // namespace weaver::agent

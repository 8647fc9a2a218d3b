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
//            {method: "ebpf", interfaces: [pif, vif], first: 0|1, key, records: bool,
//             flow: {protocol, sources: [..], destination}}
//            -> {capture: C, sides: [...]} once the in-kernel probes are attached
//   finish   {capture: C, analyze: {first: 0|1, key, window_ns}, keep: bool}
//            -> {sides: [...], result: LatencyResult[, probes: ProbeSummary]}
//   discard  {capture: C}: removes a finished capture's files
//   spawn    {argv: [..], time_limit_s}  -> {run: R}; then line and exit events
//   signal   {run: R, signal: "TERM"}
// The agent ends, stopping what it started and removing its files, when its
// stdin closes (weaver ended or the link dropped), on SIGTERM, or when idle.
#pragma once

#include <cstdint>
#include <map>
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

// What the in-kernel probes (--capture ebpf) report beside the latency.
struct ToolLosses {
  std::uint64_t map_full = 0;         // no room to remember a packet
  std::uint64_t evicted = 0;          // pushed out of the pending map before its partner came
  std::uint64_t ring_full = 0;        // per-packet records not written
  std::uint64_t not_linear = 0;       // headers outside the sk_buff's linear part: no key
  std::uint64_t missed = 0;           // probe runs the kernel skipped (one probe nested in another on a CPU)
  std::uint64_t total() const { return map_full + evicted + ring_full + not_linear + missed; }
};

struct DropSite {
  std::string reason;    // "NETFILTER_DROP", ...: enum skb_drop_reason without its prefix
  std::string location;  // "nf_hook_slow+0x8b" (/proc/kallsyms), or the address
  std::uint64_t count = 0;
};

struct ProbeSummary {
  // Packets of the flow that the kernel freed between the two sides, by reason.
  std::map<std::string, std::uint64_t> lost_by_reason;
  std::vector<DropSite> drop_sites;  // by reason and location, most first
  ToolLosses tool;
  // Time the first-side probe held its packets in all, left out of their stamps.
  std::uint64_t probe_ns = 0;
  std::string records_file;  // per-packet records on the host, when asked for
  std::uint64_t records = 0;
};

nlohmann::json to_json(const ProbeSummary& summary);
// Throws weaver::Error naming the field that is missing or of the wrong type.
ProbeSummary probe_summary_from_json(const nlohmann::json& json);

nlohmann::json to_json(const CaptureSide& side);
CaptureSide capture_side_from_json(const nlohmann::json& json);

// Everything a LatencyResult holds (the histogram as its non-empty buckets),
// so the agent's analysis arrives whole.
nlohmann::json to_json(const analysis::LatencyResult& result);
// Throws weaver::Error naming the field that is missing or of the wrong type.
analysis::LatencyResult latency_result_from_json(const nlohmann::json& json);

}  // namespace weaver::agent

// What one `weaver run` produced, as every output format of a results folder
// reads it: the run's context, every case's repetitions (Google Benchmark's
// figures joined with weaver's own: scenario, configuration, histogram) and
// the environment the hypervisors disclosed.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace weaver::reporters {

// One bucket of a case's log-linear latency histogram (PIF->VIF delay, ns).
struct HistogramBucket {
  std::int64_t lower_ns = 0;  // inclusive
  std::int64_t upper_ns = 0;  // inclusive
  std::uint64_t count = 0;
};

// One repetition of one case.
struct CaseRun {
  std::string name;           // SynFlood/lab-bridge/size:64/rate:10000/count:2000
  std::string scenario;       // SynFlood
  std::string configuration;  // lab-bridge
  std::string pif;            // the interfaces captured on, as resolved for this case
  std::string vif;
  std::string protocol;       // syn, udp, icmp
  std::string direction;      // ingress (PIF->VIF) or egress (VIF->PIF)
  // The traffic as sent, every field whether an axis or not, in this order:
  // size (frame bytes), rate (pps per source, 0: max), count (per source),
  // burst (0: none), burst_interval_us.
  std::vector<std::pair<std::string, std::int64_t>> parameters;
  int repetition = 0;                      // 0-based
  double time_us = 0;                      // the manual time: mean PIF->VIF latency
  std::map<std::string, double> counters;  // p50_us, p99_us, matched, lost, ...
  std::string label;                       // measured, but not as asked (empty: as asked)
  double case_seconds = 0;                 // the whole case, set-up to analysis
  std::optional<std::string> error;        // set: the case failed and measured nothing
  std::vector<HistogramBucket> histogram;  // non-empty buckets, ascending; empty when failed
  std::string pif_capture;  // kept capture files, relative to the results folder (empty: none)
  std::string vif_capture;
  std::string annotated_capture;  // the VIF capture as pcapng with each packet's delay
  std::string packets_file;       // ebpf: every matched packet's stamps (CSV)
  // ebpf: packets the kernel freed between PIF and VIF, by drop reason.
  std::map<std::string, std::uint64_t> lost_by_reason;
  // ebpf: the probes' own account (drop sites, tool losses, probe cost); null otherwise.
  nlohmann::json probes = nullptr;
  // How PIF and VIF were captured: "ebpf", "agent" or "tcpdump" (empty when failed),
  // and per side what the capture itself says (timestamp type and precision,
  // received, dropped by the buffer / the interface).
  std::string capture_method;
  nlohmann::json capture = nullptr;
};

// "NETFILTER_DROP:12;QDISC_DROP:3", most first (empty: no drops seen).
inline std::string lost_by_reason_text(const std::map<std::string, std::uint64_t>& lost) {
  std::vector<std::pair<std::string, std::uint64_t>> sorted(lost.begin(), lost.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string text;
  for (const auto& [reason, count] : sorted) text += (text.empty() ? "" : ";") + reason + ":" + std::to_string(count);
  return text;
}

struct RunContext {
  std::string weaver_version;  // "0.7.0"
  std::string git_revision;    // of the weaver source it was built from; "unknown" outside git
  std::string started_utc;     // "2026-11-28T00:20:21Z"
  std::string label;           // the folder name's suffix
  std::string target;          // "lab wv1", "lab.yaml"
  std::string lab_file;        // the lab file's path, or the local lab's state file
  std::string lab_file_sha256;
  std::string host;            // where weaver ran
  nlohmann::json configurations = nlohmann::json::object();  // name -> what it measured
};

struct RunResults {
  RunContext context;
  std::vector<CaseRun> runs;  // in the order they ran
  // environment.json's content: per configuration what RFC 8204 asks to
  // disclose; null when it was not collected.
  nlohmann::json environment;
};

}  // namespace weaver::reporters

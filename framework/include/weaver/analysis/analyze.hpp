// One PIF capture and one VIF capture of the same traffic in, the latency the
// datapath between them added to each packet out.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "weaver/analysis/latency_result.hpp"
#include "weaver/capture/match_key.hpp"

namespace weaver::analysis {

inline constexpr std::int64_t kDefaultWindowNs = 10'000'000'000;  // 10 s of capture time

struct AnalyzeOptions {
  std::string pif_path;
  std::string vif_path;
  capture::KeyKind key = capture::KeyKind::automatic;
  std::int64_t window_ns = kDefaultWindowNs;
  std::string filter;  // BPF expression applied to both captures; empty: none
  std::function<void(const MatchedPacket&)> on_match;  // each matched packet, in VIF order
};

// Streams both captures in timestamp order through the decoder and the join,
// in memory that does not grow with their length. Throws InputError when a
// capture is unusable, has no packet to match, or shares none with the other;
// UsageError for a filter that does not compile. Problems that leave the
// result usable (a truncated last record, malformed packets) become warnings.
LatencyResult analyze_captures(const AnalyzeOptions& options);

}  // namespace weaver::analysis

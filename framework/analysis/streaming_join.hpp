// Joins the keyed packets of two time-ordered captures as they stream by.
// A packet waits in its capture's pending table for a partner with the same
// key from the other capture; after `window_ns` of capture time without one
// it counts as seen on one side only.
#pragma once

#include <array>
#include <climits>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "waiting_packets.hpp"
#include "weaver/analysis/latency_result.hpp"

namespace weaver::analysis {

enum class Side : std::uint8_t { pif = 0, vif = 1 };

class StreamingJoin {
 public:
  using MatchCallback = std::function<void(const MatchedPacket&)>;

  // Counts land in `result` (matched, pif_only, vif_only, reordered, negative,
  // duplicates, moments, histogram, and a warning if memory forced a
  // shorter window).
  // Packets waiting at once, both sides together, before the window is
  // shortened to keep memory bounded (captures that share little or nothing).
  static constexpr std::uint64_t kDefaultMaxWaiting = 4'000'000;

  StreamingJoin(std::int64_t window_ns, LatencyResult& result, MatchCallback on_match = {},
                std::uint64_t max_waiting = kDefaultMaxWaiting);

  // Packets must come in (roughly) ascending timestamp order across both sides.
  // `record` is the packet's 1-based record number in its file, increasing in
  // file order; 0 numbers the packets of each side 1, 2, 3... as they come.
  void add(Side side, std::uint64_t key, std::int64_t timestamp_ns, std::uint64_t record = 0);

  // Everything still waiting is counted as one-sided.
  void finish();

 private:
  void match(const PendingPacket& pif, const PendingPacket& vif);
  void sweep(std::int64_t now_ns);
  void count_expired(Side side, std::uint64_t packets);
  void shorten_window(std::int64_t now_ns);

  std::int64_t window_ns_;
  std::uint64_t max_waiting_;
  LatencyResult& result_;
  MatchCallback on_match_;
  WaitingPackets pending_[2];
  std::uint64_t ordinal_[2] = {0, 0};
  // Kept here, not in the result, whose capture counts other threads write.
  std::uint64_t duplicates_[2] = {0, 0};
  std::uint64_t highest_matched_pif_ordinal_ = 0;
  bool any_matched_ = false;
  bool window_shortened_ = false;
  std::int64_t now_ns_ = INT64_MIN;
  std::int64_t next_sweep_ns_ = INT64_MIN;
  std::int64_t next_aging_ns_ = INT64_MIN;
  // Keys of recent matches, indexed by key: a VIF packet without a partner
  // whose key is here is a copy the datapath duplicated, not a stray.
  std::vector<std::uint64_t> recently_matched_;
};

}  // namespace weaver::analysis

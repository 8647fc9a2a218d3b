// What one PIF/VIF capture pair says about the datapath between them.
#pragma once

#include <climits>
#include <cstdint>
#include <string>
#include <vector>

#include "weaver/analysis/latency_histogram.hpp"
#include "weaver/capture/match_key.hpp"

namespace weaver::analysis {

// Packet counts of one capture.
struct CaptureCounts {
  std::string path;
  std::string format;
  std::uint64_t packets = 0;     // records read
  std::uint64_t filtered = 0;    // rejected by --filter
  std::uint64_t not_ip = 0;      // no IP inside (ARP, LLDP, ...)
  std::uint64_t malformed = 0;   // headers that contradict themselves or the capture
  std::uint64_t unkeyed = 0;     // IP, but without what the chosen key is made of
  std::uint64_t keyed = 0;       // took part in the join
  std::uint64_t duplicates = 0;  // same key as a packet still waiting for its partner
  std::uint64_t payload_id_keys = 0;  // keyed by weaver's payload identifier
  std::uint64_t hash_keys = 0;        // keyed by the header hash (with --key auto)
  std::uint64_t first_malformed_record = 0;
  std::string first_malformed_problem;
};

// One packet seen on both sides.
struct MatchedPacket {
  std::int64_t pif_ns;
  std::int64_t vif_ns;
  // The VIF packet's 1-based record number in its file, as Wireshark numbers
  // frames (from a StreamingJoin fed without record numbers: its 1-based
  // position among the keyed VIF packets).
  std::uint64_t vif_record = 0;
  std::int64_t delta_ns() const { return vif_ns - pif_ns; }
};

// Running moments of the matched deltas: exact integer sums, so the mean and
// standard deviation carry no rounding from the order packets came in.
struct DeltaMoments {
  __extension__ using Int128 = __int128;

  std::uint64_t count = 0;
  Int128 sum_ns = 0;
  Int128 sum_squares = 0;
  std::int64_t min_ns = INT64_MAX;
  std::int64_t max_ns = INT64_MIN;

  void add(std::int64_t delta_ns) {
    ++count;
    sum_ns += delta_ns;
    sum_squares += static_cast<Int128>(delta_ns) * delta_ns;
    min_ns = delta_ns < min_ns ? delta_ns : min_ns;
    max_ns = delta_ns > max_ns ? delta_ns : max_ns;
  }
  double mean_ns() const;
  double stdev_ns() const;  // population standard deviation, as the 2013 tool printed
};

struct LatencyResult {
  capture::KeyKind key = capture::KeyKind::automatic;
  std::int64_t window_ns = 0;
  CaptureCounts pif;
  CaptureCounts vif;

  std::uint64_t matched = 0;
  std::uint64_t pif_only = 0;   // lost in the datapath (or outside the window)
  std::uint64_t vif_only = 0;   // appeared on the VIF without a PIF partner
  std::uint64_t reordered = 0;  // left the VIF before a packet that reached the PIF earlier
  std::uint64_t negative = 0;   // VIF timestamp before the PIF one

  DeltaMoments moments;
  LatencyHistogram histogram;
  // The first and last matched packet's timestamp on the first side (the
  // PIF for ingress): the span the traffic's rate is measured over.
  std::int64_t first_matched_ns = INT64_MAX;
  std::int64_t last_matched_ns = INT64_MIN;
  std::vector<std::string> warnings;

  std::uint64_t duplicates() const { return pif.duplicates + vif.duplicates; }
  double match_ratio() const;  // matched / keyed PIF packets
};

}  // namespace weaver::analysis

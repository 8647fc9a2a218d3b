// A PIF/VIF capture pair with known ground truth: packets leave the PIF at a
// fixed rate and reach the VIF after a delay that wanders (like a queue)
// between a minimum and a maximum, with chosen fractions lost, reordered and
// duplicated. VIF frames are rewritten as a router would (other MACs, TTL - 1,
// no Ethernet padding), so only a correct key matches them.
#pragma once

#include <cstdint>
#include <string>

#include "capture_writer.hpp"

namespace weaver::testing {

struct SyntheticTraffic {
  std::uint64_t packets = 10000;
  double rate_pps = 1e6;
  std::int64_t min_delay_ns = 1000;
  std::int64_t max_delay_ns = 50000;
  double loss = 0.0;       // fraction of packets missing on the VIF
  double reorder = 0.0;    // fraction of adjacent pairs swapped on the VIF
  double duplicate = 0.0;  // fraction of packets seen twice on the VIF
  bool payload_id = false; // UDP with weaver's payload identifier instead of TCP SYNs
  std::uint64_t seed = 1;
  CaptureFormat format = CaptureFormat::pcap_ns;
};

struct SyntheticTruth {
  std::uint64_t pif_packets = 0;
  std::uint64_t vif_packets = 0;
  std::uint64_t lost = 0;
  std::uint64_t reordered = 0;
  std::uint64_t duplicated = 0;
  std::int64_t min_delay_ns = 0;
  std::int64_t max_delay_ns = 0;
  double mean_delay_ns = 0;
};

SyntheticTruth write_synthetic_captures(const SyntheticTraffic& traffic, const std::string& pif_path,
                                        const std::string& vif_path);

}  // namespace weaver::testing

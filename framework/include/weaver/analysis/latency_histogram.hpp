// A log-linear histogram of signed nanosecond deltas. Values below 2048 ns
// get a bucket each; above, every power of two is split into 1024 buckets,
// so a bucket is never wider than 1/1024 of its values (< 0.1%). Negative
// deltas (a VIF timestamp before its PIF one) are kept by magnitude in a
// mirror of the same layout, never clamped.
#pragma once

#include <cstdint>
#include <vector>

namespace weaver::analysis {

class LatencyHistogram {
 public:
  struct Bucket {
    std::int64_t lower_ns;  // inclusive
    std::int64_t upper_ns;  // inclusive
    std::uint64_t count;
  };

  LatencyHistogram();

  void record(std::int64_t delta_ns);
  // `times` deltas at once (rebuilding a histogram from its buckets).
  void record(std::int64_t delta_ns, std::uint64_t times);

  std::uint64_t count() const { return positive_count_ + negative_count_; }
  std::uint64_t negative_count() const { return negative_count_; }

  // Nearest-rank percentile, `fraction` in (0, 1]; the midpoint of the bucket
  // holding that rank, so within 0.05% of the exact value. 0 when empty.
  std::int64_t percentile(double fraction) const;

  // Non-empty buckets in ascending order of value.
  std::vector<Bucket> buckets() const;

  static std::size_t bucket_index(std::uint64_t magnitude);
  static std::uint64_t bucket_lower(std::size_t index);
  static std::uint64_t bucket_upper(std::size_t index);

 private:
  std::vector<std::uint64_t> positive_;
  std::vector<std::uint64_t> negative_;
  std::uint64_t positive_count_ = 0;
  std::uint64_t negative_count_ = 0;
};

}  // namespace weaver::analysis

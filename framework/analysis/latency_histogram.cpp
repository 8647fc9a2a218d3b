#include "weaver/analysis/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace weaver::analysis {
namespace {

constexpr unsigned kLinearBits = 11;                      // 2048 exact buckets
constexpr std::uint64_t kLinearLimit = 1ull << kLinearBits;
constexpr std::uint64_t kSubBuckets = kLinearLimit / 2;   // 1024 per power of two
constexpr std::size_t kBucketCount = kLinearLimit + (64 - kLinearBits) * kSubBuckets;

std::uint64_t magnitude_of(std::int64_t value) {
  return value < 0 ? 0 - static_cast<std::uint64_t>(value) : static_cast<std::uint64_t>(value);
}

std::int64_t midpoint(std::size_t index, bool negative) {
  const std::uint64_t lower = LatencyHistogram::bucket_lower(index);
  const std::uint64_t upper = LatencyHistogram::bucket_upper(index);
  const auto middle = static_cast<std::int64_t>(lower + (upper - lower) / 2);
  return negative ? -middle : middle;
}

}  // namespace

LatencyHistogram::LatencyHistogram() : positive_(kBucketCount), negative_(kBucketCount) {}

std::size_t LatencyHistogram::bucket_index(std::uint64_t magnitude) {
  if (magnitude < kLinearLimit) return static_cast<std::size_t>(magnitude);
  const unsigned shift = static_cast<unsigned>(std::bit_width(magnitude)) - kLinearBits;
  const std::uint64_t sub = (magnitude >> shift) - kSubBuckets;  // in [0, 1024)
  return static_cast<std::size_t>(kLinearLimit + (shift - 1) * kSubBuckets + sub);
}

std::uint64_t LatencyHistogram::bucket_lower(std::size_t index) {
  if (index < kLinearLimit) return index;
  const std::size_t shift = (index - kLinearLimit) / kSubBuckets + 1;
  const std::uint64_t sub = (index - kLinearLimit) % kSubBuckets;
  return (kSubBuckets + sub) << shift;
}

std::uint64_t LatencyHistogram::bucket_upper(std::size_t index) {
  if (index < kLinearLimit) return index;
  const std::size_t shift = (index - kLinearLimit) / kSubBuckets + 1;
  return bucket_lower(index) + ((std::uint64_t{1} << shift) - 1);
}

void LatencyHistogram::record(std::int64_t delta_ns) { record(delta_ns, 1); }

void LatencyHistogram::record(std::int64_t delta_ns, std::uint64_t times) {
  if (delta_ns < 0) {
    negative_[bucket_index(magnitude_of(delta_ns))] += times;
    negative_count_ += times;
  } else {
    positive_[bucket_index(magnitude_of(delta_ns))] += times;
    positive_count_ += times;
  }
}

std::int64_t LatencyHistogram::percentile(double fraction) const {
  const std::uint64_t total = count();
  if (total == 0) return 0;
  const double clamped = std::clamp(fraction, 0.0, 1.0);
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(std::ceil(clamped * static_cast<double>(total))));
  std::uint64_t seen = 0;
  // Negative values in ascending order: largest magnitude first.
  for (std::size_t i = kBucketCount; i-- > 0 && negative_count_ > 0;) {
    seen += negative_[i];
    if (seen >= rank) return midpoint(i, true);
  }
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += positive_[i];
    if (seen >= rank) return midpoint(i, false);
  }
  return 0;
}

std::vector<LatencyHistogram::Bucket> LatencyHistogram::buckets() const {
  std::vector<Bucket> out;
  for (std::size_t i = kBucketCount; i-- > 0;) {
    if (negative_[i] == 0) continue;
    out.push_back({-static_cast<std::int64_t>(bucket_upper(i)),
                   -static_cast<std::int64_t>(bucket_lower(i)), negative_[i]});
  }
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    if (positive_[i] == 0) continue;
    out.push_back({static_cast<std::int64_t>(bucket_lower(i)),
                   static_cast<std::int64_t>(bucket_upper(i)), positive_[i]});
  }
  return out;
}

}  // namespace weaver::analysis

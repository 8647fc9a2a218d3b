#include "weaver/traffic/pacer.hpp"

#include <time.h>

#include <algorithm>
#include <cerrno>

namespace weaver::traffic {
namespace {

constexpr std::uint64_t kNsPerSecond = 1'000'000'000;

}  // namespace

std::int64_t MonotonicClock::now_ns() {
  timespec now{};
  clock_gettime(CLOCK_MONOTONIC, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

void MonotonicClock::sleep_until_ns(std::int64_t deadline_ns) {
  const timespec deadline{static_cast<time_t>(deadline_ns / 1'000'000'000),
                          static_cast<long>(deadline_ns % 1'000'000'000)};
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr) == EINTR) {
  }
}

Pacer::Pacer(const Schedule& schedule, Clock& clock, std::int64_t start_ns)
    : schedule_(schedule), clock_(clock), start_ns_(start_ns) {}

std::int64_t Pacer::due_ns(std::uint64_t index) const {
  if (schedule_.burst > 0) {
    return start_ns_ + static_cast<std::int64_t>(index / schedule_.burst) *
                           schedule_.burst_interval.count();
  }
  if (schedule_.rate_pps == 0) return start_ns_;
  // floor(index * 1e9 / rate), split so that no product overflows 64 bits.
  const std::uint64_t rate = schedule_.rate_pps;
  const std::uint64_t offset = index / rate * kNsPerSecond + index % rate * kNsPerSecond / rate;
  return start_ns_ + static_cast<std::int64_t>(offset);
}

std::uint64_t Pacer::due_by(std::int64_t now_ns) const {
  const std::int64_t elapsed = std::max<std::int64_t>(0, now_ns - start_ns_);
  if (schedule_.burst > 0) {
    const std::int64_t interval = std::max<std::int64_t>(1, schedule_.burst_interval.count());
    return (static_cast<std::uint64_t>(elapsed / interval) + 1) * schedule_.burst;
  }
  // Packet i is due at floor(i * 1e9 / rate), so every i with i * 1e9 < (elapsed + 1) * rate
  // is: ceil((elapsed + 1) * rate / 1e9) packets, split so that no product overflows 64 bits.
  const std::uint64_t rate = schedule_.rate_pps;
  const auto span = static_cast<std::uint64_t>(elapsed) + 1;
  return span / kNsPerSecond * rate + (span % kNsPerSecond * rate + kNsPerSecond - 1) / kNsPerSecond;
}

std::uint64_t Pacer::wait(std::uint64_t next, std::uint64_t limit) {
  if (!schedule_.paced()) return limit;
  const std::int64_t due = due_ns(next);
  std::int64_t now = clock_.now_ns();
  if (due - now > kSpinNs) {
    clock_.sleep_until_ns(due - kSpinNs);
    now = clock_.now_ns();
  }
  while (now < due) now = clock_.now_ns();
  const std::uint64_t total = due_by(now);
  return std::clamp<std::uint64_t>(total > next ? total - next : 1, 1, limit);
}

}  // namespace weaver::traffic

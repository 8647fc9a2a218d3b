// When each packet is due. Packets follow an absolute schedule from the
// start (no drift: a late packet does not delay the ones after it), either a
// constant rate or bursts of N back-to-back packets every T, or "as fast as
// possible". The wait is hybrid: sleep until shortly before the packet is
// due, then spin on the clock, so pacing is accurate to the clock's
// resolution rather than to the scheduler's wake-up latency.
#pragma once

#include <chrono>
#include <cstdint>

namespace weaver::traffic {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t now_ns() = 0;
  virtual void sleep_until_ns(std::int64_t deadline_ns) = 0;
};

// CLOCK_MONOTONIC, clock_nanosleep(TIMER_ABSTIME).
class MonotonicClock final : public Clock {
 public:
  std::int64_t now_ns() override;
  void sleep_until_ns(std::int64_t deadline_ns) override;
};

struct Schedule {
  std::uint64_t rate_pps = 0;   // 0: as fast as possible (ignored with bursts)
  std::uint32_t burst = 0;      // 0: no bursts; else packets per burst
  std::chrono::nanoseconds burst_interval{0};

  bool paced() const { return burst > 0 || rate_pps > 0; }
};

class Pacer {
 public:
  // Waking this early and spinning the rest absorbs the scheduler's latency.
  static constexpr std::int64_t kSpinNs = 100'000;

  Pacer(const Schedule& schedule, Clock& clock, std::int64_t start_ns);

  // When packet `index` (0-based) is due.
  std::int64_t due_ns(std::uint64_t index) const;

  // Waits until packet `next` is due, then returns how many packets from
  // `next` on are due by now, at most `limit` (at least 1).
  std::uint64_t wait(std::uint64_t next, std::uint64_t limit);

 private:
  std::uint64_t due_by(std::int64_t now_ns) const;  // packets due by `now_ns`, in total

  Schedule schedule_;
  Clock& clock_;
  std::int64_t start_ns_;
};

}  // namespace weaver::traffic

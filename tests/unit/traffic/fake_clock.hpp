// A clock for pacing tests: time moves only when the code under test reads
// it (by `tick` per read, like a spinning loop) or sleeps (to the deadline).
#pragma once

#include <vector>

#include "weaver/traffic/pacer.hpp"

namespace weaver::traffic::testing {

class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::int64_t tick_ns = 50) : tick_ns_(tick_ns) {}

  std::int64_t now_ns() override {
    now_ += tick_ns_;
    return now_;
  }
  void sleep_until_ns(std::int64_t deadline_ns) override {
    sleeps.push_back(deadline_ns);
    if (deadline_ns > now_) now_ = deadline_ns;
  }
  void advance(std::int64_t ns) { now_ += ns; }
  std::int64_t peek() const { return now_; }

  std::vector<std::int64_t> sleeps;

 private:
  std::int64_t now_ = 1'000'000'000;
  std::int64_t tick_ns_;
};

}  // namespace weaver::traffic::testing

// A point in time an operation must finish by, remembering the budget it was
// given so messages can say "deadline of 5 s exceeded".
#pragma once

#include <algorithm>
#include <chrono>
#include <string>

#include "weaver/remote/executor.hpp"

namespace weaver::remote {

using Clock = std::chrono::steady_clock;

struct Deadline {
  Clock::time_point at;
  Timeout budget;

  static Deadline after(Timeout budget) { return {Clock::now() + budget, budget}; }
  bool passed() const { return Clock::now() >= at; }
  Timeout remaining() const { return std::max(Timeout::zero(), at - Clock::now()); }
  std::string exceeded() const {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(budget).count();
    std::string amount = ms % 1000 == 0 ? std::to_string(ms / 1000) + " s" : std::to_string(ms) + " ms";
    return "deadline of " + amount + " exceeded";
  }
};

}  // namespace weaver::remote

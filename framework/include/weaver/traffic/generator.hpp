// The send loop: builds each frame, stamps its send time, paces it and hands
// it to a FrameSink, then reports what was sent and how evenly.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

#include "weaver/analysis/latency_histogram.hpp"
#include "weaver/traffic/frame_builder.hpp"
#include "weaver/traffic/frame_sink.hpp"
#include "weaver/traffic/pacer.hpp"

namespace weaver::traffic {

struct GeneratorPlan {
  FrameSpec frame;
  Schedule schedule;
  std::uint64_t count = 0;             // 0: until `duration` ends
  std::chrono::nanoseconds duration{0};  // 0: until `count` packets are sent
  // Called with the packets sent so far, at most once per `progress_interval`.
  std::function<void(std::uint64_t sent)> progress;
  std::chrono::nanoseconds progress_interval{std::chrono::milliseconds(250)};
};

struct GeneratorReport {
  std::uint64_t sent = 0;
  std::uint64_t send_errors = 0;   // sends the kernel refused (ENOBUFS, EAGAIN) and retried
  std::int64_t first_send_ns = 0;  // CLOCK_MONOTONIC
  std::int64_t last_send_ns = 0;
  bool interrupted = false;        // stopped by a signal before the plan's end
  analysis::LatencyHistogram gaps; // between consecutive packets, ns

  double elapsed_seconds() const { return static_cast<double>(last_send_ns - first_send_ns) / 1e9; }
  // Packets per second over the span from the first to the last packet.
  double achieved_pps() const;
};

// Where the loop reads the wall-clock time it writes into packet ids.
using WallClock = std::int64_t (*)();
std::int64_t realtime_ns();

// Sends the plan's packets. `stop` ends the loop early (a signal handler
// sets it). Errors other than a full queue throw TrafficError.
GeneratorReport generate(const GeneratorPlan& plan, FrameSink& sink, Clock& clock,
                         const std::atomic<bool>& stop, WallClock wall_clock = realtime_ns);

}  // namespace weaver::traffic

#include "weaver/traffic/generator.hpp"

#include <sched.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "weaver/traffic/traffic_error.hpp"

namespace weaver::traffic {
namespace {

constexpr std::uint64_t kBatch = 64;  // frames per sendmmsg

bool queue_full(int error) { return error == ENOBUFS || error == EAGAIN; }

class SendLoop {
 public:
  SendLoop(const GeneratorPlan& plan, FrameSink& sink, Clock& clock, const std::atomic<bool>& stop,
           WallClock wall_clock)
      : plan_(plan),
        builder_(plan.frame),
        sink_(sink),
        clock_(clock),
        stop_(stop),
        wall_clock_(wall_clock),
        buffers_(kBatch, std::vector<std::uint8_t>(builder_.wire_size())),
        frames_(kBatch) {
    for (std::size_t i = 0; i < kBatch; ++i) frames_[i] = {buffers_[i].data(), buffers_[i].size()};
  }

  GeneratorReport run() {
    const std::int64_t start = clock_.now_ns();
    const std::int64_t end = plan_.duration.count() > 0 ? start + plan_.duration.count() : 0;
    Pacer pacer(plan_.schedule, clock_, start);
    std::int64_t next_progress = start + plan_.progress_interval.count();
    while (!stop_.load(std::memory_order_relaxed)) {
      if (plan_.progress && report_.last_send_ns >= next_progress) {
        plan_.progress(report_.sent);
        next_progress = report_.last_send_ns + plan_.progress_interval.count();
      }
      std::uint64_t limit = kBatch;
      if (plan_.count > 0) limit = std::min(limit, plan_.count - report_.sent);
      if (limit == 0) break;
      if (end != 0 && plan_.schedule.paced() && pacer.due_ns(report_.sent) >= end) break;
      std::uint64_t due = pacer.wait(report_.sent, limit);
      if (end != 0) {
        if (clock_.now_ns() >= end) break;
        while (due > 1 && plan_.schedule.paced() && pacer.due_ns(report_.sent + due - 1) >= end) --due;
      }
      send_batch(due);
    }
    report_.interrupted = stop_.load(std::memory_order_relaxed) && !finished();
    return std::move(report_);
  }

 private:
  bool finished() const { return plan_.count > 0 && report_.sent >= plan_.count; }

  void send_batch(std::uint64_t size) {
    const auto wall = static_cast<std::uint64_t>(wall_clock_());
    for (std::uint64_t i = 0; i < size; ++i) {
      builder_.build(report_.sent + i, wall, buffers_[i]);
    }
    std::size_t pushed = 0;
    while (pushed < size) {
      const std::int64_t now = clock_.now_ns();
      int error = 0;
      const std::size_t sent = sink_.send({frames_.data() + pushed, size - pushed}, error);
      record_sent(sent, now);
      pushed += sent;
      if (error == 0) continue;
      if (!queue_full(error)) throw TrafficError(std::string("send: ") + std::strerror(error));
      ++report_.send_errors;
      if (stop_.load(std::memory_order_relaxed)) break;
      sched_yield();
    }
  }

  void record_sent(std::size_t packets, std::int64_t now) {
    for (std::size_t i = 0; i < packets; ++i) {
      if (report_.sent == 0) {
        report_.first_send_ns = now;
      } else {
        report_.gaps.record(now - report_.last_send_ns);
      }
      report_.last_send_ns = now;
      ++report_.sent;
    }
  }

  const GeneratorPlan& plan_;
  FrameBuilder builder_;
  FrameSink& sink_;
  Clock& clock_;
  const std::atomic<bool>& stop_;
  WallClock wall_clock_;
  std::vector<std::vector<std::uint8_t>> buffers_;
  std::vector<iovec> frames_;
  GeneratorReport report_;
};

}  // namespace

double GeneratorReport::achieved_pps() const {
  if (sent < 2 || last_send_ns <= first_send_ns) return 0;
  return static_cast<double>(sent - 1) * 1e9 / static_cast<double>(last_send_ns - first_send_ns);
}

std::int64_t realtime_ns() {
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  return std::int64_t{now.tv_sec} * 1'000'000'000 + now.tv_nsec;
}

GeneratorReport generate(const GeneratorPlan& plan, FrameSink& sink, Clock& clock,
                         const std::atomic<bool>& stop, WallClock wall_clock) {
  return SendLoop(plan, sink, clock, stop, wall_clock).run();
}

}  // namespace weaver::traffic

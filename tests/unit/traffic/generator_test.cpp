#include "weaver/traffic/generator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "fake_clock.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/payload_id.hpp"
#include "weaver/traffic/traffic_error.hpp"

using namespace weaver;
using namespace weaver::traffic;
using weaver::traffic::testing::FakeClock;

namespace {

// Records every frame with the fake clock's time; can refuse sends.
class RecordingSink final : public FrameSink {
 public:
  explicit RecordingSink(FakeClock& clock) : clock_(clock) {}

  std::size_t send(std::span<const iovec> frames, int& error) override {
    error = 0;
    if (!refusals.empty()) {
      error = refusals.back();
      refusals.pop_back();
      return 0;
    }
    for (const iovec& frame : frames) {
      const auto* bytes = static_cast<const std::uint8_t*>(frame.iov_base);
      sent.emplace_back(bytes, bytes + frame.iov_len);
      times.push_back(clock_.peek());
    }
    calls.push_back(frames.size());
    return frames.size();
  }

  std::vector<int> refusals;  // errnos to return, last first
  std::vector<std::vector<std::uint8_t>> sent;
  std::vector<std::int64_t> times;
  std::vector<std::size_t> calls;

 private:
  FakeClock& clock_;
};

GeneratorPlan plan_for(std::uint64_t count, Schedule schedule) {
  GeneratorPlan plan;
  plan.frame.source = *IpAddress::parse("198.18.1.1");
  plan.frame.destination = *IpAddress::parse("198.18.101.1");
  plan.frame.run_id = 77;
  plan.schedule = schedule;
  plan.count = count;
  return plan;
}

std::int64_t fixed_wall_clock() { return 42; }

std::uint64_t sequence_of(const std::vector<std::uint8_t>& frame) {
  const auto packet = capture::decode_packet(1, frame);
  return capture::read_payload_id(packet.payload)->sequence;
}

TEST(GeneratorTest, SendsEveryPacketOnScheduleWithConsecutiveIds) {
  FakeClock clock;
  RecordingSink sink(clock);
  std::atomic<bool> stop{false};
  const auto report = generate(plan_for(100, {.rate_pps = 1000}), sink, clock, stop, fixed_wall_clock);
  ASSERT_EQ(report.sent, 100u);
  ASSERT_EQ(sink.sent.size(), 100u);
  for (std::uint64_t i = 0; i < 100; ++i) EXPECT_EQ(sequence_of(sink.sent[i]), i);
  EXPECT_NEAR(report.achieved_pps(), 1000.0, 0.5);
  EXPECT_NEAR(static_cast<double>(report.gaps.percentile(0.5)), 1e6, 1e3);
  EXPECT_EQ(report.gaps.count(), 99u);
  EXPECT_FALSE(report.interrupted);
  EXPECT_EQ(report.send_errors, 0u);
}

TEST(GeneratorTest, ABurstGoesOutInOneCall) {
  FakeClock clock;
  RecordingSink sink(clock);
  std::atomic<bool> stop{false};
  const auto report = generate(
      plan_for(32, {.burst = 16, .burst_interval = std::chrono::microseconds(200)}), sink, clock,
      stop, fixed_wall_clock);
  EXPECT_EQ(report.sent, 32u);
  EXPECT_EQ(sink.calls, (std::vector<std::size_t>{16, 16}));
  EXPECT_GE(sink.times[16] - sink.times[15], 200'000 - 1'000);
  EXPECT_EQ(report.gaps.percentile(0.5), 0);  // back-to-back inside a burst
}

TEST(GeneratorTest, AFullQueueIsCountedAndRetriedWithoutLosingPackets) {
  FakeClock clock;
  RecordingSink sink(clock);
  sink.refusals = {ENOBUFS, EAGAIN};
  std::atomic<bool> stop{false};
  const auto report = generate(plan_for(10, {}), sink, clock, stop, fixed_wall_clock);
  EXPECT_EQ(report.sent, 10u);
  EXPECT_EQ(report.send_errors, 2u);
  ASSERT_EQ(sink.sent.size(), 10u);
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(sequence_of(sink.sent[i]), i);
}

TEST(GeneratorTest, OtherSendErrorsEndTheRunWithTheirReason) {
  FakeClock clock;
  RecordingSink sink(clock);
  sink.refusals = {ENETDOWN};
  std::atomic<bool> stop{false};
  try {
    generate(plan_for(10, {}), sink, clock, stop, fixed_wall_clock);
    FAIL() << "ENETDOWN was ignored";
  } catch (const TrafficError& error) {
    EXPECT_STREQ(error.what(), "send: Network is down");
  }
}

TEST(GeneratorTest, DurationEndsTheRunAtTheLastPacketDueBeforeIt) {
  FakeClock clock;
  RecordingSink sink(clock);
  std::atomic<bool> stop{false};
  GeneratorPlan plan = plan_for(0, {.rate_pps = 1000});
  plan.duration = std::chrono::milliseconds(100);
  const auto report = generate(plan, sink, clock, stop, fixed_wall_clock);
  EXPECT_EQ(report.sent, 100u);
}

TEST(GeneratorTest, AStopRequestEndsTheRunAndMarksItInterrupted) {
  FakeClock clock;
  RecordingSink sink(clock);
  std::atomic<bool> stop{true};
  const auto report = generate(plan_for(10, {.rate_pps = 1000}), sink, clock, stop, fixed_wall_clock);
  EXPECT_EQ(report.sent, 0u);
  EXPECT_TRUE(report.interrupted);
}

TEST(GeneratorTest, ProgressIsReportedAtItsIntervalWithTheCountSoFar) {
  FakeClock clock;
  RecordingSink sink(clock);
  std::atomic<bool> stop{false};
  GeneratorPlan plan = plan_for(1000, {.rate_pps = 1000});
  std::vector<std::uint64_t> reported;
  plan.progress = [&](std::uint64_t sent) { reported.push_back(sent); };
  generate(plan, sink, clock, stop, fixed_wall_clock);
  // One second of sending, a report every 250 ms of it.
  ASSERT_GE(reported.size(), 3u);
  ASSERT_LE(reported.size(), 4u);
  EXPECT_TRUE(std::is_sorted(reported.begin(), reported.end()));
  EXPECT_NEAR(static_cast<double>(reported[0]), 251.0, 2.0);
}

TEST(GeneratorTest, TheSendTimeIsStampedIntoRoomyPayloads) {
  FakeClock clock;
  RecordingSink sink(clock);
  std::atomic<bool> stop{false};
  GeneratorPlan plan = plan_for(1, {});
  plan.frame.frame_size = 128;
  generate(plan, sink, clock, stop, fixed_wall_clock);
  const auto packet = capture::decode_packet(1, sink.sent.at(0));
  EXPECT_EQ(capture::read_payload_id(packet.payload)->send_time_ns, 42u);
}

}  // namespace

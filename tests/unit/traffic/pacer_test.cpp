#include "weaver/traffic/pacer.hpp"

#include <gtest/gtest.h>

#include "fake_clock.hpp"

using namespace weaver::traffic;
using weaver::traffic::testing::FakeClock;

namespace {

constexpr std::int64_t kStart = 2'000'000'000;

TEST(PacerTest, ConstantRateDueTimesFollowAnAbsoluteSchedule) {
  FakeClock clock;
  Pacer pacer({.rate_pps = 3}, clock, kStart);
  EXPECT_EQ(pacer.due_ns(0), kStart);
  EXPECT_EQ(pacer.due_ns(1), kStart + 333'333'333);
  EXPECT_EQ(pacer.due_ns(2), kStart + 666'666'666);
  EXPECT_EQ(pacer.due_ns(3), kStart + 1'000'000'000);
  // Far into a long run nothing overflows: a day at 100 Mpps.
  Pacer fast({.rate_pps = 100'000'000}, clock, 0);
  EXPECT_EQ(fast.due_ns(8'640'000'000'000), 86'400'000'000'000);
}

TEST(PacerTest, EachPacketLeavesAtOrJustAfterItsDueTime) {
  FakeClock clock(40);
  Pacer pacer({.rate_pps = 10'000}, clock, clock.peek());
  for (std::uint64_t next = 0; next < 1000; ++next) {
    ASSERT_EQ(pacer.wait(next, 64), 1u) << next;
    const std::int64_t late = clock.peek() - pacer.due_ns(next);
    ASSERT_GE(late, 0) << next;
    ASSERT_LT(late, 100) << next;  // within a spin step or two
  }
}

TEST(PacerTest, LongWaitsSleepFirstThenSpinTheLastStretch) {
  FakeClock clock;
  const std::int64_t start = clock.peek();
  Pacer pacer({.rate_pps = 1000}, clock, start);
  pacer.wait(0, 1);
  pacer.wait(1, 1);  // 1 ms away
  ASSERT_EQ(clock.sleeps.size(), 1u);
  EXPECT_EQ(clock.sleeps[0], start + 1'000'000 - Pacer::kSpinNs);
  EXPECT_GE(clock.peek(), start + 1'000'000);
}

TEST(PacerTest, ShortGapsOnlySpin) {
  FakeClock clock;
  Pacer pacer({.rate_pps = 200'000}, clock, clock.peek());
  for (std::uint64_t next = 0; next < 100; ++next) pacer.wait(next, 1);
  EXPECT_TRUE(clock.sleeps.empty());
}

TEST(PacerTest, BehindScheduleEverythingDueGoesAtOnceUpToTheLimit) {
  FakeClock clock(1);
  Pacer pacer({.rate_pps = 100'000}, clock, clock.peek());
  clock.advance(100'000);  // 100 us late: packets 0..10 are due
  EXPECT_EQ(pacer.wait(0, 64), 11u);
  EXPECT_EQ(pacer.wait(11, 64), 1u);
  clock.advance(10'000'000);
  EXPECT_EQ(pacer.wait(12, 64), 64u);
}

TEST(PacerTest, BurstsComeBackToBackEveryInterval) {
  FakeClock clock;
  const std::int64_t start = clock.peek();
  Pacer pacer({.burst = 8, .burst_interval = std::chrono::microseconds(500)}, clock, start);
  EXPECT_EQ(pacer.due_ns(7), start);
  EXPECT_EQ(pacer.due_ns(8), start + 500'000);
  EXPECT_EQ(pacer.wait(0, 64), 8u);   // the whole first burst
  EXPECT_EQ(pacer.wait(8, 64), 8u);   // the second, after the interval
  EXPECT_GE(clock.peek(), start + 500'000);
  EXPECT_EQ(pacer.wait(16, 5), 5u);   // a burst larger than a batch is split
  EXPECT_EQ(pacer.wait(21, 64), 3u);
}

TEST(PacerTest, AsFastAsPossibleNeverWaits) {
  FakeClock clock;
  Pacer pacer({}, clock, clock.peek());
  const std::int64_t before = clock.peek();
  EXPECT_EQ(pacer.wait(123, 64), 64u);
  EXPECT_EQ(clock.peek(), before);
}

}  // namespace

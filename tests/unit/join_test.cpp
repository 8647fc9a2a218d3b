#include <gtest/gtest.h>

#include <climits>
#include <deque>
#include <map>
#include <random>
#include <vector>

#include "analysis/pending_table.hpp"
#include "analysis/streaming_join.hpp"

namespace {

using weaver::analysis::LatencyResult;
using weaver::analysis::MatchedPacket;
using weaver::analysis::PendingPacket;
using weaver::analysis::PendingTable;
using weaver::analysis::WaitingPackets;
using weaver::analysis::Side;
using weaver::analysis::StreamingJoin;

std::uint64_t key_for(std::uint64_t i) { return 0x9e3779b97f4a7c15ull * (i + 1) | 1; }

// --- PendingTable -------------------------------------------------------------

TEST(PendingTable, IdenticalKeysComeOutFirstInFirstOut) {
  PendingTable table;
  EXPECT_FALSE(table.insert({42, 100, 0}));
  EXPECT_TRUE(table.insert({42, 200, 1}));
  EXPECT_TRUE(table.insert({42, 300, 2}));
  EXPECT_EQ(table.size(), 3u);
  std::uint64_t expired = 0;
  for (std::int64_t expected : {100, 200, 300}) {
    const auto taken = table.take(42, INT64_MIN, expired);
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->timestamp_ns, expected);
  }
  EXPECT_FALSE(table.take(42, INT64_MIN, expired).has_value());
  EXPECT_EQ(expired, 0u);
  EXPECT_EQ(table.size(), 0u);
}

TEST(PendingTable, TakeOfAnUnknownKeyFindsNothing) {
  PendingTable table;
  table.insert({7, 1, 0});
  std::uint64_t expired = 0;
  EXPECT_FALSE(table.take(8, INT64_MIN, expired).has_value());
  EXPECT_EQ(table.size(), 1u);
}

TEST(PendingTable, TakeDropsAndCountsStalePacketsOfItsKey) {
  PendingTable table;
  table.insert({42, 10, 0});
  table.insert({42, 12, 1});
  table.insert({42, 20, 2});
  table.insert({43, 5, 3});  // stale too, but another key: left for the sweep
  std::uint64_t expired = 0;
  const auto taken = table.take(42, 15, expired);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->timestamp_ns, 20);
  EXPECT_EQ(taken->ordinal, 2u);
  EXPECT_EQ(expired, 2u);
  EXPECT_EQ(table.size(), 1u);
}

TEST(PendingTable, TakeOfOnlyStalePacketsFindsNothing) {
  PendingTable table;
  table.insert({42, 10, 0});
  std::uint64_t expired = 0;
  EXPECT_FALSE(table.take(42, 11, expired).has_value());
  EXPECT_EQ(expired, 1u);
  EXPECT_EQ(table.size(), 0u);
}

TEST(PendingTable, SweepRemovesOldPacketsAndKeepsArrivalOrder) {
  PendingTable table;
  std::int64_t now = 0;
  for (int round = 0; round < 4; ++round) {
    for (std::uint64_t i = 0; i < 300; ++i) table.insert({key_for(i), now++, i});
  }
  EXPECT_EQ(table.sweep(600), 600u);  // rounds 0 and 1
  EXPECT_EQ(table.size(), 600u);
  std::uint64_t expired = 0;
  for (std::uint64_t i = 0; i < 300; ++i) {
    const auto first = table.take(key_for(i), INT64_MIN, expired);
    const auto second = table.take(key_for(i), INT64_MIN, expired);
    ASSERT_TRUE(first && second) << i;
    EXPECT_EQ(first->timestamp_ns, static_cast<std::int64_t>(600 + i));
    EXPECT_EQ(second->timestamp_ns, static_cast<std::int64_t>(900 + i));
  }
  EXPECT_EQ(table.size(), 0u);
}

TEST(PendingTable, GrowsPastThousandsOfEntriesAndShrinksAgain) {
  PendingTable table;
  constexpr std::uint64_t kCount = 200'000;
  for (std::uint64_t i = 0; i < kCount; ++i) {
    ASSERT_FALSE(table.insert({key_for(i), static_cast<std::int64_t>(i), i}));
  }
  EXPECT_EQ(table.size(), kCount);
  EXPECT_EQ(table.sweep(static_cast<std::int64_t>(kCount - 100)), kCount - 100);
  EXPECT_EQ(table.size(), 100u);
  std::uint64_t expired = 0;
  for (std::uint64_t i = kCount - 100; i < kCount; ++i) {
    const auto taken = table.take(key_for(i), INT64_MIN, expired);
    ASSERT_TRUE(taken.has_value()) << i;
    EXPECT_EQ(taken->ordinal, i);
  }
  EXPECT_EQ(table.size(), 0u);
  // Still works after shrinking.
  for (std::uint64_t i = 0; i < 5000; ++i) table.insert({key_for(i), 1, i});
  for (std::uint64_t i = 0; i < 5000; ++i) ASSERT_TRUE(table.take(key_for(i), 0, expired)) << i;
  EXPECT_EQ(expired, 0u);
}

// Random inserts, takes and sweeps against a map of FIFO queues.
TEST(PendingTable, AgreesWithAReferenceModel) {
  std::mt19937_64 random(7);
  PendingTable table;
  std::map<std::uint64_t, std::deque<PendingPacket>> model;
  std::uint64_t model_size = 0;
  std::int64_t now = 0;
  std::uint64_t ordinal = 0;
  for (int step = 0; step < 200'000; ++step) {
    const std::uint64_t key = key_for(random() % 3000);  // many repeats
    const auto op = random() % 100;
    now += static_cast<std::int64_t>(random() % 3);
    if (op < 55) {
      const PendingPacket packet{key, now, ordinal++};
      EXPECT_EQ(table.insert(packet), !model[key].empty());
      model[key].push_back(packet);
      ++model_size;
    } else if (op < 99) {
      const std::int64_t limit = now - 2000;
      std::uint64_t expired = 0;
      const auto taken = table.take(key, limit, expired);
      auto& queue = model[key];
      std::uint64_t model_expired = 0;
      while (!queue.empty() && queue.front().timestamp_ns < limit) {
        queue.pop_front();
        ++model_expired;
      }
      ASSERT_EQ(expired, model_expired) << "step " << step;
      model_size -= model_expired;
      ASSERT_EQ(taken.has_value(), !queue.empty()) << "step " << step;
      if (taken) {
        EXPECT_EQ(taken->ordinal, queue.front().ordinal) << "step " << step;
        queue.pop_front();
        --model_size;
      }
    } else {
      const std::int64_t limit = now - 1000;
      std::uint64_t model_swept = 0;
      for (auto& [k, queue] : model) {
        while (!queue.empty() && queue.front().timestamp_ns < limit) {
          queue.pop_front();
          ++model_swept;
        }
      }
      ASSERT_EQ(table.sweep(limit), model_swept) << "step " << step;
      model_size -= model_swept;
    }
    ASSERT_EQ(table.size(), model_size) << "step " << step;
  }
}

// --- StreamingJoin ------------------------------------------------------------------

class Join : public ::testing::Test {
 protected:
  explicit Join(std::int64_t window_ns = 1'000'000)
      : join_(window_ns, result_, [this](const MatchedPacket& m) { matches_.push_back(m); }) {}

  void pif(std::uint64_t key, std::int64_t t) { join_.add(Side::pif, key, t); }
  void vif(std::uint64_t key, std::int64_t t) { join_.add(Side::vif, key, t); }

  LatencyResult result_;
  std::vector<MatchedPacket> matches_;
  StreamingJoin join_;
};

TEST_F(Join, CountsMatchedAndOneSidedPackets) {
  for (std::uint64_t k = 1; k <= 5; ++k) pif(k, static_cast<std::int64_t>(k) * 1000);
  for (std::uint64_t k = 1; k <= 3; ++k) vif(k, static_cast<std::int64_t>(k) * 1000 + 6000);
  vif(99, 10'000);
  join_.finish();
  EXPECT_EQ(result_.matched, 3u);
  EXPECT_EQ(result_.pif_only, 2u);
  EXPECT_EQ(result_.vif_only, 1u);
  EXPECT_EQ(result_.reordered, 0u);
  EXPECT_EQ(result_.negative, 0u);
  ASSERT_EQ(matches_.size(), 3u);
  EXPECT_EQ(matches_[0].pif_ns, 1000);
  EXPECT_EQ(matches_[0].vif_ns, 7000);
  EXPECT_EQ(result_.moments.min_ns, 6000);
  EXPECT_EQ(result_.moments.max_ns, 6000);
  EXPECT_EQ(result_.histogram.count(), 3u);
  EXPECT_EQ(result_.first_matched_ns, 1000);  // on the PIF, of the matched packets only
  EXPECT_EQ(result_.last_matched_ns, 3000);
}

TEST_F(Join, LostPacketIsPifOnly) {
  pif(1, 0);
  pif(2, 10);
  pif(3, 20);
  vif(1, 100);
  vif(3, 120);
  join_.finish();
  EXPECT_EQ(result_.matched, 2u);
  EXPECT_EQ(result_.pif_only, 1u);
  EXPECT_EQ(result_.vif_only, 0u);
  EXPECT_EQ(result_.reordered, 0u);  // a gap is not a reordering
}

TEST_F(Join, VifDuplicateIsCountedNotMatched) {
  pif(1, 0);
  pif(2, 10);
  vif(1, 100);
  vif(1, 101);
  vif(2, 110);
  join_.finish();
  EXPECT_EQ(result_.matched, 2u);
  EXPECT_EQ(result_.vif.duplicates, 1u);
  EXPECT_EQ(result_.pif.duplicates, 0u);
  EXPECT_EQ(result_.vif_only, 0u);
  EXPECT_EQ(result_.pif_only, 0u);
}

TEST_F(Join, PifPacketsWithTheSameKeyAreDuplicatesMatchedInOrder) {
  pif(1, 0);
  pif(1, 10);
  vif(1, 100);
  vif(1, 200);
  join_.finish();
  EXPECT_EQ(result_.pif.duplicates, 1u);
  ASSERT_EQ(matches_.size(), 2u);
  EXPECT_EQ(matches_[0].delta_ns(), 100);
  EXPECT_EQ(matches_[1].delta_ns(), 190);
}

TEST_F(Join, SwappedPairIsOneReordering) {
  pif(1, 0);
  pif(2, 10);
  pif(3, 20);
  vif(2, 100);
  vif(1, 105);
  vif(3, 120);
  join_.finish();
  EXPECT_EQ(result_.matched, 3u);
  EXPECT_EQ(result_.reordered, 1u);
}

TEST_F(Join, NegativeDeltaIsCountedAndKeptNegative) {
  vif(1, 50);
  pif(1, 100);
  pif(2, 200);
  vif(2, 300);
  join_.finish();
  EXPECT_EQ(result_.matched, 2u);
  EXPECT_EQ(result_.negative, 1u);
  EXPECT_EQ(result_.moments.min_ns, -50);
  EXPECT_EQ(result_.moments.max_ns, 100);
  EXPECT_EQ(result_.histogram.negative_count(), 1u);
  ASSERT_EQ(matches_.size(), 2u);
  EXPECT_EQ(matches_[0].pif_ns, 100);
  EXPECT_EQ(matches_[0].vif_ns, 50);
  EXPECT_EQ(matches_[0].delta_ns(), -50);
  EXPECT_DOUBLE_EQ(result_.moments.mean_ns(), 25.0);
}

TEST_F(Join, MomentsAreExact) {
  const std::int64_t deltas[] = {1000, 2000, 4000, 9000};
  std::int64_t t = 0;
  for (std::uint64_t k = 0; k < 4; ++k) {
    pif(k + 1, t);
    vif(k + 1, t + deltas[k]);
    t += 100'000;
  }
  join_.finish();
  EXPECT_EQ(result_.moments.count, 4u);
  EXPECT_DOUBLE_EQ(result_.moments.mean_ns(), 4000.0);
  // population: sqrt(((-3000)^2 + (-2000)^2 + 0 + 5000^2) / 4) = sqrt(9.5e6)
  EXPECT_NEAR(result_.moments.stdev_ns(), 3082.207001484488, 1e-6);
}

class ShortWindowJoin : public Join {
 protected:
  ShortWindowJoin() : Join(1000) {}
};

TEST_F(ShortWindowJoin, PartnerAfterTheWindowIsNotMatched) {
  pif(1, 0);
  vif(1, 5000);
  join_.finish();
  EXPECT_EQ(result_.matched, 0u);
  EXPECT_EQ(result_.pif_only, 1u);
  EXPECT_EQ(result_.vif_only, 1u);
}

TEST_F(ShortWindowJoin, PartnerAtTheEdgeOfTheWindowIsMatched) {
  pif(1, 0);
  vif(1, 1000);
  join_.finish();
  EXPECT_EQ(result_.matched, 1u);
  EXPECT_EQ(result_.pif_only, 0u);
  EXPECT_EQ(result_.vif_only, 0u);
}

TEST_F(ShortWindowJoin, ExpiredPacketsAreCountedOnceWhileTrafficFlows) {
  for (std::int64_t i = 0; i < 10'000; ++i) {
    pif(key_for(static_cast<std::uint64_t>(i)), i * 100);  // never seen on the VIF
    vif(key_for(static_cast<std::uint64_t>(i) + 1'000'000), i * 100 + 50);  // never on the PIF
  }
  join_.finish();
  EXPECT_EQ(result_.matched, 0u);
  EXPECT_EQ(result_.pif_only, 10'000u);
  EXPECT_EQ(result_.vif_only, 10'000u);
}

class LongWindowJoin : public Join {
 protected:
  LongWindowJoin() : Join(1'000'000'000) {}
};

// Packets older than WaitingPackets::kYoungAge move to the old generation;
// they must still match, in order, and still count as duplicates.
TEST_F(LongWindowJoin, PartnerOfAnAgedPacketStillMatchesFirstInFirstOut) {
  const std::int64_t aged = 3 * WaitingPackets::kYoungAge;
  pif(7, 0);
  pif(8, 1000);  // drives the clock, so the first packet ages
  pif(7, aged);  // same key, much later: a duplicate of one in the old generation
  vif(7, aged + 500);
  vif(7, aged + 900);
  join_.finish();
  EXPECT_EQ(result_.pif.duplicates, 1u);
  ASSERT_EQ(matches_.size(), 2u);
  EXPECT_EQ(matches_[0].pif_ns, 0);  // the oldest first
  EXPECT_EQ(matches_[1].pif_ns, aged);
  EXPECT_EQ(result_.pif_only, 1u);  // key 8
}

// Timestamps at the ends of int64 (what a pcapng offset can give): the
// window's limits stop there instead of wrapping, so packets still match.
TEST_F(Join, TimestampsAtTheEndsOfTheRangeStillMatch) {
  pif(1, INT64_MIN);
  vif(1, INT64_MIN + 500);
  pif(2, INT64_MIN + 1000);
  vif(2, INT64_MIN + 1600);
  pif(3, INT64_MAX - 1000);
  vif(3, INT64_MAX - 10);
  join_.finish();
  EXPECT_EQ(result_.matched, 3u);
  EXPECT_EQ(result_.pif_only, 0u);
  EXPECT_EQ(result_.moments.min_ns, 500);
  EXPECT_EQ(result_.moments.max_ns, 990);
}

TEST(JoinMemoryBound, TooManyWaitingPacketsShortenTheWindowWithOneWarning) {
  LatencyResult result;
  const std::int64_t window = 10'000'000'000;
  StreamingJoin join(window, result, {}, /*max_waiting=*/1000);
  for (std::uint64_t i = 1; i <= 5000; ++i) {
    join.add(Side::pif, key_for(i), static_cast<std::int64_t>(i) * 1000);  // no partners
  }
  join.add(Side::pif, key_for(999'999), 6'000'000);
  join.add(Side::vif, key_for(999'999), 6'000'100);
  join.finish();
  EXPECT_LT(result.window_ns, window);
  EXPECT_GT(result.window_ns, 0);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("join window was shortened"), std::string::npos);
  EXPECT_EQ(result.pif_only, 5000u);
  EXPECT_EQ(result.matched, 1u);
}

}  // namespace

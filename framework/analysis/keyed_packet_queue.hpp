// Hands one capture's keyed packets from its decoding thread to the joining
// thread in batches, so decoding and joining run on separate cores. Bounded: the
// decoder waits when the join falls behind, so memory stays flat.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace weaver::analysis {

struct KeyedPacket {
  std::uint64_t key;
  std::int64_t timestamp_ns;
  std::uint64_t record;  // 1-based record number in its file
};

using KeyedBatch = std::vector<KeyedPacket>;

class KeyedPacketQueue {
 public:
  static constexpr std::size_t kBatchSize = 2048;
  static constexpr std::size_t kMaxBatches = 8;

  // Blocks while full; false once the reader has cancelled.
  bool push(KeyedBatch&& batch) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return cancelled_ || batches_.size() < kMaxBatches; });
    if (cancelled_) return false;
    batches_.push_back(std::move(batch));
    not_empty_.notify_one();
    return true;
  }

  // Blocks until a batch is there; false when the writer closed and all is read.
  bool pop(KeyedBatch& batch) {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !batches_.empty(); });
    if (batches_.empty()) return false;
    batch = std::move(batches_.front());
    batches_.pop_front();
    not_full_.notify_one();
    return true;
  }

  void close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_empty_.notify_all();
  }

  void cancel() {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    not_full_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<KeyedBatch> batches_;
  bool closed_ = false;
  bool cancelled_ = false;
};

}  // namespace weaver::analysis

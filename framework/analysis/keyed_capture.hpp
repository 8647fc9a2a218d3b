// One capture, read, decoded and keyed on a thread of its own; the joining
// thread walks its keyed packets in order. Construction opens the file (and
// throws InputError there); start() begins decoding.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "keyed_packet_queue.hpp"
#include "weaver/analysis/analyze.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/packet_filter.hpp"

namespace weaver::analysis {

class KeyedCapture {
 public:
  KeyedCapture(const std::string& path, const AnalyzeOptions& options);
  ~KeyedCapture();  // stops and joins the decoding thread, whatever happened
  KeyedCapture(const KeyedCapture&) = delete;
  KeyedCapture& operator=(const KeyedCapture&) = delete;

  void start();

  // The joining thread's view: the current keyed packet, in file order.
  bool valid() const { return at_ < batch_.size(); }
  const KeyedPacket& operator*() const { return batch_[at_]; }
  void advance() {
    if (++at_ < batch_.size()) return;
    next_batch();
  }

  // Waits for the decoding thread; rethrows what stopped it, if anything did.
  void finish();

  // Valid after finish().
  const CaptureCounts& counts() const { return counts_; }
  std::vector<std::string> warnings() const;

 private:
  void decode_all();
  std::uint64_t key_of(const capture::RawPacket& packet);
  void next_batch();

  const AnalyzeOptions& options_;
  // The filter compiles before the file opens: a bad expression is reported
  // before any file is read.
  std::optional<capture::PacketFilter> filter_;
  std::unique_ptr<capture::CaptureReader> reader_;
  capture::DecodedPacket decoded_;  // reused for every packet
  // Updated for every packet by the decoding thread: on cache lines of its
  // own, away from what the joining thread writes.
  alignas(64) CaptureCounts counts_;
  alignas(64) KeyedPacketQueue queue_;
  std::exception_ptr error_;
  std::thread thread_;

  KeyedBatch batch_;  // the joining thread's current batch
  std::size_t at_ = 0;
};

}  // namespace weaver::analysis

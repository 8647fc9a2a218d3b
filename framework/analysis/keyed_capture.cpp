#include "keyed_capture.hpp"

#include "weaver/capture/match_key.hpp"

namespace weaver::analysis {

using capture::DecodeStatus;
using capture::KeyKind;

KeyedCapture::KeyedCapture(const std::string& path, const AnalyzeOptions& options)
    : options_(options),
      filter_(options.filter.empty() ? std::nullopt
                                     : std::optional<capture::PacketFilter>(options.filter)),
      reader_(capture::open_capture(path)) {
  counts_.path = path;
  counts_.format = std::string(reader_->format());
}

KeyedCapture::~KeyedCapture() {
  queue_.cancel();
  if (thread_.joinable()) thread_.join();
}

void KeyedCapture::start() {
  thread_ = std::thread([this] {
    try {
      decode_all();
    } catch (...) {
      error_ = std::current_exception();
    }
    queue_.close();
  });
  next_batch();
}

void KeyedCapture::finish() {
  if (thread_.joinable()) thread_.join();
  if (error_) std::rethrow_exception(error_);
}

void KeyedCapture::next_batch() {
  at_ = 0;
  batch_.clear();
  while (batch_.empty() && queue_.pop(batch_)) {
  }
}

void KeyedCapture::decode_all() {
  KeyedBatch batch;
  batch.reserve(KeyedPacketQueue::kBatchSize);
  capture::RawPacket packet;
  while (reader_->next(packet)) {
    ++counts_.packets;
    const std::uint64_t key = key_of(packet);
    if (key == 0) continue;
    batch.push_back({key, packet.timestamp_ns, packet.record});
    if (batch.size() == KeyedPacketQueue::kBatchSize) {
      if (!queue_.push(std::move(batch))) return;  // the joining side gave up
      batch = KeyedBatch();
      batch.reserve(KeyedPacketQueue::kBatchSize);
    }
  }
  queue_.push(std::move(batch));
}

// The packet's match key, or 0 when it has none (counted by reason).
std::uint64_t KeyedCapture::key_of(const capture::RawPacket& packet) {
  if (filter_ && !filter_->accepts(packet)) {
    ++counts_.filtered;
    return 0;
  }
  capture::decode_packet(packet.link_type, packet.bytes, decoded_);
  if (decoded_.status == DecodeStatus::not_ip) {
    ++counts_.not_ip;
    return 0;
  }
  if (decoded_.status == DecodeStatus::malformed) {
    if (counts_.malformed++ == 0) {
      counts_.first_malformed_record = packet.record;
      counts_.first_malformed_problem = decoded_.problem;
    }
    return 0;
  }
  const capture::MatchKey key = capture::make_match_key(options_.key, decoded_);
  if (key.value == 0) {
    ++counts_.unkeyed;
    return 0;
  }
  ++counts_.keyed;
  if (options_.key == KeyKind::automatic) {
    ++(key.kind == KeyKind::payload_id ? counts_.payload_id_keys : counts_.hash_keys);
  }
  return key.value;
}

std::vector<std::string> KeyedCapture::warnings() const {
  std::vector<std::string> warnings = reader_->warnings();
  if (counts_.malformed > 0) {
    warnings.push_back(counts_.path + ": " + std::to_string(counts_.malformed) +
                       " malformed packet(s) skipped (first: record " +
                       std::to_string(counts_.first_malformed_record) + ", " +
                       counts_.first_malformed_problem + ")");
  }
  return warnings;
}

}  // namespace weaver::analysis

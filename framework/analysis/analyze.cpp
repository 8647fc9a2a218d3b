#include "weaver/analysis/analyze.hpp"

#include <exception>
#include <memory>
#include <optional>
#include <thread>

#include "keyed_packet_queue.hpp"
#include "streaming_join.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/packet_filter.hpp"
#include "weaver/error.hpp"

namespace weaver::analysis {
namespace {

using capture::DecodeStatus;
using capture::KeyKind;

// One capture being read: its reader, the packet at its head, its counts.
// The counts live here, on their own cache lines, while the decoding thread
// updates them for every packet; they go into the result when it is done.
class alignas(64) CaptureStream {
 public:
  explicit CaptureStream(const std::string& path) : reader_(capture::open_capture(path)) {
    counts_.path = path;
    counts_.format = std::string(reader_->format());
    advance();
  }

  bool has_packet() const { return has_packet_; }
  const capture::RawPacket& head() const { return head_; }
  CaptureCounts& counts() { return counts_; }
  const CaptureCounts& counts() const { return counts_; }
  const capture::CaptureReader& reader() const { return *reader_; }

  void advance() {
    has_packet_ = reader_->next(head_);
    if (has_packet_) ++counts_.packets;
  }

 private:
  std::unique_ptr<capture::CaptureReader> reader_;
  capture::RawPacket head_;
  bool has_packet_ = false;
  alignas(64) CaptureCounts counts_;
};

void note_malformed(CaptureCounts& counts, const capture::RawPacket& packet, const char* problem) {
  if (counts.malformed++ == 0) {
    counts.first_malformed_record = packet.record;
    counts.first_malformed_problem = problem;
  }
}

// The packet's match key, or 0 when it has none (counted by reason).
std::uint64_t key_packet(CaptureStream& stream, KeyKind key_kind,
                         std::optional<capture::PacketFilter>& filter,
                         capture::DecodedPacket& decoded) {
  const capture::RawPacket& packet = stream.head();
  CaptureCounts& counts = stream.counts();
  if (filter && !filter->accepts(packet)) {
    ++counts.filtered;
    return 0;
  }
  capture::decode_packet(packet.link_type, packet.bytes, decoded);
  if (decoded.status == DecodeStatus::not_ip) {
    ++counts.not_ip;
    return 0;
  }
  if (decoded.status == DecodeStatus::malformed) {
    note_malformed(counts, packet, decoded.problem);
    return 0;
  }
  const capture::MatchKey key = capture::make_match_key(key_kind, decoded);
  if (key.value == 0) {
    ++counts.unkeyed;
    return 0;
  }
  ++counts.keyed;
  if (key_kind == KeyKind::automatic) {
    ++(key.kind == KeyKind::payload_id ? counts.payload_id_keys : counts.hash_keys);
  }
  return key.value;
}

// One decoding thread per capture: read, decode, key, hand over in batches.
void decode_capture(CaptureStream& stream, const AnalyzeOptions& options,
                    KeyedPacketQueue& queue) {
  std::optional<capture::PacketFilter> filter;
  if (!options.filter.empty()) filter.emplace(options.filter);
  capture::DecodedPacket decoded;  // reused for every packet
  KeyedBatch batch;
  batch.reserve(KeyedPacketQueue::kBatchSize);
  for (; stream.has_packet(); stream.advance()) {
    const std::uint64_t key = key_packet(stream, options.key, filter, decoded);
    if (key == 0) continue;
    batch.push_back({key, stream.head().timestamp_ns});
    if (batch.size() == KeyedPacketQueue::kBatchSize) {
      if (!queue.push(std::move(batch))) return;
      batch = KeyedBatch();
      batch.reserve(KeyedPacketQueue::kBatchSize);
    }
  }
  queue.push(std::move(batch));
}

// Runs decode_capture on its own thread; whatever happens to the joining
// side, the thread is stopped and joined before the stream goes away.
class DecoderThread {
 public:
  DecoderThread(CaptureStream& stream, const AnalyzeOptions& options, KeyedPacketQueue& queue)
      : queue_(queue), thread_([&stream, &options, &queue, this] {
          try {
            decode_capture(stream, options, queue);
          } catch (...) {
            error_ = std::current_exception();
          }
          queue.close();
        }) {}
  ~DecoderThread() {
    queue_.cancel();
    if (thread_.joinable()) thread_.join();
  }
  DecoderThread(const DecoderThread&) = delete;
  DecoderThread& operator=(const DecoderThread&) = delete;

  // Waits for the decoder and rethrows what stopped it, if anything did.
  void finish() {
    thread_.join();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  KeyedPacketQueue& queue_;
  std::exception_ptr error_;
  std::thread thread_;
};

// Reads one capture's keyed packets, batch after batch, in the joining thread.
class KeyedPacketCursor {
 public:
  explicit KeyedPacketCursor(KeyedPacketQueue& queue) : queue_(queue) { advance(); }
  bool valid() const { return at_ < batch_.size(); }
  const KeyedPacket& operator*() const { return batch_[at_]; }
  void advance() {
    if (++at_ < batch_.size()) return;
    at_ = 0;
    batch_.clear();
    while (batch_.empty() && queue_.pop(batch_)) {
    }
  }

 private:
  KeyedPacketQueue& queue_;
  KeyedBatch batch_;
  std::size_t at_ = static_cast<std::size_t>(-1);
};

void collect_warnings(const CaptureStream& stream, std::vector<std::string>& warnings) {
  for (const std::string& warning : stream.reader().warnings()) warnings.push_back(warning);
  const CaptureCounts& counts = stream.counts();
  if (counts.malformed > 0) {
    warnings.push_back(counts.path + ": " + std::to_string(counts.malformed) +
                       " malformed packet(s) skipped (first: record " +
                       std::to_string(counts.first_malformed_record) + ", " +
                       counts.first_malformed_problem + ")");
  }
}

// A capture that gave the join nothing cannot be measured: say why.
void require_keyed_packets(const CaptureCounts& counts, const AnalyzeOptions& options) {
  if (counts.keyed > 0) return;
  if (counts.packets == 0) throw InputError(counts.path, "the capture contains no packets");
  std::string why = "none of its " + std::to_string(counts.packets) + " packets can be matched";
  if (counts.filtered == counts.packets) {
    why += ": --filter '" + options.filter + "' rejects them all";
  } else if (counts.unkeyed > 0) {
    why += ": " + std::to_string(counts.unkeyed) + " lack what --key " +
           std::string(capture::key_kind_name(options.key)) + " is made of";
  } else {
    why += " (" + std::to_string(counts.not_ip) + " without IP, " +
           std::to_string(counts.malformed) + " malformed)";
  }
  throw InputError(counts.path, why);
}

}  // namespace

LatencyResult analyze_captures(const AnalyzeOptions& options) {
  if (options.window_ns <= 0) throw UsageError("--window must be positive");
  if (!options.filter.empty()) capture::PacketFilter check(options.filter);  // fail before reading

  LatencyResult result;
  result.key = options.key;
  result.window_ns = options.window_ns;
  CaptureStream pif(options.pif_path);
  CaptureStream vif(options.vif_path);
  StreamingJoin join(options.window_ns, result, options.on_match);
  {
    KeyedPacketQueue pif_queue;
    KeyedPacketQueue vif_queue;
    DecoderThread pif_decoder(pif, options, pif_queue);
    DecoderThread vif_decoder(vif, options, vif_queue);
    KeyedPacketCursor pif_keys(pif_queue);
    KeyedPacketCursor vif_keys(vif_queue);
    // Merge by timestamp; on a tie the PIF goes first, so a zero delta matches.
    while (pif_keys.valid() || vif_keys.valid()) {
      const bool take_pif = pif_keys.valid() &&
                            (!vif_keys.valid() || (*pif_keys).timestamp_ns <= (*vif_keys).timestamp_ns);
      KeyedPacketCursor& keys = take_pif ? pif_keys : vif_keys;
      join.add(take_pif ? Side::pif : Side::vif, (*keys).key, (*keys).timestamp_ns);
      keys.advance();
    }
    pif_decoder.finish();
    vif_decoder.finish();
  }
  result.pif = pif.counts();
  result.vif = vif.counts();
  join.finish();

  collect_warnings(pif, result.warnings);
  collect_warnings(vif, result.warnings);
  require_keyed_packets(result.pif, options);
  require_keyed_packets(result.vif, options);
  if (result.matched == 0) {
    throw InputError(options.pif_path,
                     "no packet matched any packet of " + options.vif_path + " (" +
                         std::to_string(result.pif.keyed) + " and " +
                         std::to_string(result.vif.keyed) + " keyed packets, --key " +
                         std::string(capture::key_kind_name(options.key)) +
                         "): are they captures of the same traffic?");
  }
  return result;
}

}  // namespace weaver::analysis

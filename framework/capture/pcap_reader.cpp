// Classic libpcap files: a 24-byte file header, then 16-byte record headers.
#include <algorithm>
#include <string>

#include "byte_order.hpp"
#include "capture_formats.hpp"
#include "weaver/error.hpp"

namespace weaver::capture {
namespace {

constexpr std::size_t kFileHeaderSize = 24;
constexpr std::size_t kRecordHeaderSize = 16;

class PcapReader final : public CaptureReader {
 public:
  PcapReader(std::string path, MappedFile file) : CaptureReader(std::move(path)), file_(std::move(file)) {
    const auto bytes = file_.bytes();
    if (bytes.size() < kFileHeaderSize) {
      throw InputError(this->path(), "pcap file header is truncated (" +
                                         std::to_string(bytes.size()) + " of 24 bytes)");
    }
    const std::uint32_t magic = load_u32(bytes.data(), false);
    swapped_ = magic == 0xd4c3b2a1 || magic == 0x4d3cb2a1;
    nanosecond_ = magic == 0xa1b23c4d || magic == 0x4d3cb2a1;
    snap_length_ = load_u32(bytes.data() + 16, swapped_);
    // The upper bits carry FCS information, the link type is the low 16.
    link_type_ = load_u32(bytes.data() + 20, swapped_) & 0xffff;
    require_supported_link_type(this->path(), link_type_, 0);
    offset_ = kFileHeaderSize;
  }

  std::string_view format() const override { return nanosecond_ ? "pcap-ns" : "pcap"; }

  bool next(RawPacket& packet) override {
    return next_unless_changed(file_, path(), [&] { return read_next(packet); });
  }

 private:
  bool read_next(RawPacket& packet) {
    const auto bytes = file_.bytes();
    if (offset_ >= bytes.size()) return false;
    const std::uint64_t record = record_ + 1;
    const std::size_t remaining = bytes.size() - offset_;
    if (remaining < kRecordHeaderSize) {
      return stop_truncated(record, "its header", remaining, kRecordHeaderSize);
    }
    const std::uint8_t* header = bytes.data() + offset_;
    const std::uint32_t seconds = load_u32(header, swapped_);
    const std::uint32_t fraction = load_u32(header + 4, swapped_);
    const std::uint32_t captured = load_u32(header + 8, swapped_);
    const std::uint32_t original = load_u32(header + 12, swapped_);
    if (captured > std::max(snap_length_, kMaxRecordLength)) {
      throw InputError(path(),
                       "captured length " + std::to_string(captured) +
                           " is larger than any packet could be; the file is corrupt",
                       record);
    }
    if (remaining - kRecordHeaderSize < captured) {
      return stop_truncated(record, "its data", remaining - kRecordHeaderSize, captured);
    }
    packet.timestamp_ns = static_cast<std::int64_t>(seconds) * 1'000'000'000 +
                          static_cast<std::int64_t>(fraction) * (nanosecond_ ? 1 : 1000);
    packet.record = record;
    packet.link_type = link_type_;
    packet.original_length = original;
    packet.bytes = {header + kRecordHeaderSize, captured};
    offset_ += kRecordHeaderSize + captured;
    record_ = record;
    file_.release_before(offset_);
    return true;
  }

 private:
  bool stop_truncated(std::uint64_t record, const char* part, std::size_t have, std::size_t need) {
    warn("record " + std::to_string(record) + " is truncated (the file ends after " +
         std::to_string(have) + " of " + std::to_string(need) + " bytes of " + part +
         "); the " + std::to_string(record - 1) + " complete records before it are used");
    offset_ = file_.size();
    return false;
  }

  MappedFile file_;
  bool swapped_ = false;
  bool nanosecond_ = false;
  std::uint32_t snap_length_ = 0;
  std::uint32_t link_type_ = 0;
  std::size_t offset_ = 0;
  std::uint64_t record_ = 0;
};

}  // namespace

std::unique_ptr<CaptureReader> make_pcap_reader(std::string path, MappedFile file) {
  return std::make_unique<PcapReader>(std::move(path), std::move(file));
}

}  // namespace weaver::capture

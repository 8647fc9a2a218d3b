#include "capture_writer.hpp"

#include <stdexcept>

namespace weaver::testing {
namespace {

constexpr std::size_t kFlushAt = 1 << 20;

bool is_pcapng(CaptureFormat format) {
  return format == CaptureFormat::pcapng_us || format == CaptureFormat::pcapng_ns;
}

bool is_nanosecond(CaptureFormat format) {
  return format == CaptureFormat::pcap_ns || format == CaptureFormat::pcapng_ns;
}

}  // namespace

CaptureWriter::CaptureWriter(const std::string& path, CaptureFileSpec spec)
    : spec_(spec), out_(path, std::ios::binary | std::ios::trunc) {
  if (!out_) throw std::runtime_error("cannot create " + path);
  buffer_.reserve(kFlushAt + 65536);
  if (is_pcapng(spec_.format)) {
    // Section header block: no options.
    put32(0x0a0d0d0a);
    put32(28);
    put32(0x1a2b3c4d);
    put16(1);
    put16(0);
    put32(0xffffffff);  // section length unknown
    put32(0xffffffff);
    put32(28);
    // Interface description block with if_tsresol.
    put32(1);
    put32(32);
    put16(static_cast<std::uint16_t>(spec_.link_type));
    put16(0);
    put32(spec_.snap_length);
    put16(9);  // if_tsresol
    put16(1);
    buffer_.insert(buffer_.end(), {static_cast<std::uint8_t>(is_nanosecond(spec_.format) ? 9 : 6), 0, 0, 0});
    put32(0);  // opt_endofopt
    put32(32);
  } else {
    put32(is_nanosecond(spec_.format) ? 0xa1b23c4d : 0xa1b2c3d4);
    put16(2);
    put16(4);
    put32(0);
    put32(0);
    put32(spec_.snap_length);
    put32(spec_.link_type);
  }
}

CaptureWriter::~CaptureWriter() {
  if (!out_.is_open()) return;
  try {
    flush();
  } catch (const std::exception&) {
    // A destructor cannot report it; close() does.
  }
}

void CaptureWriter::put16(std::uint16_t v) {
  if (spec_.swapped) v = __builtin_bswap16(v);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v);
  buffer_.insert(buffer_.end(), bytes, bytes + 2);
}

void CaptureWriter::put32(std::uint32_t v) {
  if (spec_.swapped) v = __builtin_bswap32(v);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v);
  buffer_.insert(buffer_.end(), bytes, bytes + 4);
}

void CaptureWriter::write(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame,
                          std::uint32_t original_length) {
  const auto captured = static_cast<std::uint32_t>(frame.size());
  if (original_length == 0) original_length = captured;
  const bool nanosecond = is_nanosecond(spec_.format);
  if (is_pcapng(spec_.format)) {
    const std::uint64_t units =
        static_cast<std::uint64_t>(nanosecond ? timestamp_ns : timestamp_ns / 1000);
    const std::uint32_t padded = (captured + 3u) & ~3u;
    put32(6);
    put32(32 + padded);
    put32(0);
    put32(static_cast<std::uint32_t>(units >> 32));
    put32(static_cast<std::uint32_t>(units));
    put32(captured);
    put32(original_length);
    buffer_.insert(buffer_.end(), frame.begin(), frame.end());
    buffer_.insert(buffer_.end(), padded - captured, 0);
    put32(32 + padded);
  } else {
    put32(static_cast<std::uint32_t>(timestamp_ns / 1'000'000'000));
    const std::int64_t fraction = timestamp_ns % 1'000'000'000;
    put32(static_cast<std::uint32_t>(nanosecond ? fraction : fraction / 1000));
    put32(captured);
    put32(original_length);
    buffer_.insert(buffer_.end(), frame.begin(), frame.end());
  }
  if (buffer_.size() >= kFlushAt) flush();
}

void CaptureWriter::write_bytes(std::span<const std::uint8_t> bytes) {
  buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
}

void CaptureWriter::flush() {
  out_.write(reinterpret_cast<const char*>(buffer_.data()),
             static_cast<std::streamsize>(buffer_.size()));
  buffer_.clear();
  if (!out_) throw std::runtime_error("capture write failed");
}

void CaptureWriter::close() {
  flush();
  out_.close();
}

void write_capture(const std::string& path, const std::vector<CaptureRecord>& records,
                   CaptureFileSpec spec) {
  CaptureWriter writer(path, spec);
  for (const auto& record : records) writer.write(record.timestamp_ns, record.frame);
  writer.close();
}

}  // namespace weaver::testing

// Writes pcap (µs or ns) and pcapng files, in either byte order, buffered so
// that the benchmarks can write tens of millions of records quickly.
#pragma once

#include <cstdint>
#include <fstream>
#include <span>
#include <string>
#include <vector>

namespace weaver::testing {

enum class CaptureFormat { pcap_us, pcap_ns, pcapng_us, pcapng_ns };

struct CaptureFileSpec {
  CaptureFormat format = CaptureFormat::pcap_ns;
  std::uint32_t link_type = 1;  // Ethernet
  bool swapped = false;         // write in the byte order of the other endianness
  std::uint32_t snap_length = 262144;
};

class CaptureWriter {
 public:
  CaptureWriter(const std::string& path, CaptureFileSpec spec);
  ~CaptureWriter();
  CaptureWriter(const CaptureWriter&) = delete;
  CaptureWriter& operator=(const CaptureWriter&) = delete;

  // `original_length` 0 means the frame was captured whole.
  void write(std::int64_t timestamp_ns, std::span<const std::uint8_t> frame,
             std::uint32_t original_length = 0);
  // Raw bytes, for corrupt-file tests.
  void write_bytes(std::span<const std::uint8_t> bytes);
  void close();

 private:
  void put16(std::uint16_t v);
  void put32(std::uint32_t v);
  void flush();

  CaptureFileSpec spec_;
  std::ofstream out_;
  std::vector<std::uint8_t> buffer_;
};

// Convenience: one file from a list of (timestamp, frame) records.
struct CaptureRecord {
  std::int64_t timestamp_ns;
  std::vector<std::uint8_t> frame;
};
void write_capture(const std::string& path, const std::vector<CaptureRecord>& records,
                   CaptureFileSpec spec = {});

}  // namespace weaver::testing

// Reading pcap and pcapng files record by record, straight from a memory map.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace weaver::capture {

// One captured frame. `bytes` points into the reader's buffer and stays valid
// until the next call to CaptureReader::next().
struct RawPacket {
  std::int64_t timestamp_ns = 0;
  std::uint64_t record = 0;  // 1-based packet number in the file, as Wireshark counts frames
  std::uint32_t link_type = 0;
  std::uint32_t original_length = 0;
  std::span<const std::uint8_t> bytes;
};

class CaptureReader {
 public:
  virtual ~CaptureReader() = default;
  CaptureReader(const CaptureReader&) = delete;
  CaptureReader& operator=(const CaptureReader&) = delete;

  // Fills `packet` with the next record; false at the end of the file.
  // Throws InputError for a corrupt file. A record cut short at the end of
  // the file (a capture killed mid-write) ends the file with a warning.
  virtual bool next(RawPacket& packet) = 0;

  // "pcap", "pcap-ns" or "pcapng".
  virtual std::string_view format() const = 0;

  const std::string& path() const { return path_; }
  const std::vector<std::string>& warnings() const { return warnings_; }

 protected:
  explicit CaptureReader(std::string path) : path_(std::move(path)) {}
  void warn(std::string message) { warnings_.push_back(path_ + ": " + std::move(message)); }

 private:
  std::string path_;
  std::vector<std::string> warnings_;
};

// Opens a pcap (µs or ns, either byte order) or pcapng file.
// Throws InputError when the file is missing, empty or not a capture.
std::unique_ptr<CaptureReader> open_capture(const std::string& path);

}  // namespace weaver::capture

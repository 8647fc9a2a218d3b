// Writing pcapng files that Wireshark, tshark and libpcap read: one section,
// one interface per link type (nanosecond timestamps), and an Enhanced Packet
// Block per packet with an optional comment.
//
// The file is written as `<path>.part` and renamed to `<path>` by commit(),
// so a write that fails or is abandoned never leaves a file that looks
// complete: the destructor removes the `.part` file unless commit() ran.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "weaver/capture/capture_reader.hpp"

namespace weaver::capture {

class PcapngWriter {
 public:
  // tcpdump's default snapshot length: no frame weaver reads is cut by it.
  static constexpr std::uint32_t kDefaultSnapLength = 262144;

  // Creates `<path>.part`; `application` goes into the section header's
  // shb_userappl option. Throws weaver::Error naming `path` when the file
  // cannot be created.
  PcapngWriter(std::string path, std::string_view application,
               std::uint32_t snap_length = kDefaultSnapLength);
  ~PcapngWriter();
  PcapngWriter(const PcapngWriter&) = delete;
  PcapngWriter& operator=(const PcapngWriter&) = delete;

  // Appends `packet` (its timestamp, link type, original length and bytes),
  // with `comment` (UTF-8) as its opt_comment unless it is empty. Throws
  // weaver::Error naming the file when the write fails or the packet cannot
  // be stored (a negative timestamp).
  void write(const RawPacket& packet, std::string_view comment = {});

  // Flushes and closes the file and renames it to its final path. Throws
  // weaver::Error naming the file on failure (and removes the `.part` file).
  void commit();

  const std::string& path() const { return path_; }
  std::uint64_t packets() const { return packets_; }

 private:
  std::uint32_t interface_for(std::uint32_t link_type);
  void put16(std::uint16_t value);
  void put32(std::uint32_t value);
  void put_option(std::uint16_t code, std::string_view value);
  void begin_block(std::uint32_t type);
  void end_block();
  [[noreturn]] void fail(const std::string& what);
  void discard() noexcept;

  std::string path_;
  std::string part_path_;
  std::uint32_t snap_length_;
  std::ofstream out_;
  std::vector<std::uint8_t> block_;    // the block being assembled
  std::vector<std::uint32_t> links_;   // link type of each interface, by interface id
  std::uint64_t packets_ = 0;
  bool open_ = false;                  // the .part file exists and is ours
};

}  // namespace weaver::capture

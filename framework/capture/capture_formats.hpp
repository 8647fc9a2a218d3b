// The concrete readers behind open_capture().
#pragma once

#include <memory>

#include "mapped_file.hpp"
#include "weaver/error.hpp"
#include "weaver/capture/capture_reader.hpp"

namespace weaver::capture {

// Largest record weaver accepts; larger lengths mean a corrupt file.
inline constexpr std::uint32_t kMaxRecordLength = 256u << 20;

std::unique_ptr<CaptureReader> make_pcap_reader(std::string path, MappedFile file);
std::unique_ptr<CaptureReader> make_pcapng_reader(std::string path, MappedFile file);

// The next record as `read_next()` gives it, unless the file shrank under the
// reader: then InputError naming the file, whatever its zeros read as.
template <typename ReadNext>
bool next_unless_changed(const MappedFile& file, const std::string& path, ReadNext read_next) {
  bool more = false;
  try {
    more = read_next();
  } catch (const InputError&) {
    file.check_unchanged(path);
    throw;
  }
  if (!more) file.check_unchanged(path);
  return more;
}

// Refuses link types the decoder does not read, naming the file and what it reads.
void require_supported_link_type(const std::string& path, std::uint32_t link_type,
                                 std::uint64_t record);

}  // namespace weaver::capture

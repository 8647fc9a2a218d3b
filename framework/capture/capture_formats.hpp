// The concrete readers behind open_capture().
#pragma once

#include <memory>

#include "mapped_file.hpp"
#include "weaver/capture/capture_reader.hpp"

namespace weaver::capture {

// Largest record weaver accepts; larger lengths mean a corrupt file.
inline constexpr std::uint32_t kMaxRecordLength = 256u << 20;

std::unique_ptr<CaptureReader> make_pcap_reader(std::string path, MappedFile file);
std::unique_ptr<CaptureReader> make_pcapng_reader(std::string path, MappedFile file);

// Refuses link types the decoder does not read, naming the file and what it reads.
void require_supported_link_type(const std::string& path, std::uint32_t link_type,
                                 std::uint64_t record);

}  // namespace weaver::capture

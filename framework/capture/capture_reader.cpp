#include "weaver/capture/capture_reader.hpp"

#include <string>

#include "byte_order.hpp"
#include "capture_formats.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/error.hpp"

namespace weaver::capture {

void require_supported_link_type(const std::string& path, std::uint32_t link_type,
                                 std::uint64_t record) {
  if (is_supported_link_type(link_type)) return;
  const std::string text = "link type " + std::to_string(link_type) +
                           " is not supported (weaver reads Ethernet, Linux cooked SLL/SLL2 "
                           "and raw IP captures)";
  if (record == 0) throw InputError(path, text);
  throw InputError(path, text, record);
}

std::unique_ptr<CaptureReader> open_capture(const std::string& path) {
  MappedFile file(path);
  const auto bytes = file.bytes();
  if (bytes.empty()) throw InputError(path, "empty file, not a capture");
  if (bytes.size() < 4) throw InputError(path, "not a pcap or pcapng capture (file too short)");
  const std::uint32_t magic = load_u32(bytes.data(), false);
  switch (magic) {
    case 0xa1b2c3d4:
    case 0xd4c3b2a1:
    case 0xa1b23c4d:
    case 0x4d3cb2a1:
      return make_pcap_reader(path, std::move(file));
    case 0x0a0d0d0a:
      return make_pcapng_reader(path, std::move(file));
    default:
      throw InputError(path, "not a pcap or pcapng capture (unknown magic number)");
  }
}

}  // namespace weaver::capture

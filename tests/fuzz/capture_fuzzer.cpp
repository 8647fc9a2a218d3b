// libFuzzer harness: the input is a capture file. It is written to a
// temporary file (open_capture reads through a memory map), read record by
// record, and each record is decoded and keyed as `weaver analyze` does.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "temp_input.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/error.hpp"

namespace {

// Far above any seed; keeps one pathological input from looping for long.
constexpr std::size_t kMaxRecords = 100000;

const weaver::fuzz::TempInput& temp_capture() {
  static const weaver::fuzz::TempInput temp("input.pcap");  // created once, removed at exit
  return temp;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace weaver;
  const fuzz::TempInput& temp = temp_capture();
  temp.write(data, size);

  capture::DecodedPacket reused;  // carried across records, as analyze does
  std::vector<std::uint8_t> frame;
  try {
    const std::unique_ptr<capture::CaptureReader> reader = capture::open_capture(temp.path);
    const std::string_view format = reader->format();
    if (format != "pcap" && format != "pcap-ns" && format != "pcapng") {
      fuzz::invariant_failed("unknown capture format name");
    }
    capture::RawPacket packet;
    std::uint64_t last_record = 0;
    for (std::size_t count = 0; count < kMaxRecords && reader->next(packet); ++count) {
      if (packet.bytes.size() > size) fuzz::invariant_failed("record longer than the file");
      if (packet.record <= last_record) fuzz::invariant_failed("record numbers do not increase");
      if (!capture::is_supported_link_type(packet.link_type)) {
        fuzz::invariant_failed("reader returned an unsupported link type");
      }
      last_record = packet.record;
      // The reader's bytes live in a memory map, which AddressSanitizer does
      // not watch; an exact-size heap copy makes any decoder overread visible.
      frame.assign(packet.bytes.begin(), packet.bytes.end());
      fuzz::decode_and_key(packet.link_type, frame, reused);
    }
    for (const std::string& warning : reader->warnings()) {
      if (warning.empty()) fuzz::invariant_failed("empty warning");
    }
  } catch (const InputError& error) {
    // A corrupt or unsupported file: the expected outcome for most inputs.
    if (error.file() != temp.path) fuzz::invariant_failed("InputError names another file");
  } catch (const Error&) {
    // Any other weaver error is a refusal too, not a crash.
  }
  return 0;
}

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
#include "weaver/capture/capture_reader.hpp"
#include "weaver/error.hpp"

namespace {

// Far above any seed; keeps one pathological input from looping for long.
constexpr std::size_t kMaxRecords = 100000;

struct TempCapture {
  std::string directory;
  std::string path;

  TempCapture() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/weaver-capture-fuzzer-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
      std::perror("capture_fuzzer: mkdtemp");
      std::abort();
    }
    directory = buffer.data();
    path = directory + "/input.pcap";
  }

  ~TempCapture() {
    ::unlink(path.c_str());
    ::rmdir(directory.c_str());
  }

  TempCapture(const TempCapture&) = delete;
  TempCapture& operator=(const TempCapture&) = delete;

  void write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
      std::perror("capture_fuzzer: fopen");
      std::abort();
    }
    if (size > 0 && std::fwrite(data, 1, size, file) != size) {
      std::perror("capture_fuzzer: fwrite");
      std::abort();
    }
    if (std::fclose(file) != 0) {
      std::perror("capture_fuzzer: fclose");
      std::abort();
    }
  }
};

const TempCapture& temp_capture() {
  static const TempCapture temp;  // created once, removed at exit
  return temp;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace weaver;
  const TempCapture& temp = temp_capture();
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

// libFuzzer harness for the frame decoder alone (no file I/O, so it runs far
// faster than capture_fuzzer). Input: a 2-byte little-endian link-type
// selector, then the frame. The frame is copied into an exact-size heap
// buffer so AddressSanitizer catches a read even one byte past it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "fuzz_common.hpp"

namespace {

// Indexed by selector % size: the link types weaver reads (raw IP once as
// LINKTYPE_RAW, once as the legacy DLT_RAW 12 that some systems write).
constexpr std::array<std::uint32_t, 7> kLinkTypes = {
    weaver::capture::kLinkEthernet, weaver::capture::kLinkRaw,  weaver::capture::kLinkLinuxSll,
    weaver::capture::kLinkIpv4,     weaver::capture::kLinkIpv6, weaver::capture::kLinkLinuxSll2,
    weaver::capture::kLinkRawLegacy};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const unsigned selector = data[0] | unsigned{data[1]} << 8;
  const std::uint32_t link_type = kLinkTypes[selector % kLinkTypes.size()];
  const std::vector<std::uint8_t> frame(data + 2, data + size);

  weaver::capture::DecodedPacket reused;
  weaver::fuzz::make_stale(reused);
  weaver::fuzz::decode_and_key(link_type, frame, reused);
  return 0;
}

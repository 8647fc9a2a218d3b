// pcapng: a sequence of blocks; each section (SHB) sets the byte order and
// owns its interfaces (IDB), whose link type and time resolution apply to
// the packet blocks (EPB, obsolete PB) that name them.
#include <climits>
#include <string>
#include <vector>

#include "byte_order.hpp"
#include "capture_formats.hpp"
#include "weaver/error.hpp"

namespace weaver::capture {
namespace {

__extension__ using Int128 = __int128;  // exact units-to-ns conversion for any resolution

constexpr std::uint32_t kSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kObsoletePacket = 2;
constexpr std::uint32_t kSimplePacket = 3;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr std::uint16_t kOptionEnd = 0;
constexpr std::uint16_t kOptionTsResolution = 9;
constexpr std::uint16_t kOptionTsOffset = 14;

struct Interface {
  std::uint32_t link_type = 0;
  std::uint8_t ts_resolution = 6;  // if_tsresol: 10^-6 unless the IDB says otherwise
  std::int64_t offset_ns = 0;

  // False when the time does not fit in signed 64-bit nanoseconds.
  bool to_nanoseconds(std::uint64_t units, std::int64_t& ns) const {
    const unsigned exponent = ts_resolution & 0x7f;
    Int128 value;
    if (ts_resolution & 0x80) {  // a power of two
      value = exponent >= 127 ? 0 : (static_cast<Int128>(units) * 1'000'000'000) >> exponent;
    } else if (exponent <= 9) {
      value = static_cast<Int128>(units) * kPow10[9 - exponent];
    } else {
      value = exponent > 19 ? 0 : static_cast<Int128>(units) / kPow10[exponent - 9];
    }
    value += offset_ns;
    if (value > INT64_MAX || value < INT64_MIN) return false;
    ns = static_cast<std::int64_t>(value);
    return true;
  }

  static constexpr std::uint64_t kPow10[] = {1,          10,          100,         1000,
                                             10000,      100000,      1000000,     10000000,
                                             100000000,  1000000000,  10000000000, 100000000000};
};

class PcapngReader final : public CaptureReader {
 public:
  PcapngReader(std::string path, MappedFile file)
      : CaptureReader(std::move(path)), file_(std::move(file)) {}

  std::string_view format() const override { return "pcapng"; }

  bool next(RawPacket& packet) override {
    return next_unless_changed(file_, path(), [&] { return read_next(packet); });
  }

 private:
  bool read_next(RawPacket& packet) {
    const auto bytes = file_.bytes();
    while (offset_ < bytes.size()) {
      const std::size_t remaining = bytes.size() - offset_;
      const std::uint8_t* block = bytes.data() + offset_;
      const std::uint32_t type = remaining >= 4 ? load_u32(block, false) : 0;
      if (remaining < 12) return stop_truncated(type, remaining, 12);
      if (type == kSectionHeader) start_section(block, remaining);
      const std::uint32_t length = load_u32(block + 4, swapped_);
      if (length < 12 || length % 4 != 0 || length > kMaxRecordLength) {
        corrupt("block length " + std::to_string(length) + " is invalid");
      }
      if (length > remaining) return stop_truncated(type, remaining, length);
      if (load_u32(block + length - 4, swapped_) != length) {
        corrupt("block's trailing length does not match its leading length");
      }
      offset_ += length;
      file_.release_before(offset_);
      const std::uint32_t host_type = type == kSectionHeader ? type : load_u32(block, swapped_);
      const Body body{block + 8, length - 12};
      switch (host_type) {
        case kInterfaceDescription:
          add_interface(body);
          break;
        case kEnhancedPacket:
          if (read_packet(body, packet, /*obsolete=*/false)) return true;
          break;
        case kObsoletePacket:
          if (read_packet(body, packet, /*obsolete=*/true)) return true;
          break;
        case kSimplePacket:
          ++record_;  // it has no timestamp, so it cannot be matched in time
          ++untimed_packets_;
          if (untimed_packets_ == 1) {
            warn("record " + std::to_string(record_) +
                 " is a simple packet block without a timestamp; such packets are skipped");
          }
          break;
        default:
          break;  // name resolution, statistics, custom blocks: nothing to match
      }
    }
    return false;
  }

 private:
  struct Body {
    const std::uint8_t* data;
    std::size_t size;
  };

  [[noreturn]] void corrupt(const std::string& what) const {
    throw InputError(path(), "pcapng block at byte " + std::to_string(offset_) + ": " + what +
                                 "; the file is corrupt");
  }

  void start_section(const std::uint8_t* block, std::size_t remaining) {
    if (remaining < 28) corrupt("section header is too short");
    const std::uint32_t magic = load_u32(block + 8, false);
    if (magic == kByteOrderMagic) {
      swapped_ = false;
    } else if (magic == __builtin_bswap32(kByteOrderMagic)) {
      swapped_ = true;
    } else {
      corrupt("section header has an unknown byte-order magic");
    }
    interfaces_.clear();
  }

  void add_interface(Body body) {
    if (body.size < 8) corrupt("interface description is too short");
    Interface interface;
    interface.link_type = load_u16(body.data, swapped_);
    require_supported_link_type(path(), interface.link_type, 0);
    // Options: code (2), length (2), value padded to 4 bytes.
    std::size_t at = 8;
    while (at + 4 <= body.size) {
      const std::uint16_t code = load_u16(body.data + at, swapped_);
      const std::uint16_t size = load_u16(body.data + at + 2, swapped_);
      at += 4;
      if (code == kOptionEnd) break;
      if (at + size > body.size) corrupt("interface option runs past its block");
      if (code == kOptionTsResolution && size >= 1) interface.ts_resolution = body.data[at];
      if (code == kOptionTsOffset && size >= 8) {
        const auto seconds = static_cast<std::int64_t>(load_u64(body.data + at, swapped_));
        if (__builtin_mul_overflow(seconds, 1'000'000'000, &interface.offset_ns)) {
          corrupt("interface time offset (if_tsoffset) is out of range");
        }
      }
      at += (size + 3u) & ~3u;
    }
    interfaces_.push_back(interface);
  }

  bool read_packet(Body body, RawPacket& packet, bool obsolete) {
    const std::uint64_t record = ++record_;
    if (body.size < 20) {
      throw InputError(path(), "packet block is shorter than its fixed fields", record);
    }
    const std::uint32_t interface_id =
        obsolete ? load_u16(body.data, swapped_) : load_u32(body.data, swapped_);
    if (interface_id >= interfaces_.size()) {
      throw InputError(path(),
                       "packet names interface " + std::to_string(interface_id) +
                           " but the section describes " + std::to_string(interfaces_.size()),
                       record);
    }
    const std::uint64_t units = (std::uint64_t{load_u32(body.data + 4, swapped_)} << 32) |
                                load_u32(body.data + 8, swapped_);
    const std::uint32_t captured = load_u32(body.data + 12, swapped_);
    if (captured > body.size - 20) {
      throw InputError(path(),
                       "captured length " + std::to_string(captured) + " runs past its block",
                       record);
    }
    const Interface& interface = interfaces_[interface_id];
    if (!interface.to_nanoseconds(units, packet.timestamp_ns)) {
      throw InputError(path(), "timestamp is out of range; the file is corrupt", record);
    }
    packet.record = record;
    packet.link_type = interface.link_type;
    packet.original_length = load_u32(body.data + 16, swapped_);
    packet.bytes = {body.data + 20, captured};
    return true;
  }

  bool stop_truncated(std::uint32_t type, std::size_t have, std::size_t need) {
    const std::uint32_t host_type = swapped_ ? __builtin_bswap32(type) : type;
    const bool packet_block = host_type == kEnhancedPacket || host_type == kObsoletePacket ||
                              host_type == kSimplePacket;
    const std::string what = packet_block ? "record " + std::to_string(record_ + 1)
                                          : "the block after record " + std::to_string(record_);
    warn(what + " is truncated (the file ends after " + std::to_string(have) + " of " +
         std::to_string(need) + " bytes); the " + std::to_string(record_) +
         " complete records before it are used");
    offset_ = file_.size();
    return false;
  }

  MappedFile file_;
  bool swapped_ = false;
  std::vector<Interface> interfaces_;
  std::size_t offset_ = 0;
  std::uint64_t record_ = 0;
  std::uint64_t untimed_packets_ = 0;
};

}  // namespace

std::unique_ptr<CaptureReader> make_pcapng_reader(std::string path, MappedFile file) {
  return std::make_unique<PcapngReader>(std::move(path), std::move(file));
}

}  // namespace weaver::capture

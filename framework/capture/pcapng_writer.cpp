// pcapng as the specification (draft-ietf-opsawg-pcapng) lays it out, in
// little-endian byte order: every block is type, total length, body padded
// to 32 bits, total length again; options are code, length, value padded to
// 32 bits, closed by opt_endofopt.
#include "weaver/capture/pcapng_writer.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>
#include <utility>

#include "weaver/error.hpp"

namespace weaver::capture {
namespace {

constexpr std::uint32_t kSectionHeader = 0x0a0d0d0a;
constexpr std::uint32_t kInterfaceDescription = 1;
constexpr std::uint32_t kEnhancedPacket = 6;
constexpr std::uint32_t kByteOrderMagic = 0x1a2b3c4d;
constexpr std::uint16_t kOptionEnd = 0;
constexpr std::uint16_t kOptionComment = 1;
constexpr std::uint16_t kOptionUserApplication = 4;  // shb_userappl
constexpr std::uint16_t kOptionTsResolution = 9;     // if_tsresol
constexpr std::uint8_t kNanoseconds = 9;             // if_tsresol: 10^-9 s
constexpr std::size_t kMaxOptionLength = 0xffff;
// Larger packets would overflow a block's 32-bit length.
constexpr std::size_t kMaxPacketLength = std::size_t{1} << 30;

std::string system_error_text(int error) {
  return error != 0 ? std::strerror(error) : "unknown error";
}

}  // namespace

PcapngWriter::PcapngWriter(std::string path, std::string_view application,
                           std::uint32_t snap_length)
    : path_(std::move(path)), part_path_(path_ + ".part"), snap_length_(snap_length) {
  errno = 0;
  out_.open(part_path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw Error(path_ + ": cannot create " + part_path_ + ": " + system_error_text(errno));
  open_ = true;

  begin_block(kSectionHeader);
  put32(kByteOrderMagic);
  put16(1);  // major version
  put16(0);  // minor version
  put32(0xffffffff);  // section length: not given (64 bits of -1)
  put32(0xffffffff);
  put_option(kOptionUserApplication, application.substr(0, kMaxOptionLength));
  put_option(kOptionEnd, {});
  end_block();
}

PcapngWriter::~PcapngWriter() { discard(); }

void PcapngWriter::write(const RawPacket& packet, std::string_view comment) {
  if (!open_) fail("cannot write: the file is already closed");
  if (packet.timestamp_ns < 0) {
    fail("record " + std::to_string(packet.record) + " has a timestamp before 1970");
  }
  if (packet.bytes.size() > kMaxPacketLength) {
    fail("record " + std::to_string(packet.record) + " is too large");
  }
  if (comment.size() > kMaxOptionLength) {
    fail("the comment of record " + std::to_string(packet.record) + " is too long");
  }
  const std::uint32_t interface = interface_for(packet.link_type);
  const auto units = static_cast<std::uint64_t>(packet.timestamp_ns);
  const auto captured = static_cast<std::uint32_t>(packet.bytes.size());

  begin_block(kEnhancedPacket);
  put32(interface);
  put32(static_cast<std::uint32_t>(units >> 32));
  put32(static_cast<std::uint32_t>(units));
  put32(captured);
  put32(std::max(packet.original_length, captured));
  block_.insert(block_.end(), packet.bytes.begin(), packet.bytes.end());
  block_.resize((block_.size() + 3) & ~std::size_t{3}, 0);
  if (!comment.empty()) {
    put_option(kOptionComment, comment);
    put_option(kOptionEnd, {});
  }
  end_block();
  ++packets_;
}

void PcapngWriter::commit() {
  if (!open_) fail("cannot commit: the file is already closed");
  out_.close();
  if (out_.fail()) fail("cannot write " + part_path_ + ": " + system_error_text(errno));
  std::error_code error;
  std::filesystem::rename(part_path_, path_, error);
  if (error) fail("cannot rename " + part_path_ + " to it: " + error.message());
  open_ = false;
}

// Interfaces are described as their link types first appear, each before
// the first packet that names it.
std::uint32_t PcapngWriter::interface_for(std::uint32_t link_type) {
  const auto known = std::find(links_.begin(), links_.end(), link_type);
  if (known != links_.end()) return static_cast<std::uint32_t>(known - links_.begin());
  if (link_type > 0xffff) fail("link type " + std::to_string(link_type) + " does not fit pcapng");

  begin_block(kInterfaceDescription);
  put16(static_cast<std::uint16_t>(link_type));
  put16(0);  // reserved
  put32(snap_length_);
  const char resolution = static_cast<char>(kNanoseconds);
  put_option(kOptionTsResolution, std::string_view(&resolution, 1));
  put_option(kOptionEnd, {});
  end_block();
  links_.push_back(link_type);
  return static_cast<std::uint32_t>(links_.size() - 1);
}

void PcapngWriter::put16(std::uint16_t value) {
  block_.push_back(static_cast<std::uint8_t>(value));
  block_.push_back(static_cast<std::uint8_t>(value >> 8));
}

void PcapngWriter::put32(std::uint32_t value) {
  for (int shift = 0; shift < 32; shift += 8) {
    block_.push_back(static_cast<std::uint8_t>(value >> shift));
  }
}

void PcapngWriter::put_option(std::uint16_t code, std::string_view value) {
  put16(code);
  put16(static_cast<std::uint16_t>(value.size()));
  block_.insert(block_.end(), value.begin(), value.end());
  block_.resize((block_.size() + 3) & ~std::size_t{3}, 0);
}

// A block is assembled whole in `block_`: its length is known only at the end.
void PcapngWriter::begin_block(std::uint32_t type) {
  block_.clear();
  put32(type);
  put32(0);  // total length, filled in by end_block()
}

void PcapngWriter::end_block() {
  const auto length = static_cast<std::uint32_t>(block_.size() + 4);
  put32(length);
  std::copy_n(block_.end() - 4, 4, block_.begin() + 4);
  errno = 0;
  out_.write(reinterpret_cast<const char*>(block_.data()), static_cast<std::streamsize>(block_.size()));
  if (!out_) fail("cannot write " + part_path_ + ": " + system_error_text(errno));
}

void PcapngWriter::fail(const std::string& what) {
  discard();
  throw Error(path_ + ": " + what);
}

void PcapngWriter::discard() noexcept {
  if (!open_) return;
  open_ = false;
  out_.close();
  std::error_code ignored;
  std::filesystem::remove(part_path_, ignored);
}

}  // namespace weaver::capture

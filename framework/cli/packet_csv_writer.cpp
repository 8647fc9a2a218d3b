#include "packet_csv_writer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "weaver/error.hpp"
#include "weaver/output_file.hpp"

namespace weaver::cli {
namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr std::size_t kLongestField = 20;  // -9223372036854775808
constexpr std::size_t kLongestRow = 3 * (kLongestField + 1);

}  // namespace

PacketCsvWriter::PacketCsvWriter(std::string path, const std::vector<std::string>& inputs)
    : path_(std::move(path)) {
  check_output_target(path_, "--packets", inputs);
  fd_ = create_temporary_beside(path_, "--packets", temporary_path_);
  buffer_.reserve(kBufferSize);
  const std::string_view header = "pif_ns,vif_ns,delta_ns\n";
  buffer_.insert(buffer_.end(), header.begin(), header.end());
}

PacketCsvWriter::~PacketCsvWriter() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !temporary_path_.empty()) ::unlink(temporary_path_.c_str());
}

void PacketCsvWriter::write(const analysis::MatchedPacket& packet) {
  if (buffer_.size() + kLongestRow > kBufferSize) flush();
  append(packet.pif_ns, ',');
  append(packet.vif_ns, ',');
  append(packet.delta_ns(), '\n');
}

void PacketCsvWriter::append(std::int64_t value, char separator) {
  char field[kLongestField + 1];
  char* end = std::to_chars(field, field + kLongestField, value).ptr;
  *end++ = separator;
  buffer_.insert(buffer_.end(), field, end);
}

void PacketCsvWriter::flush() {
  if (const int error = write_all(fd_, std::string_view(buffer_.data(), buffer_.size())); error != 0) {
    throw Error("--packets " + path_ + ": write failed: " + std::strerror(error));
  }
  buffer_.clear();
}

void PacketCsvWriter::commit() {
  flush();
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) {
    throw Error("--packets " + path_ + ": write failed: " + std::strerror(errno));
  }
  if (std::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
    throw Error("--packets " + path_ + ": cannot rename " + temporary_path_ + " into place");
  }
  committed_ = true;
}

}  // namespace weaver::cli

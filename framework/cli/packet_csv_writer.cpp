#include "packet_csv_writer.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "weaver/error.hpp"

namespace weaver::cli {
namespace {

constexpr std::size_t kBufferSize = 1 << 20;
constexpr std::size_t kLongestField = 20;  // -9223372036854775808
constexpr std::size_t kLongestRow = 3 * (kLongestField + 1);

// Refuses a target that exists and is not a regular file, or is an input.
void check_target(const std::string& path, const std::vector<std::string>& inputs) {
  struct stat target {};
  if (::lstat(path.c_str(), &target) != 0) {
    if (errno == ENOENT) return;  // new: fine
    throw UsageError("--packets " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(target.st_mode)) {
    const char* kind = S_ISLNK(target.st_mode)   ? "a symbolic link"
                       : S_ISDIR(target.st_mode) ? "a folder"
                       : S_ISFIFO(target.st_mode) ? "a FIFO"
                                                  : "a device or socket";
    throw UsageError("--packets " + path + ": is " + std::string(kind) +
                     "; give a new file or a regular file to replace");
  }
  for (const std::string& input : inputs) {
    struct stat other {};
    if (::stat(input.c_str(), &other) == 0 && other.st_dev == target.st_dev && other.st_ino == target.st_ino) {
      throw UsageError("--packets " + path + ": is the capture " + input + ", which is being read");
    }
  }
}

}  // namespace

PacketCsvWriter::PacketCsvWriter(std::string path, const std::vector<std::string>& inputs)
    : path_(std::move(path)) {
  check_target(path_, inputs);
  std::string pattern = path_ + ".partial-XXXXXX";
  fd_ = ::mkstemp(pattern.data());  // O_CREAT | O_EXCL: never an existing file or link
  if (fd_ < 0) throw UsageError("--packets " + path_ + ": cannot create the file: " + std::strerror(errno));
  ::fchmod(fd_, 0644);
  temporary_path_ = pattern;
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
  std::size_t done = 0;
  while (done < buffer_.size()) {
    const ssize_t wrote = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) throw Error("--packets " + path_ + ": write failed: " + std::strerror(errno));
    done += static_cast<std::size_t>(wrote);
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

#include "weaver/output_file.hpp"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "weaver/error.hpp"
#include "weaver/input_file.hpp"

namespace weaver {

void check_output_target(const std::string& path, const std::string& option,
                         const std::vector<std::string>& inputs) {
  struct stat target {};
  if (::lstat(path.c_str(), &target) != 0) {
    if (errno == ENOENT) return;  // new: fine
    throw UsageError(option + " " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(target.st_mode)) {
    throw UsageError(option + " " + path + ": is " + file_kind(target.st_mode) +
                     "; give a new file or a regular file to replace");
  }
  for (const std::string& input : inputs) {
    struct stat other {};
    if (::stat(input.c_str(), &other) == 0 && other.st_dev == target.st_dev && other.st_ino == target.st_ino) {
      throw UsageError(option + " " + path + ": is the input " + input + ", which is being read");
    }
  }
}

int write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t wrote = ::write(fd, bytes.data(), bytes.size());
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return wrote < 0 ? errno : EIO;
    bytes.remove_prefix(static_cast<std::size_t>(wrote));
  }
  return 0;
}

int create_temporary_beside(const std::string& path, const std::string& option, std::string& temporary_path) {
  std::string pattern = path + ".partial-XXXXXX";
  const int fd = ::mkstemp(pattern.data());  // O_CREAT | O_EXCL
  if (fd < 0) throw UsageError(option + " " + path + ": cannot create the file: " + std::strerror(errno));
  ::fchmod(fd, 0644);
  temporary_path = pattern;
  return fd;
}

void write_output_file(const std::string& path, std::string_view content, const std::string& option,
                       const std::vector<std::string>& inputs) {
  check_output_target(path, option, inputs);
  std::string temporary;
  const int fd = create_temporary_beside(path, option, temporary);
  int error = write_all(fd, content);
  if (::close(fd) != 0 && error == 0) error = errno;
  if (error == 0 && std::rename(temporary.c_str(), path.c_str()) != 0) error = errno;
  if (error != 0) {
    ::unlink(temporary.c_str());
    throw Error(option + " " + path + ": cannot write it (" + std::strerror(error) + ")");
  }
}

}  // namespace weaver

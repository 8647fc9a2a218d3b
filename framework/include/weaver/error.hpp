// The one exception family for setup and parsing. Each error carries the
// thing it concerns (a file, a host, an option) so the CLI prints one line
// that says what was wrong and where.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace weaver {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The user asked for something that cannot work (bad option value, bad filter).
class UsageError : public Error {
 public:
  using Error::Error;
};

// An input file is unusable. `record` is the 1-based record number in the
// file when the problem is inside a record.
class InputError : public Error {
 public:
  InputError(std::string file, std::string message,
             std::optional<std::uint64_t> record = std::nullopt);

  const std::string& file() const noexcept { return file_; }
  std::optional<std::uint64_t> record() const noexcept { return record_; }

 private:
  std::string file_;
  std::optional<std::uint64_t> record_;
};

}  // namespace weaver

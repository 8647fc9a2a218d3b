#include "weaver/error.hpp"

#include <utility>

namespace weaver {
namespace {

std::string describe(const std::string& file, const std::string& message,
                     std::optional<std::uint64_t> record) {
  std::string text = file + ": ";
  if (record) text += "record " + std::to_string(*record) + ": ";
  return text + message;
}

}  // namespace

InputError::InputError(std::string file, std::string message,
                       std::optional<std::uint64_t> record)
    : Error(describe(file, message, record)), file_(std::move(file)), record_(record) {}

}  // namespace weaver

#include "lab_paths.hpp"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace weaver::lab {

std::string forwarder_path() {
  if (const char* configured = std::getenv("WEAVER_FORWARDER")) {
    return ::access(configured, X_OK) == 0 ? configured : "";
  }
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return "";
  const auto candidate = self.parent_path() / "weaver-forwarder";
  return ::access(candidate.c_str(), X_OK) == 0 ? candidate.string() : "";
}

}  // namespace weaver::lab

#include "beside_weaver.hpp"

namespace weaver::cli {

std::filesystem::path beside_weaver(std::string_view name) {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return error ? std::filesystem::path() : self.parent_path() / name;
}

}  // namespace weaver::cli

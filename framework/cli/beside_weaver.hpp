// weaver-gen and weaver-agent are built next to weaver and installed beside it.
#pragma once

#include <filesystem>
#include <string_view>

namespace weaver::cli {

// The path of `name` in weaver's own folder (empty when /proc/self/exe is unreadable).
std::filesystem::path beside_weaver(std::string_view name);

}  // namespace weaver::cli

// Files a user names as input are hostile until checked: each is opened
// without blocking and must be a regular file (a FIFO would hang the read, a
// device would stream forever), and whole-file reads are bounded, so a wrong
// path is one clear line instead of a hang or an exhausted memory.
#pragma once

#include <cstdint>
#include <string>

namespace weaver {

inline constexpr std::uint64_t kMaxConfigBytes = 4ull << 20;   // lab and scenario files
inline constexpr std::uint64_t kMaxResultsBytes = 1ull << 30;  // weaver.json and other run JSON

// What a file that is not a regular one is, for messages ("a FIFO", "a
// folder", "a device", "a symbolic link", ...); `mode` is struct stat's.
std::string file_kind(unsigned mode);

// A read-only descriptor of `path`, checked to be a regular file (the caller
// closes it). `what` names the file's role in messages ("lab file"). Throws
// InputError(path, why).
int open_regular_file(const std::string& path, const std::string& what);

// The whole of `path` (a regular file of at most `max_bytes`).
std::string read_input_file(const std::string& path, std::uint64_t max_bytes, const std::string& what);

}  // namespace weaver

// Files weaver writes where a user said: never replacing what is not ours to
// replace (a device node, a FIFO, a link, a folder, or one of the run's own
// inputs), and written whole or not at all: a new temporary file beside the
// target (created exclusively, no link followed), renamed into place.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weaver {

// Throws UsageError("<option> <path>: ...") when `path` exists and is not a
// regular file, or is the same file as one of `inputs`.
void check_output_target(const std::string& path, const std::string& option,
                         const std::vector<std::string>& inputs = {});

// Writes all of `bytes` to `fd`, past short writes and EINTR; 0, or the errno
// of the write that failed.
int write_all(int fd, std::string_view bytes);

// A new temporary file beside `path` ("<path>.partial-XXXXXX"); returns its
// descriptor and sets `temporary_path`. Throws UsageError naming the option.
int create_temporary_beside(const std::string& path, const std::string& option, std::string& temporary_path);

// check_output_target, then `content` through a temporary file renamed into
// place; a failed write leaves the target as it was. Throws weaver::Error.
void write_output_file(const std::string& path, std::string_view content, const std::string& option,
                       const std::vector<std::string>& inputs = {});

}  // namespace weaver

// weaver-gen on the sources: the local binary is uploaded once per source
// into the SSH user's ~/.cache/weaver/ (a private folder), named by a hash of
// its content, so later runs find it there and upload nothing. A partial
// upload never takes the final name: it goes to a temporary name first and
// is renamed when complete.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "weaver/remote/executor.hpp"

namespace weaver::orchestrator {

struct GeneratorBinary {
  std::filesystem::path local;  // absolute
  std::string content_hash;  // 16 hex digits (FNV-1a, 64 bits)
  std::uint64_t size = 0;

  // Throws weaver::Error naming the file when it cannot be read.
  static GeneratorBinary load(const std::filesystem::path& local);

  // Where it is kept on a source, relative to the SSH login folder.
  std::string remote_path() const;
};

// Makes sure the source has the binary (uploading it when it has not);
// returns the path to run it by. Throws RemoteError (or weaver::Error) when
// the source cannot take it.
remote::asio::awaitable<std::string> install_generator(remote::Executor& source,
                                                       const GeneratorBinary& binary);

// What a source sends with for the rest of the run: weaver-gen at `path`, or,
// when it could not be installed there (SFTP refused, no writable home),
// hping3, with the reason kept for the case reports.
struct SourceGenerator {
  std::optional<std::string> path;
  std::string fallback_reason;
};

}  // namespace weaver::orchestrator

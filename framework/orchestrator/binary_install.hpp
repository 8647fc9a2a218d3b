// weaver-gen on the sources and weaver-agent on every host: the local binary
// is uploaded once per host into the SSH user's ~/.cache/weaver/ (a private
// folder), named by a hash of its content, so later runs find it there and
// upload nothing. A partial upload never takes the final name: it goes to a
// temporary name first and is renamed when complete.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "weaver/remote/executor.hpp"

namespace weaver::orchestrator {

struct CachedBinary {
  std::string name;  // "weaver-gen", "weaver-agent": the start of the cached file's name
  std::filesystem::path local;  // absolute
  std::string content_hash;  // 16 hex digits (FNV-1a, 64 bits)
  std::uint64_t size = 0;

  // Throws weaver::Error naming the file when it cannot be read.
  static CachedBinary load(std::string name, const std::filesystem::path& local);

  // Where it is kept on a host, relative to the SSH login folder.
  std::string remote_path() const;
};

// Makes sure the host has the binary (uploading it when it has not);
// returns the path to run it by. Throws RemoteError (or weaver::Error) when
// the host cannot take it.
remote::asio::awaitable<std::string> install_binary(remote::Executor& host, const CachedBinary& binary);

// What a source sends with for the rest of the run: weaver-gen at `path`, or,
// when it could not be installed there (SFTP refused, no writable home),
// hping3, with the reason kept for the case reports.
struct SourceGenerator {
  std::optional<std::string> path;
  std::string fallback_reason;
};

}  // namespace weaver::orchestrator

#include "binary_install.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <fstream>
#include <random>

#include "weaver/error.hpp"
#include "weaver/text_lines.hpp"

namespace weaver::orchestrator {
namespace {

constexpr char kCacheFolder[] = ".cache/weaver";
constexpr std::chrono::seconds kCommandTimeout{10};
constexpr std::chrono::seconds kUploadTimeout{120};

std::string fnv1a_64(std::ifstream& in) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    for (std::streamsize i = 0; i < in.gcount(); ++i) {
      hash ^= static_cast<unsigned char>(buffer[i]);
      hash *= 0x100000001b3ULL;
    }
  }
  return fmt::format("{:016x}", hash);
}

// Bounded by `timeout` on the host, and without a pid file: these run before
// the host's agent does, and must leave nothing behind should weaver die.
remote::asio::awaitable<remote::CommandOutput> short_command(remote::Executor& host,
                                                             std::vector<std::string> argv) {
  remote::Command command{std::move(argv), {}, {}, kCommandTimeout};
  command.record_pid = false;
  co_return co_await host.capture(std::move(command), kCommandTimeout + std::chrono::seconds(5));
}

}  // namespace

CachedBinary CachedBinary::load(std::string name, const std::filesystem::path& local) {
  std::ifstream in(local, std::ios::binary);
  if (!in) throw Error(local.string() + ": cannot read " + name);
  CachedBinary binary;
  binary.name = std::move(name);
  binary.local = std::filesystem::absolute(local);
  binary.content_hash = fnv1a_64(in);
  binary.size = std::filesystem::file_size(local);
  return binary;
}

std::string CachedBinary::remote_path() const {
  return std::string(kCacheFolder) + "/" + name + "-" + content_hash;
}

remote::asio::awaitable<std::string> install_binary(remote::Executor& source, const CachedBinary& binary) {
  const std::string final_path = binary.remote_path();
  std::vector<std::string> look{"stat", "-c", "%s", "--", final_path};
  const remote::CommandOutput found = co_await short_command(source, std::move(look));
  if (found.status.success() && found.out == std::to_string(binary.size) + "\n") {
    co_return "./" + final_path;
  }
  std::vector<std::string> make_folder{"mkdir", "-p", "-m", "700", "--", kCacheFolder};
  const remote::CommandOutput made = co_await short_command(source, std::move(make_folder));
  if (!made.status.success()) {
    throw Error(source.where() + ": cannot make " + kCacheFolder + ": " + first_line(made.err));
  }
  // A name of this run's own, so that runs uploading at once do not mix bytes.
  const std::string partial =
      final_path + fmt::format(".part-{}-{}", ::getpid(), std::random_device{}());
  const remote::ProgressCallback no_progress;
  co_await source.upload(binary.local, partial, no_progress, kUploadTimeout);
  std::vector<std::string> finish{"sh", "-c", "chmod 700 -- \"$1\" && mv -f -- \"$1\" \"$2\"", "sh",
                                  partial, final_path};
  const remote::CommandOutput moved = co_await short_command(source, std::move(finish));
  if (!moved.status.success()) {
    throw Error(source.where() + ": cannot install " + final_path + ": " + first_line(moved.err));
  }
  co_return "./" + final_path;
}

}  // namespace weaver::orchestrator

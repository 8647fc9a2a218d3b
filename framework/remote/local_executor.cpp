#include "weaver/remote/local_executor.hpp"

#include <stdlib.h>  // mkdtemp

#include <cerrno>
#include <cstring>
#include <system_error>

#include "local_process.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::remote {
namespace {

void copy_file(const std::string& where, const std::string& operation, const std::filesystem::path& from,
               const std::filesystem::path& to, const ProgressCallback& progress) {
  std::error_code ec;
  auto size = std::filesystem::file_size(from, ec);
  if (!ec) std::filesystem::copy_file(from, to, std::filesystem::copy_options::overwrite_existing, ec);
  if (ec) throw RemoteError(where, operation, RemoteErrc::transfer_failed, ec.message());
  if (progress) progress(size, size);
}

}  // namespace

LocalExecutor::LocalExecutor(asio::io_context& io, std::optional<std::string> netns)
    : io_(io), netns_(std::move(netns)), where_(netns_ ? "local netns " + *netns_ : "local") {
  if (netns_) validate_interface_name("netns", *netns_);
}

LocalExecutor::~LocalExecutor() {
  std::error_code ignored;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ignored);
}

asio::awaitable<std::unique_ptr<Process>> LocalExecutor::start(Command command, Timeout) {
  if (command.argv.empty()) throw UsageError(where_ + ": empty command");
  std::vector<std::string> argv;
  if (netns_) argv = {"ip", "netns", "exec", *netns_};
  argv.insert(argv.end(), command.argv.begin(), command.argv.end());
  co_return start_local_process(asio::make_strand(io_), where_, std::move(argv), std::move(command));
}

asio::awaitable<std::string> LocalExecutor::temp_dir(Timeout) {
  if (temp_dir_.empty()) {
    std::string pattern = "/tmp/weaver.XXXXXXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw RemoteError(where_, "mkdtemp", RemoteErrc::local_failed, std::strerror(errno));
    }
    temp_dir_ = pattern;
  }
  co_return temp_dir_;
}

asio::awaitable<void> LocalExecutor::upload(std::filesystem::path local, std::string remote,
                                            ProgressCallback progress, Timeout) {
  copy_file(where_, "upload " + local.string() + " to " + remote, local, remote, progress);
  co_return;
}

asio::awaitable<void> LocalExecutor::download(std::string remote, std::filesystem::path local,
                                              ProgressCallback progress, Timeout) {
  copy_file(where_, "download " + remote + " to " + local.string(), remote, local, progress);
  co_return;
}

asio::awaitable<void> LocalExecutor::close(Timeout) {
  std::error_code ec;
  if (!temp_dir_.empty()) std::filesystem::remove_all(temp_dir_, ec);
  if (ec) throw RemoteError(where_, "remove temp dir " + temp_dir_, RemoteErrc::local_failed, ec.message());
  temp_dir_.clear();
  co_return;
}

}  // namespace weaver::remote

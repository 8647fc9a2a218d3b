// Runs commands on this machine with fork/exec, optionally inside a named
// network namespace (`ip netns exec NAME`), behind the same interface as
// SshExecutor so the orchestrator does not care where a command runs.
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <optional>
#include <string>

#include "weaver/remote/executor.hpp"

namespace weaver::remote {

class LocalExecutor final : public Executor {
 public:
  explicit LocalExecutor(asio::io_context& io, std::optional<std::string> netns = std::nullopt);
  ~LocalExecutor() override;
  LocalExecutor(const LocalExecutor&) = delete;
  LocalExecutor& operator=(const LocalExecutor&) = delete;

  const std::string& where() const override { return where_; }
  asio::awaitable<std::unique_ptr<Process>> start(Command command, Timeout timeout) override;
  asio::awaitable<std::string> temp_dir(Timeout timeout) override;
  asio::awaitable<void> upload(std::filesystem::path local, std::string remote,
                               ProgressCallback progress, Timeout timeout) override;
  asio::awaitable<void> download(std::string remote, std::filesystem::path local,
                                 ProgressCallback progress, Timeout timeout) override;
  asio::awaitable<void> close(Timeout timeout) override;

 private:
  asio::io_context& io_;
  std::optional<std::string> netns_;
  std::string where_;
  std::string temp_dir_;
};

}  // namespace weaver::remote

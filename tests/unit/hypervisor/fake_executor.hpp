// A test seam for the adapters: an Executor that replays recorded output for
// exact argv vectors and records every argv it was asked to run. Executor's
// own run()/capture() sit on top, so exit 127 becomes command_not_found as
// over SSH.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "weaver/error.hpp"
#include "weaver/hypervisor/vif_resolver.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::testing {

namespace asio = boost::asio;
using Argv = std::vector<std::string>;

class FakeExecutor final : public remote::Executor {
 public:
  explicit FakeExecutor(std::string where = "root@10.0.0.2:22") : where_(std::move(where)) {}

  // What running exactly `argv` prints and how it exits.
  void reply(Argv argv, int exit_code, std::string out, std::string err = "");

  const std::vector<Argv>& commands() const { return commands_; }
  const std::vector<remote::Timeout>& timeouts() const { return timeouts_; }

  const std::string& where() const override { return where_; }
  asio::awaitable<std::unique_ptr<remote::Process>> start(remote::Command command,
                                                          remote::Timeout timeout) override;
  // The adapters use none of these.
  asio::awaitable<std::string> temp_dir(remote::Timeout timeout) override;
  asio::awaitable<void> upload(std::filesystem::path local, std::string remote,
                               remote::ProgressCallback progress, remote::Timeout timeout) override;
  asio::awaitable<void> download(std::string remote, std::filesystem::path local,
                                 remote::ProgressCallback progress,
                                 remote::Timeout timeout) override;
  asio::awaitable<void> close(remote::Timeout timeout) override;

 private:
  struct Reply {
    int exit_code = 0;
    std::string out;
    std::string err;
  };
  std::string where_;
  std::map<Argv, Reply> replies_;
  std::vector<Argv> commands_;
  std::vector<remote::Timeout> timeouts_;
};

// Runs `task` to completion on an io_context of its own; rethrows what it threw.
template <typename T>
T run_sync(asio::awaitable<T> task) {
  asio::io_context io;
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  io.run();
  return future.get();
}

// The VIF `adapter` resolves for `vm`'s interface `vif_index` on `executor`.
std::string resolve(const std::string& adapter, FakeExecutor& executor, const std::string& vm,
                    int vif_index = 0);

// The message of the weaver::Error (or subclass E) that `resolve` throws;
// fails the test when it throws nothing or something else.
template <typename E = Error>
std::string resolve_error(const std::string& adapter, FakeExecutor& executor, const std::string& vm,
                          int vif_index = 0) {
  try {
    const std::string vif = resolve(adapter, executor, vm, vif_index);
    ADD_FAILURE() << "resolved to " << vif << " instead of throwing";
  } catch (const E& error) {
    return error.what();
  }
  return {};
}

}  // namespace weaver::testing

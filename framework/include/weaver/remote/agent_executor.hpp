// An Executor whose commands weaver-agent runs (AgentSession): same
// interface, no shell start-up or channel per command. Every command gets
// a time limit in the agent (its own, or kDefaultTimeLimit), enforced as
// `timeout --kill-after=5` would. File transfer and the temp dir go through
// the host's SSH executor, which must outlive this one.
#pragma once

#include <memory>

#include "weaver/remote/agent_session.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::remote {

class AgentExecutor final : public Executor {
 public:
  static constexpr std::chrono::seconds kDefaultTimeLimit{600};

  AgentExecutor(Executor& host, std::shared_ptr<AgentSession> agent)
      : host_(host), agent_(std::move(agent)) {}

  const std::string& where() const override { return host_.where(); }
  // Throws UsageError for a command that wants stdin (the agent gives /dev/null).
  asio::awaitable<std::unique_ptr<Process>> start(Command command, Timeout timeout) override;
  asio::awaitable<std::string> temp_dir(Timeout timeout) override { return host_.temp_dir(timeout); }
  asio::awaitable<void> upload(std::filesystem::path local, std::string remote, ProgressCallback progress,
                               Timeout timeout) override {
    return host_.upload(std::move(local), std::move(remote), std::move(progress), timeout);
  }
  asio::awaitable<void> download(std::string remote, std::filesystem::path local, ProgressCallback progress,
                                 Timeout timeout) override {
    return host_.download(std::move(remote), std::move(local), std::move(progress), timeout);
  }
  // The agent and the host's session are closed by their owner.
  asio::awaitable<void> close(Timeout) override { co_return; }

  AgentSession& agent() { return *agent_; }

 private:
  Executor& host_;
  std::shared_ptr<AgentSession> agent_;
};

}  // namespace weaver::remote

// One SSH session per host for the whole run, opened on first use, so a run
// of many cases pays for each handshake once; and, with RunOptions::agent,
// one weaver-agent per host beside it, which then runs the host's commands
// and captures. Hosts are told apart by user@host:port.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "binary_install.hpp"
#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/remote/agent_executor.hpp"
#include "weaver/remote/executor.hpp"
#include "weaver/remote/notifier.hpp"

namespace weaver::orchestrator {

class HostPool {
 public:
  // `agent`: the weaver-agent binary to start on every SSH host; null: none.
  HostPool(remote::asio::io_context& io, const RunOptions& options, const CachedBinary* agent)
      : io_(io), options_(options), agent_binary_(agent) {}

  // The host's executor: through its agent when that runs, else SSH exec.
  remote::asio::awaitable<remote::Executor*> get(const SshEndpoint& endpoint);
  // The executor that runs commands inside a VM (egress traffic): its SSH
  // session, or a local executor in the lab VM's network namespace.
  remote::asio::awaitable<remote::Executor*> get(const VmShell& vm);
  // After get(endpoint): the host's agent, or null when it has none.
  remote::AgentSession* agent(const SshEndpoint& endpoint);
  // Why the host has no agent ("" when it has one, or none was asked for).
  std::string agent_failure(const SshEndpoint& endpoint) const;
  // Ends every agent, then closes every session (removing its remote temp
  // dir); errors are collected, not thrown, so one unreachable host does not
  // keep the others' files.
  remote::asio::awaitable<std::vector<std::string>> close_all();

 private:
  struct Host {
    std::unique_ptr<remote::Executor> ssh;
    std::shared_ptr<remote::AgentSession> agent;
    std::unique_ptr<remote::AgentExecutor> through_agent;
    std::string agent_failure;
    bool connecting = true;
  };
  remote::asio::awaitable<void> start_agent(Host& host);

  remote::asio::io_context& io_;
  const RunOptions& options_;
  const CachedBinary* agent_binary_;
  std::map<std::string, Host> hosts_;
  std::map<std::string, std::unique_ptr<remote::Executor>> local_;
  remote::Notifier connected_;
};

}  // namespace weaver::orchestrator

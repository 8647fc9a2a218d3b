#include "host_pool.hpp"

#include <fmt/format.h>

#include "weaver/remote/local_executor.hpp"
#include "weaver/remote/ssh_executor.hpp"

namespace weaver::orchestrator {
namespace {

// The agent lives for the run: a day at most (`timeout`), and it ends by
// itself after 10 minutes without a request, or when its channel closes.
constexpr std::chrono::hours kAgentLifetime{24};
constexpr std::chrono::minutes kAgentIdle{10};
constexpr std::chrono::seconds kAgentStartTimeout{30};
constexpr std::chrono::seconds kCloseTimeout{10};

std::string key_of(const SshEndpoint& endpoint) {
  return fmt::format("{}@{}:{}", endpoint.user, endpoint.host, endpoint.port);
}

}  // namespace

remote::asio::awaitable<void> HostPool::start_agent(Host& host) {
  try {
    const std::string path = co_await install_binary(*host.ssh, *agent_binary_);
    host.agent = co_await remote::AgentSession::start(*host.ssh, path, kAgentLifetime, kAgentIdle,
                                                      kAgentStartTimeout);
    host.through_agent = std::make_unique<remote::AgentExecutor>(*host.ssh, host.agent);
  } catch (const std::exception& error) {
    host.agent_failure = std::string("weaver-agent could not start (") + error.what() + ")";
  }
}

remote::asio::awaitable<remote::Executor*> HostPool::get(const SshEndpoint& endpoint) {
  const std::string key = key_of(endpoint);
  for (;;) {
    auto found = hosts_.find(key);
    if (found == hosts_.end()) break;
    if (!found->second.connecting) {
      Host& host = found->second;
      co_return host.through_agent && host.agent->alive() ? host.through_agent.get() : host.ssh.get();
    }
    // Another case is connecting to it: wait for that.
    co_await connected_.wait_until(std::chrono::steady_clock::now() + std::chrono::seconds(1));
  }
  Host& host = hosts_[key];
  try {
    remote::SshOptions ssh;
    ssh.host = endpoint.host;
    ssh.port = endpoint.port;
    ssh.user = endpoint.user;
    ssh.key_file = endpoint.key_file;
    ssh.use_agent = !endpoint.key_file;
    ssh.known_hosts = endpoint.known_hosts;
    ssh.accept_new_host_keys = options_.accept_new_host_keys;
    host.ssh = co_await remote::SshExecutor::connect(io_, ssh, options_.connect_timeout);
  } catch (...) {
    hosts_.erase(key);  // the next case tries again
    connected_.notify_all();
    throw;
  }
  if (agent_binary_ != nullptr) co_await start_agent(host);
  host.connecting = false;
  connected_.notify_all();
  co_return host.through_agent ? host.through_agent.get() : host.ssh.get();
}

remote::asio::awaitable<remote::Executor*> HostPool::get(const VmShell& vm) {
  if (vm.ssh) co_return co_await get(*vm.ssh);
  const std::string key = "local netns " + vm.netns;
  auto& executor = local_[key];
  if (!executor) executor = std::make_unique<remote::LocalExecutor>(io_, vm.netns);
  co_return executor.get();
}

remote::AgentSession* HostPool::agent(const SshEndpoint& endpoint) {
  auto found = hosts_.find(key_of(endpoint));
  if (found == hosts_.end() || !found->second.agent || !found->second.agent->alive()) return nullptr;
  return found->second.agent.get();
}

std::string HostPool::agent_failure(const SshEndpoint& endpoint) const {
  auto found = hosts_.find(key_of(endpoint));
  if (found == hosts_.end()) return "";
  const Host& host = found->second;
  if (host.agent && !host.agent->alive()) return "weaver-agent ended during the run";
  return host.agent_failure;
}

remote::asio::awaitable<std::vector<std::string>> HostPool::close_all() {
  std::vector<std::string> errors;
  for (auto& [key, host] : hosts_) {
    try {
      host.through_agent.reset();
      if (host.agent) co_await host.agent->close(kCloseTimeout);
    } catch (const std::exception& error) {
      errors.emplace_back(error.what());
    }
    host.agent.reset();
  }
  for (auto& [key, host] : hosts_) {
    try {
      if (host.ssh) co_await host.ssh->close(kCloseTimeout);
    } catch (const std::exception& error) {
      errors.emplace_back(error.what());
    }
  }
  for (auto& [key, executor] : local_) {
    try {
      co_await executor->close(kCloseTimeout);
    } catch (const std::exception& error) {
      errors.emplace_back(error.what());
    }
  }
  hosts_.clear();
  local_.clear();
  co_return errors;
}

}  // namespace weaver::orchestrator

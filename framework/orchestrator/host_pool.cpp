#include "host_pool.hpp"

#include <fmt/format.h>

#include "weaver/remote/local_executor.hpp"
#include "weaver/remote/ssh_executor.hpp"

namespace weaver::orchestrator {

remote::asio::awaitable<remote::Executor*> HostPool::get(const SshEndpoint& endpoint) {
  const std::string key = fmt::format("{}@{}:{}", endpoint.user, endpoint.host, endpoint.port);
  if (auto found = hosts_.find(key); found != hosts_.end()) co_return found->second.get();
  remote::SshOptions ssh;
  ssh.host = endpoint.host;
  ssh.port = endpoint.port;
  ssh.user = endpoint.user;
  ssh.key_file = endpoint.key_file;
  ssh.use_agent = !endpoint.key_file;
  ssh.known_hosts = endpoint.known_hosts;
  ssh.accept_new_host_keys = options_.accept_new_host_keys;
  auto executor = co_await remote::SshExecutor::connect(io_, ssh, options_.connect_timeout);
  // Another case may have connected meanwhile; keep the first session.
  auto [it, inserted] = hosts_.emplace(key, std::move(executor));
  co_return it->second.get();
}

remote::asio::awaitable<remote::Executor*> HostPool::get(const VmShell& vm) {
  if (vm.ssh) co_return co_await get(*vm.ssh);
  const std::string key = "local netns " + vm.netns;
  auto& executor = hosts_[key];
  if (!executor) executor = std::make_unique<remote::LocalExecutor>(io_, vm.netns);
  co_return executor.get();
}

remote::asio::awaitable<std::vector<std::string>> HostPool::close_all() {
  std::vector<std::string> errors;
  for (auto& [key, executor] : hosts_) {
    try {
      co_await executor->close(std::chrono::seconds(10));
    } catch (const std::exception& error) {
      errors.emplace_back(error.what());
    }
  }
  hosts_.clear();
  co_return errors;
}

}  // namespace weaver::orchestrator

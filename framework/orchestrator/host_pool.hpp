// One SSH session per host for the whole run, opened on first use, so a run
// of many cases pays for each handshake once. Hosts are told apart by
// user@host:port.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::orchestrator {

class HostPool {
 public:
  HostPool(remote::asio::io_context& io, const RunOptions& options) : io_(io), options_(options) {}

  remote::asio::awaitable<remote::Executor*> get(const SshEndpoint& endpoint);
  // The executor that runs commands inside a VM (egress traffic): its SSH
  // session, or a local executor in the lab VM's network namespace.
  remote::asio::awaitable<remote::Executor*> get(const VmShell& vm);
  // Closes every session (removing its remote temp dir); errors are collected,
  // not thrown, so one unreachable host does not keep the others' files.
  remote::asio::awaitable<std::vector<std::string>> close_all();

 private:
  remote::asio::io_context& io_;
  const RunOptions& options_;
  std::map<std::string, std::unique_ptr<remote::Executor>> hosts_;
};

}  // namespace weaver::orchestrator

// Commands and files on one SSH host, over one libssh session driven
// non-blocking on an Asio strand: many channels run at once on it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "weaver/remote/executor.hpp"

namespace weaver::remote {

struct SshOptions {
  std::string host;                              // name or address
  std::uint16_t port = 22;
  std::string user = "root";                     // the seed: key-based root SSH
  std::optional<std::filesystem::path> key_file; // ed25519/ecdsa/rsa, no passphrase
  bool use_agent = false;                        // try ssh-agent (SSH_AUTH_SOCK) as well
  std::filesystem::path known_hosts;             // empty: ~/.ssh/known_hosts
  // Like OpenSSH StrictHostKeyChecking=accept-new: unknown keys are added,
  // changed keys are still refused.
  bool accept_new_host_keys = false;

  std::string where() const;  // "root@host:port"
};

class SshExecutor final : public Executor {
 public:
  // Connects, verifies the host key, authenticates. Throws RemoteError.
  static asio::awaitable<std::unique_ptr<SshExecutor>> connect(asio::io_context& io,
                                                               SshOptions options,
                                                               Timeout timeout);
  ~SshExecutor() override;
  SshExecutor(const SshExecutor&) = delete;
  SshExecutor& operator=(const SshExecutor&) = delete;

  const std::string& where() const override;
  asio::awaitable<std::unique_ptr<Process>> start(Command command, Timeout timeout) override;
  asio::awaitable<std::string> temp_dir(Timeout timeout) override;
  // SFTP transfers run on their own blocking session on a worker thread (libssh
  // 0.10's SFTP does not work on a non-blocking session); they check sizes.
  asio::awaitable<void> upload(std::filesystem::path local, std::string remote,
                               ProgressCallback progress, Timeout timeout) override;
  asio::awaitable<void> download(std::string remote, std::filesystem::path local,
                                 ProgressCallback progress, Timeout timeout) override;
  asio::awaitable<void> close(Timeout timeout) override;

  struct State;  // private: the session, its strand and the temp dir

 private:
  explicit SshExecutor(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace weaver::remote

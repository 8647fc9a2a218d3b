// SFTP transfers on a blocking session of their own, run on a worker thread.
// libssh 0.10's SFTP layer does not work on a non-blocking session, and a
// separate session keeps a long transfer from stalling the commands' channels.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "deadline.hpp"
#include "weaver/remote/ssh_executor.hpp"

namespace weaver::remote {

// The idle SFTP connections of one host. Each costs a full SSH handshake, so
// a transfer that ended well hands its connection back for the next one; a
// failed transfer drops it. Transfers run on worker threads: hence the mutex.
class SftpConnections {
 public:
  struct Connection;
  SftpConnections();
  ~SftpConnections();
  std::unique_ptr<Connection> take();  // nullptr when none is idle
  void give_back(std::unique_ptr<Connection> connection);

 private:
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

void sftp_download(const SshOptions& options, SftpConnections& connections, const std::string& remote,
                   const std::filesystem::path& local, const ProgressCallback& progress,
                   Deadline deadline);
void sftp_upload(const SshOptions& options, SftpConnections& connections,
                 const std::filesystem::path& local, const std::string& remote,
                 const ProgressCallback& progress, Deadline deadline);

}  // namespace weaver::remote

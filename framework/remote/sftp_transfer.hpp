// SFTP transfers on a blocking session of their own, run on a worker thread.
// libssh 0.10's SFTP layer does not work on a non-blocking session, and a
// separate session keeps a long transfer from stalling the commands' channels.
#pragma once

#include <filesystem>
#include <string>

#include "deadline.hpp"
#include "weaver/remote/ssh_executor.hpp"

namespace weaver::remote {

void sftp_download(const SshOptions& options, const std::string& remote,
                   const std::filesystem::path& local, const ProgressCallback& progress,
                   Deadline deadline);
void sftp_upload(const SshOptions& options, const std::filesystem::path& local,
                 const std::string& remote, const ProgressCallback& progress, Deadline deadline);

}  // namespace weaver::remote

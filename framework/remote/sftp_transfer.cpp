#include "sftp_transfer.hpp"

#include <sys/statvfs.h>

#include <deque>

#include <fcntl.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <vector>

#include "ssh_connect.hpp"

namespace weaver::remote {
namespace {

// libssh 0.10 caps one SFTP read at 64 KiB; several in flight hide the round trips.
constexpr std::uint32_t kChunk = 64 * 1024;
constexpr int kReadsInFlight = 16;

}  // namespace

struct SftpConnections::Connection {
  SshSession session;
  SftpSession sftp;
};

SftpConnections::SftpConnections() = default;
SftpConnections::~SftpConnections() = default;

std::unique_ptr<SftpConnections::Connection> SftpConnections::take() {
  std::lock_guard lock(mutex_);
  if (idle_.empty()) return nullptr;
  auto connection = std::move(idle_.back());
  idle_.pop_back();
  return connection;
}

void SftpConnections::give_back(std::unique_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

namespace {

class Transfer {
 public:
  Transfer(const SshOptions& options, SftpConnections& connections, std::string operation,
           Deadline deadline)
      : options_(options), connections_(connections), operation_(std::move(operation)), deadline_(deadline) {
    connection_ = connections.take();
    if (connection_ && ssh_is_connected(connection_->session.get()) != 0) {
      // The blocking calls' timeout was set for the transfer that opened it.
      long timeout_s = std::max<long>(
          1, static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(deadline.remaining()).count()));
      ssh_options_set(connection_->session.get(), SSH_OPTIONS_TIMEOUT, &timeout_s);
      // One round trip proves the server has not closed it while it was idle
      // (ClientAliveInterval, a NAT timeout); otherwise a fresh one is opened.
      if (sftp_attributes home = sftp_stat(connection_->sftp.get(), ".")) {
        sftp_attributes_free(home);
        return;
      }
    }
    connection_ = std::make_unique<SftpConnections::Connection>();
    connection_->session = open_blocking_session(options, deadline);
    connection_->sftp = SftpSession(sftp_new(connection_->session.get()));
    if (!connection_->sftp || sftp_init(connection_->sftp.get()) != SSH_OK) {
      fail("cannot start the SFTP subsystem");
    }
  }

  // The transfer succeeded: the connection serves the next one.
  void done() { connections_.give_back(std::move(connection_)); }

  [[noreturn]] void fail(const std::string& detail, RemoteErrc code = RemoteErrc::transfer_failed) {
    ssh_session session = connection_->session.get();
    std::string libssh = ssh_get_error(session);
    if (ssh_is_connected(session) == 0) code = RemoteErrc::connection_lost;
    throw RemoteError(options_.where(), operation_, code,
                      detail + (libssh.empty() ? "" : " (" + libssh + ")"));
  }
  void check_deadline() {
    if (deadline_.passed()) fail(deadline_.exceeded(), RemoteErrc::deadline_exceeded);
  }

  std::uint64_t remote_size(const std::string& path) {
    sftp_attributes attributes = sftp_stat(connection_->sftp.get(), path.c_str());
    if (attributes == nullptr) {
      fail(sftp_get_error(connection_->sftp.get()) == SSH_FX_NO_SUCH_FILE ? "no such remote file"
                                                              : "cannot stat the remote file");
    }
    std::uint64_t size = attributes->size;
    sftp_attributes_free(attributes);
    return size;
  }

  SftpFile open(const std::string& path, int flags, mode_t mode) {
    SftpFile file(sftp_open(connection_->sftp.get(), path.c_str(), flags, mode));
    if (!file) fail("cannot open the remote file");
    return file;
  }

 private:
  const SshOptions& options_;
  SftpConnections& connections_;
  std::string operation_;
  Deadline deadline_;
  std::unique_ptr<SftpConnections::Connection> connection_;
};

}  // namespace

void sftp_download(const SshOptions& options, SftpConnections& connections, const std::string& remote,
                   const std::filesystem::path& local, const ProgressCallback& progress,
                   Deadline deadline) {
  Transfer transfer(options, connections, "download " + remote + " to " + local.string(), deadline);
  const std::uint64_t size = transfer.remote_size(remote);
  // The size is what the host says: never more than the local disk can take.
  struct statvfs room {};
  const std::filesystem::path folder = local.has_parent_path() ? local.parent_path() : ".";
  if (::statvfs(folder.c_str(), &room) == 0 &&
      size > static_cast<std::uint64_t>(room.f_bavail) * room.f_frsize) {
    transfer.fail("the host says it is " + std::to_string(size) + " bytes, more than " + folder.string() +
                  " has free");
  }
  SftpFile file = transfer.open(remote, O_RDONLY, 0);
  std::ofstream out(local, std::ios::binary | std::ios::trunc);
  if (!out) transfer.fail("cannot write " + local.string());

  // Pipelined reads: keep kReadsInFlight requests outstanding, consume in order.
  std::vector<char> buffer(kChunk);
  std::deque<std::uint32_t> pending;
  std::uint64_t requested = 0;
  std::uint64_t received = 0;
  auto request_more = [&] {
    while (pending.size() < kReadsInFlight && requested < size) {
      auto length = static_cast<std::uint32_t>(std::min<std::uint64_t>(kChunk, size - requested));
      int id = sftp_async_read_begin(file.get(), length);
      if (id < 0) transfer.fail("read request failed");
      pending.push_back(static_cast<std::uint32_t>(id));
      requested += length;
    }
  };
  request_more();
  while (!pending.empty()) {
    transfer.check_deadline();
    int got = sftp_async_read(file.get(), buffer.data(), kChunk, pending.front());
    if (got < 0) transfer.fail("read failed");
    if (got == 0) transfer.fail("remote file shrank during the download");
    pending.pop_front();
    out.write(buffer.data(), got);
    received += static_cast<std::uint64_t>(got);
    if (progress) progress(received, size);
    request_more();
  }
  out.close();
  if (!out) transfer.fail("cannot write " + local.string());
  if (received != size || std::filesystem::file_size(local) != size) {
    transfer.fail("size mismatch: remote " + std::to_string(size) + " bytes, got " +
                  std::to_string(received));
  }
  file.reset();
  transfer.done();
}

void sftp_upload(const SshOptions& options, SftpConnections& connections,
                 const std::filesystem::path& local, const std::string& remote,
                 const ProgressCallback& progress, Deadline deadline) {
  Transfer transfer(options, connections, "upload " + local.string() + " to " + remote, deadline);
  std::ifstream in(local, std::ios::binary);
  if (!in) transfer.fail("cannot read " + local.string());
  const std::uint64_t size = std::filesystem::file_size(local);
  SftpFile file = transfer.open(remote, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char> buffer(kChunk);
  std::uint64_t sent = 0;
  while (sent < size) {
    transfer.check_deadline();
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto length = static_cast<std::size_t>(in.gcount());
    if (length == 0) transfer.fail("local file shrank during the upload");
    if (sftp_write(file.get(), buffer.data(), length) != static_cast<ssize_t>(length)) {
      transfer.fail("write failed");
    }
    sent += length;
    if (progress) progress(sent, size);
  }
  file.reset();
  if (transfer.remote_size(remote) != size) transfer.fail("size mismatch after the upload");
  transfer.done();
}

}  // namespace weaver::remote

#include "ssh_connect.hpp"

#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>

#include <cstdlib>
#include <string>

namespace weaver::remote {
namespace {

std::filesystem::path known_hosts_file(const SshOptions& options) {
  if (!options.known_hosts.empty()) return options.known_hosts;
  const char* home = std::getenv("HOME");
  return std::filesystem::path(home != nullptr ? home : "/root") / ".ssh" / "known_hosts";
}

void set_option(ssh_session session, const SshOptions& options, ssh_options_e option,
                const void* value) {
  if (ssh_options_set(session, option, value) != SSH_OK) {
    throw RemoteError(options.where(), "connect", RemoteErrc::connect_failed,
                      std::string("bad SSH option: ") + ssh_get_error(session));
  }
}

SshSession new_session(const SshOptions& options, Deadline deadline) {
  SshSession session(ssh_new());
  if (!session) throw RemoteError(options.where(), "connect", RemoteErrc::connect_failed, "ssh_new failed");
  ssh_session s = session.get();
  unsigned int port = options.port;
  long timeout_s = std::max<long>(1, std::chrono::ceil<std::chrono::seconds>(deadline.remaining()).count());
  // WEAVER_SSH_LOG=1..4 turns on libssh's own log on stderr, for debugging.
  const char* log_level = std::getenv("WEAVER_SSH_LOG");
  int verbosity = log_level != nullptr ? std::atoi(log_level) : SSH_LOG_NOLOG;
  bool process_config = false;  // the user's ~/.ssh/config must not change what weaver does
  std::string known_hosts = known_hosts_file(options).string();
  set_option(s, options, SSH_OPTIONS_HOST, options.host.c_str());
  set_option(s, options, SSH_OPTIONS_PORT, &port);
  set_option(s, options, SSH_OPTIONS_USER, options.user.c_str());
  set_option(s, options, SSH_OPTIONS_KNOWNHOSTS, known_hosts.c_str());
  set_option(s, options, SSH_OPTIONS_TIMEOUT, &timeout_s);
  set_option(s, options, SSH_OPTIONS_LOG_VERBOSITY, &verbosity);
  set_option(s, options, SSH_OPTIONS_PROCESS_CONFIG, &process_config);
  // Small request/reply packets (SFTP writes, channel requests) must not wait
  // for Nagle and delayed ACKs: without it an upload crawls at 2 MB/s.
  int no_delay = 1;
  set_option(s, options, SSH_OPTIONS_NODELAY, &no_delay);
  return session;
}

// "ssh-ed25519 SHA256:abc..." for the key the server offered.
std::string describe_server_key(ssh_session session) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(session, &raw) != SSH_OK) return "(no server key)";
  SshKey key(raw);
  unsigned char* hash = nullptr;
  size_t length = 0;
  if (ssh_get_publickey_hash(key.get(), SSH_PUBLICKEY_HASH_SHA256, &hash, &length) != SSH_OK) {
    return ssh_key_type_to_char(ssh_key_type(key.get()));
  }
  SshCString fingerprint(ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, length));
  ssh_clean_pubkey_hash(&hash);
  return std::string(ssh_key_type_to_char(ssh_key_type(key.get()))) + " " +
         (fingerprint ? fingerprint.get() : "?");
}

void verify_host_key(ssh_session session, const SshOptions& options) {
  const std::string where = options.where();
  const std::string file = known_hosts_file(options).string();
  const std::string key = describe_server_key(session);
  auto refuse = [&](RemoteErrc code, const std::string& why) {
    throw RemoteError(where, "verify host key", code,
                      "host " + options.host + " port " + std::to_string(options.port) +
                          " offers " + key + ": " + why);
  };
  switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
      return;
    case SSH_KNOWN_HOSTS_CHANGED:
    case SSH_KNOWN_HOSTS_OTHER:
      refuse(RemoteErrc::host_key_changed,
             "this differs from the key recorded in " + file +
                 " (refused: someone may be impersonating the host; remove the old key if "
                 "the host was reinstalled)");
      return;  // not reached: refuse throws
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
      if (!options.accept_new_host_keys) {
        refuse(RemoteErrc::host_key_unknown,
               "key not in " + file + " (refused; add it, or pass --accept-new-host-keys)");
      }
      if (ssh_session_update_known_hosts(session) != SSH_OK) {
        refuse(RemoteErrc::host_key_unknown,
               "cannot add it to " + file + ": " + ssh_get_error(session));
      }
      return;
    case SSH_KNOWN_HOSTS_ERROR:
      break;
  }
  refuse(RemoteErrc::host_key_unknown, "cannot check " + file + ": " + ssh_get_error(session));
}

SshKey load_key(const SshOptions& options) {
  ssh_key raw = nullptr;
  if (ssh_pki_import_privkey_file(options.key_file->c_str(), nullptr, nullptr, nullptr, &raw) !=
      SSH_OK) {
    throw RemoteError(options.where(), "authenticate", RemoteErrc::auth_rejected,
                      "cannot read key file " + options.key_file->string() +
                          " (missing, unreadable, or protected by a passphrase)");
  }
  return SshKey(raw);
}

[[noreturn]] void auth_rejected(const SshOptions& options) {
  std::string tried = options.key_file ? "key " + options.key_file->string() : "";
  if (options.use_agent) tried += std::string(tried.empty() ? "" : " and ") + "ssh-agent";
  if (tried.empty()) tried = "no key file and no agent";
  throw RemoteError(options.where(), "authenticate", RemoteErrc::auth_rejected,
                    "user " + options.user + " rejected (tried " + tried + ")");
}

bool socket_connected(ssh_session session) {
  socket_t fd = ssh_get_fd(session);
  sockaddr_storage peer{};
  socklen_t length = sizeof(peer);
  return fd != SSH_INVALID_SOCKET &&
         getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length) == 0;
}

asio::awaitable<void> connect_steps(std::shared_ptr<SessionIo> io, SshOptions options,
                                    Deadline deadline) {
  ssh_session s = io->get();
  for (;;) {
    int rc = ssh_connect(s);
    if (rc == SSH_OK) break;
    if (rc != SSH_AGAIN) io->fail("connect", RemoteErrc::connect_failed, io->last_error());
    if (deadline.passed()) io->fail("connect", RemoteErrc::deadline_exceeded, deadline.exceeded());
    // Until TCP is up, readiness shows as writable.
    co_await io->wait(deadline, !socket_connected(s));
  }
  verify_host_key(s, options);
  int auth = SSH_AUTH_DENIED;
  if (options.key_file) {
    SshKey key = load_key(options);
    auth = co_await io->retry("authenticate", deadline, SSH_AUTH_AGAIN,
                              [&] { return ssh_userauth_publickey(s, nullptr, key.get()); });
  }
  if (auth != SSH_AUTH_SUCCESS && options.use_agent) {
    auth = co_await io->retry("authenticate", deadline, SSH_AUTH_AGAIN,
                              [&] { return ssh_userauth_agent(s, nullptr); });
  }
  if (auth == SSH_AUTH_ERROR && !io->connected()) {
    io->fail("authenticate", RemoteErrc::connection_lost, io->last_error());
  }
  if (auth != SSH_AUTH_SUCCESS) auth_rejected(options);
}

}  // namespace

std::string SshOptions::where() const {
  std::string host_part = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return user + "@" + host_part + ":" + std::to_string(port);
}

asio::awaitable<std::shared_ptr<SessionIo>> open_session(asio::io_context& io,
                                                         const SshOptions& options,
                                                         Deadline deadline) {
  SshSession session = new_session(options, deadline);
  ssh_set_blocking(session.get(), 0);
  auto session_io = std::make_shared<SessionIo>(io, std::move(session), options.where());
  co_await asio::co_spawn(session_io->strand(), connect_steps(session_io, options, deadline),
                          asio::use_awaitable);
  co_return session_io;
}

SshSession open_blocking_session(const SshOptions& options, Deadline deadline) {
  SshSession session = new_session(options, deadline);
  ssh_session s = session.get();
  if (ssh_connect(s) != SSH_OK) {
    throw RemoteError(options.where(), "connect", RemoteErrc::connect_failed, ssh_get_error(s));
  }
  verify_host_key(s, options);
  int auth = SSH_AUTH_DENIED;
  if (options.key_file) auth = ssh_userauth_publickey(s, nullptr, load_key(options).get());
  if (auth != SSH_AUTH_SUCCESS && options.use_agent) auth = ssh_userauth_agent(s, nullptr);
  if (auth != SSH_AUTH_SUCCESS) auth_rejected(options);
  return session;
}

}  // namespace weaver::remote

// Errors of remote execution. Setup and async operations alike end in one
// RemoteError: it names where the command ran ("root@127.0.0.1:2222",
// "local") and the operation ("exec 'tcpdump ...'"), and carries a
// std::error_code in remote_category() so callers can branch on the kind.
// Coroutines complete by returning a value or throwing RemoteError; there is
// no second error channel.
#pragma once

#include <string>
#include <system_error>

#include "weaver/error.hpp"

namespace weaver::remote {

enum class RemoteErrc {
  connect_failed = 1,     // unreachable, refused, name resolution
  host_key_unknown,       // not in known_hosts and accepting new keys was not asked for
  host_key_changed,       // known_hosts has another key for this host
  auth_rejected,          // no key or agent identity was accepted
  channel_failed,         // the server refused a channel or an exec request
  command_not_found,      // exit status 127
  process_killed,         // the remote process ended by a signal
  connection_lost,        // the session dropped during an operation
  deadline_exceeded,      // the operation's deadline passed
  exited_before_match,    // the process ended before printing the awaited line
  transfer_failed,        // SFTP open/read/write failed, or sizes differ
  local_failed,           // fork/exec/pipe of the local executor
  agent_refused,          // weaver-agent answered a request with an error
};

const std::error_category& remote_category() noexcept;
std::error_code make_error_code(RemoteErrc errc) noexcept;

class RemoteError : public Error {
 public:
  RemoteError(std::string where, std::string operation, RemoteErrc code, std::string detail);

  const std::string& where() const noexcept { return where_; }
  const std::string& operation() const noexcept { return operation_; }
  std::error_code code() const noexcept { return code_; }

 private:
  std::string where_;
  std::string operation_;
  std::error_code code_;
};

}  // namespace weaver::remote

template <>
struct std::is_error_code_enum<weaver::remote::RemoteErrc> : std::true_type {};

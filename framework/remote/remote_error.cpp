#include "weaver/remote/remote_error.hpp"

#include <utility>

namespace weaver::remote {
namespace {

class RemoteCategory final : public std::error_category {
 public:
  const char* name() const noexcept override { return "weaver.remote"; }
  std::string message(int value) const override {
    switch (static_cast<RemoteErrc>(value)) {
      case RemoteErrc::connect_failed: return "connection failed";
      case RemoteErrc::host_key_unknown: return "host key unknown";
      case RemoteErrc::host_key_changed: return "host key changed";
      case RemoteErrc::auth_rejected: return "authentication rejected";
      case RemoteErrc::channel_failed: return "channel failed";
      case RemoteErrc::command_not_found: return "command not found";
      case RemoteErrc::process_killed: return "process killed";
      case RemoteErrc::connection_lost: return "connection lost";
      case RemoteErrc::deadline_exceeded: return "deadline exceeded";
      case RemoteErrc::exited_before_match: return "exited before the awaited line";
      case RemoteErrc::transfer_failed: return "transfer failed";
      case RemoteErrc::local_failed: return "local process failed";
      case RemoteErrc::agent_refused: return "agent refused the request";
    }
    return "unknown remote error";
  }
};

}  // namespace

const std::error_category& remote_category() noexcept {
  static const RemoteCategory category;
  return category;
}

std::error_code make_error_code(RemoteErrc errc) noexcept {
  return {static_cast<int>(errc), remote_category()};
}

RemoteError::RemoteError(std::string where, std::string operation, RemoteErrc code,
                         std::string detail)
    : Error(where + ": " + operation + ": " + detail),
      where_(std::move(where)),
      operation_(std::move(operation)),
      code_(make_error_code(code)) {}

}  // namespace weaver::remote

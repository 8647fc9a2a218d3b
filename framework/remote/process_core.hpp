// What SSH and local processes share: splitting output into lines for the
// callbacks, remembering recent lines for readiness waits, the exit status,
// and waking whoever waits for any of it.
#pragma once

#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "weaver/remote/notifier.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::remote {

class ProcessCore {
 public:
  ProcessCore(std::string where, std::string description, LineCallback on_stdout,
              LineCallback on_stderr);

  void append(bool is_stderr, std::string_view bytes);
  // The process ended with `status`; flushes unterminated last lines.
  void finish(ExitStatus status);
  // The process (or the link to it) failed; waiters get `error`.
  void fail(std::exception_ptr error);
  // The Process object is gone: its callbacks may point at dead frames.
  void drop_callbacks() { callbacks_[0] = nullptr; callbacks_[1] = nullptr; }
  bool done() const { return status_.has_value() || error_ != nullptr; }

  asio::awaitable<std::string> wait_for_line(std::string pattern, Timeout timeout);
  asio::awaitable<ExitStatus> wait(Timeout timeout);
  // Waits until done() or `until`; returns done().
  asio::awaitable<bool> wait_done_until(Clock::time_point until);

  const std::string& where() const { return where_; }
  const std::string& description() const { return description_; }
  [[noreturn]] void throw_error(RemoteErrc code, const std::string& detail) const;

 private:
  void emit_line(bool is_stderr, std::string line);

  std::string where_;
  std::string description_;
  LineCallback callbacks_[2];
  std::string partial_[2];
  // Recent lines with their sequence number, for readiness waits that start late.
  std::deque<std::pair<std::uint64_t, std::string>> recent_;
  std::uint64_t lines_seen_ = 0;
  bool overlong_ = false;  // a line passed the bound: the rest is not read
  std::optional<ExitStatus> status_;
  std::exception_ptr error_;
  Notifier changed_;
};

// "exec 'tcpdump' '-i' 'eth0'", shortened for messages.
std::string describe_exec(const std::vector<std::string>& argv);

}  // namespace weaver::remote

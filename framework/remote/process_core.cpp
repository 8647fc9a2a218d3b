#include "process_core.hpp"

#include <regex>
#include <utility>

#include "deadline.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::remote {
namespace {

constexpr std::size_t kRecentLines = 4096;
// A host that prints without newlines must not grow weaver's memory.
constexpr std::size_t kMaxLineBytes = 1 << 20;


}  // namespace

std::string describe_exec(const std::vector<std::string>& argv) {
  std::string text = shell_quote(argv);
  if (text.size() > 120) text = text.substr(0, 117) + "...";
  return "exec " + text;
}

ProcessCore::ProcessCore(std::string where, std::string description, LineCallback on_stdout,
                         LineCallback on_stderr)
    : where_(std::move(where)),
      description_(std::move(description)),
      callbacks_{std::move(on_stdout), std::move(on_stderr)} {}

void ProcessCore::append(bool is_stderr, std::string_view bytes) {
  if (overlong_) return;
  std::string& partial = partial_[is_stderr ? 1 : 0];
  for (;;) {
    std::size_t newline = bytes.find('\n');
    if (newline == std::string_view::npos) break;
    partial.append(bytes.substr(0, newline));
    emit_line(is_stderr, std::exchange(partial, {}));
    bytes.remove_prefix(newline + 1);
  }
  partial.append(bytes);
  if (partial.size() > kMaxLineBytes) {
    overlong_ = true;
    partial.clear();
    fail(std::make_exception_ptr(RemoteError(where_, description_, RemoteErrc::channel_failed,
                                             "printed a line longer than 1 MiB (output not read further)")));
  }
}

void ProcessCore::emit_line(bool is_stderr, std::string line) {
  if (const auto& callback = callbacks_[is_stderr ? 1 : 0]) callback(line);
  recent_.emplace_back(lines_seen_++, std::move(line));
  if (recent_.size() > kRecentLines) recent_.pop_front();
  changed_.notify_all();
}

void ProcessCore::finish(ExitStatus status) {
  for (int stream = 0; stream < 2; ++stream) {
    if (!partial_[stream].empty()) emit_line(stream == 1, std::exchange(partial_[stream], {}));
  }
  if (!done()) status_ = std::move(status);
  changed_.notify_all();
}

void ProcessCore::fail(std::exception_ptr error) {
  if (!done()) error_ = std::move(error);
  changed_.notify_all();
}

void ProcessCore::throw_error(RemoteErrc code, const std::string& detail) const {
  throw RemoteError(where_, description_, code, detail);
}

asio::awaitable<std::string> ProcessCore::wait_for_line(std::string pattern_text,
                                                        Timeout timeout) {
  const std::regex pattern(pattern_text);
  const auto deadline = Deadline::after(timeout);
  std::uint64_t next = recent_.empty() ? lines_seen_ : recent_.front().first;
  for (;;) {
    for (const auto& [number, line] : recent_) {
      if (number < next) continue;
      next = number + 1;
      if (std::regex_search(line, pattern)) co_return line;
    }
    if (error_) std::rethrow_exception(error_);
    if (status_) throw_error(RemoteErrc::exited_before_match, "ended before printing the awaited line");
    if (deadline.passed()) {
      throw_error(RemoteErrc::deadline_exceeded,
                  "waiting for /" + pattern_text + "/: " + deadline.exceeded());
    }
    co_await changed_.wait_until(deadline.at);
  }
}

asio::awaitable<bool> ProcessCore::wait_done_until(Clock::time_point until) {
  while (!done() && Clock::now() < until) co_await changed_.wait_until(until);
  co_return done();
}

asio::awaitable<ExitStatus> ProcessCore::wait(Timeout timeout) {
  const auto deadline = Deadline::after(timeout);
  if (!co_await wait_done_until(deadline.at)) {
    throw_error(RemoteErrc::deadline_exceeded, deadline.exceeded());
  }
  if (error_) std::rethrow_exception(error_);
  co_return *status_;
}

}  // namespace weaver::remote

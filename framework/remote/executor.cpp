#include "weaver/remote/executor.hpp"

#include <exception>
#include <utility>

#include "deadline.hpp"
#include "process_core.hpp"

namespace weaver::remote {

void check_exit(const std::string& where, const std::string& operation, const ExitStatus& status) {
  if (status.code && *status.code == 127) {
    throw RemoteError(where, operation, RemoteErrc::command_not_found,
                      "command not found (exit status 127)");
  }
  if (!status.code) {
    throw RemoteError(where, operation, RemoteErrc::process_killed,
                      "killed by signal " + (status.signal.empty() ? "?" : status.signal));
  }
}

asio::awaitable<ExitStatus> Executor::run(Command command, Timeout timeout) {
  const auto deadline = Deadline::after(timeout);
  const std::string operation = describe_exec(command.argv);
  auto process = co_await start(std::move(command), timeout);
  ExitStatus status;
  bool overdue = false;
  try {
    status = co_await process->wait(deadline.remaining());
  } catch (const RemoteError& error) {
    if (error.code() != RemoteErrc::deadline_exceeded) throw;
    overdue = true;
  }
  if (overdue) {
    // Do not leave it running: the deadline belongs to the whole command.
    try {
      co_await process->signal("KILL", std::chrono::seconds(5));
    } catch (const RemoteError&) {
    }
    throw RemoteError(where(), operation, RemoteErrc::deadline_exceeded, deadline.exceeded());
  }
  check_exit(where(), operation, status);
  co_return status;
}

asio::awaitable<CommandOutput> Executor::capture(std::vector<std::string> argv, Timeout timeout) {
  // A named object, not a temporary in the co_await: GCC 12 destroys such temporaries twice.
  Command command{std::move(argv), {}, {}, std::nullopt};
  co_return co_await capture(std::move(command), timeout);
}

asio::awaitable<CommandOutput> Executor::capture(Command command, Timeout timeout) {
  // What weaver reads from a host is bounded: a command's whole output too.
  constexpr std::size_t kMaxOutputBytes = 16 << 20;
  CommandOutput output;
  bool too_much = false;
  const std::string operation = describe_exec(command.argv);
  auto keep = [&output, &too_much](std::string& into, std::string_view line) {
    if (output.out.size() + output.err.size() + line.size() > kMaxOutputBytes) {
      too_much = true;
      return;
    }
    into.append(line);
    into += '\n';
  };
  command.on_stdout = [&](std::string_view line) { keep(output.out, line); };
  command.on_stderr = [&](std::string_view line) { keep(output.err, line); };
  output.status = co_await run(std::move(command), timeout);
  if (too_much) {
    throw RemoteError(where(), operation, RemoteErrc::channel_failed, "printed more than 16 MiB");
  }
  co_return output;
}

}  // namespace weaver::remote

// One interface for running commands wherever they run: over SSH on a
// hypervisor or source VM (SshExecutor), or here, optionally inside a network
// namespace (LocalExecutor). All operations are coroutines on the caller's
// io_context; each takes a timeout and throws RemoteError when it passes.
#pragma once

// Boost 1.74 detects co_await support for clang only with libc++'s
// <experimental/coroutine>; clang 14 with libstdc++ has <coroutine>.
#if defined(__clang__) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif

#include <utility>  // before Asio: awaitable.hpp uses std::exchange
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weaver/remote/remote_error.hpp"

namespace weaver::remote {

namespace asio = boost::asio;
using Timeout = std::chrono::steady_clock::duration;
using LineCallback = std::function<void(std::string_view line)>;
// Called with bytes done and bytes in all.
using ProgressCallback = std::function<void(std::uint64_t done, std::uint64_t total)>;

struct Command {
  std::vector<std::string> argv;  // never pasted into a shell string unquoted
  LineCallback on_stdout;         // one call per line, without the newline
  LineCallback on_stderr;
  // Every remote command runs under `timeout` (or, through weaver-agent, the
  // agent's own limit), so it stops on its own when weaver dies or the link
  // drops: this limit, or 10 minutes when none is given. Over SSH it also
  // records its pid for signal fallback.
  std::optional<std::chrono::seconds> time_limit;
  // A command that ends by itself when its stdin closes (weaver-agent) needs
  // no pid file for signals, and leaves nothing behind if weaver dies.
  bool record_pid = true;
  // Locally, stdin is /dev/null unless asked for; over SSH it is the channel.
  bool open_stdin = false;
};

struct ExitStatus {
  std::optional<int> code;  // absent when the process died from a signal
  std::string signal;       // "TERM", "KILL", ... when it did

  bool success() const { return code && *code == 0; }
};

struct CommandOutput {
  ExitStatus status;
  std::string out;  // stdout lines, each ended by '\n'
  std::string err;
};

class Process {
 public:
  virtual ~Process() = default;
  // The first stdout or stderr line (already seen or still to come) in which the
  // ECMAScript regex `pattern` matches (std::regex_search).
  virtual asio::awaitable<std::string> wait_for_line(std::string pattern, Timeout timeout) = 0;
  // The exit status once the process ended and its output was delivered.
  virtual asio::awaitable<ExitStatus> wait(Timeout timeout) = 0;
  // Delivers a signal by name ("TERM", "INT", "KILL", "USR1", ...).
  virtual asio::awaitable<void> signal(std::string signal_name, Timeout timeout) = 0;
  // Writes to the process's stdin (Command::open_stdin locally); close_stdin
  // sends end-of-file.
  virtual asio::awaitable<void> write(std::string bytes, Timeout timeout) = 0;
  virtual asio::awaitable<void> close_stdin(Timeout timeout) = 0;
  virtual const std::string& description() const = 0;  // "exec 'tcpdump' '-i' 'eth0'"
};

class Executor {
 public:
  virtual ~Executor() = default;
  // "root@127.0.0.1:2222", "local", "local netns wv1-hv": the start of every message.
  virtual const std::string& where() const = 0;

  virtual asio::awaitable<std::unique_ptr<Process>> start(Command command, Timeout timeout) = 0;
  // The run's own temp dir (mktemp -d), made on first use, removed by close().
  virtual asio::awaitable<std::string> temp_dir(Timeout timeout) = 0;
  virtual asio::awaitable<void> upload(std::filesystem::path local, std::string remote,
                                       ProgressCallback progress, Timeout timeout) = 0;
  virtual asio::awaitable<void> download(std::string remote, std::filesystem::path local,
                                         ProgressCallback progress, Timeout timeout) = 0;
  // Removes the temp dir; call it also after a failure (the destructor tries too).
  virtual asio::awaitable<void> close(Timeout timeout) = 0;

  // start + wait. Exit 127 throws command_not_found, death by signal throws
  // process_killed; other exit codes are returned for the caller to judge.
  asio::awaitable<ExitStatus> run(Command command, Timeout timeout);
  // run, collecting stdout and stderr.
  asio::awaitable<CommandOutput> capture(std::vector<std::string> argv, Timeout timeout);
  // The same for a whole Command (its time limit, pid file); its own line
  // callbacks are replaced by the collection.
  asio::awaitable<CommandOutput> capture(Command command, Timeout timeout);
};

// Throws the RemoteError run() throws for this status, if any.
void check_exit(const std::string& where, const std::string& operation, const ExitStatus& status);

}  // namespace weaver::remote

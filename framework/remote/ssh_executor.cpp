#include "weaver/remote/ssh_executor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>

#include <utility>

#include "sftp_transfer.hpp"
#include "ssh_connect.hpp"
#include "ssh_process.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::remote {

struct SshExecutor::State {
  SshOptions options;
  std::string where;
  std::shared_ptr<SessionIo> session;
  std::string temp_dir;
  bool temp_dir_removed = false;
  bool temp_dir_pending = false;  // one mktemp for many commands starting at once
  Notifier temp_dir_ready;
  std::uint64_t processes_started = 0;
  SftpConnections sftp_connections;               // before `transfers`: outlives its threads
  std::unique_ptr<asio::thread_pool> transfers;  // made on first transfer

  ~State() {
    // close() was skipped (an exception on the way): remove the temp dir over
    // a short blocking session of its own rather than leave it behind.
    if (temp_dir.empty() || temp_dir_removed) return;
    try {
      SshSession cleanup = open_blocking_session(options, Deadline::after(std::chrono::seconds(5)));
      SshChannel channel(ssh_channel_new(cleanup.get()));
      std::string line = shell_quote(std::vector<std::string>{"timeout", "10", "rm", "-rf", "--", temp_dir});
      if (channel && ssh_channel_open_session(channel.get()) == SSH_OK &&
          ssh_channel_request_exec(channel.get(), line.c_str()) == SSH_OK) {
        char sink[256];
        while (ssh_channel_read_timeout(channel.get(), sink, sizeof(sink), 0, 5000) > 0) {
        }
      }
    } catch (const std::exception&) {
      // Best effort in a destructor; the dir is small and under /tmp.
    }
  }
};

namespace {

using State = SshExecutor::State;

// For commands that give no limit of their own (adapters' lookups, probes,
// housekeeping): long enough for any of them, short of forever.
constexpr std::chrono::seconds kDefaultTimeLimit{600};

// `with_pid_file` is false only for weaver's own housekeeping commands.
asio::awaitable<std::unique_ptr<Process>> start_on_strand(std::shared_ptr<State> state,
                                                          Command command, Deadline deadline,
                                                          bool with_pid_file = true);

asio::awaitable<std::string> temp_dir_on_strand(std::shared_ptr<State> state, Deadline deadline) {
  while (state->temp_dir_pending) {
    if (deadline.passed()) {
      state->session->fail("mktemp -d", RemoteErrc::deadline_exceeded, deadline.exceeded());
    }
    co_await state->temp_dir_ready.wait_until(deadline.at);
  }
  if (state->temp_dir.empty()) {
    state->temp_dir_pending = true;
    std::string out;
    std::exception_ptr error;
    try {
      Command mktemp{{"mktemp", "-d", "/tmp/weaver.XXXXXXXXXX"},
                     [&out](std::string_view line) { out = line; }, {}, std::nullopt};
      auto process = co_await start_on_strand(state, std::move(mktemp), deadline, false);
      ExitStatus status = co_await process->wait(deadline.remaining());
      if (!status.success() || out.empty()) {
        state->session->fail("mktemp -d", RemoteErrc::channel_failed,
                             "cannot make the run's temp dir");
      }
      state->temp_dir = out;
    } catch (...) {
      error = std::current_exception();
    }
    state->temp_dir_pending = false;
    state->temp_dir_ready.notify_all();
    if (error) std::rethrow_exception(error);
  }
  co_return state->temp_dir;
}

asio::awaitable<std::unique_ptr<Process>> start_on_strand(std::shared_ptr<State> state,
                                                          Command command, Deadline deadline,
                                                          bool with_pid_file) {
  if (command.argv.empty()) throw UsageError(state->where + ": empty command");
  std::optional<std::string> pid_file;
  // Every command runs under `timeout`, so it stops on its own should weaver
  // die or the link drop: its own limit, or kDefaultTimeLimit.
  const auto limit = command.time_limit.value_or(kDefaultTimeLimit);
  std::vector<std::string> argv{"timeout", "--signal=TERM", "--kill-after=5",
                                std::to_string(std::max<long>(1, limit.count()))};
  if (with_pid_file && command.record_pid) {
    // OpenSSH refuses RFC 4254 signals on root sessions (no privilege-separated
    // child after a root login), so every command records its pid for `kill`;
    // the inner sh execs, so the pid stays the command's.
    std::string dir = co_await temp_dir_on_strand(state, deadline);
    pid_file = dir + "/process-" + std::to_string(++state->processes_started) + ".pid";
    argv.insert(argv.end(), {"sh", "-c", "echo $$ > \"$1\"; shift; exec \"$@\"", "sh", *pid_file});
  }
  argv.insert(argv.end(), command.argv.begin(), command.argv.end());
  std::string line = shell_quote(argv);
  co_return co_await start_ssh_process(state->session, std::move(command), std::move(line),
                                       std::move(pid_file), deadline);
}

asio::awaitable<void> close_on_strand(std::shared_ptr<State> state, Deadline deadline) {
  if (state->temp_dir.empty() || state->temp_dir_removed) co_return;
  Command remove{{"rm", "-rf", "--", state->temp_dir}, {}, {}, std::nullopt};
  auto process = co_await start_on_strand(state, std::move(remove), deadline, false);
  ExitStatus status = co_await process->wait(deadline.remaining());
  check_exit(state->where, "remove temp dir " + state->temp_dir, status);
  state->temp_dir_removed = true;
}

// A plain function taking its work by value: the coroutine frame owns it (a
// capturing lambda coroutine would outlive its captures).
asio::awaitable<void> run_blocking(std::function<void()> work) {
  work();
  co_return;
}

asio::awaitable<void> run_transfer(std::shared_ptr<State> state, std::function<void()> transfer) {
  if (!state->transfers) state->transfers = std::make_unique<asio::thread_pool>(2);
  co_await asio::co_spawn(state->transfers->get_executor(), run_blocking(std::move(transfer)),
                          asio::use_awaitable);
}

}  // namespace

asio::awaitable<std::unique_ptr<SshExecutor>> SshExecutor::connect(asio::io_context& io,
                                                                   SshOptions options,
                                                                   Timeout timeout) {
  validate_host("host", options.host);
  auto state = std::make_shared<State>();
  state->where = options.where();
  state->session = co_await open_session(io, options, Deadline::after(timeout));
  state->options = std::move(options);
  co_return std::unique_ptr<SshExecutor>(new SshExecutor(std::move(state)));
}

SshExecutor::SshExecutor(std::shared_ptr<State> state) : state_(std::move(state)) {}
SshExecutor::~SshExecutor() = default;

const std::string& SshExecutor::where() const { return state_->where; }

asio::awaitable<std::unique_ptr<Process>> SshExecutor::start(Command command, Timeout timeout) {
  co_return co_await asio::co_spawn(state_->session->strand(),
                                    start_on_strand(state_, std::move(command), Deadline::after(timeout)),
                                    asio::use_awaitable);
}

asio::awaitable<std::string> SshExecutor::temp_dir(Timeout timeout) {
  co_return co_await asio::co_spawn(state_->session->strand(),
                                    temp_dir_on_strand(state_, Deadline::after(timeout)),
                                    asio::use_awaitable);
}

asio::awaitable<void> SshExecutor::close(Timeout timeout) {
  co_await asio::co_spawn(state_->session->strand(), close_on_strand(state_, Deadline::after(timeout)),
                          asio::use_awaitable);
}

asio::awaitable<void> SshExecutor::upload(std::filesystem::path local, std::string remote,
                                          ProgressCallback progress, Timeout timeout) {
  auto deadline = Deadline::after(timeout);
  co_await run_transfer(state_, [&] { sftp_upload(state_->options, state_->sftp_connections, local, remote, progress, deadline); });
}

asio::awaitable<void> SshExecutor::download(std::string remote, std::filesystem::path local,
                                            ProgressCallback progress, Timeout timeout) {
  auto deadline = Deadline::after(timeout);
  co_await run_transfer(state_, [&] { sftp_download(state_->options, state_->sftp_connections, remote, local, progress, deadline); });
}

}  // namespace weaver::remote

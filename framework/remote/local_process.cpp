#include "local_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cerrno>
#include <cstring>
#include <utility>

#include "process_core.hpp"
#include "ssh_process.hpp"  // validate_signal_name

namespace weaver::remote {
namespace {

struct LocalState {
  LocalState(const LocalStrand& strand, std::string where, std::string description, Command& command)
      : core(std::move(where), std::move(description), std::move(command.on_stdout),
             std::move(command.on_stderr)),
        in(strand),
        out(strand),
        err(strand),
        exited(strand),
        time_limit(strand) {}

  ProcessCore core;
  pid_t pid = -1;
  // stdin (Command::open_stdin) is a socket: writing after the process ended
  // is then an EPIPE error (MSG_NOSIGNAL), not a SIGPIPE that ends weaver.
  asio::local::stream_protocol::socket in;
  asio::posix::stream_descriptor out, err, exited;  // stdout, stderr, pidfd
  asio::steady_timer time_limit;
  int running_parts = 3;  // two pipes and the exit
  ExitStatus status;

  void part_done() {
    if (--running_parts == 0) {
      time_limit.cancel();
      core.finish(status);
    }
  }
};

[[noreturn]] void fail_local(const std::string& where, const std::string& operation,
                             const std::string& what) {
  throw RemoteError(where, operation, RemoteErrc::local_failed, what + ": " + std::strerror(errno));
}

asio::awaitable<void> drain(std::shared_ptr<LocalState> state, bool is_stderr) {
  auto& pipe = is_stderr ? state->err : state->out;
  char buffer[64 * 1024];
  for (;;) {
    boost::system::error_code ec;
    std::size_t got = co_await pipe.async_read_some(asio::buffer(buffer),
                                                    asio::redirect_error(asio::use_awaitable, ec));
    if (got > 0) state->core.append(is_stderr, std::string_view(buffer, got));
    if (ec) break;
  }
  pipe.close();
  state->part_done();
}

asio::awaitable<void> reap(std::shared_ptr<LocalState> state) {
  boost::system::error_code ec;
  co_await state->exited.async_wait(asio::posix::stream_descriptor::wait_read,
                                    asio::redirect_error(asio::use_awaitable, ec));
  int raw = 0;
  while (::waitpid(state->pid, &raw, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(raw)) state->status.code = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) state->status.signal = sigabbrev_np(WTERMSIG(raw)) ? sigabbrev_np(WTERMSIG(raw)) : "?";
  state->exited.close();
  state->part_done();
}

asio::awaitable<void> signal_group(std::shared_ptr<LocalState> state, int number) {
  if (!state->core.done()) ::killpg(state->pid, number);
  co_return;
}

asio::awaitable<void> write_stdin(std::shared_ptr<LocalState> state, std::string bytes) {
  if (!state->in.is_open()) {
    state->core.throw_error(RemoteErrc::local_failed, "stdin is not open (Command::open_stdin)");
  }
  boost::system::error_code ec;
  co_await asio::async_write(state->in, asio::buffer(bytes), asio::redirect_error(asio::use_awaitable, ec));
  if (ec) state->core.throw_error(RemoteErrc::local_failed, "write to stdin: " + ec.message());
}

asio::awaitable<void> close_input(std::shared_ptr<LocalState> state) {
  boost::system::error_code ignored;
  if (state->in.is_open()) state->in.shutdown(asio::socket_base::shutdown_send, ignored);
  co_return;
}

class LocalProcess final : public Process {
 public:
  LocalProcess(LocalStrand strand, std::shared_ptr<LocalState> state)
      : strand_(std::move(strand)), state_(std::move(state)) {}
  ~LocalProcess() override {
    state_->core.drop_callbacks();
    if (!state_->core.done()) asio::co_spawn(strand_, signal_group(state_, SIGTERM), asio::detached);
  }
  asio::awaitable<std::string> wait_for_line(std::string pattern, Timeout timeout) override {
    co_return co_await asio::co_spawn(strand_, state_->core.wait_for_line(std::move(pattern), timeout),
                                      asio::use_awaitable);
  }
  asio::awaitable<ExitStatus> wait(Timeout timeout) override {
    co_return co_await asio::co_spawn(strand_, state_->core.wait(timeout), asio::use_awaitable);
  }
  asio::awaitable<void> signal(std::string signal_name, Timeout) override {
    int number = signal_number(state_->core.where(), signal_name);
    co_await asio::co_spawn(strand_, signal_group(state_, number), asio::use_awaitable);
  }
  asio::awaitable<void> write(std::string bytes, Timeout) override {
    co_await asio::co_spawn(strand_, write_stdin(state_, std::move(bytes)), asio::use_awaitable);
  }
  asio::awaitable<void> close_stdin(Timeout) override {
    co_await asio::co_spawn(strand_, close_input(state_), asio::use_awaitable);
  }
  const std::string& description() const override { return state_->core.description(); }

 private:
  LocalStrand strand_;
  std::shared_ptr<LocalState> state_;
};

}  // namespace

int signal_number(const std::string& where, const std::string& signal_name) {
  validate_signal_name(where, signal_name);
  for (int number = 1; number < NSIG; ++number) {
    const char* name = sigabbrev_np(number);
    if (name != nullptr && signal_name == name) return number;
  }
  throw UsageError(where + ": unknown signal '" + signal_name + "'");
}

std::unique_ptr<Process> start_local_process(const LocalStrand& strand, const std::string& where,
                                             std::vector<std::string> argv, Command command) {
  auto state = std::make_shared<LocalState>(strand, where, describe_exec(command.argv), command);
  const std::string& operation = state->core.description();
  int in[2] = {-1, -1};
  int out[2];
  int err[2];
  if (command.open_stdin && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) {
    fail_local(where, operation, "socketpair");
  }
  if (::pipe2(out, O_CLOEXEC) != 0) {
    if (in[0] >= 0) ::close(in[0]), ::close(in[1]);
    fail_local(where, operation, "pipe");
  }
  if (::pipe2(err, O_CLOEXEC) != 0) {
    if (in[0] >= 0) ::close(in[0]), ::close(in[1]);
    ::close(out[0]);
    ::close(out[1]);
    fail_local(where, operation, "pipe");
  }
  std::vector<char*> args;
  for (auto& word : argv) args.push_back(word.data());
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    ::dup2(in[0] >= 0 ? in[0] : ::open("/dev/null", O_RDONLY), 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  int saved = errno;
  ::close(out[1]);
  ::close(err[1]);
  if (in[0] >= 0) ::close(in[0]);
  if (pid < 0) {
    if (in[1] >= 0) ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    errno = saved;
    fail_local(where, operation, "fork");
  }
  state->pid = pid;
  if (in[1] >= 0) state->in.assign(asio::local::stream_protocol(), in[1]);
  state->out.assign(out[0]);
  state->err.assign(err[0]);
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    fail_local(where, operation, "pidfd_open");
  }
  state->exited.assign(pidfd);
  if (command.time_limit) {
    state->time_limit.expires_after(*command.time_limit);
    state->time_limit.async_wait([state](boost::system::error_code ec) {
      if (!ec && !state->core.done()) ::killpg(state->pid, SIGTERM);
    });
  }
  asio::co_spawn(strand, drain(state, false), asio::detached);
  asio::co_spawn(strand, drain(state, true), asio::detached);
  asio::co_spawn(strand, reap(state), asio::detached);
  return std::make_unique<LocalProcess>(strand, state);
}

}  // namespace weaver::remote

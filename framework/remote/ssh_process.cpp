#include "ssh_process.hpp"

#include <libssh/callbacks.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <algorithm>
#include <cctype>
#include <utility>

#include "process_core.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::remote {
namespace {

// Lives as long as the channel: libssh calls back into it from any call on
// the session, whichever channel that call was for.
struct ChannelState {
  ChannelState(std::shared_ptr<SessionIo> session_io, std::string description, Command& command)
      : io(std::move(session_io)),
        core(io->where(), std::move(description), std::move(command.on_stdout),
             std::move(command.on_stderr)) {}

  std::shared_ptr<SessionIo> io;
  SshChannel channel;
  ssh_channel_callbacks_struct callbacks{};
  ProcessCore core;
  std::optional<int> exit_code;
  std::string exit_signal;
  bool remote_eof = false;
  bool remote_closed = false;
  bool abandoned = false;
  std::optional<std::string> pid_file;
};

int on_data(ssh_session, ssh_channel, void* data, uint32_t length, int is_stderr, void* user) {
  auto* state = static_cast<ChannelState*>(user);
  // Called from inside libssh: an exception from a line callback must not
  // unwind through it (it would end the pump, and the output with it).
  try {
    state->core.append(is_stderr != 0, std::string_view(static_cast<const char*>(data), length));
  } catch (...) {
    state->core.fail(std::current_exception());
  }
  state->io->notify_all();
  return static_cast<int>(length);
}
void on_close(ssh_session, ssh_channel, void* user) {
  auto* state = static_cast<ChannelState*>(user);
  state->remote_closed = true;
  state->io->notify_all();
}
void on_eof(ssh_session, ssh_channel, void* user) {
  static_cast<ChannelState*>(user)->remote_eof = true;
}
void on_exit_status(ssh_session, ssh_channel, int status, void* user) {
  static_cast<ChannelState*>(user)->exit_code = status;
}
void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                    void* user) {
  static_cast<ChannelState*>(user)->exit_signal = signal != nullptr ? signal : "?";
}

bool ended(const ChannelState& state) {
  return state.remote_closed ||
         (state.remote_eof && (state.exit_code || !state.exit_signal.empty()));
}

// Drives the channel until the process ended, delivering output as it comes.
asio::awaitable<void> pump(std::shared_ptr<ChannelState> state) {
  ssh_channel channel = state->channel.get();
  const Deadline forever = Deadline::after(std::chrono::hours(24 * 365));
  while (!ended(*state)) {
    if (state->abandoned) {
      // Nobody waits for it any more; ask it to stop and let `timeout` do the rest.
      ssh_channel_request_send_signal(channel, "TERM");
      ssh_channel_close(channel);
      state->core.finish({});
      co_return;
    }
    // Both process whatever packets arrived (the callbacks take the data), but
    // after EOF libssh 0.10's poll returns early without reading, so the exit
    // status and close have to be fetched by the exit-status call.
    // (Its result is the status or -1, which equals SSH_ERROR: judge the link instead.)
    int rc = state->remote_eof ? (ssh_channel_get_exit_status(channel), SSH_OK)
                               : ssh_channel_poll_timeout(channel, 0, 0);
    if (rc == SSH_ERROR || !state->io->connected()) {
      try {
        state->io->fail(state->core.description(), RemoteErrc::connection_lost,
                        "connection lost while the command ran: " + state->io->last_error());
      } catch (const RemoteError&) {
        state->core.fail(std::current_exception());
      }
      co_return;
    }
    if (ended(*state)) break;
    co_await state->io->wait(forever);
  }
  if (!state->exit_code && state->exit_signal.empty()) {
    try {
      state->io->fail(state->core.description(), RemoteErrc::connection_lost,
                      "channel closed without an exit status");
    } catch (const RemoteError&) {
      state->core.fail(std::current_exception());
    }
    co_return;
  }
  state->core.finish({state->exit_code, state->exit_signal});
}

asio::awaitable<void> signal_on_strand(std::shared_ptr<ChannelState> state, std::string name,
                                       Deadline deadline) {
  const std::string operation = "signal " + name + " to " + state->core.description();
  if (state->core.done()) co_return;
  const bool ends = ends_process(name);
  const bool try_request = !state->pid_file || (ends && !state->io->signal_requests_ignored);
  if (try_request) {
    // RFC 4254 "signal" request; OpenSSH asks for no reply, so success is seen
    // only as the process ending.
    int rc = co_await state->io->retry(operation, deadline, SSH_AGAIN, [&] {
      return ssh_channel_request_send_signal(state->channel.get(), name.c_str());
    });
    if (rc == SSH_OK && (!ends || !state->pid_file)) co_return;
    if (rc == SSH_OK) {
      // The request has no reply; a refusal shows only as the process living on.
      auto grace = std::min<Timeout>(std::chrono::milliseconds(300), deadline.remaining() / 2);
      if (co_await state->core.wait_done_until(Clock::now() + grace)) co_return;
      state->io->signal_requests_ignored = true;
    }
  }
  if (!state->pid_file) {
    state->io->fail(operation, RemoteErrc::channel_failed, "the server refused the signal request");
  }
  Command kill{{"sh", "-c", "kill -s \"$1\" \"$(cat \"$2\")\"", "sh", name, *state->pid_file},
               {}, {}, std::nullopt};
  std::string line = shell_quote(kill.argv);
  auto killer = co_await start_ssh_process(state->io, std::move(kill), line, std::nullopt, deadline);
  ExitStatus status = co_await killer->wait(deadline.remaining());
  if (!status.success() && !state->core.done()) {
    state->io->fail(operation, RemoteErrc::channel_failed,
                    "kill through the pid file failed, exit status " +
                        std::to_string(status.code.value_or(-1)));
  }
}

// The remote window may take less than all of it: write until it took all.
asio::awaitable<void> write_on_strand(std::shared_ptr<ChannelState> state, std::string bytes,
                                      Deadline deadline) {
  const std::string operation = "write to " + state->core.description();
  std::string_view rest = bytes;
  while (!rest.empty()) {
    if (state->core.done() || state->remote_closed) {
      state->io->fail(operation, RemoteErrc::channel_failed, "the process has ended");
    }
    const int wrote = co_await state->io->retry(operation, deadline, SSH_AGAIN, [&] {
      return ssh_channel_write(state->channel.get(), rest.data(), static_cast<uint32_t>(rest.size()));
    });
    if (wrote == SSH_ERROR) {
      state->io->fail(operation,
                      state->io->connected() ? RemoteErrc::channel_failed : RemoteErrc::connection_lost,
                      state->io->last_error());
    }
    rest.remove_prefix(static_cast<std::size_t>(wrote));
    if (wrote == 0) {
      if (deadline.passed()) state->io->fail(operation, RemoteErrc::deadline_exceeded, deadline.exceeded());
      co_await state->io->wait(deadline, true);
    }
  }
}

asio::awaitable<void> eof_on_strand(std::shared_ptr<ChannelState> state, Deadline deadline) {
  if (state->core.done() || state->remote_closed) co_return;
  co_await state->io->retry("end of input to " + state->core.description(), deadline, SSH_AGAIN,
                            [&] { return ssh_channel_send_eof(state->channel.get()); });
}

class SshProcess final : public Process {
 public:
  explicit SshProcess(std::shared_ptr<ChannelState> state) : state_(std::move(state)) {}
  ~SshProcess() override {
    state_->core.drop_callbacks();
    if (!state_->core.done()) {
      state_->abandoned = true;
      state_->io->notify_all();
    }
  }

  asio::awaitable<std::string> wait_for_line(std::string pattern, Timeout timeout) override {
    co_return co_await asio::co_spawn(state_->io->strand(),
                                      state_->core.wait_for_line(std::move(pattern), timeout),
                                      asio::use_awaitable);
  }
  asio::awaitable<ExitStatus> wait(Timeout timeout) override {
    co_return co_await asio::co_spawn(state_->io->strand(), state_->core.wait(timeout),
                                      asio::use_awaitable);
  }
  asio::awaitable<void> signal(std::string signal_name, Timeout timeout) override {
    validate_signal_name(state_->io->where(), signal_name);
    co_await asio::co_spawn(state_->io->strand(),
                            signal_on_strand(state_, std::move(signal_name), Deadline::after(timeout)),
                            asio::use_awaitable);
  }
  asio::awaitable<void> write(std::string bytes, Timeout timeout) override {
    co_await asio::co_spawn(state_->io->strand(),
                            write_on_strand(state_, std::move(bytes), Deadline::after(timeout)),
                            asio::use_awaitable);
  }
  asio::awaitable<void> close_stdin(Timeout timeout) override {
    co_await asio::co_spawn(state_->io->strand(), eof_on_strand(state_, Deadline::after(timeout)),
                            asio::use_awaitable);
  }
  const std::string& description() const override { return state_->core.description(); }

 private:
  std::shared_ptr<ChannelState> state_;
};

}  // namespace

bool ends_process(const std::string& signal_name) {
  static const char* const kEnding[] = {"TERM", "INT", "KILL", "HUP", "QUIT", "ABRT", "ALRM", "PIPE"};
  return std::any_of(std::begin(kEnding), std::end(kEnding),
                     [&](const char* name) { return signal_name == name; });
}

void validate_signal_name(const std::string& where, const std::string& signal_name) {
  bool ok = !signal_name.empty() && signal_name.size() <= 8 &&
            std::all_of(signal_name.begin(), signal_name.end(), [](char c) {
              return std::isupper(static_cast<unsigned char>(c)) != 0 ||
                     std::isdigit(static_cast<unsigned char>(c)) != 0;
            });
  if (!ok) {
    throw UsageError(where + ": signal '" + signal_name + "' is not a signal name like TERM or USR1");
  }
}

asio::awaitable<std::unique_ptr<Process>> start_ssh_process(std::shared_ptr<SessionIo> io,
                                                            Command command,
                                                            std::string command_line,
                                                            std::optional<std::string> pid_file,
                                                            Deadline deadline) {
  auto state = std::make_shared<ChannelState>(io, describe_exec(command.argv), command);
  const std::string& operation = state->core.description();
  state->pid_file = std::move(pid_file);
  if (!io->connected()) io->fail(operation, RemoteErrc::connection_lost, io->last_error());
  state->channel = SshChannel(ssh_channel_new(io->get()));
  if (!state->channel) io->fail(operation, RemoteErrc::channel_failed, io->last_error());
  ssh_channel channel = state->channel.get();
  auto& callbacks = state->callbacks;
  ssh_callbacks_init(&callbacks);
  callbacks.userdata = state.get();
  callbacks.channel_data_function = on_data;
  callbacks.channel_close_function = on_close;
  callbacks.channel_eof_function = on_eof;
  callbacks.channel_exit_status_function = on_exit_status;
  callbacks.channel_exit_signal_function = on_exit_signal;
  ssh_set_channel_callbacks(channel, &callbacks);

  auto failed = [&](const char* step) {
    RemoteErrc code = io->connected() ? RemoteErrc::channel_failed : RemoteErrc::connection_lost;
    io->fail(operation, code, std::string(step) + ": " + io->last_error());
  };
  if (co_await io->retry(operation, deadline, SSH_AGAIN,
                         [&] { return ssh_channel_open_session(channel); }) != SSH_OK) {
    failed("open channel");
  }
  if (co_await io->retry(operation, deadline, SSH_AGAIN, [&] {
        return ssh_channel_request_exec(channel, command_line.c_str());
      }) != SSH_OK) {
    failed("exec request");
  }
  asio::co_spawn(io->strand(), pump(state), asio::detached);
  co_return std::make_unique<SshProcess>(state);
}

}  // namespace weaver::remote

#include "child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "weaver/error.hpp"

namespace weaver::agent {
namespace {

constexpr std::size_t kMaxLine = 64 * 1024;
constexpr std::chrono::seconds kKillAfter{5};

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

std::optional<int> signal_by_name(std::string_view name) {
  static const std::pair<std::string_view, int> kSignals[] = {
      {"TERM", SIGTERM}, {"INT", SIGINT},   {"KILL", SIGKILL},
      {"HUP", SIGHUP},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2}};
  for (const auto& [known, number] : kSignals) {
    if (name == known) return number;
  }
  return std::nullopt;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, std::chrono::seconds time_limit)
    : term_at_(Clock::now() + time_limit) {
  if (argv.empty()) throw Error("spawn: empty argv");
  std::vector<char*> args;
  std::vector<std::string> words = argv;
  for (std::string& word : words) {
    if (word.find('\0') != std::string::npos) throw Error("spawn: an argument holds a NUL byte");
    args.push_back(word.data());
  }
  args.push_back(nullptr);
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw Error(std::string("spawn: pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    throw Error(std::string("spawn: pipe: ") + std::strerror(errno));
  }
  const pid_t parent = ::getpid();
  pid_ = ::fork();
  if (pid_ == 0) {
    // Only async-signal-safe calls until exec.
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(126);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // the agent blocks its signals for signalfd
    ::signal(SIGPIPE, SIG_DFL);
    int null = ::open("/dev/null", O_RDONLY);
    ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  const int saved = errno;
  ::close(out[1]);
  ::close(err[1]);
  if (pid_ < 0) {
    ::close(out[0]);
    ::close(err[0]);
    throw Error(std::string("spawn: fork: ") + std::strerror(saved));
  }
  // Also from this side: a signal sent before the child ran its own setpgid
  // must still find the group.
  ::setpgid(pid_, pid_);
  out_ = out[0];
  err_ = err[0];
  ::fcntl(out_, F_SETFL, O_NONBLOCK);
  ::fcntl(err_, F_SETFL, O_NONBLOCK);
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
  if (pidfd_ < 0) {
    const int pidfd_errno = errno;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    reaped_ = true;
    throw Error(std::string("spawn: pidfd_open: ") + std::strerror(pidfd_errno));
  }
}

ChildProcess::~ChildProcess() {
  if (!reaped_) {
    ::kill(-pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  close_fd(out_);
  close_fd(err_);
  close_fd(pidfd_);
}

std::vector<int> ChildProcess::descriptors() const {
  std::vector<int> fds;
  for (int fd : {out_, err_, reaped_ ? -1 : pidfd_}) {
    if (fd >= 0) fds.push_back(fd);
  }
  return fds;
}

void ChildProcess::close_stream(int& fd, std::string& partial, bool is_stderr,
                                const std::function<void(bool, std::string_view)>& on_line) {
  if (!partial.empty()) on_line(is_stderr, std::exchange(partial, {}));
  close_fd(fd);
}

void ChildProcess::read(int fd, const std::function<void(bool is_stderr, std::string_view line)>& on_line) {
  const bool is_stderr = fd == err_;
  if (fd != out_ && fd != err_) return;
  int& stream = is_stderr ? err_ : out_;
  std::string& partial = partial_[is_stderr ? 1 : 0];
  char buffer[16 * 1024];
  for (;;) {
    const ssize_t got = ::read(stream, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got <= 0) {
      close_stream(stream, partial, is_stderr, on_line);
      return;
    }
    std::string_view bytes(buffer, static_cast<std::size_t>(got));
    for (;;) {
      const std::size_t newline = bytes.find('\n');
      if (newline == std::string_view::npos) break;
      partial.append(bytes.substr(0, newline));
      on_line(is_stderr, std::exchange(partial, {}));
      bytes.remove_prefix(newline + 1);
    }
    partial.append(bytes);
    if (partial.size() >= kMaxLine) on_line(is_stderr, std::exchange(partial, {}));
  }
}

void ChildProcess::reap() {
  if (reaped_) return;
  int raw = 0;
  const pid_t done = ::waitpid(pid_, &raw, WNOHANG);
  if (done != pid_) return;
  reaped_ = true;
  if (WIFEXITED(raw)) code_ = WEXITSTATUS(raw);
  if (WIFSIGNALED(raw)) {
    const char* name = sigabbrev_np(WTERMSIG(raw));
    signal_ = name != nullptr ? name : "?";
  }
  // The group may hold children of the command; none may outlive it.
  ::kill(-pid_, SIGKILL);
}

void ChildProcess::signal(int number) {
  if (reaped_) return;
  if (::kill(-pid_, number) != 0) ::kill(pid_, number);  // no group (yet): the process itself
}

Clock::time_point ChildProcess::enforce_time_limit(Clock::time_point now) {
  if (reaped_) return Clock::time_point::max();
  if (!term_sent_) {
    if (now < term_at_) return term_at_;
    signal(SIGTERM);
    term_sent_ = true;
  }
  if (!kill_sent_ && now >= term_at_ + kKillAfter) {
    signal(SIGKILL);
    kill_sent_ = true;
  }
  return kill_sent_ ? Clock::time_point::max() : term_at_ + kKillAfter;
}

}  // namespace weaver::agent

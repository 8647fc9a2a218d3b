#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

// A pipe whose ends close themselves.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  Pipe() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) throw LabError(std::string("pipe: ") + std::strerror(errno));
    read_end = fds[0];
    write_end = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read_end >= 0) ::close(read_end);
    read_end = -1;
  }
  void close_write() {
    if (write_end >= 0) ::close(write_end);
    write_end = -1;
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
};

std::vector<char*> to_c_argv(const std::vector<std::string>& argv) {
  std::vector<char*> result;
  for (const std::string& arg : argv) result.push_back(const_cast<char*>(arg.c_str()));
  result.push_back(nullptr);
  return result;
}

std::string first_line(const std::string& text) {
  std::istringstream stream(text);
  std::string line;
  while (std::getline(stream, line)) {
    if (!line.empty()) return line;
  }
  return "no message";
}

// Exit status as one number: the exit code, or 128 + signal.
int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 1;
}

bool enter_netns(const std::string& netns) {
  if (netns.empty()) return true;
  const std::string path = "/run/netns/" + netns;
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool entered = setns(fd, CLONE_NEWNET) == 0;
  ::close(fd);
  return entered;
}

}  // namespace

std::string find_tool(const std::string& name) {
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  std::string path = getenv("PATH") ? getenv("PATH") : "";
  path += ":/usr/sbin:/sbin:/usr/bin:/bin";
  std::istringstream dirs(path);
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

ProcessOutput run_process(const std::vector<std::string>& argv, const std::string& input) {
  const std::string program = find_tool(argv.at(0));
  if (program.empty()) throw LabError(argv[0] + ": not found");
  Pipe in, out, err;
  std::vector<char*> c_argv = to_c_argv(argv);
  const pid_t pid = fork();
  if (pid < 0) throw LabError(argv[0] + ": fork: " + std::strerror(errno));
  if (pid == 0) {
    // A tool must not outlive a `weaver lab up` killed mid-setup: an orphaned
    // `ip -batch` would go on creating links after `down --all` has run.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(in.read_end, 0);
    dup2(out.write_end, 1);
    dup2(err.write_end, 2);
    execv(program.c_str(), c_argv.data());
    _exit(127);
  }
  in.close_read();
  out.close_write();
  err.close_write();
  // One poll loop for all three pipes, so a chatty tool never blocks on a
  // full stderr pipe while we are still writing its batch input.
  ProcessOutput result;
  std::size_t written = 0;
  if (input.empty()) in.close_write();
  while (out.read_end >= 0 || err.read_end >= 0) {
    pollfd fds[3] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}, {in.write_end, POLLOUT, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    char buffer[4096];
    for (int i = 0; i < 2; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
      } else {
        (i == 0 ? out : err).close_read();
      }
    }
    if (fds[2].revents & (POLLOUT | POLLERR | POLLHUP)) {
      const ssize_t n = ::write(in.write_end, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n <= 0 || written == input.size()) in.close_write();
    }
  }
  in.close_write();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = decode_status(status);
  return result;
}

std::string run_checked(const std::string& what, const std::vector<std::string>& argv,
                        const std::string& input) {
  ProcessOutput result = run_process(argv, input);
  if (result.exit_code != 0) {
    throw LabError(what + ": " + argv[0] + " failed (exit " + std::to_string(result.exit_code) +
                   "): " + first_line(result.err.empty() ? result.out : result.err));
  }
  return std::move(result.out);
}

pid_t spawn_detached(const std::vector<std::string>& argv, const std::string& netns,
                     const std::string& log_path) {
  const std::string program = find_tool(argv.at(0));
  if (program.empty()) throw LabError(argv[0] + ": not found");
  std::vector<char*> c_argv = to_c_argv(argv);
  // The intermediate child writes the grandchild's pid; the grandchild writes
  // an errno only if entering the namespace or exec fails (the pipe is
  // close-on-exec, so a successful exec reads as end of file).
  Pipe report;
  const pid_t child = fork();
  if (child < 0) throw LabError(argv[0] + ": fork: " + std::strerror(errno));
  if (child == 0) {
    setsid();
    const pid_t grandchild = fork();
    if (grandchild == 0) {
      int error = 0;
      if (!enter_netns(netns)) error = errno ? errno : ENOENT;
      const int null_fd = ::open("/dev/null", O_RDONLY);
      const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (null_fd < 0 || log_fd < 0) error = errno;
      if (error == 0) {
        dup2(null_fd, 0);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        execv(program.c_str(), c_argv.data());
        error = errno;
      }
      [[maybe_unused]] auto ignored = ::write(report.write_end, &error, sizeof error);
      _exit(127);
    }
    [[maybe_unused]] auto ignored = ::write(report.write_end, &grandchild, sizeof grandchild);
    _exit(grandchild > 0 ? 0 : 1);
  }
  report.close_write();
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  pid_t pid = -1;
  int error = 0;
  if (::read(report.read_end, &pid, sizeof pid) != sizeof pid || pid <= 0) {
    throw LabError(argv[0] + ": could not start (fork failed)");
  }
  if (::read(report.read_end, &error, sizeof error) == sizeof error) {
    throw LabError(argv[0] + " in namespace " + (netns.empty() ? "root" : netns) +
                   ": could not start: " + std::strerror(error));
  }
  return pid;
}

void for_each_netns_in_child(const std::vector<std::string>& netns_names,
                             std::string (*fn)(const std::string& netns, void* context),
                             void* context) {
  Pipe report;
  const pid_t child = fork();
  if (child < 0) throw LabError(std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    for (const std::string& netns : netns_names) {
      std::string message;
      if (!enter_netns(netns)) {
        message = "namespace " + netns + ": setns: " + std::strerror(errno);
      } else {
        message = fn(netns, context);
      }
      if (!message.empty()) {
        [[maybe_unused]] auto ignored = ::write(report.write_end, message.data(), message.size());
        _exit(1);
      }
    }
    _exit(0);
  }
  report.close_write();
  std::string message;
  char buffer[512];
  ssize_t n;
  while ((n = ::read(report.read_end, buffer, sizeof buffer)) > 0) {
    message.append(buffer, static_cast<std::size_t>(n));
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (decode_status(status) != 0) throw LabError(message.empty() ? "netns setup failed" : message);
}

bool process_running(pid_t pid) {
  std::string rest;
  try {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_text;
    if (!(in >> pid_text)) return false;
    rest.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return false;  // it ended while being read
  }
  // comm may contain spaces: the state follows the last ')'.
  const auto close = rest.rfind(')');
  return close != std::string::npos && close + 2 < rest.size() && rest[close + 2] != 'Z';
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw LabError(path + ": cannot write");
}

}  // namespace weaver::lab

// A command weaver-agent runs for weaver (the traffic generator, the
// adapters' lookups): fork/exec of an argv, no shell, in its own process
// group, killed should the agent die (PR_SET_PDEATHSIG), its output read from
// pipes line by line, its exit seen through a pidfd, and a time limit after
// which it gets TERM and, 5 s later, KILL (what `timeout --kill-after=5` does).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weaver::agent {

using Clock = std::chrono::steady_clock;

class ChildProcess {
 public:
  // Throws weaver::Error when the process cannot be started. A program that
  // is not found exits 127, as a shell reports it.
  ChildProcess(const std::vector<std::string>& argv, std::chrono::seconds time_limit);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // The descriptors to poll: stdout, stderr (while open) and the pidfd.
  std::vector<int> descriptors() const;
  // Reads what `fd` has; calls `on_line(is_stderr, line)` for each whole line
  // (lines longer than 64 KiB are cut there).
  void read(int fd, const std::function<void(bool is_stderr, std::string_view line)>& on_line);
  // After the pidfd became readable: reaps the process.
  void reap();
  bool reaped() const { return reaped_; }
  // Ended and both pipes read to their end: nothing more will come.
  bool finished() const { return reaped_ && out_ < 0 && err_ < 0; }
  std::optional<int> exit_code() const { return code_; }
  std::string exit_signal() const { return signal_; }

  // To the whole process group.
  void signal(int number);
  // Sends TERM at the time limit and KILL 5 s after; returns when to look again.
  Clock::time_point enforce_time_limit(Clock::time_point now);

 private:
  void close_stream(int& fd, std::string& partial, bool is_stderr,
                    const std::function<void(bool, std::string_view)>& on_line);

  pid_t pid_ = -1;
  int out_ = -1, err_ = -1, pidfd_ = -1;
  std::string partial_[2];
  bool reaped_ = false;
  std::optional<int> code_;
  std::string signal_;
  Clock::time_point term_at_;
  bool term_sent_ = false;
  bool kill_sent_ = false;
};

// "TERM" -> SIGTERM, for the signals weaver may ask for; nullopt otherwise.
std::optional<int> signal_by_name(std::string_view name);

}  // namespace weaver::agent

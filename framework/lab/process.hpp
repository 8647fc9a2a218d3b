// Running the tools the lab is built with (ip, tc, bridge, ssh-keygen, sshd)
// from argv vectors, never shell strings, and starting the long-lived lab
// processes (sshd, forwarder) inside a network namespace so they outlive
// `weaver lab up`.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace weaver::lab {

struct ProcessOutput {
  int exit_code = 0;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs argv[0] (searched in PATH) to completion, feeding `input` on stdin.
ProcessOutput run_process(const std::vector<std::string>& argv, const std::string& input = {});

// Like run_process, but a non-zero exit throws LabError naming `what` and the
// first line of the tool's stderr.
std::string run_checked(const std::string& what, const std::vector<std::string>& argv,
                        const std::string& input = {});

// Starts argv detached (own session, stdin /dev/null, stdout+stderr appended
// to log_path) inside network namespace `netns` (empty: the current one) and
// returns its pid. The process is not our child, so it outlives us and never
// becomes a zombie of ours. Throws LabError when exec fails.
pid_t spawn_detached(const std::vector<std::string>& argv, const std::string& netns,
                     const std::string& log_path);

// Runs `fn` in a forked child that has entered each namespace in turn
// (/run/netns/<name>); used to write per-namespace /proc/sys files.
// fn returns an error message, empty on success.
void for_each_netns_in_child(const std::vector<std::string>& netns_names,
                             std::string (*fn)(const std::string& netns, void* context),
                             void* context);

// The absolute path of a tool in PATH (plus /usr/sbin and /sbin), or empty.
std::string find_tool(const std::string& name);

// True while `pid` exists and is not a zombie (read from /proc, so it holds
// for processes that are not our children too).
bool process_running(pid_t pid);

// Writes `text` to `path` (replacing it); throws LabError when it cannot.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace weaver::lab

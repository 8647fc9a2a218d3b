// A command on its own channel of a shared session: exec, line streaming
// through libssh's channel callbacks, exit status and signal, signals.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "session_io.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::remote {

// Runs on the session's strand. `command_line` is the fully quoted command;
// `pid_file`, when set, is where the wrapper recorded the process id.
asio::awaitable<std::unique_ptr<Process>> start_ssh_process(std::shared_ptr<SessionIo> io,
                                                            Command command,
                                                            std::string command_line,
                                                            std::optional<std::string> pid_file,
                                                            Deadline deadline);

// Signals whose default action ends a process; the others go through the pid
// file when there is one, because OpenSSH signals the whole process group and
// `timeout` itself would die of, say, USR1.
bool ends_process(const std::string& signal_name);
void validate_signal_name(const std::string& where, const std::string& signal_name);

}  // namespace weaver::remote

// Opening an authenticated, host-key-verified libssh session: non-blocking on
// a strand for commands, or blocking for SFTP transfers on a worker thread.
#pragma once

#include <memory>

#include "deadline.hpp"
#include "session_io.hpp"
#include "weaver/remote/ssh_executor.hpp"

namespace weaver::remote {

asio::awaitable<std::shared_ptr<SessionIo>> open_session(asio::io_context& io,
                                                         const SshOptions& options,
                                                         Deadline deadline);
// Blocks the calling thread; libssh's own timeout is set from the deadline.
SshSession open_blocking_session(const SshOptions& options, Deadline deadline);

}  // namespace weaver::remote

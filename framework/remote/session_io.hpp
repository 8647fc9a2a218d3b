// One libssh session driven non-blocking on an Asio strand. Every libssh call
// on the session goes through retry(): call; on "again" wait until the socket
// is ready in the direction ssh_get_poll_flags() asks for, or until another
// operation on this session made progress (libssh reads whatever packet
// arrives, so another channel's call may have consumed ours), then call again.
// A short cap on each wait bounds the cost of a wakeup that slipped through.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <string>

#include "deadline.hpp"
#include "weaver/remote/notifier.hpp"
#include "ssh_handles.hpp"

namespace weaver::remote {

class SessionIo : public std::enable_shared_from_this<SessionIo> {
 public:
  using Strand = asio::strand<asio::io_context::executor_type>;

  SessionIo(asio::io_context& io, SshSession session, std::string where);
  ~SessionIo();
  SessionIo(const SessionIo&) = delete;
  SessionIo& operator=(const SessionIo&) = delete;

  ssh_session get() const { return session_.get(); }
  const Strand& strand() const { return strand_; }
  const std::string& where() const { return where_; }

  // Starts watching the session's socket once libssh has one.
  void attach_socket();
  // Until the socket is ready, progress was notified, the cap, or the deadline.
  asio::awaitable<void> wait(const Deadline& deadline, bool want_write = false);
  void notify_all() { progress_.notify_all(); }

  // Calls `call` until it returns something other than `again`; throws
  // deadline_exceeded naming `operation` when the deadline passes first.
  template <typename Call>
  asio::awaitable<int> retry(std::string operation, Deadline deadline, int again, Call call) {
    for (;;) {
      int rc = call();
      if (rc != again) {
        notify_all();
        co_return rc;
      }
      if (deadline.passed()) fail(operation, RemoteErrc::deadline_exceeded, deadline.exceeded());
      co_await wait(deadline);
    }
  }

  [[noreturn]] void fail(const std::string& operation, RemoteErrc code, std::string detail) const;
  // libssh's last error text for this session.
  std::string last_error() const;
  // False once the connection dropped or libssh hit a fatal error.
  bool connected() const;

  // OpenSSH refuses RFC 4254 signal requests on root sessions, silently: once
  // a request went unanswered, later signals use the pid file at once instead
  // of waiting out the grace period again.
  bool signal_requests_ignored = false;

 private:
  void arm(bool write);

  SshSession session_;
  std::string where_;
  Strand strand_;
  asio::posix::stream_descriptor socket_;
  bool armed_[2] = {false, false};  // read, write
  Notifier progress_;
};

}  // namespace weaver::remote

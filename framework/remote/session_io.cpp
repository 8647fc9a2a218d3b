#include "session_io.hpp"

#include <boost/asio/bind_executor.hpp>

#include <chrono>
#include <utility>

namespace weaver::remote {
namespace {

// Long enough not to spin, short enough that a missed wakeup costs little.
constexpr auto kWaitCap = std::chrono::milliseconds(20);

}  // namespace

SessionIo::SessionIo(asio::io_context& io, SshSession session, std::string where)
    : session_(std::move(session)),
      where_(std::move(where)),
      strand_(asio::make_strand(io)),
      socket_(io) {}

SessionIo::~SessionIo() {
  // libssh owns the fd and closes it in ssh_free.
  if (socket_.is_open()) socket_.release();
}

void SessionIo::attach_socket() {
  if (socket_.is_open()) return;
  socket_t fd = ssh_get_fd(session_.get());
  if (fd != SSH_INVALID_SOCKET) socket_.assign(fd);
}

void SessionIo::arm(bool write) {
  int index = write ? 1 : 0;
  if (armed_[index] || !socket_.is_open()) return;
  armed_[index] = true;
  auto direction = write ? asio::posix::stream_descriptor::wait_write
                         : asio::posix::stream_descriptor::wait_read;
  // A weak reference: a pending wait must not keep the session alive.
  socket_.async_wait(direction, asio::bind_executor(strand_, [weak = weak_from_this(), index](
                                                                  boost::system::error_code) {
    if (auto self = weak.lock()) {
      self->armed_[index] = false;
      self->notify_all();
    }
  }));
}

asio::awaitable<void> SessionIo::wait(const Deadline& deadline, bool want_write) {
  attach_socket();
  int flags = ssh_get_poll_flags(session_.get());
  arm(false);
  if (want_write || (flags & SSH_WRITE_PENDING) != 0) arm(true);
  co_await progress_.wait_until(std::min(deadline.at, Clock::now() + kWaitCap));
}

void SessionIo::fail(const std::string& operation, RemoteErrc code, std::string detail) const {
  throw RemoteError(where_, operation, code, std::move(detail));
}

std::string SessionIo::last_error() const {
  const char* text = ssh_get_error(session_.get());
  return text != nullptr && *text != '\0' ? text : "unknown libssh error";
}

bool SessionIo::connected() const {
  int status = ssh_get_status(session_.get());
  return ssh_is_connected(session_.get()) != 0 && (status & (SSH_CLOSED | SSH_CLOSED_ERROR)) == 0;
}

}  // namespace weaver::remote

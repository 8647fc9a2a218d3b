#include "weaver/traffic/packet_socket.hpp"

#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "weaver/traffic/traffic_error.hpp"

namespace weaver::traffic {
namespace {

constexpr int kSendBufferBytes = 4 << 20;

std::string system_error_text(const std::string& what, const std::string& interface, int error) {
  std::string text = "AF_PACKET socket on '" + interface + "': " + what + ": " + std::strerror(error);
  if (error == EPERM || error == EACCES) text += " (sending raw frames needs root or CAP_NET_RAW)";
  return text;
}

}  // namespace

PacketSocket::PacketSocket(const Link& link) {
  // Protocol 0: the socket sends and never receives.
  fd_ = ::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw TrafficError(system_error_text("socket", link.name, errno));
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = link.index;
  if (::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const int error = errno;
    ::close(fd_);
    throw TrafficError(system_error_text("bind", link.name, error));
  }
  const int one = 1;
  bypasses_qdisc_ = ::setsockopt(fd_, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof one) == 0;
  // A larger buffer lets a burst queue up without ENOBUFS; the kernel caps it.
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDBUF, &kSendBufferBytes, sizeof kSendBufferBytes);
}

PacketSocket::~PacketSocket() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t PacketSocket::send(std::span<const iovec> frames, int& error) {
  messages_.assign(frames.size(), mmsghdr{});
  for (std::size_t i = 0; i < frames.size(); ++i) {
    messages_[i].msg_hdr.msg_iov = const_cast<iovec*>(&frames[i]);
    messages_[i].msg_hdr.msg_iovlen = 1;
  }
  std::size_t sent = 0;
  error = 0;
  while (sent < frames.size()) {
    const int result = ::sendmmsg(fd_, messages_.data() + sent,
                                  static_cast<unsigned>(frames.size() - sent), 0);
    if (result < 0) {
      if (errno == EINTR) continue;
      error = errno;
      break;
    }
    sent += static_cast<std::size_t>(result);
  }
  return sent;
}

}  // namespace weaver::traffic

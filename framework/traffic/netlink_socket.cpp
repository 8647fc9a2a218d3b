#include "netlink_socket.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "weaver/traffic/traffic_error.hpp"

namespace weaver::traffic {
namespace {

// How long the kernel may take to answer one request before the exchange
// gives up: rtnetlink answers in microseconds, so this only bounds a bug.
constexpr int kReplyTimeoutSeconds = 5;

std::size_t netlink_align(std::size_t size) { return NLMSG_ALIGN(size); }

TrafficError socket_error(const std::string& what) {
  return TrafficError("netlink: " + what + ": " + std::strerror(errno));
}

nlmsghdr read_header(const std::uint8_t* at) {
  nlmsghdr header;
  std::memcpy(&header, at, sizeof header);
  return header;
}

// The errno an NLMSG_ERROR (or an NLMSG_DONE carrying one) reports, positive.
int reported_error(const nlmsghdr& header, const std::uint8_t* payload) {
  if (header.nlmsg_len < NLMSG_LENGTH(sizeof(int))) return 0;
  int error = 0;
  std::memcpy(&error, payload, sizeof error);
  return -error;
}

}  // namespace

NetlinkRequest::NetlinkRequest(std::uint16_t type, std::uint16_t flags) {
  nlmsghdr header{};
  header.nlmsg_type = type;
  header.nlmsg_flags = static_cast<std::uint16_t>(flags | NLM_F_REQUEST);
  append_aligned(&header, sizeof header);
}

void NetlinkRequest::append_aligned(const void* data, std::size_t size) {
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  bytes_.insert(bytes_.end(), bytes, bytes + size);
  bytes_.resize(netlink_align(bytes_.size()), 0);
}

void NetlinkRequest::add_attribute(std::uint16_t type, const void* data, std::size_t size) {
  rtattr header{};
  header.rta_type = type;
  header.rta_len = static_cast<unsigned short>(RTA_LENGTH(size));
  const std::size_t start = bytes_.size();
  bytes_.resize(start + RTA_SPACE(size), 0);
  std::memcpy(bytes_.data() + start, &header, sizeof header);
  std::memcpy(bytes_.data() + start + RTA_LENGTH(0), data, size);
}

std::span<const std::uint8_t> NetlinkRequest::finish(std::uint32_t sequence) {
  nlmsghdr header = read_header(bytes_.data());
  header.nlmsg_len = static_cast<std::uint32_t>(bytes_.size());
  header.nlmsg_seq = sequence;
  std::memcpy(bytes_.data(), &header, sizeof header);
  return bytes_;
}

NetlinkAttributes::NetlinkAttributes(std::span<const std::uint8_t> bytes) {
  std::size_t offset = 0;
  while (offset + sizeof(rtattr) <= bytes.size()) {
    rtattr header;
    std::memcpy(&header, bytes.data() + offset, sizeof header);
    if (header.rta_len < sizeof header || offset + header.rta_len > bytes.size()) break;
    const std::uint16_t type = header.rta_type & NLA_TYPE_MASK;
    if (type >= by_type_.size()) by_type_.resize(type + 1u);
    by_type_[type] = bytes.subspan(offset + RTA_LENGTH(0), header.rta_len - RTA_LENGTH(0));
    offset += RTA_ALIGN(header.rta_len);
  }
}

std::span<const std::uint8_t> NetlinkAttributes::get(std::uint16_t type) const {
  return type < by_type_.size() ? by_type_[type] : std::span<const std::uint8_t>{};
}

std::optional<std::uint32_t> NetlinkAttributes::u32(std::uint16_t type) const {
  const std::span<const std::uint8_t> value = get(type);
  if (value.size() != sizeof(std::uint32_t)) return std::nullopt;
  std::uint32_t result;
  std::memcpy(&result, value.data(), sizeof result);
  return result;
}

NetlinkAttributes NetlinkMessage::attributes(std::size_t header_size) const {
  const std::size_t start = netlink_align(header_size);
  if (start >= payload.size()) return NetlinkAttributes({});
  return NetlinkAttributes(std::span<const std::uint8_t>(payload).subspan(start));
}

NetlinkSocket::NetlinkSocket() : fd_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
  if (fd_ < 0) throw socket_error("socket");
  timeval timeout{};
  timeout.tv_sec = kReplyTimeoutSeconds;
  if (::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout) != 0) {
    const TrafficError error = socket_error("SO_RCVTIMEO");
    ::close(fd_);
    throw error;
  }
}

NetlinkSocket::~NetlinkSocket() {
  if (fd_ >= 0) ::close(fd_);
}

NetlinkSocket::NetlinkSocket(NetlinkSocket&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), next_sequence_(other.next_sequence_) {}

NetlinkSocket& NetlinkSocket::operator=(NetlinkSocket&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    next_sequence_ = other.next_sequence_;
  }
  return *this;
}

void NetlinkSocket::send(NetlinkRequest& request, std::uint32_t sequence) {
  const std::span<const std::uint8_t> bytes = request.finish(sequence);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent;
  do {
    sent = ::sendto(fd_, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&kernel),
                    sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) throw socket_error("send");
}

// One datagram, however large: its size is peeked first, so a dump part
// bigger than any fixed buffer is never truncated.
std::vector<std::uint8_t> NetlinkSocket::receive_datagram() {
  for (;;) {
    const ssize_t size = ::recv(fd_, nullptr, 0, MSG_PEEK | MSG_TRUNC);
    if (size < 0 && errno == EINTR) continue;
    if (size < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      throw TrafficError("netlink: the kernel did not answer within " +
                         std::to_string(kReplyTimeoutSeconds) + " s");
    }
    if (size < 0) throw socket_error("receive");
    std::vector<std::uint8_t> datagram(static_cast<std::size_t>(size));
    const ssize_t received = ::recv(fd_, datagram.data(), datagram.size(), 0);
    if (received < 0 && errno == EINTR) continue;
    if (received < 0) throw socket_error("receive");
    datagram.resize(static_cast<std::size_t>(received));
    return datagram;
  }
}

NetlinkReply NetlinkSocket::exchange(NetlinkRequest& request) {
  const std::uint32_t sequence = next_sequence_++;
  send(request, sequence);
  NetlinkReply reply;
  for (;;) {
    const std::vector<std::uint8_t> datagram = receive_datagram();
    std::size_t offset = 0;
    while (offset + sizeof(nlmsghdr) <= datagram.size()) {
      const nlmsghdr header = read_header(datagram.data() + offset);
      if (header.nlmsg_len < sizeof header || offset + header.nlmsg_len > datagram.size()) break;
      const std::uint8_t* payload = datagram.data() + offset + NLMSG_HDRLEN;
      offset += NLMSG_ALIGN(header.nlmsg_len);
      // Replies to an earlier request that gave up early are not ours.
      if (header.nlmsg_seq != sequence) continue;
      if (header.nlmsg_type == NLMSG_ERROR || header.nlmsg_type == NLMSG_DONE) {
        reply.error = reported_error(header, payload);
        return reply;
      }
      if (header.nlmsg_type < NLMSG_MIN_TYPE) continue;  // NLMSG_NOOP, NLMSG_OVERRUN
      NetlinkMessage& message = reply.messages.emplace_back();
      message.type = header.nlmsg_type;
      message.payload.assign(payload, payload + (header.nlmsg_len - NLMSG_HDRLEN));
    }
  }
}

}  // namespace weaver::traffic

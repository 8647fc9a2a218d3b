// A NETLINK_ROUTE socket and the request/reply exchange the traffic generator
// needs from it: build one request (family header plus attributes), send it,
// and collect every reply until the kernel's ACK or the end of a dump. Only
// libc and the kernel's uapi headers, so the generator links statically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace weaver::traffic {

// One request: an nlmsghdr, the family's fixed header (ifinfomsg, rtmsg,
// ndmsg...) and rtattr attributes, laid out as the kernel reads them.
class NetlinkRequest {
 public:
  NetlinkRequest(std::uint16_t type, std::uint16_t flags);

  // The family header; call once, before any attribute.
  template <typename FamilyHeader>
  void set_family_header(const FamilyHeader& header) {
    append_aligned(&header, sizeof header);
  }
  void add_attribute(std::uint16_t type, const void* data, std::size_t size);
  void add_attribute(std::uint16_t type, std::uint32_t value) {
    add_attribute(type, &value, sizeof value);
  }
  // The name with its terminating NUL, as IFLA_IFNAME wants it.
  void add_string_attribute(std::uint16_t type, const std::string& text) {
    add_attribute(type, text.c_str(), text.size() + 1);
  }

  // The bytes to send, with the total length and `sequence` filled in.
  std::span<const std::uint8_t> finish(std::uint32_t sequence);

 private:
  void append_aligned(const void* data, std::size_t size);

  std::vector<std::uint8_t> bytes_;
};

// The attributes of a message, by type. Views into the message's payload:
// valid while the message lives.
class NetlinkAttributes {
 public:
  explicit NetlinkAttributes(std::span<const std::uint8_t> bytes);

  // The value of attribute `type`, empty when absent.
  std::span<const std::uint8_t> get(std::uint16_t type) const;
  // A u32 attribute; nullopt when absent or of another size.
  std::optional<std::uint32_t> u32(std::uint16_t type) const;

 private:
  std::vector<std::span<const std::uint8_t>> by_type_;
};

// A message of a reply: its type (RTM_NEWLINK...) and what follows the nlmsghdr.
struct NetlinkMessage {
  std::uint16_t type = 0;
  std::vector<std::uint8_t> payload;

  // The family header at the start of the payload; nullopt when the payload is shorter.
  template <typename FamilyHeader>
  std::optional<FamilyHeader> family_header() const {
    if (payload.size() < sizeof(FamilyHeader)) return std::nullopt;
    FamilyHeader header;
    std::memcpy(&header, payload.data(), sizeof header);
    return header;
  }

  // The attributes after a family header of `header_size` bytes.
  NetlinkAttributes attributes(std::size_t header_size) const;
};

struct NetlinkReply {
  int error = 0;  // errno from the kernel's NLMSG_ERROR, 0 on success
  std::vector<NetlinkMessage> messages;
};

// Owns the socket; belongs to the network namespace of the thread that made it.
class NetlinkSocket {
 public:
  // Throws TrafficError when the socket cannot be opened.
  NetlinkSocket();
  ~NetlinkSocket();
  NetlinkSocket(NetlinkSocket&& other) noexcept;
  NetlinkSocket& operator=(NetlinkSocket&& other) noexcept;
  NetlinkSocket(const NetlinkSocket&) = delete;
  NetlinkSocket& operator=(const NetlinkSocket&) = delete;

  // Sends `request` and reads its replies until NLMSG_DONE (dumps) or
  // NLMSG_ERROR (the ACK, or the error). Set NLM_F_ACK on requests that are
  // not dumps, or the exchange ends only at the receive timeout. The kernel's
  // refusal comes back in NetlinkReply::error; a broken socket or a kernel
  // that stays silent throws TrafficError.
  NetlinkReply exchange(NetlinkRequest& request);

 private:
  void send(NetlinkRequest& request, std::uint32_t sequence);
  std::vector<std::uint8_t> receive_datagram();

  int fd_ = -1;
  std::uint32_t next_sequence_ = 1;
};

}  // namespace weaver::traffic

// An AF_PACKET socket that sends whole Ethernet frames on one interface,
// bypassing the qdisc layer where the kernel allows it (PACKET_QDISC_BYPASS),
// many frames per system call (sendmmsg). It never receives.
#pragma once

#include <sys/socket.h>

#include <vector>

#include "weaver/traffic/frame_sink.hpp"
#include "weaver/traffic/next_hop.hpp"

namespace weaver::traffic {

class PacketSocket final : public FrameSink {
 public:
  // Throws TrafficError naming the interface, and saying when the cause is a
  // missing privilege (root or CAP_NET_RAW).
  explicit PacketSocket(const Link& link);
  ~PacketSocket() override;
  PacketSocket(const PacketSocket&) = delete;
  PacketSocket& operator=(const PacketSocket&) = delete;

  std::size_t send(std::span<const iovec> frames, int& error) override;

  bool bypasses_qdisc() const { return bypasses_qdisc_; }

 private:
  int fd_ = -1;
  bool bypasses_qdisc_ = false;
  std::vector<mmsghdr> messages_;  // reused by every send
};

}  // namespace weaver::traffic

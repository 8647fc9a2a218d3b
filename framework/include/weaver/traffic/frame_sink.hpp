// Where generated frames go: an AF_PACKET socket on an interface
// (PacketSocket), or a recorder in tests.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <span>

namespace weaver::traffic {

class FrameSink {
 public:
  virtual ~FrameSink() = default;

  // Sends the frames in order, each one iovec. Returns how many went out;
  // when fewer than all, `error` holds the errno that stopped the next one.
  virtual std::size_t send(std::span<const iovec> frames, int& error) = 0;
};

}  // namespace weaver::traffic

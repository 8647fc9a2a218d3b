// One interface captured by libpcap into a pcap file, the way weaver-agent
// captures: nanosecond timestamps, a large kernel buffer, and NO immediate
// mode. libpcap's TPACKET_V3 ring then hands packets over a block at a time
// (when a block fills, or within two `timeout_ms` of its first packet), so
// the agent wakes once per block instead of once per packet, and does not
// compete with the softirq forwarding each packet (that competition is what
// per-packet wakeups add to the latency they measure). A short block timeout
// keeps the last packets from waiting long; read_until_quiet() waits for the
// last partial block before the capture is finished.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "capture/pcap_handle.hpp"
#include "weaver/agent/agent_protocol.hpp"

namespace weaver::agent {

struct CaptureSettings {
  std::string filter;  // tcpdump syntax; empty: everything
  int snaplen = 256;
  int buffer_bytes = 32 << 20;
  int timeout_ms = 10;  // block retire timeout
};

class LiveCapture {
 public:
  // Opens and activates the interface and starts writing `file`. Throws
  // weaver::Error with libpcap's reason, naming the interface.
  LiveCapture(const std::string& interface, const std::string& file, const CaptureSettings& settings);

  // The descriptor that becomes readable when a block is ready.
  int selectable_fd() const { return fd_; }
  // Writes every packet the kernel has handed over; never blocks.
  void read_available();
  // Reads what is left, closes the file and returns the counts. Call
  // read_until_quiet() first, so the last partial block is in.
  CaptureSide finish();
  int timeout_ms() const { return timeout_ms_; }

  const CaptureSide& side() const { return side_; }

 private:
  static void on_packet(unsigned char* user, const struct pcap_pkthdr* header, const unsigned char* bytes);

  capture::PcapHandle handle_;
  capture::PcapDumper dumper_{nullptr};
  CaptureSide side_;
  int fd_ = -1;
  int timeout_ms_;
};

// Reads every capture until none has handed over a block for twice the
// block timeout: the kernel's retire timer runs every `timeout_ms` and
// retires a block with packets at the first tick that finds it unchanged
// since the one before, so a partial block is handed over within two
// timeouts of its first packet.
void read_until_quiet(const std::vector<LiveCapture*>& captures);

}  // namespace weaver::agent

#include "live_capture.hpp"

#include <poll.h>

#include <algorithm>

#include "weaver/error.hpp"

namespace weaver::agent {
namespace {

[[noreturn]] void fail(const std::string& interface, const std::string& step, const std::string& why) {
  std::string message = "capture on " + interface + ": " + step + ": " + why;
  if (why.find("ermission") != std::string::npos || why.find("not permitted") != std::string::npos) {
    message += " (capturing needs root or CAP_NET_RAW)";
  }
  throw Error(message);
}

}  // namespace

LiveCapture::LiveCapture(const std::string& interface, const std::string& file,
                         const CaptureSettings& settings)
    : handle_(nullptr), timeout_ms_(settings.timeout_ms) {
  char error[PCAP_ERRBUF_SIZE] = "";
  handle_ = capture::PcapHandle(pcap_create(interface.c_str(), error));
  if (handle_.get() == nullptr) fail(interface, "open", error);
  pcap_t* pcap = handle_.get();
  pcap_set_snaplen(pcap, settings.snaplen);
  pcap_set_promisc(pcap, 0);
  pcap_set_timeout(pcap, settings.timeout_ms);
  pcap_set_immediate_mode(pcap, 0);
  pcap_set_buffer_size(pcap, settings.buffer_bytes);
  pcap_set_tstamp_type(pcap, PCAP_TSTAMP_HOST);  // a warning, not an error, where unsupported
  if (pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_NANO) != 0) {
    fail(interface, "nanosecond timestamps", "not supported by this libpcap");
  }
  const int activated = pcap_activate(pcap);
  if (activated < 0) fail(interface, "activate", pcap_geterr(pcap));
  if (!settings.filter.empty()) {
    capture::BpfProgram program;
    if (pcap_compile(pcap, program.get(), settings.filter.c_str(), 1, PCAP_NETMASK_UNKNOWN) != 0) {
      fail(interface, "filter '" + settings.filter + "'", pcap_geterr(pcap));
    }
    if (pcap_setfilter(pcap, program.get()) != 0) fail(interface, "set filter", pcap_geterr(pcap));
  }
  if (pcap_setnonblock(pcap, 1, error) != 0) fail(interface, "non-blocking mode", error);
  fd_ = pcap_get_selectable_fd(pcap);
  if (fd_ < 0) fail(interface, "selectable descriptor", "none");
  dumper_ = capture::PcapDumper(pcap_dump_open(pcap, file.c_str()));
  if (dumper_.get() == nullptr) fail(interface, "write " + file, pcap_geterr(pcap));
  side_.interface = interface;
  side_.file = file;
  // pcap_set_tstamp_type only asks; PCAP_WARNING_TSTAMP_TYPE_NOTSUP says it was not taken.
  side_.timestamp_type = activated == PCAP_WARNING_TSTAMP_TYPE_NOTSUP ? "default" : "host";
  side_.precision = pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO ? "nano" : "micro";
}

void LiveCapture::on_packet(unsigned char* user, const struct pcap_pkthdr* header,
                            const unsigned char* bytes) {
  auto* self = reinterpret_cast<LiveCapture*>(user);
  pcap_dump(reinterpret_cast<unsigned char*>(self->dumper_.get()), header, bytes);
  ++self->side_.written;
}

void LiveCapture::read_available() {
  if (dumper_.get() == nullptr) return;
  // One call hands over one block; loop until the ring has nothing more.
  for (int round = 0; round < 1024; ++round) {
    const int got = pcap_dispatch(handle_.get(), -1, &LiveCapture::on_packet,
                                  reinterpret_cast<unsigned char*>(this));
    if (got <= 0) break;
  }
}

void read_until_quiet(const std::vector<LiveCapture*>& captures) {
  int quiet_ms = 0;
  std::vector<pollfd> ready;
  for (LiveCapture* capture : captures) {
    quiet_ms = std::max(quiet_ms, 2 * capture->timeout_ms() + 5);
    ready.push_back({capture->selectable_fd(), POLLIN, 0});
  }
  // Bounded: a capture that never goes quiet (traffic that does not stop)
  // is cut after a second.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::chrono::steady_clock::now() < until) {
    for (LiveCapture* capture : captures) capture->read_available();
    if (::poll(ready.data(), ready.size(), quiet_ms) <= 0) break;
  }
}

CaptureSide LiveCapture::finish() {
  read_available();
  struct pcap_stat stats {};
  if (pcap_stats(handle_.get(), &stats) == 0) {
    side_.received = stats.ps_recv;
    side_.dropped = stats.ps_drop;
    side_.if_dropped = stats.ps_ifdrop;
  }
  if (pcap_dump_flush(dumper_.get()) != 0) {
    throw Error("capture on " + side_.interface + ": cannot write " + side_.file);
  }
  dumper_.close();
  handle_ = capture::PcapHandle(nullptr);
  fd_ = -1;
  return side_;
}

}  // namespace weaver::agent

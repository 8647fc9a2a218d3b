// weaver-forwarder: the lab's userspace datapath. Copies Ethernet frames from
// the PIF to the VIF the way QEMU or a netback thread copies them between the
// wire and a VM, holding each PIF->VIF frame for --delay-us microseconds
// (timestamped on receipt, released when due) so the measured latency moves
// by a known amount. The VIF->PIF return path is copied without delay.
//
// Why the VIF is a veth and not a tap: tcpdump on the hypervisor must see the
// frame on the VIF after the copy, and the frame must then arrive in the guest
// namespace. Writing into a tap's fd makes the frame arrive *in the hypervisor
// namespace* (as if the guest had sent it), so the guest namespace would need
// yet another hop. Sending on a veth VIF with AF_PACKET puts the frame on the
// VIF's egress (where tcpdump sees it, as it sees a real vifN.M) and into the
// guest's eth0 in one step.
//
// Both sockets use PACKET_VNET_HDR, as QEMU does with a tap: a frame whose
// checksum the sender left to "hardware" (CHECKSUM_PARTIAL over veth) or a
// GSO frame is passed on with its offload metadata, so the guest accepts it.
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "weaver-forwarder: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// A packet socket bound to one interface, with vnet headers. A receiving
// socket gets only frames that arrive on it (PACKET_IGNORE_OUTGOING: not the
// ones we send); a sending one is bound to protocol 0 and receives nothing.
int open_packet_socket(const std::string& interface, bool receive) {
  // Protocol 0 at creation, ETH_P_ALL at bind: no frames of other
  // interfaces slip in between socket() and bind().
  const int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket");
  const int one = 1;
  if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof one) != 0) die("PACKET_VNET_HDR");
  const unsigned index = if_nametoindex(interface.c_str());
  if (index == 0) die("interface " + interface);
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_ifindex = static_cast<int>(index);
  if (!receive) {
    if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("bind " + interface);
    return fd;
  }
  if (setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one) != 0) {
    die("PACKET_IGNORE_OUTGOING");
  }
  packet_mreq membership{};
  membership.mr_ifindex = static_cast<int>(index);
  membership.mr_type = PACKET_MR_PROMISC;
  if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &membership, sizeof membership) != 0) {
    die("promiscuous " + interface);
  }
  address.sll_protocol = htons(ETH_P_ALL);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) die("bind " + interface);
  return fd;
}

struct HeldFrame {
  std::int64_t due_ns;
  std::vector<std::uint8_t> bytes;  // virtio_net_hdr + Ethernet frame
};

// struct virtio_net_hdr (linux/virtio_net.h, which does not compile as C++)
// is 10 bytes; the forwarder passes it through without reading it.
constexpr std::size_t vnet_header_size = 10;
constexpr std::size_t max_frame = vnet_header_size + 65536;

void send_frame(int fd, const std::uint8_t* data, std::size_t size) {
  // A full VIF queue or a frame the VIF refuses is a lost packet, as on a
  // real datapath; the measurement counts it as pif_only.
  [[maybe_unused]] const ssize_t sent = send(fd, data, size, 0);
}

// Copies without delay: the return path.
void copy_forever(int in_fd, int out_fd) {
  std::vector<std::uint8_t> buffer(max_frame);
  for (;;) {
    const ssize_t n = recv(in_fd, buffer.data(), buffer.size(), 0);
    if (n > 0) send_frame(out_fd, buffer.data(), static_cast<std::size_t>(n));
    else if (n < 0 && errno != EINTR) die("recv");
  }
}

// Receives everything that has arrived, stamps it, and sends each frame when
// its hold time is over. Sleeps in ppoll until shortly before the next frame
// is due, then spins: a timer wake-up alone can be late by tens of
// microseconds, which would blur the calibration.
void hold_and_forward(int in_fd, int out_fd, std::int64_t delay_ns) {
  constexpr std::int64_t spin_ns = 60'000;
  std::deque<HeldFrame> held;
  std::vector<std::uint8_t> buffer(max_frame);
  for (;;) {
    std::int64_t wait_ns = -1;  // block until a frame arrives
    if (!held.empty()) wait_ns = std::max<std::int64_t>(0, held.front().due_ns - now_ns() - spin_ns);
    pollfd readable{in_fd, POLLIN, 0};
    timespec timeout{wait_ns / 1'000'000'000, wait_ns % 1'000'000'000};
    if (ppoll(&readable, 1, wait_ns < 0 ? nullptr : &timeout, nullptr) < 0 && errno != EINTR) {
      die("ppoll");
    }
    for (;;) {
      const ssize_t n = recv(in_fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n <= 0) break;
      const std::int64_t received = now_ns();
      if (delay_ns == 0) {
        send_frame(out_fd, buffer.data(), static_cast<std::size_t>(n));
      } else {
        held.push_back({received + delay_ns, {buffer.begin(), buffer.begin() + n}});
      }
    }
    while (!held.empty() && held.front().due_ns - now_ns() <= spin_ns) {
      while (now_ns() < held.front().due_ns) {
      }
      send_frame(out_fd, held.front().bytes.data(), held.front().bytes.size());
      held.pop_front();
    }
  }
}

void usage() {
  std::fprintf(stderr,
               "usage: weaver-forwarder --lab ID --pif IF --vif IF [--delay-us D]\n"
               "Copies frames PIF->VIF, each held D microseconds, and VIF->PIF without delay.\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string pif, vif;
  long delay_us = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) usage();
    if (arg == "--lab") ++i;  // only marks the process as the lab's, for `lab down`
    else if (arg == "--pif") pif = argv[++i];
    else if (arg == "--vif") vif = argv[++i];
    else if (arg == "--delay-us") delay_us = std::strtol(argv[++i], nullptr, 10);
    else usage();
  }
  if (pif.empty() || vif.empty() || delay_us < 0) usage();
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);  // ppoll wakes when asked, not up to 50 us later
  const int pif_in = open_packet_socket(pif, true);
  const int vif_out = open_packet_socket(vif, false);
  const int vif_in = open_packet_socket(vif, true);
  const int pif_out = open_packet_socket(pif, false);
  std::thread return_path(copy_forever, vif_in, pif_out);
  return_path.detach();
  std::fprintf(stderr, "weaver-forwarder: ready: %s -> %s, delay %ld us\n", pif.c_str(), vif.c_str(),
               delay_us);
  hold_and_forward(pif_in, vif_out, delay_us * 1000);
}

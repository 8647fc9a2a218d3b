// weaver-gen, the binary, between two fresh namespaces: IPv6 and jumbo
// frames arrive with their exact size and ids; a missing privilege and an
// unanswered neighbour are one line each.
//
//   A: a0 198.19.243.1/24 2001:2:0:f3::1/64  ---  b0 198.19.243.2/24 2001:2:0:f3::2/64 :B
//      (MTU 9000 on both ends)
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <thread>

#include "netns_fixture.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/payload_id.hpp"

namespace weaver::traffic::test {
namespace {

using ::testing::HasSubstr;

// Receives up to `count` UDP frames to port 9 on b0 inside `netns` (for at
// most 5 s) and describes them: "<frames> <size> <first id>..<last id> <run>",
// "mixed sizes" or "ids out of order" when they are not what was sent.
std::string receive_in(const std::string& netns, int count, const std::string& ready_file) {
  const ChildOutcome outcome = run_in_netns(netns, [&]() -> std::string {
    const int fd = ::socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
    if (fd < 0) throw std::runtime_error("packet socket");
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(::if_nametoindex("b0"));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("bind b0");
    }
    timeval timeout{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    const int buffer = 16 << 20;
    ::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    std::ofstream(ready_file) << "ready\n";
    std::vector<std::uint8_t> frame(16384);
    int frames = 0;
    std::size_t size = 0;
    std::uint64_t first = 0, last = 0;
    std::uint32_t run = 0;
    while (frames < count) {
      const ssize_t n = ::recv(fd, frame.data(), frame.size(), 0);
      if (n <= 0) break;
      const auto packet = capture::decode_packet(1, {frame.data(), static_cast<std::size_t>(n)});
      if (packet.status != capture::DecodeStatus::ok || packet.protocol != 17 ||
          packet.destination_port != 9) {
        continue;
      }
      const auto id = capture::read_payload_id(packet.payload);
      if (!id) return "a frame without an id";
      if (frames == 0) {
        size = static_cast<std::size_t>(n);
        first = id->sequence;
        run = id->run_id;
      } else if (static_cast<std::size_t>(n) != size) {
        return "mixed sizes";
      } else if (id->sequence != last + 1) {
        return "ids out of order";
      }
      last = id->sequence;
      ++frames;
    }
    ::close(fd);
    return std::to_string(frames) + " " + std::to_string(size) + " " + std::to_string(first) +
           ".." + std::to_string(last) + " " + std::to_string(run);
  });
  return outcome.ok ? outcome.text : "receiver failed: " + outcome.text;
}

class WeaverGenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "network namespaces need root";
    a_ = std::make_unique<TestNetns>("ga");
    b_ = std::make_unique<TestNetns>("gb");
    for (const TestNetns* netns : {a_.get(), b_.get()}) {
      netns->set_sysctl("net.ipv6.conf.all.accept_dad", "0");
      netns->set_sysctl("net.ipv6.conf.default.accept_dad", "0");
    }
    a_->ip({"link", "add", "a0", "mtu", "9000", "type", "veth", "peer", "name", "b0", "mtu", "9000",
            "netns", b_->name()});
    a_->ip({"address", "add", "198.19.243.1/24", "dev", "a0"});
    a_->ip({"-6", "address", "add", "2001:2:0:f3::1/64", "dev", "a0", "nodad"});
    b_->ip({"address", "add", "198.19.243.2/24", "dev", "b0"});
    b_->ip({"-6", "address", "add", "2001:2:0:f3::2/64", "dev", "b0", "nodad"});
    a_->ip({"link", "set", "a0", "up"});
    b_->ip({"link", "set", "b0", "up"});
  }
  void TearDown() override {
    b_.reset();
    a_.reset();
  }

  CommandResult generate(std::vector<std::string> flags, std::vector<std::string> prefix = {}) {
    std::vector<std::string> argv{"ip", "netns", "exec", a_->name()};
    argv.insert(argv.end(), prefix.begin(), prefix.end());
    argv.push_back(WEAVER_GEN_BINARY);
    argv.insert(argv.end(), flags.begin(), flags.end());
    return run_command(argv);
  }

  // Sends with `flags` while B receives `count` frames; what B saw.
  std::string send_and_receive(const std::vector<std::string>& flags, int count) {
    const std::string ready = "/tmp/" + b_->name() + ".ready";
    std::filesystem::remove(ready);
    auto received = std::async(std::launch::async, [&] { return receive_in(b_->name(), count, ready); });
    for (int i = 0; i < 200 && !std::filesystem::exists(ready); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const CommandResult sent = generate(flags);
    EXPECT_EQ(sent.exit_code, 0) << sent.output;
    const std::string seen = received.get();
    std::filesystem::remove(ready);
    return seen;
  }

  std::unique_ptr<TestNetns> a_, b_;
};

TEST_F(WeaverGenTest, Ipv6FramesArriveWithTheirSizeAndIds) {
  EXPECT_EQ(send_and_receive({"--dst", "2001:2:0:f3::2", "--proto", "udp", "--size", "82", "--rate",
                              "20000", "--count", "500", "--run-id", "31"},
                             500),
            "500 78 0..499 31");
}

TEST_F(WeaverGenTest, JumboFramesFitTheInterfacesMtu) {
  EXPECT_EQ(send_and_receive({"--iface", "a0", "--dst", "198.19.243.2", "--size", "9018", "--rate",
                              "5000", "--count", "200", "--run-id", "9"},
                             200),
            "200 9014 0..199 9");
  const CommandResult too_big =
      generate({"--dst", "198.19.243.2", "--size", "9019", "--rate", "max", "--count", "1"});
  EXPECT_EQ(too_big.exit_code, 2);
  EXPECT_THAT(too_big.output, HasSubstr("MTU of 9000"));
}

TEST_F(WeaverGenTest, WithoutCapNetRawTheErrorSaysWhatIsMissing) {
  const CommandResult denied =
      generate({"--dst", "198.19.243.2", "--src", "198.19.243.1", "--dst-mac", "02:00:00:00:00:02",
                "--rate", "10", "--count", "1"},
               {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                "--bounding-set=-all"});
  EXPECT_EQ(denied.exit_code, 1);
  EXPECT_EQ(denied.output,
            "weaver-gen: AF_PACKET socket on 'a0': socket: Operation not permitted (sending raw "
            "frames needs root or CAP_NET_RAW)\n");
}

TEST_F(WeaverGenTest, AnUnansweredNeighbourEndsTheRunBeforeSending) {
  const CommandResult unanswered = generate({"--dst", "198.19.243.77", "--resolve-timeout-ms", "300",
                                             "--rate", "10", "--count", "1"});
  EXPECT_EQ(unanswered.exit_code, 1);
  EXPECT_EQ(unanswered.output, "weaver-gen: 198.19.243.77 did not answer ARP on 'a0' within 300 ms\n");
}

}  // namespace
}  // namespace weaver::traffic::test

#include "remote_capture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "weaver/error.hpp"

namespace weaver::orchestrator {
namespace {

using Argv = std::vector<std::string>;

const std::string kFilter = "udp and (src host 198.18.0.10) and dst host 198.18.1.20";

// Buffered (no --immediate-mode): a wakeup per packet slows the datapath measured.
TEST(TcpdumpArgv, BufferedNanosecondHeadersOnlyWithTheFilterLast) {
  EXPECT_EQ(tcpdump_argv("eth0", "/tmp/weaver.x/pif.pcap", kFilter, false),
            (Argv{"tcpdump", "-n", "-i", "eth0", "--time-stamp-precision=nano",
                  "-B", "32768", "-s", "256", "-w", "/tmp/weaver.x/pif.pcap", "--", kFilter}));
}

TEST(TcpdumpArgv, StaysRootWhenAskedTo) {
  EXPECT_EQ(tcpdump_argv("vif7.0", "/tmp/weaver.x/vif.pcap", kFilter, true),
            (Argv{"tcpdump", "-n", "-i", "vif7.0", "--time-stamp-precision=nano", "-B", "32768", "-s", "256", "-w",
                  "/tmp/weaver.x/vif.pcap", "-Z", "root", "--", kFilter}));
}

TEST(TcpdumpArgv, AFilterStartingWithADashStaysTheFilter) {
  const Argv argv = tcpdump_argv("eth0", "/tmp/f.pcap", "-w /etc/passwd", false);
  ASSERT_GE(argv.size(), 2u);
  EXPECT_EQ(argv[argv.size() - 2], "--");
  EXPECT_EQ(argv.back(), "-w /etc/passwd");
}

TEST(TcpdumpArgv, RefusesAHostileInterfaceName) {
  for (const std::string interface : {"eth0;reboot", "", "a-very-long-interface0", ".."}) {
    EXPECT_THROW(tcpdump_argv(interface, "/tmp/f.pcap", kFilter, false), UsageError) << interface;
  }
  try {
    tcpdump_argv("eth0 -w x", "/tmp/f.pcap", kFilter, false);
    ADD_FAILURE() << "no error";
  } catch (const UsageError& error) {
    EXPECT_STREQ(error.what(),
                 "interface: 'eth0 -w x' may contain only letters, digits, '.', '-' and '_'");
  }
}

CaptureStats read_all(const std::vector<std::string>& lines) {
  CaptureStats stats;
  for (const std::string& line : lines) read_tcpdump_statistics(line, stats);
  return stats;
}

TEST(TcpdumpStatistics, ReadsTheClosingLines) {
  const CaptureStats stats =
      read_all({"tcpdump: listening on eth0, link-type EN10MB (Ethernet), snapshot length 256 "
                "bytes",
                "", "300 packets captured", "302 packets received by filter",
                "2 packets dropped by kernel"});
  EXPECT_EQ(stats.captured, 300u);
  EXPECT_EQ(stats.received_by_filter, 302u);
  EXPECT_EQ(stats.dropped_by_kernel, 2u);
  EXPECT_TRUE(stats.reported);
}

TEST(TcpdumpStatistics, ReadsTheSingular) {
  const CaptureStats stats =
      read_all({"1 packet captured", "1 packet received by filter", "1 packet dropped by kernel"});
  EXPECT_EQ(stats.captured, 1u);
  EXPECT_EQ(stats.received_by_filter, 1u);
  EXPECT_EQ(stats.dropped_by_kernel, 1u);
  EXPECT_TRUE(stats.reported);
}

TEST(TcpdumpStatistics, ReportedOnlyOnceTheDroppedByKernelLineCame) {
  CaptureStats stats;
  read_tcpdump_statistics("300 packets captured", stats);
  EXPECT_FALSE(stats.reported);
  read_tcpdump_statistics("300 packets received by filter", stats);
  EXPECT_FALSE(stats.reported);
  read_tcpdump_statistics("0 packets dropped by kernel", stats);
  EXPECT_TRUE(stats.reported);
  EXPECT_EQ(stats.captured, 300u);
  EXPECT_EQ(stats.received_by_filter, 300u);
  EXPECT_EQ(stats.dropped_by_kernel, 0u);
}

TEST(TcpdumpStatistics, IgnoresOtherLinesAndGarbage) {
  const CaptureStats stats = read_all(
      {"tcpdump: eth9: No such device exists", "packets captured", " packets captured",
       "many packets dropped by kernel", "12 apples, 300 packets captured",
       "3x packets received by filter", "99999999999999999999999 packets dropped by kernel"});
  EXPECT_EQ(stats.captured, 0u);
  EXPECT_EQ(stats.received_by_filter, 0u);
  EXPECT_EQ(stats.dropped_by_kernel, 0u);
  EXPECT_FALSE(stats.reported);
}

}  // namespace
}  // namespace weaver::orchestrator

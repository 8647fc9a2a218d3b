#include "traffic_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "weaver/error.hpp"

namespace weaver::orchestrator {
namespace {

using Argv = std::vector<std::string>;
using ::testing::HasSubstr;

constexpr const char* kDestination = "198.18.1.20";

TrafficSpec spec_for(Protocol protocol, int frame_size) {
  TrafficSpec spec;
  spec.protocol = protocol;
  spec.frame_size = frame_size;
  spec.rate_pps = 10000;
  spec.count = 300;
  spec.destination_port = 80;
  return spec;
}

Source plain_source() {
  Source source;
  source.name = "src1";
  source.ssh.host = "10.0.0.5";
  return source;
}

std::string usage_error(const std::function<void()>& call) {
  try {
    call();
  } catch (const UsageError& error) {
    return error.what();
  } catch (const std::exception& error) {
    return std::string("not a UsageError: ") + error.what();
  }
  return "no error";
}

TEST(TrafficArgv, SynIsHping3WithSynFlagPortCountIntervalAndData) {
  EXPECT_EQ(traffic_argv(spec_for(Protocol::tcp_syn, 64), plain_source(), kDestination),
            (Argv{"hping3", "-n", "-q", "-S", "-p", "80", "-c", "300", "-i", "u100", "-d", "6",
                  kDestination}));
}

TEST(TrafficArgv, UdpCarriesWhatFillsTheFrame) {
  EXPECT_EQ(traffic_argv(spec_for(Protocol::udp, 1518), plain_source(), kDestination),
            (Argv{"hping3", "-n", "-q", "--udp", "-p", "80", "-c", "300", "-i", "u100", "-d",
                  "1472", kDestination}));
}

TEST(TrafficArgv, IcmpHasNoPort) {
  EXPECT_EQ(
      traffic_argv(spec_for(Protocol::icmp_echo, 64), plain_source(), kDestination),
      (Argv{"hping3", "-n", "-q", "--icmp", "-c", "300", "-i", "u100", "-d", "18", kDestination}));
}

TEST(TrafficArgv, IntervalIsAMillionOverTheRateAndOneMicrosecondAtMost) {
  TrafficSpec spec = spec_for(Protocol::udp, 64);
  const auto interval = [&](std::int64_t rate) {
    spec.rate_pps = rate;
    const Argv argv = traffic_argv(spec, plain_source(), kDestination);
    const auto flag = std::find(argv.begin(), argv.end(), "-i");
    return flag == argv.end() || flag + 1 == argv.end() ? "no -i" : *(flag + 1);
  };
  EXPECT_EQ(interval(10000), "u100");
  EXPECT_EQ(interval(3), "u333333");
  EXPECT_EQ(interval(0), "u1");  // as fast as possible
  EXPECT_EQ(interval(5'000'000), "u1");
}

TEST(TrafficArgv, InterfaceOnlyWhenTheSourceNamesOne) {
  Source source = plain_source();
  source.interface = "eth1";
  EXPECT_EQ(traffic_argv(spec_for(Protocol::tcp_syn, 64), source, kDestination),
            (Argv{"hping3", "-n", "-q", "-S", "-p", "80", "-c", "300", "-i", "u100", "-d", "6",
                  "-I", "eth1", kDestination}));
}

TEST(TrafficArgv, RefusesAHostileInterfaceName) {
  Source source = plain_source();
  source.interface = "eth1;reboot";
  EXPECT_THAT(
      usage_error([&] { traffic_argv(spec_for(Protocol::tcp_syn, 64), source, kDestination); }),
      HasSubstr("sources.src1.interface: 'eth1;reboot'"));
}

TEST(TrafficArgv, SourceCommandTemplateReplacesHping3) {
  TrafficSpec spec = spec_for(Protocol::udp, 64);
  spec.source_command = "sender --from {source} --to {destination} -n {count} -s {size}";
  EXPECT_EQ(traffic_argv(spec, plain_source(), kDestination),
            (Argv{"sender", "--from", "10.0.0.5", "--to", kDestination, "-n", "300", "-s", "64"}));
  Source source = plain_source();
  source.address = "198.18.0.10";  // the traffic address wins over the ssh host
  EXPECT_EQ(traffic_argv(spec, source, kDestination)[2], "198.18.0.10");
}

TEST(TrafficArgv, SourceCommandMaySendBursts) {
  TrafficSpec spec = spec_for(Protocol::udp, 64);
  spec.burst = 10;
  spec.burst_interval_us = 1000;
  spec.source_command = "burster {destination}";
  EXPECT_EQ(traffic_argv(spec, plain_source(), kDestination), (Argv{"burster", kDestination}));
}

TEST(TrafficArgv, RefusesBurstsForHping3) {
  TrafficSpec spec = spec_for(Protocol::udp, 64);
  spec.burst = 10;
  spec.burst_interval_us = 1000;
  EXPECT_THAT(usage_error([&] { traffic_argv(spec, plain_source(), kDestination); }),
              HasSubstr("hping3 cannot: use weaver-gen (--generator weaver-gen) or give the "
                        "scenario a source_command"));
}

const std::optional<std::string> kGenerator = "./.cache/weaver/weaver-gen-0123456789abcdef";

TEST(GeneratorArgv, RateSizeCountAndPortAsWeaverGenFlags) {
  EXPECT_EQ(traffic_argv(spec_for(Protocol::tcp_syn, 64), plain_source(), kDestination, kGenerator),
            (Argv{*kGenerator, "--dst", kDestination, "--proto", "syn", "--size", "64", "--rate",
                  "10000", "--count", "300", "--json", "--dst-port", "80"}));
}

TEST(GeneratorArgv, MaxRateBurstsNoPortForIcmpAndTheSourcesAddressAndInterface) {
  TrafficSpec spec = spec_for(Protocol::icmp_echo, 1518);
  spec.rate_pps = 0;
  Source source = plain_source();
  source.address = "198.18.1.1";
  source.interface = "eth1";
  EXPECT_EQ(traffic_argv(spec, source, kDestination, kGenerator),
            (Argv{*kGenerator, "--dst", kDestination, "--proto", "icmp", "--size", "1518", "--rate",
                  "max", "--count", "300", "--json", "--src", "198.18.1.1", "--iface", "eth1"}));
  spec = spec_for(Protocol::udp, 64);
  spec.burst = 32;
  spec.burst_interval_us = 1000;
  EXPECT_EQ(traffic_argv(spec, plain_source(), kDestination, kGenerator),
            (Argv{*kGenerator, "--dst", kDestination, "--proto", "udp", "--size", "64", "--burst",
                  "32", "--burst-interval-us", "1000", "--count", "300", "--json", "--dst-port",
                  "80"}));
}

TEST(GeneratorArgv, RefusesHostileSourceFields) {
  Source source = plain_source();
  source.interface = "eth0;reboot";
  EXPECT_THROW(traffic_argv(spec_for(Protocol::udp, 64), source, kDestination, kGenerator), Error);
  source = plain_source();
  source.address = "198.18.1.1 --flood";
  EXPECT_THROW(traffic_argv(spec_for(Protocol::udp, 64), source, kDestination, kGenerator), Error);
}

TEST(GeneratorArgv, ProgressOnlyWhenAsked) {
  const Argv argv =
      traffic_argv(spec_for(Protocol::udp, 64), plain_source(), kDestination, kGenerator, true);
  EXPECT_EQ(std::count(argv.begin(), argv.end(), "--progress"), 1);
  EXPECT_EQ(read_progress("progress 12000"), 12000u);
  EXPECT_EQ(read_progress("progress"), std::nullopt);
  EXPECT_EQ(read_progress("progress 12k"), std::nullopt);
  EXPECT_EQ(read_progress("sent 12000"), std::nullopt);
}

TEST(GeneratorSummaryLine, ReadsSentRateAndErrorsFromTheJsonLine) {
  const auto summary = read_generator_summary(
      R"({"sent":2000,"send_errors":3,"achieved_pps":9999.5,"gap_ns":{"p50":100000}})");
  ASSERT_TRUE(summary);
  EXPECT_EQ(summary->sent, 2000u);
  EXPECT_EQ(summary->send_errors, 3u);
  EXPECT_DOUBLE_EQ(summary->achieved_pps, 9999.5);
  EXPECT_FALSE(read_generator_summary("sent 2000 udp frames"));
  EXPECT_FALSE(read_generator_summary("{not json"));
  EXPECT_FALSE(read_generator_summary(R"({"sent":-1})"));
  EXPECT_FALSE(read_generator_summary(R"({"rate":5})"));
}

TEST(TrafficArgv, RefusesAFrameTooSmallForTheHeaders) {
  EXPECT_EQ(usage_error([] {
              traffic_argv(spec_for(Protocol::tcp_syn, 57), plain_source(), kDestination);
            }),
            "frame size 57 is below the syn headers");
  EXPECT_EQ(traffic_argv(spec_for(Protocol::tcp_syn, 58), plain_source(), kDestination)[11], "0");
}

TEST(TrafficArgv, RefusesAHostileDestination) {
  EXPECT_EQ(usage_error([] {
              traffic_argv(spec_for(Protocol::tcp_syn, 64), plain_source(), "1.2.3.4;reboot");
            }),
            "destination: '1.2.3.4;reboot' is not a host name or address");
  TrafficSpec spec = spec_for(Protocol::tcp_syn, 64);
  spec.source_command = "ping {destination}";
  EXPECT_THAT(usage_error([&] { traffic_argv(spec, plain_source(), "1.2.3.4;reboot"); }),
              HasSubstr("destination: '1.2.3.4;reboot'"));
}

TEST(PacketsTransmitted, ReadsHping3Summary) {
  EXPECT_EQ(
      read_packets_transmitted("300 packets transmitted, 12 packets received, 96% packet loss"),
      300u);
  EXPECT_EQ(read_packets_transmitted("0 packets transmitted, 0 packets received, 0% packet loss"),
            0u);
  // Upstream hping3's own spelling; Debian's patch corrects it.
  EXPECT_EQ(read_packets_transmitted("300 packets tramitted, 0 packets received, 100% packet loss"),
            300u);
}

TEST(PacketsTransmitted, IgnoresOtherLinesAndGarbage) {
  EXPECT_EQ(read_packets_transmitted("--- 198.18.1.1 hping statistic ---"), std::nullopt);
  EXPECT_EQ(read_packets_transmitted("HPING 198.18.1.1 (eth1 198.18.1.1): S set, 40 headers + "
                                     "6 data bytes"),
            std::nullopt);
  EXPECT_EQ(read_packets_transmitted("round-trip min/avg/max = 0.0/0.0/0.0 ms"), std::nullopt);
  EXPECT_EQ(read_packets_transmitted(""), std::nullopt);
  EXPECT_EQ(read_packets_transmitted(" packets transmitted"), std::nullopt);
  EXPECT_EQ(read_packets_transmitted("many packets transmitted"), std::nullopt);
  EXPECT_EQ(read_packets_transmitted("-3 packets transmitted"), std::nullopt);
  EXPECT_EQ(read_packets_transmitted("12 apples, 300 packets transmitted"), std::nullopt);
  EXPECT_EQ(read_packets_transmitted("99999999999999999999999 packets transmitted"), std::nullopt);
}

TEST(ExpectedDuration, IsTheCountOverTheRatePlusASecond) {
  TrafficSpec spec;
  spec.count = 2000;
  spec.rate_pps = 1000;
  EXPECT_EQ(expected_duration(spec), std::chrono::seconds(3));
  spec.count = 999;
  EXPECT_EQ(expected_duration(spec), std::chrono::seconds(1));
  // As fast as possible: counted at a million packets per second.
  spec.rate_pps = 0;
  spec.count = 5'000'000;
  EXPECT_EQ(expected_duration(spec), std::chrono::seconds(6));
  // Bursts: one interval per burst (a partial last burst counts whole).
  spec.count = 2050;
  spec.burst = 32;
  spec.burst_interval_us = 100'000;
  EXPECT_EQ(expected_duration(spec), std::chrono::seconds(7));
}

TEST(CaptureFilter, NamesTheProtocolTheSourcesAndTheDestination) {
  EXPECT_EQ(capture_filter(capture_flow(spec_for(Protocol::tcp_syn, 64), {"198.18.0.10"}, kDestination)),
            "tcp and (src host 198.18.0.10) and dst host 198.18.1.20");
  EXPECT_EQ(
      capture_filter(capture_flow(spec_for(Protocol::udp, 64), {"198.18.0.10", "198.18.0.11"}, kDestination)),
      "udp and (src host 198.18.0.10 or src host 198.18.0.11) and dst host 198.18.1.20");
  EXPECT_EQ(capture_filter(capture_flow(spec_for(Protocol::icmp_echo, 64), {"198.18.0.10"}, kDestination)),
            "icmp and (src host 198.18.0.10) and dst host 198.18.1.20");
}

TEST(CaptureFilter, RefusesHostileAddresses) {
  EXPECT_EQ(usage_error([] {
              capture_flow(spec_for(Protocol::udp, 64), {"198.18.0.10", "1.2.3.4 or port 22"}, kDestination);
            }),
            "source address: '1.2.3.4 or port 22' is not a host name or address");
  EXPECT_EQ(usage_error([] {
              capture_flow(spec_for(Protocol::udp, 64), {"198.18.0.10"}, "1.2.3.4;reboot");
            }),
            "destination: '1.2.3.4;reboot' is not a host name or address");
}

}  // namespace
}  // namespace weaver::orchestrator

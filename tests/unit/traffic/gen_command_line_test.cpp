#include "weaver/traffic/gen_command_line.hpp"

#include <gtest/gtest.h>

#include "weaver/error.hpp"

using namespace weaver;
using namespace weaver::traffic;

namespace {

GenCommandLine parse(std::vector<std::string> arguments) {
  return parse_gen_command_line(arguments);
}

std::string error_of(std::vector<std::string> arguments) {
  try {
    parse_gen_command_line(arguments);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "(accepted)";
}

const std::vector<std::string> kBase{"--iface", "eth0", "--dst", "198.18.101.1"};

std::vector<std::string> with(std::vector<std::string> extra) {
  std::vector<std::string> arguments = kBase;
  arguments.insert(arguments.end(), extra.begin(), extra.end());
  return arguments;
}

TEST(GenCommandLineTest, TheScenarioFlagsAreRead) {
  const auto line = parse(with({"--src", "198.18.1.1-198.18.1.4", "--proto", "syn", "--size",
                                "1518", "--rate", "10000", "--count", "2000", "--src-port",
                                "1024-1031", "--run-id", "7", "--json"}));
  EXPECT_EQ(line.interface, "eth0");
  EXPECT_EQ(line.destination.to_string(), "198.18.101.1");
  EXPECT_EQ(line.source->to_string(), "198.18.1.1");
  EXPECT_EQ(line.source_addresses, 4u);
  EXPECT_EQ(line.protocol, Protocol::syn);
  EXPECT_EQ(line.frame_size, 1518u);
  EXPECT_EQ(line.schedule.rate_pps, 10000u);
  EXPECT_EQ(line.count, 2000u);
  EXPECT_EQ(line.source_port, 1024);
  EXPECT_EQ(line.source_ports, 8u);
  EXPECT_EQ(line.destination_port, 80);  // SYN default
  EXPECT_EQ(line.run_id, 7u);
  EXPECT_TRUE(line.json);
}

TEST(GenCommandLineTest, BurstsAndDurationAndMax) {
  const auto bursts = parse(with({"--burst", "32", "--burst-interval-us", "1000", "--duration", "1.5"}));
  EXPECT_EQ(bursts.schedule.burst, 32u);
  EXPECT_EQ(bursts.schedule.burst_interval, std::chrono::microseconds(1000));
  EXPECT_EQ(bursts.duration, std::chrono::milliseconds(1500));
  EXPECT_EQ(bursts.destination_port, 9);  // UDP default
  const auto max = parse(with({"--rate", "max", "--count", "5"}));
  EXPECT_EQ(max.schedule.rate_pps, 0u);
  EXPECT_FALSE(max.schedule.paced());
}

TEST(GenCommandLineTest, BadOptionsAreOneLineNamingTheOption) {
  EXPECT_EQ(error_of(with({"--rate", "1000"})), "give --count N or --duration S");
  EXPECT_EQ(error_of(with({"--count", "10"})),
            "give --rate PPS|max, or --burst N --burst-interval-us T");
  EXPECT_EQ(error_of(with({"--rate", "fast", "--count", "1"})),
            "--rate 'fast': expected packets per second (1 to 100000000) or max");
  EXPECT_EQ(error_of(with({"--rate", "0", "--count", "1"})),
            "--rate '0': expected packets per second (1 to 100000000) or max");
  EXPECT_EQ(error_of(with({"--proto", "sctp", "--rate", "1", "--count", "1"})),
            "--proto 'sctp': expected syn, udp or icmp");
  EXPECT_EQ(error_of({"--iface", "eth0", "--dst", "example.org", "--rate", "1", "--count", "1"}),
            "--dst 'example.org': expected a numeric IPv4 or IPv6 address");
  EXPECT_EQ(error_of(with({"--src", "2001:2::1", "--rate", "1", "--count", "1"})),
            "--src '2001:2::1': not of the same IP family as --dst 198.18.101.1");
  EXPECT_EQ(error_of(with({"--src", "198.18.1.9-198.18.1.1", "--rate", "1", "--count", "1"})),
            "--src '198.18.1.9-198.18.1.1': the range ends before it starts");
  EXPECT_EQ(error_of(with({"--src-port", "9-1", "--rate", "1", "--count", "1"})),
            "--src-port '9-1': expected a range P-Q with P <= Q");
  EXPECT_EQ(error_of(with({"--rate", "1", "--burst", "4", "--burst-interval-us", "10", "--count", "1"})),
            "--rate and --burst exclude each other: bursts of N every T set the rate");
  EXPECT_EQ(error_of(with({"--rate", "1", "--duration", "-1"})),
            "--duration '-1': expected seconds, at least 0.000001 and at most 86400");
  EXPECT_EQ(error_of(with({"--rate", "1", "--duration", "1e-300"})),
            "--duration '1e-300': expected seconds, at least 0.000001 and at most 86400");
  EXPECT_EQ(error_of(with({"--rate", "1", "--count", "0"})),
            "--count '0': expected at least 1 packet (at most 10^12)");
  EXPECT_EQ(error_of(with({"--rate", "1", "--count", "-1"})),
            "--count '-1': expected at least 1 packet (at most 10^12)");
  EXPECT_EQ(error_of(with({"--rate", "1", "--count", "18446744073709551615"})),
            "--count '18446744073709551615': expected at least 1 packet (at most 10^12)");
  EXPECT_EQ(error_of(with({"--rate", "1", "--count", "1", "--size", "-1"})),
            "--size '-1': expected a frame size in bytes (64 ... the MTU + 18)");
  EXPECT_EQ(error_of(with({"--rate", "1", "--count", "1", "--size", "99999999999999"})),
            "--size '99999999999999': expected a frame size in bytes (64 ... the MTU + 18)");
  EXPECT_EQ(error_of(with({"--dst-mac", "zz", "--rate", "1", "--count", "1"})),
            "--dst-mac 'zz': expected xx:xx:xx:xx:xx:xx");
  EXPECT_NE(error_of(with({"--rate", "1", "--count", "1", "--duration", "1"})).find("--count"),
            std::string::npos);
  EXPECT_NE(error_of({"--iface", "eth0", "--rate", "1", "--count", "1"}).find("--dst"),
            std::string::npos);
  EXPECT_NE(error_of(with({"--burst", "4", "--count", "1"})).find("--burst-interval-us"),
            std::string::npos);
}

TEST(GenCommandLineTest, HelpIsNotAnError) {
  try {
    parse({"--help"});
    FAIL() << "--help did not ask for help";
  } catch (const HelpRequested& help) {
    EXPECT_NE(help.text.find("--burst-interval-us"), std::string::npos);
  }
}

}  // namespace

#include "weaver/orchestrator/traffic_spec.hpp"

#include <gtest/gtest.h>

namespace weaver::orchestrator {
namespace {

int data_bytes(Protocol protocol, int frame_size) {
  TrafficSpec spec;
  spec.protocol = protocol;
  spec.frame_size = frame_size;
  return spec.data_bytes();
}

TEST(TrafficSpec, DataBytesLeaveRoomForFcsEthernetIpAndTheL4Header) {
  // 64 - 4 FCS - 14 Ethernet - 20 IPv4 - L4 header.
  EXPECT_EQ(data_bytes(Protocol::tcp_syn, 64), 6);
  EXPECT_EQ(data_bytes(Protocol::udp, 64), 18);
  EXPECT_EQ(data_bytes(Protocol::icmp_echo, 64), 18);
  EXPECT_EQ(data_bytes(Protocol::tcp_syn, 1518), 1460);  // the TCP MSS of a 1500 MTU
  EXPECT_EQ(data_bytes(Protocol::udp, 1518), 1472);
  EXPECT_EQ(data_bytes(Protocol::icmp_echo, 1518), 1472);
  EXPECT_EQ(data_bytes(Protocol::tcp_syn, 9018), 8960);
}

TEST(TrafficSpec, DataBytesGoNegativeForFramesTooSmallForTheHeaders) {
  EXPECT_LT(data_bytes(Protocol::tcp_syn, 57), 0);
  EXPECT_EQ(data_bytes(Protocol::tcp_syn, 58), 0);
  EXPECT_EQ(data_bytes(Protocol::udp, 46), 0);
}

TEST(TrafficSpec, ProtocolNamesRoundTrip) {
  for (Protocol protocol : {Protocol::tcp_syn, Protocol::udp, Protocol::icmp_echo}) {
    EXPECT_EQ(parse_protocol(to_string(protocol)), protocol);
  }
  EXPECT_STREQ(to_string(Protocol::tcp_syn), "syn");
  EXPECT_STREQ(to_string(Protocol::udp), "udp");
  EXPECT_STREQ(to_string(Protocol::icmp_echo), "icmp");
}

TEST(TrafficSpec, ParseProtocolTakesTheLongNamesAndRejectsOthers) {
  EXPECT_EQ(parse_protocol("tcp-syn"), Protocol::tcp_syn);
  EXPECT_EQ(parse_protocol("icmp-echo"), Protocol::icmp_echo);
  EXPECT_EQ(parse_protocol("tcp"), std::nullopt);
  EXPECT_EQ(parse_protocol("SYN"), std::nullopt);
  EXPECT_EQ(parse_protocol(""), std::nullopt);
}

}  // namespace
}  // namespace weaver::orchestrator

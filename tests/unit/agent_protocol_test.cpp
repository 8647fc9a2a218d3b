// The agent's LatencyResult travels as JSON: everything must arrive, the
// 128-bit sums exactly, and a reply that is not whole is refused by name.
#include <gtest/gtest.h>

#include "weaver/agent/agent_protocol.hpp"
#include "weaver/error.hpp"

namespace weaver {
namespace {

analysis::LatencyResult sample_result() {
  analysis::LatencyResult result;
  result.key = capture::KeyKind::payload_id;
  result.window_ns = 5'000'000'000;
  result.pif.path = "/tmp/weaver-agent.x/capture-1-0.pcap";
  result.pif.format = "pcap-ns";
  result.pif.packets = 1003;
  result.pif.keyed = 1001;
  result.pif.payload_id_keys = 1000;
  result.pif.first_malformed_record = 17;
  result.pif.first_malformed_problem = "IPv4 header length 4";
  result.vif.packets = 1000;
  result.vif.duplicates = 2;
  // Large deltas make sum_squares exceed 64 bits.
  for (const std::int64_t delta : std::initializer_list<std::int64_t>{-1200, 0, 1, 2047, 2048, 512000, 3000000000, 3000000001}) {
    result.moments.add(delta);
    result.histogram.record(delta);
    ++result.matched;
  }
  result.first_matched_ns = 1'700'000'000'000'000'000;
  result.last_matched_ns = 1'700'000'002'000'000'000;
  result.pif_only = 3;
  result.vif_only = 1;
  result.reordered = 4;
  result.negative = 1;
  result.warnings = {"vif.pcap: record 1000 is cut short"};
  return result;
}

TEST(AgentProtocol, LatencyResultArrivesWhole) {
  const analysis::LatencyResult sent = sample_result();
  const auto text = agent::to_json(sent).dump();
  const analysis::LatencyResult got = agent::latency_result_from_json(nlohmann::json::parse(text));
  EXPECT_EQ(got.key, sent.key);
  EXPECT_EQ(got.window_ns, sent.window_ns);
  EXPECT_EQ(got.pif.path, sent.pif.path);
  EXPECT_EQ(got.pif.payload_id_keys, 1000u);
  EXPECT_EQ(got.pif.first_malformed_problem, sent.pif.first_malformed_problem);
  EXPECT_EQ(got.vif.duplicates, 2u);
  EXPECT_EQ(got.matched, sent.matched);
  EXPECT_EQ(got.pif_only, 3u);
  EXPECT_EQ(got.reordered, 4u);
  EXPECT_EQ(got.negative, 1u);
  EXPECT_TRUE(got.moments.sum_squares == sent.moments.sum_squares);
  EXPECT_GT(sent.moments.sum_squares, static_cast<analysis::DeltaMoments::Int128>(INT64_MAX));
  EXPECT_TRUE(got.moments.sum_ns == sent.moments.sum_ns);
  EXPECT_EQ(got.moments.min_ns, -1200);
  EXPECT_EQ(got.moments.max_ns, 3'000'000'001LL);
  EXPECT_DOUBLE_EQ(got.moments.stdev_ns(), sent.moments.stdev_ns());
  for (double fraction : {0.01, 0.25, 0.5, 0.9, 0.99, 1.0}) {
    EXPECT_EQ(got.histogram.percentile(fraction), sent.histogram.percentile(fraction)) << fraction;
  }
  EXPECT_EQ(got.histogram.negative_count(), 1u);
  EXPECT_EQ(got.first_matched_ns, sent.first_matched_ns);
  EXPECT_EQ(got.last_matched_ns, sent.last_matched_ns);
  EXPECT_EQ(got.warnings, sent.warnings);
}

TEST(AgentProtocol, CaptureSideArrivesWhole) {
  agent::CaptureSide side{"vif1.0", "/tmp/a/capture-1-1.pcap", "host", "nano", 2001, 3, 1, 1998};
  const auto got = agent::capture_side_from_json(nlohmann::json::parse(agent::to_json(side).dump()));
  EXPECT_EQ(got.interface, "vif1.0");
  EXPECT_EQ(got.timestamp_type, "host");
  EXPECT_EQ(got.precision, "nano");
  EXPECT_EQ(got.received, 2001u);
  EXPECT_EQ(got.dropped, 3u);
  EXPECT_EQ(got.if_dropped, 1u);
  EXPECT_EQ(got.written, 1998u);
}

TEST(AgentProtocol, RefusesAReplyThatIsNotWhole) {
  nlohmann::json reply = agent::to_json(sample_result());
  auto refused = [](const nlohmann::json& broken, const std::string& expected) {
    try {
      agent::latency_result_from_json(broken);
      ADD_FAILURE() << "accepted: " << broken.dump().substr(0, 200);
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(expected), std::string::npos) << error.what();
    }
  };
  nlohmann::json missing = reply;
  missing.erase("matched");
  refused(missing, "'matched'");
  nlohmann::json wrong_type = reply;
  wrong_type["pif_only"] = "three";
  refused(wrong_type, "'pif_only'");
  nlohmann::json bad_sum = reply;
  bad_sum["moments"]["sum_ns"] = "12x4";
  refused(bad_sum, "'sum_ns'");
  nlohmann::json short_histogram = reply;
  short_histogram["histogram"].erase(0);
  refused(short_histogram, "histogram holds");
  nlohmann::json bad_key = reply;
  bad_key["key"] = "seq";
  refused(bad_key, "'key'");
}

TEST(AgentProtocol, ProbeSummaryArrivesWholeOrIsRefusedByName) {
  agent::ProbeSummary summary;
  summary.lost_by_reason = {{"NETFILTER_DROP", 500}, {"QDISC_DROP", 823}};
  summary.drop_sites = {{"QDISC_DROP", "__dev_queue_xmit+0xdd1", 823}, {"NETFILTER_DROP", "nft_do_chain+0x46f", 500}};
  summary.tool = {1, 2, 3, 4, 5};
  summary.probe_ns = 123456789;
  summary.records_file = "/tmp/weaver-agent.x/records-3.csv";
  summary.records = 675;
  const auto back = agent::probe_summary_from_json(agent::to_json(summary));
  EXPECT_EQ(back.lost_by_reason, summary.lost_by_reason);
  ASSERT_EQ(back.drop_sites.size(), 2u);
  EXPECT_EQ(back.drop_sites[0].location, "__dev_queue_xmit+0xdd1");
  EXPECT_EQ(back.drop_sites[1].count, 500u);
  EXPECT_EQ(back.tool.map_full, 1u);
  EXPECT_EQ(back.tool.missed, 5u);
  EXPECT_EQ(back.tool.total(), 15u);
  EXPECT_EQ(back.probe_ns, summary.probe_ns);
  EXPECT_EQ(back.records_file, summary.records_file);
  EXPECT_EQ(back.records, 675u);
  nlohmann::json broken = agent::to_json(summary);
  broken["tool_losses"].erase("evicted");
  try {
    agent::probe_summary_from_json(broken);
    ADD_FAILURE() << "accepted a summary without tool_losses.evicted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'evicted'"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace weaver

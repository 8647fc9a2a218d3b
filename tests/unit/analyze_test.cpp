#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "capture_writer.hpp"
#include "packet_builder.hpp"
#include "synthetic_traffic.hpp"
#include "temp_dir.hpp"
#include "weaver/analysis/analyze.hpp"
#include "weaver/error.hpp"

namespace {

using weaver::InputError;
using weaver::UsageError;
using weaver::analysis::analyze_captures;
using weaver::analysis::AnalyzeOptions;
using weaver::analysis::LatencyResult;
using weaver::analysis::MatchedPacket;
using weaver::capture::KeyKind;
using weaver::testing::Bytes;
using weaver::testing::CaptureFormat;
using weaver::testing::CaptureRecord;
using weaver::testing::PacketSpec;
using weaver::testing::SyntheticTraffic;
using weaver::testing::SyntheticTruth;
using weaver::testing::TempDirTest;

std::int64_t exact_nearest_rank(const std::vector<std::int64_t>& sorted, double fraction) {
  const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

bool microsecond(CaptureFormat format) {
  return format == CaptureFormat::pcap_us || format == CaptureFormat::pcapng_us;
}

std::string message_of(const std::function<void()>& run) {
  try {
    run();
  } catch (const std::exception& error) {
    return error.what();
  }
  return "(no exception)";
}

class AnalyzeTest : public TempDirTest {
 protected:
  AnalyzeOptions options() const {
    AnalyzeOptions opts;
    opts.pif_path = file("pif.pcap");
    opts.vif_path = file("vif.pcap");
    return opts;
  }

  SyntheticTruth synthesize(const SyntheticTraffic& traffic) {
    return weaver::testing::write_synthetic_captures(traffic, file("pif.pcap"), file("vif.pcap"));
  }
};

// --- Synthetic captures with known ground truth --------------------------------

struct SyntheticCase {
  const char* name;
  SyntheticTraffic traffic;
  KeyKind key = KeyKind::automatic;
};

SyntheticTraffic traffic(std::uint64_t packets, double loss, double reorder, double duplicate,
                         bool payload_id, CaptureFormat format, std::uint64_t seed) {
  SyntheticTraffic t;
  t.packets = packets;
  t.loss = loss;
  t.reorder = reorder;
  t.duplicate = duplicate;
  t.payload_id = payload_id;
  t.format = format;
  t.seed = seed;
  return t;
}

class AnalyzeSynthetic : public AnalyzeTest, public ::testing::WithParamInterface<SyntheticCase> {};

TEST_P(AnalyzeSynthetic, MatchesTheGroundTruth) {
  const SyntheticTraffic& traffic = GetParam().traffic;
  const SyntheticTruth truth = synthesize(traffic);
  ASSERT_GT(truth.pif_packets, 0u);
  if (traffic.reorder > 0) {
    ASSERT_GT(truth.reordered, 0u);
  }
  if (traffic.duplicate > 0) {
    ASSERT_GT(truth.duplicated, 0u);
  }

  std::vector<std::int64_t> deltas;
  AnalyzeOptions opts = options();
  opts.key = GetParam().key;
  opts.on_match = [&deltas](const MatchedPacket& m) { deltas.push_back(m.delta_ns()); };
  const LatencyResult result = analyze_captures(opts);

  EXPECT_EQ(result.pif.packets, truth.pif_packets);
  EXPECT_EQ(result.vif.packets, truth.vif_packets);
  EXPECT_EQ(result.matched, truth.pif_packets - truth.lost);
  EXPECT_EQ(result.pif_only, truth.lost);
  EXPECT_EQ(result.vif_only, 0u);
  EXPECT_EQ(result.vif.duplicates, truth.duplicated);
  EXPECT_EQ(result.pif.duplicates, 0u);
  EXPECT_EQ(result.reordered, truth.reordered);
  EXPECT_TRUE(result.warnings.empty());
  ASSERT_EQ(deltas.size(), result.matched);
  // The generator never delivers a packet before it was sent.
  const auto negative = std::count_if(deltas.begin(), deltas.end(), [](std::int64_t d) { return d < 0; });
  EXPECT_EQ(negative, 0);
  EXPECT_EQ(result.negative, 0u);
  EXPECT_GE(truth.min_delay_ns, 0);

  if (microsecond(traffic.format)) {  // the VIF timestamps lose their sub-µs part
    EXPECT_NEAR(static_cast<double>(result.moments.min_ns), static_cast<double>(truth.min_delay_ns), 1000);
    EXPECT_NEAR(static_cast<double>(result.moments.max_ns), static_cast<double>(truth.max_delay_ns), 1000);
    EXPECT_NEAR(result.moments.mean_ns(), truth.mean_delay_ns, 1000);
  } else {
    EXPECT_EQ(result.moments.min_ns, truth.min_delay_ns);
    EXPECT_EQ(result.moments.max_ns, truth.max_delay_ns);
    EXPECT_NEAR(result.moments.mean_ns(), truth.mean_delay_ns, std::abs(truth.mean_delay_ns) * 1e-6);
  }

  std::sort(deltas.begin(), deltas.end());
  EXPECT_EQ(result.moments.min_ns, deltas.front());
  EXPECT_EQ(result.moments.max_ns, deltas.back());
  for (double fraction : {0.01, 0.5, 0.9, 0.99, 0.999, 1.0}) {
    const auto exact = static_cast<double>(exact_nearest_rank(deltas, fraction));
    const auto measured = static_cast<double>(result.histogram.percentile(fraction));
    EXPECT_LE(std::abs(measured - exact), std::max(0.5, std::abs(exact) * 0.001))
        << "fraction " << fraction;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Traffic, AnalyzeSynthetic,
    ::testing::Values(
        SyntheticCase{"clean_pcap_ns", traffic(10'000, 0, 0, 0, false, CaptureFormat::pcap_ns, 1)},
        SyntheticCase{"impaired_pcap_ns",
                      traffic(100'000, 0.01, 0.01, 0.01, false, CaptureFormat::pcap_ns, 2)},
        SyntheticCase{"impaired_payload_id_pcapng_ns",
                      traffic(50'000, 0.05, 0.02, 0.005, true, CaptureFormat::pcapng_ns, 3)},
        SyntheticCase{"heavy_loss_pcap_ns",
                      traffic(20'000, 0.3, 0.05, 0.05, false, CaptureFormat::pcap_ns, 4)},
        SyntheticCase{"impaired_pcap_us",
                      traffic(20'000, 0.02, 0.05, 0.02, false, CaptureFormat::pcap_us, 5)},
        SyntheticCase{"impaired_payload_id_pcapng_us",
                      traffic(20'000, 0.02, 0.05, 0.02, true, CaptureFormat::pcapng_us, 6)},
        SyntheticCase{"payload_id_hash_key",
                      traffic(30'000, 0.01, 0.01, 0.01, true, CaptureFormat::pcap_ns, 7),
                      KeyKind::hash},
        SyntheticCase{"payload_id_key", traffic(30'000, 0.01, 0.01, 0.01, true, CaptureFormat::pcap_ns, 8),
                      KeyKind::payload_id}),
    [](const ::testing::TestParamInfo<SyntheticCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST_F(AnalyzeTest, AutoKeyUsesThePayloadIdWhenThePacketsCarryOne) {
  const SyntheticTruth truth = synthesize(traffic(5'000, 0.01, 0, 0.01, true, CaptureFormat::pcap_ns, 16));
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.pif.payload_id_keys, truth.pif_packets);
  EXPECT_EQ(result.pif.hash_keys, 0u);
  EXPECT_EQ(result.vif.payload_id_keys, truth.vif_packets);
}

TEST_F(AnalyzeTest, AutoKeyHashesPacketsWithoutAPayloadId) {
  const SyntheticTruth truth = synthesize(traffic(5'000, 0.01, 0, 0.01, false, CaptureFormat::pcap_ns, 17));
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.pif.payload_id_keys, 0u);
  EXPECT_EQ(result.pif.hash_keys, truth.pif_packets);
  EXPECT_EQ(result.vif.hash_keys, truth.vif_packets);
}

TEST_F(AnalyzeTest, TcpSeqKeyMatchesSynSynthesizedTraffic) {
  SyntheticTraffic t = traffic(10'000, 0.01, 0, 0, false, CaptureFormat::pcap_ns, 9);
  const SyntheticTruth truth = synthesize(t);
  AnalyzeOptions opts = options();
  opts.key = KeyKind::tcp_seq;
  const LatencyResult result = analyze_captures(opts);
  EXPECT_EQ(result.matched, truth.pif_packets - truth.lost);
  EXPECT_EQ(result.key, KeyKind::tcp_seq);
}

TEST_F(AnalyzeTest, WindowShorterThanEveryDelayMatchesNothing) {
  synthesize(traffic(1000, 0, 0, 0, false, CaptureFormat::pcap_ns, 10));  // delays >= 1 µs
  AnalyzeOptions opts = options();
  opts.window_ns = 500;
  const std::string message = message_of([&] { analyze_captures(opts); });
  EXPECT_NE(message.find("are they captures of the same traffic?"), std::string::npos) << message;
}

TEST_F(AnalyzeTest, NonPositiveWindowIsAUsageError) {
  synthesize(traffic(100, 0, 0, 0, false, CaptureFormat::pcap_ns, 1));
  AnalyzeOptions opts = options();
  opts.window_ns = 0;
  EXPECT_THROW(analyze_captures(opts), UsageError);
}

// --- --filter ----------------------------------------------------------------------

TEST_F(AnalyzeTest, TcpFilterKeepsEverySyn) {
  const SyntheticTruth truth = synthesize(traffic(5'000, 0.01, 0, 0, false, CaptureFormat::pcap_ns, 11));
  AnalyzeOptions opts = options();
  opts.filter = "tcp";
  const LatencyResult result = analyze_captures(opts);
  EXPECT_EQ(result.pif.filtered, 0u);
  EXPECT_EQ(result.vif.filtered, 0u);
  EXPECT_EQ(result.matched, truth.pif_packets - truth.lost);
}

TEST_F(AnalyzeTest, UdpFilterOnSynCapturesSaysTheFilterRejectsThemAll) {
  synthesize(traffic(1'000, 0, 0, 0, false, CaptureFormat::pcap_ns, 12));
  AnalyzeOptions opts = options();
  opts.filter = "udp";
  try {
    analyze_captures(opts);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("--filter 'udp'"), std::string::npos) << error.what();
  }
}

TEST_F(AnalyzeTest, BadFilterExpressionIsAUsageError) {
  synthesize(traffic(100, 0, 0, 0, false, CaptureFormat::pcap_ns, 13));
  AnalyzeOptions opts = options();
  opts.filter = "tcp and and port";
  EXPECT_THROW(analyze_captures(opts), UsageError);
}

// --- Hand-made captures ---------------------------------------------------------------

Bytes syn(std::uint32_t sequence) { return weaver::testing::syn_frame(sequence); }
Bytes arp() { return weaver::testing::arp_frame(); }

// `count` distinct SYNs 1 µs apart, timestamped `delay_ns` after 1 s.
std::vector<CaptureRecord> syns(std::uint32_t count, std::int64_t delay_ns) {
  std::vector<CaptureRecord> records;
  for (std::uint32_t i = 0; i < count; ++i) {
    records.push_back({1'000'000'000 + static_cast<std::int64_t>(i) * 1000 + delay_ns, syn(i + 1)});
  }
  return records;
}

TEST_F(AnalyzeTest, CaptureWithOnlyArpIsRefused) {
  std::vector<CaptureRecord> arps;
  for (int i = 0; i < 10; ++i) arps.push_back({1'000'000'000 + i * 1000, arp()});
  weaver::testing::write_capture(file("pif.pcap"), arps);
  weaver::testing::write_capture(file("vif.pcap"), syns(10, 2000));
  try {
    analyze_captures(options());
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), file("pif.pcap"));
    const std::string message = error.what();
    EXPECT_NE(message.find("none of its 10 packets can be matched"), std::string::npos) << message;
    EXPECT_NE(message.find("10 without IP"), std::string::npos) << message;
  }
}

TEST_F(AnalyzeTest, CaptureWithoutPacketsIsRefused) {
  weaver::testing::write_capture(file("pif.pcap"), syns(10, 0));
  weaver::testing::write_capture(file("vif.pcap"), {});
  try {
    analyze_captures(options());
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), file("vif.pcap"));
    EXPECT_NE(std::string(error.what()).find("contains no packets"), std::string::npos) << error.what();
  }
}

TEST_F(AnalyzeTest, TcpSeqKeyOnUdpCapturesSaysWhatTheKeyNeeds) {
  synthesize(traffic(1'000, 0, 0, 0, true, CaptureFormat::pcap_ns, 14));
  AnalyzeOptions opts = options();
  opts.key = KeyKind::tcp_seq;
  try {
    analyze_captures(opts);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("--key tcp-seq"), std::string::npos) << message;
    EXPECT_NE(message.find("1000 lack what"), std::string::npos) << message;
  }
}

TEST_F(AnalyzeTest, CapturesWithNothingInCommonAreRefused) {
  SyntheticTraffic syn_traffic = traffic(1'000, 0, 0, 0, false, CaptureFormat::pcap_ns, 15);
  SyntheticTraffic udp_traffic = syn_traffic;
  udp_traffic.payload_id = true;
  weaver::testing::write_synthetic_captures(syn_traffic, file("pif.pcap"), file("unused1.pcap"));
  weaver::testing::write_synthetic_captures(udp_traffic, file("unused2.pcap"), file("vif.pcap"));
  const std::string message = message_of([&] { analyze_captures(options()); });
  EXPECT_NE(message.find("are they captures of the same traffic?"), std::string::npos) << message;
  EXPECT_NE(message.find(file("vif.pcap")), std::string::npos) << message;
}

TEST_F(AnalyzeTest, MalformedVifPacketIsAWarningAndTheResultStands) {
  weaver::testing::write_capture(file("pif.pcap"), syns(100, 0));
  auto vif = syns(100, 2000);
  vif[49].frame.resize(14 + 10);  // record 50: IPv4 header cut short
  weaver::testing::write_capture(file("vif.pcap"), vif);
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.matched, 99u);
  EXPECT_EQ(result.pif_only, 1u);
  EXPECT_EQ(result.vif.malformed, 1u);
  EXPECT_EQ(result.vif.first_malformed_record, 50u);
  ASSERT_EQ(result.warnings.size(), 1u);
  const std::string& warning = result.warnings[0];
  EXPECT_NE(warning.find(file("vif.pcap")), std::string::npos) << warning;
  EXPECT_NE(warning.find("malformed"), std::string::npos) << warning;
  EXPECT_NE(warning.find("record 50"), std::string::npos) << warning;
  EXPECT_EQ(result.moments.min_ns, 2000);
  EXPECT_EQ(result.moments.max_ns, 2000);
}

TEST_F(AnalyzeTest, TruncatedVifIsAWarningAndTheResultStands) {
  weaver::testing::write_capture(file("pif.pcap"), syns(100, 0));
  weaver::testing::write_capture(file("vif.pcap"), syns(100, 2000));
  const auto size = std::filesystem::file_size(file("vif.pcap"));
  std::filesystem::resize_file(file("vif.pcap"), size - 10);
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.matched, 99u);
  EXPECT_EQ(result.pif_only, 1u);
  ASSERT_EQ(result.warnings.size(), 1u);
  EXPECT_NE(result.warnings[0].find("record 100 is truncated"), std::string::npos)
      << result.warnings[0];
}

TEST_F(AnalyzeTest, CorruptRecordMidFileIsAnInputError) {
  weaver::testing::write_capture(file("pif.pcap"), syns(100, 0));
  weaver::testing::CaptureWriter vif(file("vif.pcap"), {});
  for (const auto& record : syns(50, 2000)) vif.write(record.timestamp_ns, record.frame);
  const Bytes huge_record_header = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 60, 0, 0, 0};
  vif.write_bytes(huge_record_header);
  vif.write_bytes(Bytes(200, 0));
  vif.close();
  try {
    analyze_captures(options());
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.file(), file("vif.pcap"));
    EXPECT_EQ(error.record(), 51u);
    EXPECT_NE(std::string(error.what()).find("the file is corrupt"), std::string::npos) << error.what();
  }
}

TEST_F(AnalyzeTest, ExceptionFromOnMatchStopsTheAnalysis) {
  // More packets than the decoding threads may queue ahead, so they are
  // waiting on a full queue when the callback throws.
  synthesize(traffic(300'000, 0, 0, 0, false, CaptureFormat::pcap_ns, 18));
  AnalyzeOptions opts = options();
  std::uint64_t calls = 0;
  opts.on_match = [&calls](const MatchedPacket&) {
    if (++calls == 10) throw std::runtime_error("disk full");
  };
  const std::string message = message_of([&] { analyze_captures(opts); });
  EXPECT_EQ(message, "disk full");
  EXPECT_EQ(calls, 10u);
}

TEST_F(AnalyzeTest, NotIpFramesAreCountedAndSkipped) {
  auto pif = syns(50, 0);
  pif.insert(pif.begin() + 10, CaptureRecord{pif[10].timestamp_ns, arp()});
  weaver::testing::write_capture(file("pif.pcap"), pif);
  weaver::testing::write_capture(file("vif.pcap"), syns(50, 2000));
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.pif.not_ip, 1u);
  EXPECT_EQ(result.pif.keyed, 50u);
  EXPECT_EQ(result.matched, 50u);
}

TEST_F(AnalyzeTest, ZeroDelayMatchesWhenTimestampsTie) {
  weaver::testing::write_capture(file("pif.pcap"), syns(20, 0));
  weaver::testing::write_capture(file("vif.pcap"), syns(20, 0));
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.matched, 20u);
  EXPECT_EQ(result.negative, 0u);
  EXPECT_EQ(result.moments.min_ns, 0);
  EXPECT_EQ(result.moments.max_ns, 0);
}

TEST_F(AnalyzeTest, VifTimestampsBeforeThePifOnesGiveNegativeDeltas) {
  weaver::testing::write_capture(file("pif.pcap"), syns(20, 300));
  weaver::testing::write_capture(file("vif.pcap"), syns(20, 0));
  const LatencyResult result = analyze_captures(options());
  EXPECT_EQ(result.matched, 20u);
  EXPECT_EQ(result.negative, 20u);
  EXPECT_EQ(result.moments.min_ns, -300);
  EXPECT_EQ(result.moments.max_ns, -300);
  EXPECT_NEAR(static_cast<double>(result.histogram.percentile(0.5)), -300.0, 0.5);
}

// --filter on every link type the reader accepts.
struct FilterLinkCase {
  std::uint32_t link_type;
  weaver::testing::Bytes (*build)(const PacketSpec&);
  const char* name;
};

weaver::testing::Bytes raw_ip_frame(const PacketSpec& spec) {
  return weaver::testing::build_ip_packet(spec);
}

class AnalyzeFilterLinkTypes : public AnalyzeTest,
                               public ::testing::WithParamInterface<FilterLinkCase> {
 protected:
  void expect_tcp_filter_keeps_every_syn(std::uint32_t link_type,
                                         weaver::testing::Bytes (*build)(const PacketSpec&)) {
    std::vector<CaptureRecord> pif, vif;
    for (std::uint32_t i = 0; i < 50; ++i) {
      PacketSpec spec;
      spec.tcp_sequence = i + 1;
      const std::int64_t t = 1'000'000'000 + static_cast<std::int64_t>(i) * 1000;
      pif.push_back({t, build(spec)});
      vif.push_back({t + 2000, build(spec)});
    }
    const weaver::testing::CaptureFileSpec spec{CaptureFormat::pcap_ns, link_type};
    weaver::testing::write_capture(file("pif.pcap"), pif, spec);
    weaver::testing::write_capture(file("vif.pcap"), vif, spec);
    AnalyzeOptions opts = options();
    ASSERT_EQ(analyze_captures(opts).matched, 50u) << "without a filter";
    opts.filter = "tcp";
    LatencyResult result;
    try {
      result = analyze_captures(opts);
    } catch (const std::exception& error) {
      FAIL() << error.what();
    }
    EXPECT_EQ(result.pif.filtered, 0u);
    EXPECT_EQ(result.matched, 50u);
  }
};

TEST_P(AnalyzeFilterLinkTypes, TcpFilterKeepsEverySyn) {
  expect_tcp_filter_keeps_every_syn(GetParam().link_type, GetParam().build);
}

INSTANTIATE_TEST_SUITE_P(
    LinkTypes, AnalyzeFilterLinkTypes,
    ::testing::Values(FilterLinkCase{1, weaver::testing::build_ethernet_frame, "ethernet"},
                      FilterLinkCase{113, weaver::testing::build_linux_sll_frame, "sll"},
                      FilterLinkCase{276, weaver::testing::build_linux_sll2_frame, "sll2"},
                      FilterLinkCase{12, raw_ip_frame, "raw_legacy"},
                      FilterLinkCase{228, raw_ip_frame, "ipv4"}),
    [](const ::testing::TestParamInfo<FilterLinkCase>& param_info) {
      return std::string(param_info.param.name);
    });

TEST_F(AnalyzeFilterLinkTypes, TcpFilterKeepsEverySynOnRawIpLinkType101) {
  expect_tcp_filter_keeps_every_syn(101, raw_ip_frame);
}

}  // namespace

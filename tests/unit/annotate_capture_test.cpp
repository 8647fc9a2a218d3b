#include <gtest/gtest.h>
#include <pcap/pcap.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "capture_writer.hpp"
#include "packet_builder.hpp"
#include "temp_dir.hpp"
#include "weaver/analysis/annotate_capture.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/capture/pcapng_writer.hpp"
#include "weaver/error.hpp"

namespace {

using weaver::analysis::AnnotateOptions;
using weaver::analysis::AnnotateSummary;
using weaver::analysis::delay_comment;
using weaver::analysis::MatchedPacket;
using weaver::analysis::write_annotated_capture;
using weaver::capture::open_capture;
using weaver::capture::PcapngWriter;
using weaver::capture::RawPacket;
using weaver::testing::Bytes;
using weaver::testing::CaptureFileSpec;
using weaver::testing::CaptureFormat;
using weaver::testing::CaptureRecord;
using weaver::testing::PacketSpec;
using weaver::testing::TempDirTest;

using Comments = std::vector<std::optional<std::string>>;

// --- An independent pcapng walker: checks the framing, collects the comments --

struct WalkedFile {
  std::string application;
  std::vector<std::uint8_t> resolutions;  // if_tsresol of each interface
  std::vector<std::uint16_t> link_types;
  std::vector<std::int64_t> timestamps_ns;
  Comments comments;  // one per Enhanced Packet Block
};

std::uint16_t le16(const Bytes& b, std::size_t at) {
  return static_cast<std::uint16_t>(b.at(at) | b.at(at + 1) << 8);
}
std::uint32_t le32(const Bytes& b, std::size_t at) {
  return static_cast<std::uint32_t>(le16(b, at)) | static_cast<std::uint32_t>(le16(b, at + 2)) << 16;
}

Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Options from `at` to `end`: each value padded to 4 bytes, ended by code 0.
template <typename Visit>
void walk_options(const Bytes& file, std::size_t at, std::size_t end, Visit visit) {
  while (at + 4 <= end) {
    const std::uint16_t code = le16(file, at);
    const std::uint16_t length = le16(file, at + 2);
    ASSERT_EQ(code == 0, length == 0) << "opt_endofopt has length 0";
    if (code == 0) {
      EXPECT_EQ(at + 4, end) << "opt_endofopt ends the options";
      return;
    }
    ASSERT_LE(at + 4 + length, end) << "option " << code << " runs past its block";
    visit(code, std::string(file.begin() + static_cast<std::ptrdiff_t>(at + 4),
                            file.begin() + static_cast<std::ptrdiff_t>(at + 4 + length)));
    at += 4 + ((length + 3u) & ~3u);
  }
  EXPECT_EQ(at, end) << "options fill their block";
}

void walk(const std::string& path, WalkedFile& walked) {
  const Bytes file = read_file(path);
  ASSERT_GE(file.size(), 28u);
  std::size_t at = 0;
  while (at < file.size()) {
    ASSERT_LE(at + 12, file.size());
    const std::uint32_t type = le32(file, at);
    const std::uint32_t length = le32(file, at + 4);
    ASSERT_EQ(length % 4, 0u) << "block at " << at;
    ASSERT_GE(length, 12u);
    ASSERT_LE(at + length, file.size()) << "block at " << at;
    ASSERT_EQ(le32(file, at + length - 4), length) << "trailing length of the block at " << at;
    const std::size_t body = at + 8, end = at + length - 4;
    if (at == 0) {
      ASSERT_EQ(type, 0x0a0d0d0au) << "the file starts with a section header";
    }
    if (type == 0x0a0d0d0a) {
      EXPECT_EQ(le32(file, body), 0x1a2b3c4du) << "little-endian byte-order magic";
      EXPECT_EQ(le16(file, body + 4), 1u);
      EXPECT_EQ(le16(file, body + 6), 0u);
      walk_options(file, body + 16, end, [&](std::uint16_t code, const std::string& value) {
        if (code == 4) walked.application = value;
      });
    } else if (type == 1) {
      walked.link_types.push_back(le16(file, body));
      EXPECT_EQ(le32(file, body + 4), 262144u) << "snaplen";
      std::uint8_t resolution = 6;
      walk_options(file, body + 8, end, [&](std::uint16_t code, const std::string& value) {
        if (code == 9 && value.size() == 1) resolution = static_cast<std::uint8_t>(value[0]);
      });
      walked.resolutions.push_back(resolution);
    } else if (type == 6) {
      const std::uint32_t interface = le32(file, body);
      EXPECT_LT(interface, walked.link_types.size()) << "described before it is used";
      const std::uint64_t units = std::uint64_t{le32(file, body + 4)} << 32 | le32(file, body + 8);
      walked.timestamps_ns.push_back(static_cast<std::int64_t>(units));
      const std::uint32_t captured = le32(file, body + 12);
      EXPECT_GE(le32(file, body + 16), captured) << "original length";
      std::optional<std::string> comment;
      walk_options(file, body + 20 + ((captured + 3u) & ~3u), end,
                   [&](std::uint16_t code, const std::string& value) {
                     if (code == 1) comment = value;
                   });
      walked.comments.push_back(comment);
    } else {
      ADD_FAILURE() << "unexpected block type " << type;
    }
    at += length;
  }
}

// libpcap's view: the records it reads, with nanosecond timestamps.
std::vector<std::int64_t> libpcap_timestamps(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* handle = pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error);
  if (handle == nullptr) {
    ADD_FAILURE() << "libpcap cannot open " << path << ": " << error;
    return {};
  }
  std::vector<std::int64_t> timestamps;
  pcap_pkthdr* header = nullptr;
  const u_char* data = nullptr;
  int status;
  while ((status = pcap_next_ex(handle, &header, &data)) == 1) {
    timestamps.push_back(static_cast<std::int64_t>(header->ts.tv_sec) * 1'000'000'000 +
                         static_cast<std::int64_t>(header->ts.tv_usec));
  }
  EXPECT_EQ(status, PCAP_ERROR_BREAK) << pcap_geterr(handle);
  pcap_close(handle);
  return timestamps;
}

// What `tcpdump -r FILE --count` says, or "" without tcpdump.
std::string tcpdump_count(const std::string& path) {
  if (!std::filesystem::exists("/usr/bin/tcpdump") && !std::filesystem::exists("/usr/sbin/tcpdump")) {
    return "";
  }
  const std::string command = "tcpdump -r '" + path + "' -nn --count 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return "";
  std::string output;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
  EXPECT_EQ(::pclose(pipe), 0) << command;
  return output;
}

// --- Captures with known delays ------------------------------------------------

Bytes syn(std::uint32_t sequence) { return weaver::testing::syn_frame(sequence); }
Bytes arp() { return weaver::testing::arp_frame(); }

bool microsecond(CaptureFormat format) {
  return format == CaptureFormat::pcap_us || format == CaptureFormat::pcapng_us;
}

struct Pair {
  std::vector<CaptureRecord> pif, vif;
  Comments expected;  // per VIF record
};

// 40 SYNs 100 µs apart, each reaching the VIF after its own delay; packet
// 5 reaches the VIF 300 ns before the PIF; packet 9 is lost; packets 20
// and 21 reach the VIF at the same instant; the VIF also sees an ARP
// (no comment), a SYN the PIF never saw, and a copy of packet 30 (neither
// has a PIF partner). Timestamps are as the VIF format stores them.
Pair known_pair(CaptureFormat vif_format) {
  const auto stored = [&](std::int64_t ns) { return microsecond(vif_format) ? ns / 1000 * 1000 : ns; };
  Pair pair;
  const std::int64_t start = 1'700'000'000'000'000'000;
  for (std::uint32_t i = 0; i < 40; ++i) {
    const std::int64_t pif_ns = start + static_cast<std::int64_t>(i) * 100'000;
    std::int64_t delay = 12'345 + static_cast<std::int64_t>(i) * 1'111;
    if (i == 5) delay = -300;
    if (i == 20) delay = 105'000;
    if (i == 21) delay = 5'000;  // the same VIF timestamp as packet 20
    pair.pif.push_back({pif_ns, syn(i + 1)});
    if (i == 9) continue;
    const std::int64_t vif_ns = stored(pif_ns + delay);
    pair.vif.push_back({vif_ns, syn(i + 1)});
    pair.expected.push_back(delay_comment("PIF->VIF", vif_ns - pif_ns));
    if (i == 12) {
      pair.vif.push_back({stored(vif_ns + 1), arp()});
      pair.expected.push_back(std::nullopt);
    }
    if (i == 17) {
      pair.vif.push_back({stored(vif_ns + 2), syn(5000)});
      pair.expected.push_back("no PIF partner");
    }
    if (i == 30) {
      pair.vif.push_back({stored(vif_ns + 3), syn(i + 1)});
      pair.expected.push_back("no PIF partner");
    }
  }
  return pair;
}

class AnnotateCapture : public TempDirTest, public ::testing::WithParamInterface<CaptureFormat> {
 protected:
  AnnotateOptions options() const {
    AnnotateOptions opts;
    opts.analyze.pif_path = file("pif.pcap");
    opts.analyze.vif_path = file("vif.cap");
    opts.output_path = file("vif-annotated.pcapng");
    return opts;
  }

  Pair write_pair(CaptureFormat vif_format) {
    Pair pair = known_pair(vif_format);
    weaver::testing::write_capture(file("pif.pcap"), pair.pif, CaptureFileSpec{CaptureFormat::pcap_ns});
    weaver::testing::write_capture(file("vif.cap"), pair.vif, CaptureFileSpec{vif_format});
    return pair;
  }

  // Every record of `path` as weaver's reader sees it.
  static std::vector<RawPacket> records(const std::string& path, std::vector<Bytes>& bytes) {
    const auto reader = open_capture(path);
    std::vector<RawPacket> packets;
    RawPacket packet;
    while (reader->next(packet)) {
      bytes.emplace_back(packet.bytes.begin(), packet.bytes.end());
      packets.push_back(packet);
    }
    return packets;
  }

  bool any_part_file() const {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(file("."))) {
      if (entry.path().extension() == ".part") return true;
    }
    return false;
  }
};

TEST_P(AnnotateCapture, EveryVifRecordIsCopiedAndMatchedOnesCarryTheirDelay) {
  const Pair pair = write_pair(GetParam());
  AnnotateOptions opts = options();
  std::uint64_t user_matches = 0;
  opts.analyze.on_match = [&](const MatchedPacket&) { ++user_matches; };
  const AnnotateSummary summary = write_annotated_capture(opts);

  EXPECT_EQ(summary.records, pair.vif.size());
  EXPECT_EQ(summary.annotated, 39u);
  EXPECT_EQ(summary.without_partner, 2u);
  EXPECT_EQ(summary.latency.matched, 39u);
  EXPECT_EQ(summary.latency.negative, 1u);
  EXPECT_EQ(user_matches, 39u) << "the caller's on_match still sees every match";
  EXPECT_FALSE(any_part_file());

  // (a) weaver's reader: the same records, timestamps and bytes as the VIF capture.
  std::vector<Bytes> vif_bytes, out_bytes;
  const auto vif = records(file("vif.cap"), vif_bytes);
  const auto out = records(opts.output_path, out_bytes);
  EXPECT_EQ(open_capture(opts.output_path)->format(), "pcapng");
  ASSERT_EQ(out.size(), vif.size());
  for (std::size_t i = 0; i < vif.size(); ++i) {
    EXPECT_EQ(out[i].record, vif[i].record);
    EXPECT_EQ(out[i].timestamp_ns, vif[i].timestamp_ns) << "record " << i + 1;
    EXPECT_EQ(out[i].link_type, vif[i].link_type);
    EXPECT_EQ(out[i].original_length, vif[i].original_length);
    EXPECT_EQ(out_bytes[i], vif_bytes[i]) << "record " << i + 1;
  }

  // (b) the block walker: framing, nanosecond resolution, one comment per record.
  WalkedFile walked;
  ASSERT_NO_FATAL_FAILURE(walk(opts.output_path, walked));
  EXPECT_EQ(walked.application, "weaver");
  EXPECT_EQ(walked.link_types, std::vector<std::uint16_t>{1});
  EXPECT_EQ(walked.resolutions, std::vector<std::uint8_t>{9});
  ASSERT_EQ(walked.comments.size(), pair.expected.size());
  for (std::size_t i = 0; i < pair.expected.size(); ++i) {
    EXPECT_EQ(walked.comments[i], pair.expected[i]) << "record " << i + 1;
    EXPECT_EQ(walked.timestamps_ns[i], pair.vif[i].timestamp_ns) << "record " << i + 1;
  }

  // (c) libpcap and tcpdump read it, with the same nanosecond timestamps.
  EXPECT_EQ(libpcap_timestamps(opts.output_path), walked.timestamps_ns);
  const std::string count = tcpdump_count(opts.output_path);
  if (!count.empty()) {
    EXPECT_EQ(count, std::to_string(pair.vif.size()) + " packets\n");
  }
}

INSTANTIATE_TEST_SUITE_P(VifFormats, AnnotateCapture,
                         ::testing::Values(CaptureFormat::pcap_ns, CaptureFormat::pcap_us,
                                           CaptureFormat::pcapng_ns, CaptureFormat::pcapng_us),
                         [](const ::testing::TestParamInfo<CaptureFormat>& format) {
                           switch (format.param) {
                             case CaptureFormat::pcap_ns: return std::string("pcap_ns");
                             case CaptureFormat::pcap_us: return std::string("pcap_us");
                             case CaptureFormat::pcapng_ns: return std::string("pcapng_ns");
                             case CaptureFormat::pcapng_us: return std::string("pcapng_us");
                           }
                           return std::string("unknown");
                         });

class AnnotateCaptureErrors : public AnnotateCapture {};

TEST_F(AnnotateCaptureErrors, MissingOutputFolderIsOneLineNamingThePath) {
  write_pair(CaptureFormat::pcap_ns);
  for (const std::string& output : {file("missing/out.pcapng"), file("pif.pcap") + "/out.pcapng"}) {
    AnnotateOptions opts = options();
    opts.output_path = output;
    try {
      write_annotated_capture(opts);
      ADD_FAILURE() << "no error for " << output;
    } catch (const weaver::Error& error) {
      const std::string message = error.what();
      EXPECT_EQ(message.rfind(output + ": ", 0), 0u) << message;
      EXPECT_EQ(message.find('\n'), std::string::npos) << message;
    }
    EXPECT_FALSE(std::filesystem::exists(output));
  }
  EXPECT_FALSE(any_part_file());
}

TEST_F(AnnotateCaptureErrors, FailedAnalysisLeavesNoFile) {
  weaver::testing::write_capture(file("pif.pcap"), {{1'000'000'000, syn(1)}});
  weaver::testing::write_capture(file("vif.cap"), {{1'000'002'000, syn(2)}});
  const AnnotateOptions opts = options();
  EXPECT_THROW(write_annotated_capture(opts), weaver::InputError);
  EXPECT_FALSE(std::filesystem::exists(opts.output_path));
  EXPECT_FALSE(any_part_file());
}

TEST_F(AnnotateCaptureErrors, EgressCommentsNameTheVifAsTheMissingPartner) {
  Pair pair = known_pair(CaptureFormat::pcap_ns);
  weaver::testing::write_capture(file("pif.pcap"), pair.pif);
  weaver::testing::write_capture(file("vif.cap"), pair.vif);
  AnnotateOptions opts = options();
  opts.direction = "VIF->PIF";
  opts.application = "weaver 0.1.0";
  const AnnotateSummary summary = write_annotated_capture(opts);
  WalkedFile walked;
  ASSERT_NO_FATAL_FAILURE(walk(opts.output_path, walked));
  EXPECT_EQ(walked.application, "weaver 0.1.0");
  ASSERT_EQ(walked.comments.size(), summary.records);
  EXPECT_EQ(walked.comments[0], delay_comment("VIF->PIF", 12'345));
  EXPECT_EQ(std::count(walked.comments.begin(), walked.comments.end(), "no VIF partner"), 2);
}

// --- The pieces ----------------------------------------------------------------

TEST(DelayComment, MicrosecondsWithThreeDecimalsAndTheSign) {
  EXPECT_EQ(delay_comment("PIF->VIF", 12'345), "PIF->VIF 12.345 us");
  EXPECT_EQ(delay_comment("PIF->VIF", 0), "PIF->VIF 0.000 us");
  EXPECT_EQ(delay_comment("PIF->VIF", 7), "PIF->VIF 0.007 us");
  EXPECT_EQ(delay_comment("PIF->VIF", 1'000'000'050), "PIF->VIF 1000000.050 us");
  EXPECT_EQ(delay_comment("PIF->VIF", -300), "PIF->VIF -0.300 us");
  EXPECT_EQ(delay_comment("PIF->VIF", -12'345), "PIF->VIF -12.345 us");
  EXPECT_EQ(delay_comment("PIF->VIF", INT64_MIN), "PIF->VIF -9223372036854775.808 us");
}

class PcapngWriterTest : public TempDirTest {};

RawPacket packet_of(const Bytes& bytes, std::int64_t timestamp_ns, std::uint32_t link_type) {
  RawPacket packet;
  packet.timestamp_ns = timestamp_ns;
  packet.link_type = link_type;
  packet.original_length = static_cast<std::uint32_t>(bytes.size()) + 100;  // as if cut by snaplen
  packet.bytes = bytes;
  return packet;
}

TEST_F(PcapngWriterTest, OneInterfacePerLinkTypeAndPaddedFramesAndComments) {
  const Bytes ethernet = syn(1), raw_ip = weaver::testing::build_ip_packet(PacketSpec{});
  const Bytes odd(61, 0xab);
  {
    PcapngWriter writer(file("out.pcapng"), "weaver");
    writer.write(packet_of(ethernet, 1'000'000'001, 1), "first");
    writer.write(packet_of(raw_ip, 1'000'000'002, 101), "ünïcode ✓");
    writer.write(packet_of(odd, 1'000'000'003, 1));
    EXPECT_FALSE(std::filesystem::exists(file("out.pcapng"))) << "written under .part until commit";
    EXPECT_TRUE(std::filesystem::exists(file("out.pcapng.part")));
    writer.commit();
    EXPECT_EQ(writer.packets(), 3u);
  }
  WalkedFile walked;
  ASSERT_NO_FATAL_FAILURE(walk(file("out.pcapng"), walked));
  EXPECT_EQ(walked.link_types, (std::vector<std::uint16_t>{1, 101}));
  EXPECT_EQ(walked.resolutions, (std::vector<std::uint8_t>{9, 9}));
  EXPECT_EQ(walked.comments, (Comments{"first", "ünïcode ✓", std::nullopt}));

  std::vector<Bytes> bytes;
  const auto reader = open_capture(file("out.pcapng"));
  RawPacket packet;
  std::vector<std::uint32_t> links;
  while (reader->next(packet)) {
    bytes.emplace_back(packet.bytes.begin(), packet.bytes.end());
    links.push_back(packet.link_type);
    EXPECT_EQ(packet.original_length, packet.bytes.size() + 100);
  }
  EXPECT_EQ(bytes, (std::vector<Bytes>{ethernet, raw_ip, odd}));
  EXPECT_EQ(links, (std::vector<std::uint32_t>{1, 101, 1}));
  EXPECT_TRUE(reader->warnings().empty());
}

TEST_F(PcapngWriterTest, WithoutCommitNothingIsLeft) {
  {
    PcapngWriter writer(file("out.pcapng"), "weaver");
    writer.write(packet_of(syn(1), 1'000'000'001, 1), "first");
  }
  EXPECT_FALSE(std::filesystem::exists(file("out.pcapng")));
  EXPECT_FALSE(std::filesystem::exists(file("out.pcapng.part")));
}

TEST_F(PcapngWriterTest, NegativeTimestampIsAnErrorNamingTheFileAndRemovesIt) {
  PcapngWriter writer(file("out.pcapng"), "weaver");
  try {
    writer.write(packet_of(syn(1), -1, 1));
    ADD_FAILURE() << "no error";
  } catch (const weaver::Error& error) {
    EXPECT_EQ(std::string(error.what()).rfind(file("out.pcapng") + ": ", 0), 0u) << error.what();
  }
  EXPECT_FALSE(std::filesystem::exists(file("out.pcapng.part")));
  EXPECT_THROW(writer.commit(), weaver::Error);
  EXPECT_FALSE(std::filesystem::exists(file("out.pcapng")));
}

}  // namespace

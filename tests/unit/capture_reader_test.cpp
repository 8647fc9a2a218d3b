#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "capture_writer.hpp"
#include "packet_builder.hpp"
#include "capture_test_support.hpp"
#include "temp_dir.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/error.hpp"

namespace {

using capture_test::put32;
using capture_test::sample_frames;

using weaver::InputError;
using weaver::capture::open_capture;
using weaver::capture::RawPacket;
using weaver::testing::Bytes;
using weaver::testing::CaptureFileSpec;
using weaver::testing::CaptureFormat;
using weaver::testing::CaptureWriter;
using weaver::testing::TempDirTest;

bool is_pcapng(CaptureFormat format) {
  return format == CaptureFormat::pcapng_us || format == CaptureFormat::pcapng_ns;
}
bool is_nanosecond(CaptureFormat format) {
  return format == CaptureFormat::pcap_ns || format == CaptureFormat::pcapng_ns;
}

// Timestamps that the format can hold exactly.
std::vector<std::int64_t> sample_timestamps(CaptureFormat format) {
  const std::int64_t start = 1'700'000'000'123'456'789;
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < 4; ++i) {
    const std::int64_t ns = start + i * 1'000'999'977;
    out.push_back(is_nanosecond(format) ? ns : ns / 1000 * 1000);
  }
  return out;
}

std::size_t file_header_size(CaptureFormat format) { return is_pcapng(format) ? 28 + 32 : 24; }
std::size_t record_header_size(CaptureFormat format) { return is_pcapng(format) ? 28 : 16; }
std::size_t record_size(CaptureFormat format, std::size_t frame) {
  return is_pcapng(format) ? 32 + ((frame + 3) & ~std::size_t{3}) : 16 + frame;
}


struct FormatCase {
  CaptureFormat format;
  bool swapped;
  const char* name;
};

class CaptureReaderFormats : public TempDirTest, public ::testing::WithParamInterface<FormatCase> {
 protected:
  // Writes the sample frames; returns the path.
  std::string write_samples(std::uint32_t link_type = 1) {
    const std::string path = file("capture");
    CaptureFileSpec spec{GetParam().format, link_type, GetParam().swapped};
    CaptureWriter writer(path, spec);
    const auto frames = sample_frames();
    const auto timestamps = sample_timestamps(GetParam().format);
    for (std::size_t i = 0; i < frames.size(); ++i) {
      writer.write(timestamps[i], frames[i], i == 1 ? 9000u : 0u);
    }
    writer.close();
    return path;
  }

  // Offset of the byte `into` bytes inside record `record` (1-based).
  std::size_t offset_into(std::size_t record, std::size_t into) {
    const auto format = GetParam().format;
    std::size_t offset = file_header_size(format);
    const auto frames = sample_frames();
    for (std::size_t i = 0; i + 1 < record; ++i) offset += record_size(format, frames[i].size());
    return offset + into;
  }
};

TEST_P(CaptureReaderFormats, ReadsEveryRecordWithExactTimestampsAndBytes) {
  const std::string path = write_samples();
  auto reader = open_capture(path);
  const auto frames = sample_frames();
  const auto timestamps = sample_timestamps(GetParam().format);
  RawPacket packet;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    ASSERT_TRUE(reader->next(packet)) << "record " << i + 1;
    EXPECT_EQ(packet.timestamp_ns, timestamps[i]);
    EXPECT_EQ(packet.record, i + 1);
    EXPECT_EQ(packet.link_type, 1u);
    EXPECT_EQ(packet.original_length, i == 1 ? 9000u : frames[i].size());
    EXPECT_EQ(Bytes(packet.bytes.begin(), packet.bytes.end()), frames[i]);
  }
  EXPECT_FALSE(reader->next(packet));
  EXPECT_FALSE(reader->next(packet));
  EXPECT_TRUE(reader->warnings().empty());
  EXPECT_EQ(reader->path(), path);
}

// A capture that shrinks while it is read (tcpdump rotating it, a truncate)
// is refused by name instead of ending the process with SIGBUS.
TEST_P(CaptureReaderFormats, AFileThatShrinksWhileReadIsRefusedByName) {
  const std::string path = file("capture");
  {
    CaptureFileSpec spec{GetParam().format, 1, GetParam().swapped};
    CaptureWriter writer(path, spec);
    const auto frame = sample_frames().front();
    for (int i = 0; i < 20000; ++i) writer.write(1'700'000'000'000'000'000 + i * 1000, frame, 0);
    writer.close();
  }
  auto reader = open_capture(path);
  RawPacket packet;
  ASSERT_TRUE(reader->next(packet));
  std::filesystem::resize_file(path, 4096);
  try {
    while (reader->next(packet)) {
    }
    ADD_FAILURE() << "the shrunk file was read to an end";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find(path + ": the file changed (shrank) while being read"),
              std::string::npos)
        << error.what();
  }
}

TEST_P(CaptureReaderFormats, MicrosecondTimestampsComeBackInNanoseconds) {
  const std::string path = file("us");
  CaptureWriter writer(path, {GetParam().format, 1, GetParam().swapped});
  writer.write(1'000'000'001'000, sample_frames()[0]);  // 1000 s + 1 µs
  writer.close();
  auto reader = open_capture(path);
  RawPacket packet;
  ASSERT_TRUE(reader->next(packet));
  EXPECT_EQ(packet.timestamp_ns, 1'000'000'001'000);
}

TEST_P(CaptureReaderFormats, ReportsItsFormat) {
  auto reader = open_capture(write_samples());
  const auto format = GetParam().format;
  const std::string expected = is_pcapng(format) ? "pcapng" : is_nanosecond(format) ? "pcap-ns" : "pcap";
  EXPECT_EQ(reader->format(), expected);
}

TEST_P(CaptureReaderFormats, KeepsTheLinkType) {
  for (std::uint32_t link_type : {101u, 113u, 276u}) {
    auto reader = open_capture(write_samples(link_type));
    RawPacket packet;
    ASSERT_TRUE(reader->next(packet));
    EXPECT_EQ(packet.link_type, link_type);
  }
}

void expect_truncated_at_record_3(const std::string& path) {
  auto reader = open_capture(path);
  RawPacket packet;
  ASSERT_TRUE(reader->next(packet));
  EXPECT_EQ(packet.record, 1u);
  ASSERT_TRUE(reader->next(packet));
  EXPECT_EQ(packet.record, 2u);
  EXPECT_EQ(Bytes(packet.bytes.begin(), packet.bytes.end()), sample_frames()[1]);
  EXPECT_FALSE(reader->next(packet));
  EXPECT_FALSE(reader->next(packet));
  ASSERT_EQ(reader->warnings().size(), 1u);
  const std::string& warning = reader->warnings()[0];
  EXPECT_NE(warning.find(path), std::string::npos) << warning;
  EXPECT_NE(warning.find("record 3 is truncated"), std::string::npos) << warning;
  EXPECT_NE(warning.find("the 2 complete records before it are used"), std::string::npos) << warning;
}

TEST_P(CaptureReaderFormats, RecordCutInItsDataEndsTheFileWithOneWarning) {
  const std::string path = write_samples();
  std::filesystem::resize_file(path, offset_into(3, record_header_size(GetParam().format) + 50));
  expect_truncated_at_record_3(path);
}

TEST_P(CaptureReaderFormats, RecordCutInItsHeaderEndsTheFileWithOneWarning) {
  const std::string path = write_samples();
  std::filesystem::resize_file(path, offset_into(3, 8));
  expect_truncated_at_record_3(path);
}

TEST_P(CaptureReaderFormats, RefusesAnUnsupportedLinkType) {
  const std::string path = write_samples(105);
  try {
    auto reader = open_capture(path);
    RawPacket packet;
    while (reader->next(packet)) {
    }
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("link type 105 is not supported"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find(path), std::string::npos) << error.what();
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, CaptureReaderFormats,
    ::testing::Values(FormatCase{CaptureFormat::pcap_us, false, "pcap_us"},
                      FormatCase{CaptureFormat::pcap_us, true, "pcap_us_swapped"},
                      FormatCase{CaptureFormat::pcap_ns, false, "pcap_ns"},
                      FormatCase{CaptureFormat::pcap_ns, true, "pcap_ns_swapped"},
                      FormatCase{CaptureFormat::pcapng_us, false, "pcapng_us"},
                      FormatCase{CaptureFormat::pcapng_us, true, "pcapng_us_swapped"},
                      FormatCase{CaptureFormat::pcapng_ns, false, "pcapng_ns"},
                      FormatCase{CaptureFormat::pcapng_ns, true, "pcapng_ns_swapped"}),
    [](const ::testing::TestParamInfo<FormatCase>& param_info) { return std::string(param_info.param.name); });

// Errors opening or reading one file.
class CaptureReaderErrors : public TempDirTest {
 protected:
  // The InputError open_capture (and reading to the end) throws for `path`.
  static std::string error_for(const std::string& path) {
    try {
      auto reader = open_capture(path);
      RawPacket packet;
      while (reader->next(packet)) {
      }
    } catch (const InputError& error) {
      EXPECT_EQ(error.file(), path);
      return error.what();
    }
    ADD_FAILURE() << "no InputError for " << path;
    return {};
  }
};

TEST_F(CaptureReaderErrors, MissingFileNamesThePathAndTheReason) {
  const std::string path = file("does-not-exist.pcap");
  const std::string message = error_for(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("No such file"), std::string::npos) << message;
}

TEST_F(CaptureReaderErrors, EmptyFileIsNotACapture) {
  const std::string path = file("empty.pcap");
  write_file(path, {});
  const std::string message = error_for(path);
  EXPECT_NE(message.find(path), std::string::npos) << message;
  EXPECT_NE(message.find("empty file, not a capture"), std::string::npos) << message;
}

TEST_F(CaptureReaderErrors, TextFileIsNotACapture) {
  const std::string path = file("notes.txt");
  const std::string text = "these are not the packets you are looking for\n";
  write_file(path, Bytes(text.begin(), text.end()));
  const std::string message = error_for(path);
  EXPECT_NE(message.find("not a pcap or pcapng capture"), std::string::npos) << message;
}

TEST_F(CaptureReaderErrors, ThreeByteFileIsNotACapture) {
  const std::string path = file("short");
  write_file(path, {0xd4, 0xc3, 0xb2});
  EXPECT_NE(error_for(path).find("not a pcap or pcapng capture"), std::string::npos);
}

TEST_F(CaptureReaderErrors, TruncatedPcapFileHeader) {
  const std::string path = file("header.pcap");
  weaver::testing::write_capture(path, {});
  std::filesystem::resize_file(path, 10);
  const std::string message = error_for(path);
  EXPECT_NE(message.find("pcap file header is truncated (10 of 24 bytes)"), std::string::npos)
      << message;
}

TEST_F(CaptureReaderErrors, HugeCapturedLengthMeansACorruptFile) {
  const std::string path = file("corrupt.pcap");
  CaptureWriter writer(path, {CaptureFormat::pcap_ns});
  writer.write(1'000'000'000, sample_frames()[0]);
  Bytes header;
  put32(header, 1);
  put32(header, 0);
  put32(header, 0xffffffff);  // captured length
  put32(header, 60);
  header.resize(header.size() + 100, 0);
  writer.write_bytes(header);
  writer.close();
  try {
    auto reader = open_capture(path);
    RawPacket packet;
    ASSERT_TRUE(reader->next(packet));
    reader->next(packet);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.record(), 2u);
    const std::string message = error.what();
    EXPECT_NE(message.find(path), std::string::npos) << message;
    EXPECT_NE(message.find("record 2"), std::string::npos) << message;
    EXPECT_NE(message.find("the file is corrupt"), std::string::npos) << message;
  }
}

TEST_F(CaptureReaderErrors, SimplePacketBlockIsSkippedWithOneWarning) {
  const std::string path = file("simple.pcapng");
  CaptureWriter writer(path, {CaptureFormat::pcapng_ns});
  writer.write(5'000, sample_frames()[0]);
  for (int i = 0; i < 2; ++i) {  // two simple packet blocks: 4 bytes of data each
    Bytes block;
    put32(block, 3);
    put32(block, 20);
    put32(block, 4);
    block.insert(block.end(), {1, 2, 3, 4});
    put32(block, 20);
    writer.write_bytes(block);
  }
  writer.write(6'000, sample_frames()[1]);
  writer.close();

  auto reader = open_capture(path);
  RawPacket packet;
  ASSERT_TRUE(reader->next(packet));
  EXPECT_EQ(packet.record, 1u);
  ASSERT_TRUE(reader->next(packet));
  EXPECT_EQ(packet.record, 4u);  // the simple packets are records 2 and 3
  EXPECT_EQ(packet.timestamp_ns, 6'000);
  EXPECT_FALSE(reader->next(packet));
  ASSERT_EQ(reader->warnings().size(), 1u);
  EXPECT_NE(reader->warnings()[0].find("record 2 is a simple packet block"), std::string::npos)
      << reader->warnings()[0];
  EXPECT_NE(reader->warnings()[0].find(path), std::string::npos);
}

TEST_F(CaptureReaderErrors, PacketNamingAMissingInterfaceIsAnError) {
  const std::string path = file("interface.pcapng");
  CaptureWriter writer(path, {CaptureFormat::pcapng_ns});
  writer.write(5'000, sample_frames()[0]);
  Bytes block;  // enhanced packet block on interface 1 (only interface 0 exists)
  put32(block, 6);
  put32(block, 36);
  put32(block, 1);  // interface id
  put32(block, 0);
  put32(block, 6'000);
  put32(block, 4);
  put32(block, 4);
  block.insert(block.end(), {1, 2, 3, 4});
  put32(block, 36);
  writer.write_bytes(block);
  writer.close();

  auto reader = open_capture(path);
  RawPacket packet;
  ASSERT_TRUE(reader->next(packet));
  try {
    reader->next(packet);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.record(), 2u);
    EXPECT_NE(std::string(error.what()).find("names interface 1"), std::string::npos)
        << error.what();
  }
}

TEST_F(CaptureReaderErrors, PcapngBlockWithMismatchedTrailingLengthIsCorrupt) {
  const std::string path = file("trailer.pcapng");
  CaptureWriter writer(path, {CaptureFormat::pcapng_ns});
  Bytes block;
  put32(block, 6);
  put32(block, 36);
  put32(block, 0);
  put32(block, 0);
  put32(block, 6'000);
  put32(block, 4);
  put32(block, 4);
  block.insert(block.end(), {1, 2, 3, 4});
  put32(block, 40);  // should be 36
  writer.write_bytes(block);
  writer.close();
  EXPECT_NE(error_for(path).find("the file is corrupt"), std::string::npos);
}

}  // namespace

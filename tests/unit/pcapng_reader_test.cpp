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



// --- Hand-built pcapng: resolutions, offsets, sections, obsolete blocks ---------

// pcapng blocks in host byte order.
class Pcapng {
 public:
  Pcapng& section() {
    block(0x0a0d0d0a, [](Bytes& b) {
      put32(b, 0x1a2b3c4d);
      put16(b, 1);
      put16(b, 0);
      put32(b, 0xffffffff);
      put32(b, 0xffffffff);
    });
    return *this;
  }
  // An interface with if_tsresol `resolution` and, when non-zero, if_tsoffset.
  Pcapng& interface(std::uint16_t link_type, std::uint8_t resolution, std::uint64_t offset_s = 0) {
    block(1, [&](Bytes& b) {
      put16(b, link_type);
      put16(b, 0);
      put32(b, 65535);
      put16(b, 9);
      put16(b, 1);
      b.insert(b.end(), {resolution, 0, 0, 0});
      if (offset_s != 0) {
        put16(b, 14);
        put16(b, 8);
        std::uint8_t raw[8];
        std::memcpy(raw, &offset_s, 8);
        b.insert(b.end(), raw, raw + 8);
      }
      put32(b, 0);
    });
    return *this;
  }
  Pcapng& packet(std::uint32_t interface_id, std::uint64_t units, const Bytes& data) {
    block(6, [&](Bytes& b) {
      put32(b, interface_id);
      put32(b, static_cast<std::uint32_t>(units >> 32));
      put32(b, static_cast<std::uint32_t>(units));
      put32(b, static_cast<std::uint32_t>(data.size()));
      put32(b, static_cast<std::uint32_t>(data.size()));
      b.insert(b.end(), data.begin(), data.end());
      b.resize((b.size() + 3) & ~std::size_t{3}, 0);
    });
    return *this;
  }
  // The obsolete packet block (type 2): a 16-bit interface id and drop count.
  Pcapng& obsolete_packet(std::uint16_t interface_id, std::uint64_t units, const Bytes& data) {
    block(2, [&](Bytes& b) {
      put16(b, interface_id);
      put16(b, 0);
      put32(b, static_cast<std::uint32_t>(units >> 32));
      put32(b, static_cast<std::uint32_t>(units));
      put32(b, static_cast<std::uint32_t>(data.size()));
      put32(b, static_cast<std::uint32_t>(data.size()));
      b.insert(b.end(), data.begin(), data.end());
      b.resize((b.size() + 3) & ~std::size_t{3}, 0);
    });
    return *this;
  }
  // A name resolution block: nothing to read, only to skip.
  Pcapng& name_resolution() {
    block(4, [](Bytes& b) { put32(b, 0); });
    return *this;
  }
  const Bytes& bytes() const { return bytes_; }

 private:
  static void put16(Bytes& out, std::uint16_t v) {
    std::uint8_t raw[2];
    std::memcpy(raw, &v, 2);
    out.insert(out.end(), raw, raw + 2);
  }
  template <typename Body>
  void block(std::uint32_t type, Body body) {
    Bytes b;
    body(b);
    const auto length = static_cast<std::uint32_t>(b.size() + 12);
    put32(bytes_, type);
    put32(bytes_, length);
    bytes_.insert(bytes_.end(), b.begin(), b.end());
    put32(bytes_, length);
  }
  Bytes bytes_;
};

class PcapngReader : public TempDirTest {
 protected:
  std::vector<RawPacket> read_all(const Bytes& bytes) {
    const std::string path = file("capture.pcapng");
    write_file(path, bytes);
    reader_ = open_capture(path);
    std::vector<RawPacket> packets;
    RawPacket packet;
    while (reader_->next(packet)) packets.push_back(packet);
    return packets;
  }
  std::unique_ptr<weaver::capture::CaptureReader> reader_;
};

TEST_F(PcapngReader, MillisecondResolutionAndTimestampOffset) {
  const auto packets = read_all(
      Pcapng().section().interface(1, 3, 1'600'000'000).packet(0, 1'234'567, sample_frames()[0]).bytes());
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].timestamp_ns, 1'600'000'000'000'000'000 + 1'234'567'000'000);
}

TEST_F(PcapngReader, PowerOfTwoResolution) {
  const auto packets =
      read_all(Pcapng().section().interface(1, 0x80 | 10).packet(0, 3 * 1024 + 512, sample_frames()[0]).bytes());
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].timestamp_ns, 3'500'000'000);  // 3.5 s in units of 1/1024 s
}

TEST_F(PcapngReader, PicosecondResolutionRoundsDown) {
  const auto packets =
      read_all(Pcapng().section().interface(1, 12).packet(0, 5'000'000'000'999, sample_frames()[0]).bytes());
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].timestamp_ns, 5'000'000'000);
}

TEST_F(PcapngReader, PacketsOfSeveralInterfacesKeepTheirOwnLinkTypeAndResolution) {
  const auto packets = read_all(Pcapng()
                                    .section()
                                    .interface(1, 6)
                                    .interface(113, 9)
                                    .name_resolution()
                                    .packet(1, 42, sample_frames()[0])
                                    .packet(0, 42, sample_frames()[1])
                                    .bytes());
  ASSERT_EQ(packets.size(), 2u);
  EXPECT_EQ(packets[0].link_type, 113u);
  EXPECT_EQ(packets[0].timestamp_ns, 42);
  EXPECT_EQ(packets[1].link_type, 1u);
  EXPECT_EQ(packets[1].timestamp_ns, 42'000);
  EXPECT_EQ(packets[1].record, 2u);
}

TEST_F(PcapngReader, ObsoletePacketBlockIsRead) {
  const auto packets =
      read_all(Pcapng().section().interface(1, 9).obsolete_packet(0, 777, sample_frames()[2]).bytes());
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_EQ(packets[0].timestamp_ns, 777);
  EXPECT_EQ(Bytes(packets[0].bytes.begin(), packets[0].bytes.end()), sample_frames()[2]);
}

TEST_F(PcapngReader, ANewSectionBringsItsOwnByteOrderAndInterfaces) {
  // Two files as written by different machines, concatenated (as mergecap -a can).
  const std::string first = file("first.pcapng");
  const std::string second = file("second.pcapng");
  CaptureWriter a(first, {CaptureFormat::pcapng_ns, 1, false});
  a.write(1'000, sample_frames()[0]);
  a.close();
  CaptureWriter b(second, {CaptureFormat::pcapng_us, 113, true});
  b.write(2'000'000, sample_frames()[1]);
  b.write(3'000'000, sample_frames()[2]);
  b.close();
  std::ifstream in_a(first, std::ios::binary), in_b(second, std::ios::binary);
  Bytes joined((std::istreambuf_iterator<char>(in_a)), std::istreambuf_iterator<char>());
  joined.insert(joined.end(), std::istreambuf_iterator<char>(in_b), std::istreambuf_iterator<char>());

  const auto packets = read_all(joined);
  ASSERT_EQ(packets.size(), 3u);
  EXPECT_EQ(packets[0].link_type, 1u);
  EXPECT_EQ(packets[0].timestamp_ns, 1'000);
  EXPECT_EQ(packets[1].link_type, 113u);
  EXPECT_EQ(packets[1].timestamp_ns, 2'000'000);
  EXPECT_EQ(packets[2].record, 3u);
  EXPECT_EQ(Bytes(packets[2].bytes.begin(), packets[2].bytes.end()), sample_frames()[2]);
  EXPECT_TRUE(reader_->warnings().empty());
}

TEST_F(PcapngReader, TimestampBeyondSigned64BitNanosecondsIsCorrupt) {
  // 10^11 units of one second each: 10^20 ns.
  const Bytes bytes =
      Pcapng().section().interface(1, 0).packet(0, 100'000'000'000, sample_frames()[0]).bytes();
  try {
    read_all(bytes);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.record(), 1u);
    EXPECT_NE(std::string(error.what()).find("timestamp is out of range"), std::string::npos)
        << error.what();
  }
}

TEST_F(PcapngReader, TimestampOffsetBeyondSigned64BitNanosecondsIsCorrupt) {
  const Bytes bytes = Pcapng()
                          .section()
                          .interface(1, 9, 10'000'000'000)  // 10^10 s: 10^19 ns
                          .packet(0, 1, sample_frames()[0])
                          .bytes();
  try {
    read_all(bytes);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("if_tsoffset"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("the file is corrupt"), std::string::npos) << error.what();
  }
}

TEST_F(PcapngReader, PacketAfterANewSectionCannotUseTheOldInterfaces) {
  Bytes bytes = Pcapng().section().interface(1, 9).packet(0, 1, sample_frames()[0]).bytes();
  const Bytes second = Pcapng().section().packet(0, 2, sample_frames()[0]).bytes();
  bytes.insert(bytes.end(), second.begin(), second.end());
  try {
    read_all(bytes);
    FAIL() << "no InputError";
  } catch (const InputError& error) {
    EXPECT_EQ(error.record(), 2u);
    EXPECT_NE(std::string(error.what()).find("the section describes 0"), std::string::npos)
        << error.what();
  }
}

}  // namespace

// weaver-gen on the local lab: what leaves a source namespace arrives in the
// guest with the asked count, size, ids and rate; bursts arrive back to back;
// `weaver run` uploads it to a source once and then finds it cached.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "lab_test_support.hpp"
#include "weaver/capture/capture_reader.hpp"
#include "weaver/capture/decoder.hpp"
#include "weaver/capture/payload_id.hpp"

namespace weaver::lab::test {
namespace {

struct Arrival {
  std::int64_t time_ns;
  std::size_t length;
  std::optional<capture::PayloadId> id;
};

std::vector<Arrival> arrivals(const std::string& file) {
  std::vector<Arrival> found;
  auto reader = capture::open_capture(file);
  capture::RawPacket raw;
  while (reader->next(raw)) {
    const auto packet = capture::decode_packet(raw.link_type, raw.bytes);
    found.push_back({raw.timestamp_ns, raw.original_length, capture::read_payload_id(packet.payload)});
  }
  return found;
}

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!running_as_root()) return;
    lab_ = new TestLab("wv75", {"--datapath", "bridge"});
  }
  static void TearDownTestSuite() {
    delete lab_;
    lab_ = nullptr;
  }
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
    ASSERT_TRUE(lab_->up()) << lab_->up_error();
  }

  // weaver-gen run in the source namespace; its JSON summary, once what it
  // sent has had time to reach the guest's capture.
  nlohmann::json generate(std::vector<std::string> flags) {
    std::vector<std::string> argv{"ip", "netns", "exec", lab_->source().at("netns"), WEAVER_GEN_BINARY,
                                  "--dst", lab_->hypervisor().at("guest").at("address"), "--json"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    const ProcessOutput run = run_process(argv);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return nlohmann::json::parse(run.out, nullptr, false);
  }

  std::string guest_netns() const { return lab_->hypervisor().at("guest").at("netns"); }

  static TestLab* lab_;
};
TestLab* GeneratorTest::lab_ = nullptr;

TEST_F(GeneratorTest, FramesArriveWithTheirCountSizeIdsAndRate) {
  for (int size : {64, 1518}) {
    SCOPED_TRACE(size);
    TempDir dir;
    Capture guest(guest_netns(), "eth0", dir.path() + "/guest.pcap", "udp and dst port 9");
    ASSERT_TRUE(guest.listening());
    const nlohmann::json summary =
        generate({"--proto", "udp", "--size", std::to_string(size), "--rate", "10000", "--count",
                  "2000", "--run-id", "4242"});
    guest.stop();
    ASSERT_FALSE(summary.is_discarded());
    EXPECT_EQ(summary.at("sent"), 2000);
    EXPECT_NEAR(summary.at("achieved_pps").get<double>(), 10000.0, 100.0);  // within 1%
    const std::vector<Arrival> seen = arrivals(guest.file());
    ASSERT_EQ(seen.size(), 2000u);
    for (std::size_t i = 0; i < seen.size(); ++i) {
      ASSERT_EQ(seen[i].length, static_cast<std::size_t>(size - 4)) << i;
      ASSERT_TRUE(seen[i].id) << i;
      ASSERT_EQ(seen[i].id->run_id, 4242u) << i;
      ASSERT_EQ(seen[i].id->sequence, i) << i;
    }
    // 1999 gaps of 100 us, as the guest saw them.
    const double span_s = static_cast<double>(seen.back().time_ns - seen.front().time_ns) / 1e9;
    EXPECT_NEAR(1999 / span_s, 10000.0, 500.0);
  }
}

TEST_F(GeneratorTest, BurstsArriveBackToBack) {
  TempDir dir;
  Capture guest(guest_netns(), "eth0", dir.path() + "/guest.pcap", "udp and dst port 9");
  ASSERT_TRUE(guest.listening());
  const nlohmann::json summary =
      generate({"--proto", "udp", "--size", "64", "--burst", "16", "--burst-interval-us", "20000",
                "--count", "64"});
  guest.stop();
  EXPECT_EQ(summary.at("sent"), 64);
  const std::vector<Arrival> seen = arrivals(guest.file());
  ASSERT_EQ(seen.size(), 64u);
  for (std::size_t i = 1; i < seen.size(); ++i) {
    const std::int64_t gap = seen[i].time_ns - seen[i - 1].time_ns;
    if (i % 16 == 0) {
      EXPECT_GT(gap, 10'000'000) << "burst " << i / 16 << " came early";
    } else {
      EXPECT_LT(gap, 2'000'000) << "packet " << i << " of a burst came late";
    }
  }
  // The whole of a burst comes in a fraction of the interval.
  for (std::size_t burst = 0; burst < 4; ++burst) {
    EXPECT_LT(seen[burst * 16 + 15].time_ns - seen[burst * 16].time_ns, 5'000'000) << burst;
  }
}

TEST_F(GeneratorTest, BadRequestsAreOneLineWithoutSending) {
  const std::string source = lab_->source().at("netns");
  const std::string guest = lab_->hypervisor().at("guest").at("address");
  const auto run = [&](std::vector<std::string> flags) {
    std::vector<std::string> argv{"ip", "netns", "exec", source, WEAVER_GEN_BINARY};
    argv.insert(argv.end(), flags.begin(), flags.end());
    return run_process(argv);
  };
  ProcessOutput bad = run({"--dst", guest, "--iface", "nosuch0", "--rate", "10", "--count", "1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "weaver-gen: unknown interface 'nosuch0'\n");
  bad = run({"--dst", guest, "--size", "9000", "--rate", "10", "--count", "1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err,
            "weaver-gen: --size 9000: larger than the interface's MTU of 1500 allows (at most 1518 "
            "bytes with FCS)\n");
  bad = run({"--dst", "198.18.250.1", "--rate", "10", "--count", "1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_EQ(bad.err, "weaver-gen: no route to 198.18.250.1\n");
  bad = run({"--dst", guest, "--rate", "10"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "weaver-gen: give --count N or --duration S\n");
}

// The cache is in the SSH login folder: root's home on the lab's hosts.
const std::filesystem::path kCache = "/root/.cache/weaver";

std::string small_scenarios(const TempDir& dir) {
  const std::string path = dir.path() + "/scenarios.yaml";
  std::ofstream(path) << "scenarios:\n  - name: Udp\n    protocol: udp\n    axes:\n"
                         "      size: [64]\n      rate: [2000]\n      count: [100]\n";
  return path;
}

TEST_F(GeneratorTest, RunUploadsItOnceThenFindsItCached) {
  const std::filesystem::path& cache = kCache;
  const auto cached = [&] {
    std::vector<std::filesystem::path> files;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator(cache, ignored)) {
      if (entry.path().filename().string().rfind("weaver-gen-", 0) == 0) files.push_back(entry.path());
    }
    return files;
  };
  for (const auto& file : cached()) std::filesystem::remove(file);
  TempDir dir;
  const std::vector<std::string> args{"run", "--lab", "wv75", "--scenarios", small_scenarios(dir),
                                      "--benchmark_format=json", "--results-dir", dir.path()};
  const ProcessOutput first = run_weaver(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto files = cached();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(std::filesystem::file_size(files[0]), std::filesystem::file_size(WEAVER_GEN_BINARY));
  EXPECT_EQ(std::filesystem::status(files[0]).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_all);
  const auto uploaded_at = std::filesystem::last_write_time(files[0]);
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const ProcessOutput second = run_weaver(args);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(cached(), files);
  EXPECT_EQ(std::filesystem::last_write_time(files[0]), uploaded_at) << "uploaded again";
  const auto report = nlohmann::json::parse(second.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << second.out;
  EXPECT_EQ(report.at("benchmarks").at(0).at("sent").get<double>(), 100.0) << second.out;
  std::filesystem::remove(files[0]);
}

// The cache folder swapped for a file for the length of a test, so nothing
// can be installed there; the folder comes back afterwards.
class UnwritableCache {
 public:
  UnwritableCache() {
    std::filesystem::create_directories(kCache.parent_path());
    if (std::filesystem::exists(kCache)) std::filesystem::rename(kCache, kSaved);
    std::ofstream(kCache) << "not a folder\n";
  }
  ~UnwritableCache() {
    std::error_code ignored;
    std::filesystem::remove(kCache, ignored);
    if (std::filesystem::exists(kSaved)) std::filesystem::rename(kSaved, kCache, ignored);
  }

 private:
  const std::filesystem::path kSaved = kCache.string() + ".saved-by-test";
};

TEST_F(GeneratorTest, ASourceThatCannotTakeItSendsWithHping3AndTheCaseSaysSo) {
  TempDir dir;
  UnwritableCache unwritable;
  const ProcessOutput run = run_weaver({"run", "--lab", "wv75", "--scenarios", small_scenarios(dir),
                                        "--benchmark_format=json", "--results-dir", dir.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto report = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << run.out;
  const auto& measured = report.at("benchmarks").at(0);
  EXPECT_EQ(measured.at("sent").get<double>(), 100.0);
  EXPECT_NE(measured.value("label", "").find("hping3 on src0: weaver-gen could not be installed"),
            std::string::npos)
      << measured.dump();
}

}  // namespace
}  // namespace weaver::lab::test

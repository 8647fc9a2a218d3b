// Runs the built `weaver` binary the way a user would.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "capture_writer.hpp"
#include "synthetic_traffic.hpp"
#include "run_program.hpp"
#include "temp_dir.hpp"

namespace {

using weaver::testing::SyntheticTraffic;
using weaver::testing::SyntheticTruth;
using weaver::testing::TempDirTest;

using Outcome = weaver::testing::ProgramOutcome;

class Cli : public TempDirTest {
 protected:
  Outcome run_weaver(std::vector<std::string> args) {
    args.insert(args.begin(), WEAVER_BINARY);
    return weaver::testing::run_program(std::move(args), file("stdout.txt"), file("stderr.txt"));
  }

  SyntheticTruth synthesize(double loss = 0.01) {
    SyntheticTraffic traffic;
    traffic.packets = 5000;
    traffic.loss = loss;
    return weaver::testing::write_synthetic_captures(traffic, pif(), vif());
  }

  Outcome analyze(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"analyze", "--pif", pif(), "--vif", vif()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_weaver(args);
  }

  std::string pif() const { return file("pif.pcap"); }
  std::string vif() const { return file("vif.pcap"); }

  // Exit 2 and exactly one stderr line starting "weaver: " that contains `text`.
  static void expect_usage_failure(const Outcome& run, const std::string& text) {
    EXPECT_EQ(run.exit_code, 2) << run.err;
    EXPECT_EQ(run.err.rfind("weaver: ", 0), 0u) << run.err;
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
    EXPECT_NE(run.err.find(text), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
};

TEST_F(Cli, JsonOutputHasEveryKey) {
  const SyntheticTruth truth = synthesize();
  const Outcome run = analyze({"--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;
  const auto json = nlohmann::json::parse(run.out);  // throws if not valid JSON
  for (const char* key : {"matched", "pif_only", "vif_only", "min_us", "mean_us", "stdev_us", "p50_us",
                          "p90_us", "p99_us", "p999_us", "max_us", "average", "minimum", "maximum",
                          "stdev"}) {
    EXPECT_TRUE(json.contains(key)) << key;
  }
  EXPECT_EQ(json["matched"].get<std::uint64_t>(), truth.pif_packets - truth.lost);
  EXPECT_EQ(json["pif_only"].get<std::uint64_t>(), truth.lost);
  EXPECT_EQ(json["vif_only"].get<std::uint64_t>(), 0u);
  EXPECT_DOUBLE_EQ(json["min_us"].get<double>(), static_cast<double>(truth.min_delay_ns) / 1000.0);
  EXPECT_DOUBLE_EQ(json["max_us"].get<double>(), static_cast<double>(truth.max_delay_ns) / 1000.0);
  EXPECT_NEAR(json["mean_us"].get<double>(), truth.mean_delay_ns / 1000.0, 1e-6 * truth.mean_delay_ns);
  EXPECT_EQ(json["average"], json["mean_us"]);
  EXPECT_EQ(json["minimum"], json["min_us"]);
  EXPECT_EQ(json["maximum"], json["max_us"]);
  EXPECT_EQ(json["stdev"], json["stdev_us"]);
  EXPECT_LE(json["p50_us"].get<double>(), json["p90_us"].get<double>());
  EXPECT_LE(json["p99_us"].get<double>(), json["p999_us"].get<double>());
}

TEST_F(Cli, DefaultOutputIsATable) {
  synthesize();
  const Outcome run = analyze();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("PIF->VIF latency"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(pif()), std::string::npos) << run.out;
}

TEST_F(Cli, PacketsCsvHasOneRowPerMatchedPacket) {
  const SyntheticTruth truth = synthesize();
  const std::string csv = file("out.csv");
  const Outcome run = analyze({"--packets", csv});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_FALSE(std::filesystem::exists(csv + ".partial"));
  std::ifstream in(csv);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line, "pif_ns,vif_ns,delta_ns");
  std::uint64_t rows = 0;
  std::int64_t min_delta = INT64_MAX;
  while (std::getline(in, line)) {
    long long pif_ns = 0, vif_ns = 0, delta_ns = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%lld,%lld,%lld", &pif_ns, &vif_ns, &delta_ns), 3) << line;
    EXPECT_EQ(delta_ns, vif_ns - pif_ns) << line;
    min_delta = std::min<std::int64_t>(min_delta, delta_ns);
    ++rows;
  }
  EXPECT_EQ(rows, truth.pif_packets - truth.lost);
  EXPECT_EQ(min_delta, truth.min_delay_ns);
}

TEST_F(Cli, FailedAnalysisLeavesNoCsv) {
  synthesize();
  std::filesystem::remove(vif());
  const std::string csv = file("out.csv");
  const Outcome run = analyze({"--packets", csv});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(csv));
  EXPECT_FALSE(std::filesystem::exists(csv + ".partial"));
}

TEST_F(Cli, UnwritablePacketsCsv) {
  synthesize();
  expect_usage_failure(analyze({"--packets", file("no-such-dir/out.csv")}), "--packets");
}

TEST_F(Cli, MissingFile) {
  synthesize();
  std::filesystem::remove(vif());
  expect_usage_failure(analyze(), vif());
}

TEST_F(Cli, EmptyFile) {
  synthesize();
  std::filesystem::resize_file(pif(), 0);
  const Outcome run = analyze();
  expect_usage_failure(run, pif());
  EXPECT_NE(run.err.find("empty file"), std::string::npos) << run.err;
}

TEST_F(Cli, NotACapture) {
  synthesize();
  std::ofstream(vif()) << "hello\n";
  const Outcome run = analyze();
  expect_usage_failure(run, vif());
  EXPECT_NE(run.err.find("not a pcap or pcapng capture"), std::string::npos) << run.err;
}

TEST_F(Cli, BadKey) {
  synthesize();
  expect_usage_failure(analyze({"--key", "bogus"}), "--key 'bogus'");
}

TEST_F(Cli, BadWindow) {
  synthesize();
  for (const char* window : {"abc", "-1s", "0", "10 parsecs", "5m"}) {
    SCOPED_TRACE(window);
    expect_usage_failure(analyze({"--window", window}), "--window");
  }
}

TEST_F(Cli, GoodWindowUnits) {
  synthesize();
  for (const char* window : {"10s", "500ms", "100us", "60000ns", "2"}) {
    EXPECT_EQ(analyze({"--window", window}).exit_code, 0) << window;
  }
}

TEST_F(Cli, BadFilter) {
  synthesize();
  expect_usage_failure(analyze({"--filter", "tcp and and"}), "--filter");
}

TEST_F(Cli, UnknownOption) {
  synthesize();
  const Outcome run = analyze({"--frobnicate"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err.rfind("weaver: ", 0), 0u) << run.err;
}

// A value echoed in a message cannot break its line or reach the terminal
// as an escape sequence.
TEST_F(Cli, MessagesEscapeControlCharactersOfWhatTheyEcho) {
  const Outcome run = run_weaver({"analyze", "--pif", file("a\nb\x1b[31m"), "--vif", vif()});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("a\\nb\\x1b[31m"), std::string::npos) << run.err;
}

// --packets replaces a regular file, never a device, a FIFO, a link or an input.
TEST_F(Cli, PacketsCsvNeverReplacesWhatIsNotOurs) {
  synthesize();
  const auto pif_before = std::filesystem::file_size(pif());
  expect_usage_failure(analyze({"--packets", "/dev/null"}), "--packets /dev/null: is a device");
  EXPECT_TRUE(std::filesystem::is_character_file("/dev/null"));
  expect_usage_failure(analyze({"--packets", pif()}), "is the input " + pif());
  EXPECT_EQ(std::filesystem::file_size(pif()), pif_before);
  std::filesystem::create_symlink(vif(), file("link.csv"));
  expect_usage_failure(analyze({"--packets", file("link.csv")}), "is a symbolic link");
  ASSERT_EQ(::mkfifo(file("fifo.csv").c_str(), 0600), 0);
  expect_usage_failure(analyze({"--packets", file("fifo.csv")}), "is a FIFO");
  std::ofstream(file("old.csv")) << "old\n";
  EXPECT_EQ(analyze({"--packets", file("old.csv")}).exit_code, 0);
  EXPECT_EQ(weaver::testing::read_text(file("old.csv")).rfind("pif_ns,vif_ns,delta_ns\n", 0), 0u);
}

// A FIFO named as a capture is refused at once instead of waiting for a writer.
TEST_F(Cli, AFifoAsACaptureIsRefusedWithoutHanging) {
  synthesize();
  ASSERT_EQ(::mkfifo(file("fifo.pcap").c_str(), 0600), 0);
  const Outcome run = run_weaver({"analyze", "--pif", file("fifo.pcap"), "--vif", vif()});
  expect_usage_failure(run, "the capture is a FIFO, not a regular file");
  ASSERT_EQ(::mkfifo(file("fifo.json").c_str(), 0600), 0);
  const Outcome compared = run_weaver({"compare", file("fifo.json"), file("fifo.json")});
  EXPECT_EQ(compared.exit_code, 2);
  EXPECT_NE(compared.err.find("is a FIFO"), std::string::npos) << compared.err;
}

// Everything `weaver measure` sends to a host is checked before it connects:
// these hosts do not exist, and the answer comes at once.
TEST_F(Cli, MeasureValidatesBeforeItConnects) {
  const std::vector<std::string> base{"measure", "--hv", "198.18.0.2", "-s", "198.18.0.5", "--num", "0",
                                      "-d", "198.18.1.20"};
  auto measure = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_weaver(args);
  };
  expect_usage_failure(measure({"-n", "vm;reboot", "-i", "eth0"}), "-n: 'vm;reboot'");
  expect_usage_failure(measure({"-n", "vm", "-i", "eth0 x"}), "-i: 'eth0 x'");
  expect_usage_failure(measure({"-n", "vm", "-i", "eth0", "--adapter", "vmware"}), "'vmware'");
  expect_usage_failure(measure({"-n", "vm", "-i", "eth0", "-c", "0"}), "--count");
}

// std::regex recurses per nesting level: a deep filter is refused, not a crash.
TEST_F(Cli, ADeeplyNestedFilterIsRefused) {
  std::ofstream(file("lab.yaml")) << "sources: []\n";
  const Outcome run = run_weaver({"run", "--config", file("lab.yaml"),
                                  "--benchmark_filter=" + std::string(500, '(') + std::string(500, ')')});
  expect_usage_failure(run, "--benchmark_filter: nested 500 levels deep; at most 32");
}

TEST_F(Cli, MissingSubcommand) { EXPECT_EQ(run_weaver({}).exit_code, 2); }

TEST_F(Cli, HelpExitsZero) {
  const Outcome run = run_weaver({"--help"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_NE(run.out.find("analyze"), std::string::npos) << run.out;
  const Outcome analyze_help = run_weaver({"analyze", "--help"});
  EXPECT_EQ(analyze_help.exit_code, 0);
  EXPECT_NE(analyze_help.out.find("--pif"), std::string::npos) << analyze_help.out;
}

TEST_F(Cli, TruncatedVifWarnsAndSucceeds) {
  synthesize();
  std::filesystem::resize_file(vif(), std::filesystem::file_size(vif()) - 7);
  const Outcome run = analyze();
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err.rfind("warning: ", 0), 0u) << run.err;
  EXPECT_NE(run.err.find("truncated"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(vif()), std::string::npos) << run.err;
  EXPECT_NE(run.out.find("PIF->VIF latency"), std::string::npos) << run.out;
}

}  // namespace

namespace {

// Lists the cases `weaver run` registers for a lab file (nothing is run).
class RunListing : public Cli {
 protected:
  std::string list_cases(const std::string& vm_extra) {
    const std::string lab = file("lab.yaml");
    std::ofstream(lab) << "sources:\n  - {name: src1, host: 198.18.0.5}\n"
                          "hypervisors:\n  - name: hv\n    host: 198.18.0.2\n    adapter: xl\n"
                          "    pif: eth0\n    vms:\n      - name: vm1\n        address: 198.18.1.20\n"
                       << vm_extra;
    const Outcome run = run_weaver({"run", "--config", lab, "--benchmark_list_tests=true",
                                    "--results-dir", file("results")});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out;
  }
};

TEST_F(RunListing, ListingCreatesNoResultsFolder) {
  list_cases("");
  EXPECT_FALSE(std::filesystem::exists(file("results")));
}

TEST_F(RunListing, ABadLabelIsOneLineAndCreatesNothing) {
  const std::string lab = file("lab.yaml");
  std::ofstream(lab) << "sources: []\n";
  const Outcome run =
      run_weaver({"run", "--config", lab, "--label", "../escape", "--results-dir", file("results")});
  expect_usage_failure(run, "--label '../escape'");
  EXPECT_FALSE(std::filesystem::exists(file("results")));
}

TEST_F(RunListing, ABadLabFileLeavesNoResultsFolderBehind) {
  const std::string lab = file("lab.yaml");
  std::ofstream(lab) << "sources:\n  - {name: src1}\n";
  const Outcome run = run_weaver({"run", "--config", lab, "--results-dir", file("results")});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find(lab), std::string::npos) << run.err;
  EXPECT_TRUE(std::filesystem::is_empty(file("results"))) << "the run's empty folder stays behind";
}

TEST_F(RunListing, AResultsDirThatCannotBeCreatedIsOneLineBeforeAnythingRuns) {
  std::ofstream(file("taken")) << "a file, not a folder\n";
  const std::string lab = file("lab.yaml");
  std::ofstream(lab) << "sources: []\n";
  const Outcome run = run_weaver({"run", "--config", lab, "--results-dir", file("taken") + "/results"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_NE(run.err.find(file("taken") + "/results"), std::string::npos) << run.err;
}

// Nothing is connected to when no case is selected: the lab file's hosts
// do not exist.
TEST_F(RunListing, AFilterThatMatchesNothingIsBadUsageAndWritesNothing) {
  const std::string lab = file("lab.yaml");
  std::ofstream(lab) << "sources:\n  - {name: src1, host: 198.18.0.5}\n"
                        "hypervisors:\n  - name: hv\n    host: 198.18.0.2\n    adapter: xl\n"
                        "    pif: eth0\n    vms:\n      - name: vm1\n        address: 198.18.1.20\n";
  const Outcome run = run_weaver({"run", "--config", lab, "--benchmark_filter=NoSuchCase",
                                  "--results-dir", file("results")});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("weaver: no case to run"), std::string::npos) << run.err;
  EXPECT_TRUE(std::filesystem::is_empty(file("results")));
}

// weaver reads the aggregates-only flags itself (Google Benchmark would drop
// the repetitions from the results): they list like any flag, and a value
// that is no boolean is refused before anything runs.
TEST_F(RunListing, AggregatesOnlyFlagsAreTakenByWeaver) {
  const std::string lab = file("lab.yaml");
  std::ofstream(lab) << "sources:\n  - {name: src1, host: 198.18.0.5}\n"
                        "hypervisors:\n  - name: hv\n    host: 198.18.0.2\n    adapter: xl\n"
                        "    pif: eth0\n    vms:\n      - name: vm1\n        address: 198.18.1.20\n";
  for (const char* flag : {"--benchmark_report_aggregates_only", "--benchmark_display_aggregates_only=true",
                           "--benchmark_report_aggregates_only=false"}) {
    const Outcome run = run_weaver({"run", "--config", lab, flag, "--benchmark_list_tests=true"});
    EXPECT_EQ(run.exit_code, 0) << flag << ": " << run.err;
    EXPECT_NE(run.out.find("SynFlood/hv/"), std::string::npos) << run.out;
  }
  const Outcome empty = run_weaver({"run", "--config", lab, "--benchmark_display_aggregates_only=",
                                    "--results-dir", file("results")});
  expect_usage_failure(empty, "--benchmark_display_aggregates_only=");
  EXPECT_FALSE(std::filesystem::exists(file("results")));
}

TEST_F(RunListing, EgressCasesOnlyWhereTheVmCanBeReached) {
  const std::string without = list_cases("");
  EXPECT_NE(without.find("UdpStream/hv/size:64/"), std::string::npos) << without;
  EXPECT_EQ(without.find("UdpEgress"), std::string::npos) << without;
  const std::string with = list_cases("        ssh: {host: 198.18.1.20}\n");
  EXPECT_NE(with.find("UdpEgress/hv/size:64/rate:10000/count:2000"), std::string::npos) << with;
}

}  // namespace

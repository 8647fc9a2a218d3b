// The main job on the local lab, end to end over SSH: every scenario on every
// datapath (egress too, sent from inside the lab's VMs), the 2013 command line, a lab file with an
// error, an unreachable hypervisor among reachable ones, tcpdump captures, and a results folder
// that holds every repetition whatever the display flags. What a run leaves on its hosts:
// lab_hosts_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

const char* const kSmallScenarios = R"(scenarios:
  - name: SynFlood
    protocol: syn
    axes:
      size: [64]
      rate: [2000]
      count: [300]
  - name: UdpStream
    protocol: udp
    axes:
      size: [1518]
      rate: [2000]
      count: [300]
  - name: IcmpEcho
    protocol: icmp
    axes:
      size: [128]
      rate: [2000]
      count: [300]
  - name: UdpBurst
    protocol: udp
    axes:
      size: [64]
      count: [300]
      burst: [10]
      burst_interval_us: [2000]
  - name: UdpEgress
    protocol: udp
    direction: egress
    axes:
      size: [64]
      rate: [2000]
      count: [300]
)";

// The lab's first hypervisor and source as a YAML lab file, plus `extra`
// hypervisor entries.
std::string lab_file(const TestLab& lab, const std::string& extra = {}) {
  const auto& ssh = lab.state().at("ssh");
  const auto& hypervisor = lab.hypervisor();
  return "defaults:\n  key: " + ssh.at("client_key").get<std::string>() +
         "\n  known_hosts: " + ssh.at("known_hosts").get<std::string>() +
         "\nsources:\n  - name: src\n    host: " +
         lab.source().at("management_address").get<std::string>() +
         "\n    address: " + lab.source().at("data_address").get<std::string>() +
         "\nhypervisors:\n  - name: lab\n    host: " +
         hypervisor.at("management_address").get<std::string>() +
         "\n    adapter: lab\n    pif: eth0\n    vms:\n      - name: " +
         hypervisor.at("guest").at("instance").get<std::string>() +
         "\n        address: " + hypervisor.at("guest").at("address").get<std::string>() + "\n" +
         extra;
}

nlohmann::json benchmarks_of(const ProcessOutput& run) {
  // Google Benchmark writes the coefficient of variation of an all-zero
  // counter as a bare NaN, which is not JSON.
  const std::string text = std::regex_replace(run.out, std::regex(": (-?)NaN"), ": null");
  const nlohmann::json report = nlohmann::json::parse(text, nullptr, false);
  if (report.is_discarded() || !report.contains("benchmarks")) return nlohmann::json::array();
  return report.at("benchmarks");
}

const nlohmann::json* find_case(const nlohmann::json& benchmarks, const std::string& prefix) {
  for (const auto& benchmark : benchmarks) {
    if (benchmark.at("name").get<std::string>().rfind(prefix, 0) == 0) return &benchmark;
  }
  return nullptr;
}

// Every file of the results folder agrees with what the run printed.
void check_results_folder(const std::filesystem::path& folder, const nlohmann::json& printed) {
  ASSERT_FALSE(folder.empty()) << "not exactly one results folder";
  EXPECT_TRUE(
      std::regex_match(folder.filename().string(), std::regex("[0-9]{8}T[0-9]{6}Z-every-datapath")))
      << folder;
  const auto weaver = nlohmann::json::parse(read_file(folder / "weaver.json"));  // strict JSON
  const auto& benchmarks = weaver.at("benchmarks");
  ASSERT_EQ(benchmarks.size(), printed.size());
  EXPECT_EQ(weaver.at("context").at("weaver").at("label"), "every-datapath");
  EXPECT_EQ(weaver.at("context").at("weaver").at("lab_file_sha256").get<std::string>().size(), 64u);
  EXPECT_EQ(weaver.at("configurations").size(), 4u);
  const auto histograms = nlohmann::json::parse(read_file(folder / "histograms.json"));
  ASSERT_EQ(histograms.at("cases").size(), benchmarks.size());
  for (std::size_t i = 0; i < benchmarks.size(); ++i) {
    const auto& benchmark = benchmarks[i];
    SCOPED_TRACE(benchmark.at("name").get<std::string>());
    EXPECT_EQ(benchmark.at("matched"), printed[i].at("matched"));
    const auto& details = benchmark.at("weaver");
    EXPECT_NE(details.at("scenario"), "");
    EXPECT_EQ(details.at("interfaces").at("pif"), "eth0");
    // Captured by the agent, on one clock, with nanosecond host stamps.
    EXPECT_EQ(details.at("capture").at("method"), "agent");
    for (const char* side : {"pif", "vif"}) {
      EXPECT_EQ(details.at("capture").at(side).at("timestamp_type"), "host");
      EXPECT_EQ(details.at("capture").at(side).at("precision"), "nano");
      EXPECT_EQ(details.at("capture").at(side).at("dropped"), 0);
    }
    std::uint64_t packets = 0;
    for (const auto& bucket : histograms.at("cases")[i].at("buckets"))
      packets += bucket[2].get<std::uint64_t>();
    EXPECT_EQ(static_cast<double>(packets), benchmark.at("matched").get<double>());
    for (const char* capture : {"pif", "vif", "annotated"}) {
      const std::string file = details.at("captures").at(capture);
      EXPECT_TRUE(std::filesystem::is_regular_file(folder / file)) << file;
    }
    // Wireshark shows each matched packet's delay as the packet's comment.
    const std::string annotated =
        read_file(folder / details.at("captures").at("annotated").get<std::string>());
    const std::string comment = details.at("direction") == "egress" ? "VIF->PIF " : "PIF->VIF ";
    std::size_t comments = 0;
    for (std::size_t at = annotated.find(comment); at != std::string::npos;
         at = annotated.find(comment, at + 1))
      ++comments;
    EXPECT_EQ(static_cast<double>(comments), benchmark.at("matched").get<double>());
  }
  const std::string csv = read_file(folder / "weaver.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 21) << csv;
  const std::string junit = read_file(folder / "junit.xml");
  EXPECT_NE(junit.find("tests=\"20\" failures=\"0\""), std::string::npos) << junit;
  EXPECT_GT(std::filesystem::file_size(folder / "report.html"), 100'000u);
  const auto environment = nlohmann::json::parse(read_file(folder / "environment.json"));
  ASSERT_EQ(environment.at("configurations").size(), 4u) << environment.dump();
  for (const auto& [name, configuration] : environment.at("configurations").items()) {
    EXPECT_FALSE(configuration.contains("error")) << name << ": " << configuration.dump();
    EXPECT_EQ(configuration.at("interfaces").at("vif").at("driver").at("driver"), "veth") << name;
  }
}

class RunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "the lab needs root";
  }
};

TEST_F(RunTest, EveryScenarioOnEveryDatapathMeasuresSaneNumbers) {
  TestLab lab("wv70", {"--datapath", "bridge", "--datapath", "routed", "--datapath", "tc-redirect",
                       "--datapath", "userspace"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string results = dir.path() + "/results";
  const ProcessOutput run =
      run_weaver({"run", "--lab", "wv70", "--scenarios",
                  write_file(dir, "scenarios.yaml", kSmallScenarios), "--benchmark_format=json",
                  "--results-dir", results, "--label", "every-datapath", "--keep-captures"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const nlohmann::json benchmarks = benchmarks_of(run);
  ASSERT_EQ(benchmarks.size(), 20u) << run.out;
  check_results_folder(only_results_folder(results), benchmarks);
  for (const auto& benchmark : benchmarks) {
    SCOPED_TRACE(benchmark.dump());
    EXPECT_FALSE(benchmark.value("error_occurred", false));
    EXPECT_EQ(benchmark.at("sent").get<double>(), 300.0);
    EXPECT_GE(benchmark.at("matched").get<double>(), 0.95 * 300);
    EXPECT_GT(benchmark.at("min_us").get<double>(), 0.0);
    EXPECT_GE(benchmark.at("p99_us").get<double>(), benchmark.at("p50_us").get<double>());
    EXPECT_GT(benchmark.at("achieved_pps").get<double>(), 0.0);
    EXPECT_EQ(benchmark.at("time_unit"), "us");
  }
  for (const std::string scenario : {"SynFlood", "UdpStream", "IcmpEcho", "UdpBurst"}) {
    const auto* bridge = find_case(benchmarks, scenario + "/lab-bridge/");
    const auto* userspace = find_case(benchmarks, scenario + "/lab-userspace/");
    ASSERT_TRUE(bridge && userspace) << run.out;
    EXPECT_LT(bridge->at("p50_us").get<double>(), userspace->at("p50_us").get<double>())
        << scenario;
  }
}

TEST_F(RunTest, ParallelHypervisorsMeasureEveryCaseOnce) {
  TestLab lab("wv71", {"--datapath", "bridge", "--hypervisors", "3"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string scenarios =
      "scenarios:\n  - name: Udp\n    protocol: udp\n    axes:\n      size: [64, 256]\n"
      "      rate: [2000]\n      count: [200]\n";
  const ProcessOutput run =
      run_weaver({"run", "--lab", "wv71", "--parallel-hypervisors", "--scenarios",
                  write_file(dir, "scenarios.yaml", scenarios), "--benchmark_repetitions=2",
                  "--benchmark_format=json", "--results-dir", dir.path()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // 3 configurations x 2 sizes x 2 repetitions, plus the aggregates.
  int iterations = 0;
  for (const auto& benchmark : benchmarks_of(run)) {
    if (benchmark.at("run_type") != "iteration") continue;
    ++iterations;
    SCOPED_TRACE(benchmark.dump());
    EXPECT_EQ(benchmark.at("matched").get<double>(), 200.0);
    EXPECT_EQ(benchmark.at("sent").get<double>(), 200.0);
  }
  EXPECT_EQ(iterations, 12) << run.out;
}

TEST_F(RunTest, The2013CommandLinePrintsItsLinesAndResult) {
  TestLab lab("wv72", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  const auto& ssh = lab.state().at("ssh");
  const ProcessOutput run = run_weaver({"measure",
                                        "-n",
                                        lab.hypervisor().at("guest").at("instance"),
                                        "--hv",
                                        lab.hypervisor().at("management_address"),
                                        "-s",
                                        lab.source().at("management_address"),
                                        "--source-address",
                                        lab.source().at("data_address"),
                                        "-i",
                                        "eth0",
                                        "--num",
                                        "0",
                                        "-d",
                                        lab.hypervisor().at("guest").at("address"),
                                        "-k",
                                        ssh.at("client_key"),
                                        "--known-hosts",
                                        ssh.at("known_hosts"),
                                        "--adapter",
                                        "lab",
                                        "-c",
                                        "300",
                                        "--rate",
                                        "2000"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find("Spawning packet captures...\n"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("Captures finished, waiting for files to flush.\nTransferring files...\n"),
            std::string::npos)
      << run.out;
  const std::regex result(
      R"(\{'average': [0-9.e+-]+, 'minimum': [0-9.e+-]+, 'maximum': [0-9.e+-]+, 'stdev': [0-9.e+-]+\})");
  EXPECT_TRUE(std::regex_search(run.out, result)) << run.out;
  EXPECT_NE(run.out.find("'matched': 300,"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("'vif': 'vif1.0'"), std::string::npos) << run.out;
}

TEST(RunConfigError, NamesTheFileLineAndField) {
  TempDir dir;
  const std::string path = write_file(dir, "lab.yaml",
                                      "sources:\n  - name: src\n    host: 198.18.0.1\n"
                                      "hypervisors:\n  - name: hv\n    host: 198.18.0.2\n"
                                      "    adapter: xenserver\n    vms:\n      - name: vm1\n"
                                      "        address: 198.18.1.1\n");
  const ProcessOutput run = run_weaver({"run", "--config", path});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(path), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("line "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("hypervisors[0].pif"), std::string::npos) << run.err;
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST_F(RunTest, AnUnreachableHypervisorFailsItsCasesAndTheOthersRun) {
  TestLab lab("wv73", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  // An address of the lab's management subnet that nobody has.
  const std::string ghost =
      "  - name: ghost\n    host: 198.19.73.250\n    adapter: lab\n    pif: eth0\n    vms:\n"
      "      - name: nobody\n        address: 198.18.173.99\n";
  const std::string scenarios =
      "scenarios:\n  - name: Udp\n    protocol: udp\n    axes:\n      size: [64]\n"
      "      rate: [2000]\n      count: [200]\n";
  const ProcessOutput run =
      run_weaver({"run", "--config", write_file(dir, "lab.yaml", lab_file(lab, ghost)),
                  "--scenarios", write_file(dir, "scenarios.yaml", scenarios),
                  "--benchmark_format=json", "--results-dir", dir.path()});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const nlohmann::json benchmarks = benchmarks_of(run);
  const auto* reachable = find_case(benchmarks, "Udp/lab/");
  const auto* unreachable = find_case(benchmarks, "Udp/ghost/");
  ASSERT_TRUE(reachable && unreachable) << run.out;
  EXPECT_FALSE(reachable->value("error_occurred", false)) << reachable->dump();
  EXPECT_GE(reachable->at("matched").get<double>(), 190.0);
  EXPECT_TRUE(unreachable->value("error_occurred", false));
  EXPECT_NE(unreachable->value("error_message", "").find("198.19.73.250"), std::string::npos)
      << unreachable->dump();
}

// --capture tcpdump: two buffered tcpdumps, fetched and analysed here.
TEST_F(RunTest, TcpdumpCapturesWhenAskedAndSaysSo) {
  TestLab lab("wv76", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string results = dir.path() + "/results";
  const ProcessOutput run = run_weaver({"run", "--lab", "wv76", "--capture", "tcpdump",
                                        "--benchmark_filter=^UdpStream/lab-bridge/size:64/",
                                        "--results-dir", results, "--benchmark_format=json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const std::filesystem::path folder = only_results_folder(results);
  ASSERT_FALSE(folder.empty()) << run.err;
  const auto weaver = nlohmann::json::parse(read_file(folder / "weaver.json"));
  const auto& benchmark = weaver.at("benchmarks").at(0);
  EXPECT_EQ(benchmark.at("matched"), benchmark.at("sent")) << benchmark.dump();
  EXPECT_EQ(benchmark.at("weaver").at("capture").at("method"), "tcpdump");
  EXPECT_NE(read_file(folder / "weaver.csv").find(",tcpdump,,\r\n"), std::string::npos);
}

// Display flags change what is shown, never what is kept: whatever the
// flags, every file of the results folder holds every repetition, and
// compare and trend read the folder.
TEST_F(RunTest, DisplayFlagsChangeWhatIsShownNeverWhatIsKept) {
  TestLab lab("wv78", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string scenarios = write_file(
      dir, "scenarios.yaml",
      "scenarios:\n  - name: Short\n    protocol: udp\n    axes:\n      count: [50]\n      rate: [1000]\n");
  const std::vector<std::vector<std::string>> flag_sets{
      {},
      {"--benchmark_report_aggregates_only=true"},
      {"--benchmark_display_aggregates_only=true"},
      {"--benchmark_report_aggregates_only", "--benchmark_format=json"},
      {"--benchmark_format=csv"},
      {"--benchmark_filter=^Short/lab-bridge/", "--benchmark_display_aggregates_only"}};
  std::vector<std::filesystem::path> folders;
  for (std::size_t i = 0; i < flag_sets.size(); ++i) {
    std::vector<std::string> args{"run",         "--lab", "wv78", "--scenarios", scenarios,
                                  "--results-dir", dir.path() + "/results", "--label", "flags" + std::to_string(i),
                                  "--benchmark_repetitions=3"};
    args.insert(args.end(), flag_sets[i].begin(), flag_sets[i].end());
    std::string flags;
    for (const std::string& flag : flag_sets[i]) flags += flag + " ";
    SCOPED_TRACE("flags: " + flags);
    const ProcessOutput run = run_weaver(args);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.err.find("Library was built as DEBUG"), std::string::npos) << run.err;
    std::filesystem::path folder;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path() + "/results")) {
      if (entry.path().filename().string().ends_with("-flags" + std::to_string(i))) folder = entry.path();
    }
    ASSERT_FALSE(folder.empty());
    folders.push_back(folder);
    const auto weaver = nlohmann::json::parse(read_file(folder / "weaver.json"));
    int iterations = 0, aggregates = 0;
    for (const auto& benchmark : weaver.at("benchmarks")) {
      (benchmark.at("run_type") == "iteration" ? iterations : aggregates) += 1;
    }
    EXPECT_EQ(iterations, 3);
    EXPECT_EQ(aggregates, 4);  // mean, median, stddev, cv
    const std::string csv = read_file(folder / "weaver.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4) << csv;
    EXPECT_EQ(nlohmann::json::parse(read_file(folder / "histograms.json")).at("cases").size(), 3u);
    EXPECT_NE(read_file(folder / "junit.xml").find("tests=\"1\" failures=\"0\""), std::string::npos);
    const auto bencher = nlohmann::json::parse(read_file(folder / "bencher.json"));
    ASSERT_EQ(bencher.size(), 1u) << bencher.dump();
    const auto& p50 = bencher.begin().value().at("p50_us");
    EXPECT_LE(p50.at("lower_value").get<double>(), p50.at("value").get<double>());
    EXPECT_LE(p50.at("value").get<double>(), p50.at("upper_value").get<double>());
    const auto action = nlohmann::json::parse(read_file(folder / "benchmark-action.json"));
    EXPECT_EQ(action.size(), 4u) << action.dump();
    EXPECT_NE(action.at(0).at("extra").get<std::string>().find("3 repetition"), std::string::npos);
    const ProcessOutput compared = run_weaver({"compare", folders.front().string(), folder.string()});
    EXPECT_TRUE(compared.exit_code == 0 || compared.exit_code == 1) << compared.err;
    EXPECT_NE(compared.out.find("Short/lab-bridge"), std::string::npos) << compared.out;
  }
  const ProcessOutput trend = run_weaver({"trend", dir.path() + "/results"});
  EXPECT_TRUE(trend.exit_code == 0 || trend.exit_code == 1) << trend.err;
  EXPECT_NE(trend.out.find("Short/lab-bridge"), std::string::npos) << trend.out;
}

}  // namespace
}  // namespace weaver::lab::test

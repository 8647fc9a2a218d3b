// --capture ebpf on the local lab: weaver-agent's in-kernel probes measure
// every datapath, both directions, and say so in every results file; packets dropped on purpose
// (an nftables rule, a tiny tbf qdisc) come back counted by the kernel's drop
// reason, exactly as nftables and tc count them; and a kernel the probes
// cannot use is refused in one line.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <utility>

#include "lab_test_support.hpp"

namespace weaver::lab::test {
namespace {

class LabProbesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!running_as_root()) GTEST_SKIP() << "needs root (network namespaces, eBPF)";
  }
};

const char* const kScenarios = R"(scenarios:
  - name: UdpStream
    protocol: udp
    axes:
      size: [64]
      rate: [2000]
      count: [1000]
  - name: SynFlood
    protocol: syn
    axes:
      size: [64]
      rate: [2000]
      count: [500]
  - name: UdpEgress
    protocol: udp
    direction: egress
    axes:
      size: [64]
      rate: [2000]
      count: [500]
)";

// One scenario: `count` 64-byte UDP datagrams at 2000 pps.
std::string udp_scenario(const TempDir& dir, int count) {
  return write_file(dir, "scenarios.yaml",
                    "scenarios:\n  - name: UdpStream\n    protocol: udp\n    axes:\n      size: [64]\n"
                    "      rate: [2000]\n      count: [" + std::to_string(count) + "]\n");
}

nlohmann::json weaver_json(const std::filesystem::path& folder) {
  return nlohmann::json::parse(read_file(folder / "weaver.json"));
}

// One results-folder CSV row per case, as column -> text.
std::vector<std::map<std::string, std::string>> csv_rows(const std::filesystem::path& folder) {
  std::istringstream lines(read_file(folder / "weaver.csv"));
  std::string line;
  std::vector<std::string> header;
  std::vector<std::map<std::string, std::string>> rows;
  auto split = [](const std::string& text) {
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (char c : text) {
      if (c == '"') quoted = !quoted;
      else if (c == ',' && !quoted) fields.push_back(std::exchange(field, {}));
      else field += c;
    }
    fields.push_back(field);
    return fields;
  };
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();  // RFC 4180 line ends
    if (header.empty()) {
      header = split(line);
      continue;
    }
    const auto fields = split(line);
    std::map<std::string, std::string> row;
    for (std::size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    rows.push_back(row);
  }
  return rows;
}

TEST_F(LabProbesTest, MeasuresEveryDatapathInTheKernelAndSaysSo) {
  // userspace: the forwarder sends a copy on and the kernel frees the
  // original, which must not count as a drop.
  TestLab lab("wv79", {"--datapath", "bridge,routed,tc-redirect,userspace"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string scenarios = write_file(dir, "scenarios.yaml", kScenarios);
  const ProcessOutput run = run_weaver({"run", "--lab", "wv79", "--scenarios", scenarios, "--capture", "ebpf",
                                        "--results-dir", dir.path() + "/results"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto folder = only_results_folder(dir.path() + "/results");
  const auto benchmarks = weaver_json(folder).at("benchmarks");
  ASSERT_EQ(benchmarks.size(), 12u);
  for (const auto& benchmark : benchmarks) {
    SCOPED_TRACE(benchmark.at("name").get<std::string>());
    EXPECT_FALSE(benchmark.contains("error_message")) << benchmark.value("error_message", "");
    EXPECT_EQ(benchmark.at("matched"), benchmark.at("sent"));
    EXPECT_GT(benchmark.at("matched").get<double>(), 0);
    EXPECT_GT(benchmark.at("p50_us").get<double>(), 0);
    EXPECT_EQ(benchmark.at("tool_losses"), 0);
    const auto& details = benchmark.at("weaver");
    EXPECT_EQ(details.at("capture").at("method"), "ebpf");
    for (const char* side : {"pif", "vif"}) {
      EXPECT_EQ(details.at("capture").at(side).at("timestamp_type"), "bpf_ktime_get_ns");
      EXPECT_EQ(details.at("capture").at(side).at("received"), benchmark.at("sent"));
    }
    EXPECT_EQ(details.at("lost_by_reason"), nlohmann::json::object());
    EXPECT_EQ(details.at("probes").at("tool_losses").at("total"), 0);
    EXPECT_GT(details.at("probes").at("probe_ns_per_packet").get<double>(), 0);
  }
  for (const auto& row : csv_rows(folder)) {
    EXPECT_EQ(row.at("capture"), "ebpf");
    EXPECT_EQ(row.at("lost_by_reason"), "");
  }
  // The probes are gone with the run: no weaver program stays attached.
  const ProcessOutput programs = run_process({"bpftool", "prog", "show"});
  EXPECT_EQ(programs.out.find("weaver_"), std::string::npos) << programs.out;
}

// Packets dropped on purpose in the hypervisor come back by reason, each
// count exactly what the dropping subsystem counted itself.
TEST_F(LabProbesTest, CountsDropsByTheKernelsReason) {
  TestLab lab("wv80", {"--datapath", "routed"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  const std::string netns = lab.hypervisor().at("netns");
  const std::string vif = lab.hypervisor().at("vif");
  // Every fourth datagram to port 9 dropped by nftables in the forward hook;
  // what is left meets a tbf qdisc on the VIF too small for 2000 pps.
  run_process({"ip", "netns", "exec", netns, "nft", "-f", "-"},
              "table inet weaver_test {\n chain forward {\n  type filter hook forward priority 0;\n"
              "  udp dport 9 numgen inc mod 4 == 0 counter drop\n }\n}\n");
  run_process({"ip", "netns", "exec", netns, "tc", "qdisc", "add", "dev", vif, "root", "tbf", "rate", "300kbit",
               "burst", "1600", "limit", "1600"});
  TempDir dir;
  const std::string scenarios = udp_scenario(dir, 2000);
  const ProcessOutput run = run_weaver({"run", "--lab", "wv80", "--scenarios", scenarios, "--capture", "ebpf",
                                        "--results-dir", dir.path() + "/results", "--benchmark_format=json",
                                        "--keep-captures"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const ProcessOutput rules = run_process({"ip", "netns", "exec", netns, "nft", "list", "ruleset"});
  std::smatch counted;
  ASSERT_TRUE(std::regex_search(rules.out, counted, std::regex("counter packets ([0-9]+)"))) << rules.out;
  const ProcessOutput qdisc = run_process({"ip", "netns", "exec", netns, "tc", "-s", "qdisc", "show", "dev", vif});
  std::smatch queued;
  ASSERT_TRUE(std::regex_search(qdisc.out, queued, std::regex("dropped ([0-9]+)"))) << qdisc.out;
  const double netfilter = std::stod(counted[1]);
  const double qdisc_drops = std::stod(queued[1]);
  EXPECT_EQ(netfilter, 500);
  EXPECT_GT(qdisc_drops, 100);

  const auto folder = only_results_folder(dir.path() + "/results");
  const auto benchmark = weaver_json(folder).at("benchmarks").at(0);
  const auto& details = benchmark.at("weaver");
  EXPECT_EQ(details.at("lost_by_reason").at("NETFILTER_DROP"), netfilter);
  EXPECT_EQ(details.at("lost_by_reason").at("QDISC_DROP"), qdisc_drops);
  EXPECT_EQ(benchmark.at("lost.NETFILTER_DROP"), netfilter);
  EXPECT_EQ(benchmark.at("lost.QDISC_DROP"), qdisc_drops);
  // Every packet sent is matched or lost; the drops are among the lost.
  EXPECT_EQ(benchmark.at("matched").get<double>() + benchmark.at("lost").get<double>(), 2000);
  EXPECT_GE(benchmark.at("lost").get<double>(), netfilter + qdisc_drops);
  EXPECT_EQ(benchmark.at("tool_losses"), 0);
  // Where: the functions that freed them.
  bool in_nftables = false;
  for (const auto& site : details.at("probes").at("drop_sites")) {
    if (site.at("reason") == "NETFILTER_DROP") in_nftables = site.at("location").get<std::string>().starts_with("nft_");
  }
  EXPECT_TRUE(in_nftables) << details.at("probes").dump();
  const auto rows = csv_rows(folder);
  ASSERT_EQ(rows.size(), 1u);
  const std::string& lost = rows[0].at("lost_by_reason");
  EXPECT_NE(lost.find("QDISC_DROP:" + std::to_string(static_cast<long>(qdisc_drops))), std::string::npos) << lost;
  EXPECT_NE(lost.find("NETFILTER_DROP:" + std::to_string(static_cast<long>(netfilter))), std::string::npos) << lost;
  EXPECT_NE(read_file(folder / "report.html").find("lost in the kernel: QDISC_DROP"), std::string::npos);
  // --keep-captures: every matched packet's two stamps, from the probes' ring.
  const std::string packets = read_file(folder / details.at("packets").get<std::string>());
  EXPECT_TRUE(packets.starts_with("pif_ns,vif_ns,delta_ns\n")) << packets.substr(0, 100);
  EXPECT_EQ(static_cast<double>(std::count(packets.begin(), packets.end(), '\n') - 1), benchmark.at("matched").get<double>());
}

// The agent's answer to a capture request, on its own (no lab).
std::string probe_refusal(const std::vector<std::string>& agent_command) {
  const std::string request =
      R"({"id":1,"op":"capture","method":"ebpf","interfaces":["lo","lo"],"first":0,)"
      R"("flow":{"protocol":"udp","sources":["198.18.0.1"],"destination":"198.18.0.2"}})"
      "\n";
  const ProcessOutput out = run_process(agent_command, request);
  const std::regex error_line(R"re("error":"([^"]*)")re");
  std::smatch found;
  return std::regex_search(out.out, found, error_line) ? found[1].str() : "no error in: " + out.out + out.err;
}

TEST_F(LabProbesTest, RefusesAKernelWithoutBtfOrAUserWithoutPermissionInOneLine) {
  const std::string agent = std::filesystem::path(WEAVER_BINARY).parent_path() / "weaver-agent";
  EXPECT_EQ(probe_refusal({agent, "--btf", "/nonexistent/vmlinux"}),
            "ebpf: this kernel has no BTF (/nonexistent/vmlinux: No such file or directory); the probes need "
            "CONFIG_DEBUG_INFO_BTF");
  const std::string unprivileged = probe_refusal(
      {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", agent});
  EXPECT_TRUE(unprivileged.starts_with("ebpf: loading the probes: Operation not permitted (the probes need root")) << unprivileged;
}

// --btf names a BTF file the probes cannot use: auto captures with libpcap
// and says why; ebpf fails the case with the same line.
TEST_F(LabProbesTest, AutoCapturesWithLibpcapWhereTheProbesCannotLoadAndSaysWhy) {
  TestLab lab("wv93", {"--datapath", "bridge"});
  ASSERT_TRUE(lab.up()) << lab.up_error();
  TempDir dir;
  const std::string scenarios = udp_scenario(dir, 300);
  const ProcessOutput fallback = run_weaver({"run", "--lab", "wv93", "--scenarios", scenarios, "--btf",
                                             "/nonexistent/vmlinux", "--results-dir", dir.path() + "/auto"});
  ASSERT_EQ(fallback.exit_code, 0) << fallback.err;
  const auto measured = weaver_json(only_results_folder(dir.path() + "/auto")).at("benchmarks").at(0);
  EXPECT_EQ(measured.at("weaver").at("capture").at("method"), "agent");
  EXPECT_EQ(measured.at("matched"), measured.at("sent"));
  const std::string label = measured.value("label", "");
  EXPECT_NE(label.find("captured with libpcap: "), std::string::npos) << label;
  EXPECT_NE(label.find("ebpf: this kernel has no BTF (/nonexistent/vmlinux"), std::string::npos) << label;

  const ProcessOutput refused = run_weaver({"run", "--lab", "wv93", "--scenarios", scenarios, "--capture", "ebpf",
                                            "--btf", "/nonexistent/vmlinux", "--results-dir", dir.path() + "/ebpf"});
  EXPECT_NE(refused.exit_code, 0);
  const auto failed = weaver_json(only_results_folder(dir.path() + "/ebpf")).at("benchmarks").at(0);
  const std::string error = failed.value("error_message", "");
  EXPECT_NE(error.find("--capture ebpf: "), std::string::npos) << error;
  EXPECT_NE(error.find("no BTF"), std::string::npos) << error;

  const ProcessOutput relative = run_weaver({"run", "--lab", "wv93", "--btf", "vmlinux"});
  EXPECT_EQ(relative.exit_code, 2);
  EXPECT_NE(relative.err.find("--btf 'vmlinux': give an absolute path"), std::string::npos) << relative.err;
}

}  // namespace
}  // namespace weaver::lab::test

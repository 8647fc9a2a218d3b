// The HTML report as text: self-contained (no external URL), every case in
// the counters table, failures and hostile names escaped, the chart data JSON
// readable back, the environment summary tolerant of partial input, and a
// page without the chart library that still has every table.
#include "weaver/reporters/html_report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "weaver/reporters/html_page.hpp"

namespace weaver::reporters {
namespace {

// A case name as the counters table writes it: escaped, may wrap after a '/'.
std::string name_cell_text(const std::string& name) {
  std::string text;
  for (const char c : html_escape(name))
    text += c == '/' ? std::string("/<wbr>") : std::string(1, c);
  return text;
}

// Stands in for Chart.js where the test is about the page, not the charts.
const std::optional<std::string> kFakeChartLibrary = std::string("window.Chart = function () {};");

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++count;
  return count;
}

CaseRun measured_run(const std::string& scenario, const std::string& configuration,
                     std::int64_t size, int repetition, std::vector<HistogramBucket> histogram) {
  CaseRun run;
  run.scenario = scenario;
  run.configuration = configuration;
  run.parameters = {{"size", size}, {"rate", 10000}};
  run.name = scenario + "/" + configuration + "/size:" + std::to_string(size) + "/rate:10000";
  run.repetition = repetition;
  run.time_us = 12.5;
  run.counters = {{"p50_us", 6.109}, {"p99_us", 140.735}, {"matched", 2000}, {"lost", 0}};
  run.histogram = std::move(histogram);
  return run;
}

CaseRun failed_run(const std::string& scenario, const std::string& configuration,
                   const std::string& error) {
  CaseRun run = measured_run(scenario, configuration, 64, 0, {});
  run.counters.clear();
  run.error = error;
  return run;
}

// UdpStream and SynFlood on lab-bridge and lab-ovs, 2 repetitions each, and
// one failed case on lab-broken.
RunResults synthetic_results() {
  RunResults results;
  results.context = {"0.7.0",    "abc1234", "2026-11-28T00:20:21Z",  "lab", "lab wv1", "lab.yaml",
                     "5e4f00aa", "builder", nlohmann::json::object()};
  for (const char* scenario : {"UdpStream", "SynFlood"})
    for (const char* configuration : {"lab-bridge", "lab-ovs"})
      for (int repetition = 0; repetition < 2; ++repetition)
        results.runs.push_back(measured_run(
            scenario, configuration, 64, repetition,
            {{5000, 5063, 10}, {6000, 6063, static_cast<std::uint64_t>(100 + repetition)}}));
  results.runs.push_back(failed_run("UdpStream", "lab-broken", "wv1-broken: unknown VM"));
  results.environment = {
      {"collected_utc", "2026-11-28T00:20:19Z"},
      {"configurations",
       {{"lab-bridge",
         {{"host", "wv1-hv"},
          {"datapath", "bridge"},
          {"os", "Debian GNU/Linux 12"},
          {"kernel", "6.1.0-28-amd64"},
          {"cpu_model", "Test CPU @ 2.0GHz"},
          {"cpus", 2},
          {"hypervisor_version", "QEMU 7.2"},
          {"interfaces",
           {{"pif",
             {{"name", "eth0"},
              {"mtu", 1500},
              {"driver", {{"driver", "veth"}, {"version", "1.0"}}},
              {"offloads", {{"tcp-segmentation-offload", "on"}}},
              {"capture_timestamps", {{"type", "host"}, {"precision", "nano"}}}}}}},
          {"tools", {{"tcpdump", "4.99.3"}}}}},
        {"lab-ovs", {{"kernel", nullptr}, {"interfaces", "not an object"}, {"cpus", "many"}}},
        {"lab-broken", {{"error", "ssh: <timeout>"}}}}}};
  return results;
}

std::string data_json(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"weaver-data\">";
  const auto begin = page.find(open);
  EXPECT_NE(begin, std::string::npos);
  if (begin == std::string::npos) return "{}";
  const auto end = page.find("</script>", begin);
  return page.substr(begin + open.size(), end - begin - open.size());
}

TEST(HtmlReport, HasNoExternalUrl) {
  const std::optional<std::string> library = load_chart_library();
  const std::string page = html_report(synthetic_results(), library ? library : kFakeChartLibrary);
  const std::regex external(R"((src|href)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//)",
                            std::regex::icase);
  EXPECT_FALSE(std::regex_search(page, external));
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
}

TEST(HtmlReport, ShowsTheContext) {
  const std::string page = html_report(synthetic_results(), kFakeChartLibrary);
  for (const char* text : {"0.7.0", "git abc1234", "2026-11-28T00:20:21Z", "lab wv1", "lab.yaml",
                           "sha256 5e4f00aa", "builder"})
    EXPECT_NE(page.find(text), std::string::npos) << text;
}

TEST(HtmlReport, NamesEveryCaseOnceAndHasARowPerRepetition) {
  const RunResults results = synthetic_results();
  const std::string page = html_report(results, kFakeChartLibrary);
  for (const CaseRun& run : results.runs)
    EXPECT_EQ(occurrences(page, "class=\"name\">" + name_cell_text(run.name) + "</td>"), 1u)
        << run.name;
  EXPECT_EQ(occurrences(page, "<tr data-repetition="), results.runs.size());
  EXPECT_EQ(occurrences(page, "<table class=\"counters\">"), 2u);  // one per scenario group
}

TEST(HtmlReport, CountersAreInTheFixedColumnOrder) {
  const std::string page = html_report(synthetic_results(), kFakeChartLibrary);
  std::size_t at = 0;
  for (const char* column :
       {"p50_us", "p90_us", "p99_us", "p999_us", "min_us", "max_us", "stdev_us", "matched", "lost",
        "vif_only", "reordered", "capture_drops", "achieved_pps", "sent", "label / error / captures"}) {
    at = page.find(std::string("<th>") + column + "</th>", at);
    ASSERT_NE(at, std::string::npos) << column;
  }
  EXPECT_NE(page.find("<td class=\"number\">6.109</td>"), std::string::npos);
  EXPECT_NE(page.find("<td class=\"number\">2000</td>"), std::string::npos);
}

TEST(HtmlReport, LinksKeptCapturesRelativeToTheResultsFolder) {
  RunResults results = synthetic_results();
  CaseRun& kept = results.runs.front();
  kept.pif_capture = "captures/0001-Udp/pif.pcap";
  kept.vif_capture = "captures/0001-Udp/vif.pcap";
  kept.annotated_capture = "captures/0001-Udp/vif-annotated.pcapng";
  const std::string page = html_report(results, kFakeChartLibrary);
  EXPECT_NE(page.find("<a href=\"captures/0001-Udp/vif-annotated.pcapng\">annotated pcapng</a>"),
            std::string::npos);
  EXPECT_NE(page.find("<a href=\"captures/0001-Udp/pif.pcap\">pif</a>"), std::string::npos);
  EXPECT_EQ(occurrences(page, "<a href="), 3u) << "only the run that kept its captures";
}

TEST(HtmlReport, ShowsAFailedRunsErrorEscaped) {
  RunResults results = synthetic_results();
  results.runs.back().error = "wv1 <hv> & \"vm\": unknown";
  const std::string page = html_report(results, kFakeChartLibrary);
  EXPECT_NE(page.find("failed: wv1 &lt;hv&gt; &amp; &quot;vm&quot;: unknown"), std::string::npos);
  EXPECT_EQ(page.find("wv1 <hv>"), std::string::npos);
  EXPECT_NE(page.find("<tr data-repetition=\"0\" class=\"failed\">"), std::string::npos);
}

TEST(HtmlReport, AFailedRunDrawsNoLine) {
  const std::string page = html_report(synthetic_results(), kFakeChartLibrary);
  const auto data = nlohmann::json::parse(data_json(page));
  for (const auto& group : data.at("groups"))
    for (const auto& series : group.at("series"))
      EXPECT_NE(series.at("configuration"), "lab-broken");
}

TEST(HtmlReport, MarkupInNamesAndLabelsCannotBreakOut) {
  RunResults results = synthetic_results();
  const std::string attack = "</script><script>alert(1)</script>";
  results.runs[0].label = attack;
  results.runs[0].name += attack;
  results.runs[1].configuration = attack;  // also in the data JSON
  results.runs[2].scenario = "UdpStream" + attack;
  results.context.label = attack;
  const std::string page = html_report(results, kFakeChartLibrary);
  EXPECT_EQ(page.find("alert(1)</script>"), std::string::npos);
  EXPECT_EQ(page.find("<script>alert"), std::string::npos);
  EXPECT_NE(page.find("&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  // The data JSON, the chart library and the page's own script: nothing else.
  EXPECT_EQ(occurrences(page, "<script"), 3u);
  EXPECT_EQ(occurrences(page, "</script>"), 3u);
  const auto data = nlohmann::json::parse(data_json(page));
  EXPECT_NE(data.dump().find(attack), std::string::npos);
}

TEST(HtmlReport, DataJsonHoldsEachConfigurationsMergedBuckets) {
  const std::string page = html_report(synthetic_results(), kFakeChartLibrary);
  const auto data = nlohmann::json::parse(data_json(page));
  ASSERT_EQ(data.at("groups").size(), 2u);
  const auto& group = data.at("groups").at(0);
  EXPECT_EQ(group.at("key"), "UdpStream/size:64/rate:10000");
  ASSERT_EQ(group.at("series").size(), 2u);
  const auto& bridge = group.at("series").at(0);
  EXPECT_EQ(bridge.at("configuration"), "lab-bridge");
  // Both repetitions summed: 10 + 10, 100 + 101.
  EXPECT_EQ(bridge.at("buckets"), nlohmann::json({5000, 5063, 20, 6000, 6063, 201}));
}

TEST(HtmlReport, HasTwoChartCanvasesPerMeasuredGroup) {
  RunResults results = synthetic_results();
  results.runs.push_back(failed_run("Unreachable", "lab-bridge", "no packets captured"));
  const std::string page = html_report(results, kFakeChartLibrary);
  EXPECT_EQ(occurrences(page, "<canvas "), 4u);
  for (const char* id : {"cdf-0", "histogram-0", "cdf-1", "histogram-1"})
    EXPECT_NE(page.find(std::string("<canvas id=\"") + id + "\""), std::string::npos) << id;
  EXPECT_NE(page.find("data-case=\"SynFlood/size:64/rate:10000\""), std::string::npos);
  EXPECT_NE(page.find("No chart: no run of this group measured anything."), std::string::npos);
}

TEST(HtmlReport, WithoutTheChartLibrarySaysSoAndKeepsEveryTable) {
  const RunResults results = synthetic_results();
  const std::string page = html_report(results, std::nullopt);
  EXPECT_EQ(occurrences(page, "Charts unavailable: the chart library was not found at " +
                                  std::string(kChartLibraryPath) + "."),
            1u);
  EXPECT_EQ(page.find("<canvas"), std::string::npos);
  EXPECT_EQ(occurrences(page, "<tr data-repetition="), results.runs.size());
  EXPECT_NE(page.find("<table class=\"environment\">"), std::string::npos);
  EXPECT_NE(page.find("dataset.ready = 'true'"), std::string::npos);  // still marks the page ready
}

TEST(HtmlReport, SummarizesTheEnvironmentTolerantly) {
  const std::string page = html_report(synthetic_results(), kFakeChartLibrary);
  for (const char* text : {"Debian GNU/Linux 12", "6.1.0-28-amd64", "Test CPU @ 2.0GHz", "QEMU 7.2",
                           "bridge", "pif: eth0 · veth 1.0 · MTU 1500 · timestamps host (nano)",
                           "tcpdump 4.99.3", "tcp-segmentation-offload on", "<details>",
                           "collecting the environment failed: ssh: &lt;timeout&gt;"})
    EXPECT_NE(page.find(text), std::string::npos) << text;
  EXPECT_NE(page.find("<td>many</td>"), std::string::npos);
}

TEST(HtmlReport, WithoutAnEnvironmentSaysItWasNotCollected) {
  for (const nlohmann::json& environment :
       {nlohmann::json(), nlohmann::json::array(), nlohmann::json({{"configurations", 3}})}) {
    RunResults results = synthetic_results();
    results.environment = environment;
    const std::string page = html_report(results, kFakeChartLibrary);
    EXPECT_NE(page.find("The environment was not collected."), std::string::npos);
  }
}

TEST(HtmlReport, AnEmptyRunIsStillAPage) {
  const std::string page = html_report(RunResults{}, kFakeChartLibrary);
  EXPECT_NE(page.find("0 runs of 0 cases in 0 scenario groups; 0 failed."), std::string::npos);
  EXPECT_EQ(nlohmann::json::parse(data_json(page)).at("groups").size(), 0u);
  EXPECT_NE(page.find("</html>"), std::string::npos);
}

}  // namespace
}  // namespace weaver::reporters

// report.html as a browser shows it: a synthetic run (2 scenarios x 2
// configurations x 2 repetitions, and one failed case) with the packaged
// Chart.js, loaded from a file:// URL by headless Chromium. From the DOM the
// page's script leaves behind: it finished, it drew every chart, every canvas
// holds pixels, every run has a row. A screenshot of the page is kept in the
// build folder (report-screenshot.png) as the test's artifact. The trend page
// (weaver trend --format html) is checked the same way.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "weaver/reporters/html_page.hpp"
#include "weaver/reporters/html_report.hpp"
#include "weaver/reporters/trend.hpp"

extern char** environ;

namespace weaver::reporters {
namespace {

namespace fs = std::filesystem;

const fs::path kOutputDir = WEAVER_REPORT_OUTPUT_DIR;
constexpr int kChromiumTimeoutSeconds = 60;

// ---- the synthetic run ----------------------------------------------------

// Where a delay falls in weaver's log-linear histogram: one bucket per ns
// below 2048 ns, above 1024 buckets per power of two.
std::pair<std::int64_t, std::int64_t> bucket_bounds(std::int64_t ns) {
  if (ns < 2048) return {ns, ns};
  const int power = static_cast<int>(std::floor(std::log2(static_cast<double>(ns))));
  const std::int64_t base = std::int64_t{1} << power;
  const std::int64_t width = base / 1024;
  const std::int64_t lower = base + (ns - base) / width * width;
  return {lower, lower + width - 1};
}

// `packets` delays around `median_us` (log-normal, 1% of them 8x slower),
// as a histogram and the counters weaver computes from it.
void measure(CaseRun& run, double median_us, std::size_t packets, unsigned seed) {
  std::mt19937 random(seed);
  std::lognormal_distribution<double> spread(std::log(median_us * 1000), 0.35);
  std::vector<std::int64_t> delays;
  for (std::size_t i = 0; i < packets; ++i)
    delays.push_back(static_cast<std::int64_t>(spread(random) * (i % 100 == 0 ? 8.0 : 1.0)));
  std::sort(delays.begin(), delays.end());
  std::map<std::pair<std::int64_t, std::int64_t>, std::uint64_t> buckets;
  for (const std::int64_t delay : delays) ++buckets[bucket_bounds(delay)];
  for (const auto& [bounds, count] : buckets)
    run.histogram.push_back({bounds.first, bounds.second, count});
  const auto percentile_us = [&](double fraction) {
    const auto rank = static_cast<std::size_t>(std::ceil(fraction * static_cast<double>(packets)));
    return static_cast<double>(delays[std::max<std::size_t>(rank, 1) - 1]) / 1000;
  };
  double sum = 0;
  for (const std::int64_t delay : delays) sum += static_cast<double>(delay) / 1000;
  run.time_us = sum / static_cast<double>(packets);
  run.counters = {{"p50_us", percentile_us(0.5)},
                  {"p90_us", percentile_us(0.9)},
                  {"p99_us", percentile_us(0.99)},
                  {"p999_us", percentile_us(0.999)},
                  {"min_us", percentile_us(0)},
                  {"max_us", percentile_us(1)},
                  {"stdev_us", run.time_us * 0.4},
                  {"matched", static_cast<double>(packets)},
                  {"lost", 0},
                  {"vif_only", 0},
                  {"reordered", 3},
                  {"capture_drops", 0},
                  {"achieved_pps", 10001.8},
                  {"sent", static_cast<double>(packets)}};
}

CaseRun case_run(const std::string& scenario, const std::string& configuration, int repetition) {
  CaseRun run;
  run.scenario = scenario;
  run.configuration = configuration;
  run.parameters = {{"size", 64}, {"rate", 10000}, {"count", 2000}};
  run.name = scenario + "/" + configuration + "/size:64/rate:10000/count:2000";
  run.repetition = repetition;
  return run;
}

nlohmann::json environment_of(const std::string& datapath) {
  const auto interface = [](const std::string& name, const std::string& driver) {
    return nlohmann::json{
        {"name", name},
        {"mtu", 1500},
        {"driver", {{"driver", driver}, {"version", "1.0"}, {"firmware-version", ""}}},
        {"offloads", {{"tcp-segmentation-offload", "on"}, {"generic-receive-offload", "off"}}},
        {"capture_timestamps", {{"type", "host"}, {"precision", "nano"}, {"available", {"host"}}}}};
  };
  return {{"host", "wv1-hv"},
          {"adapter", "lab"},
          {"datapath", datapath},
          {"os", "Debian GNU/Linux 12 (bookworm)"},
          {"kernel", "6.1.0-28-amd64"},
          {"cpu_model", "Synthetic CPU @ 2.40GHz"},
          {"cpus", 2},
          {"hypervisor_version", "lab 0.7.0"},
          {"interfaces", {{"pif", interface("eth0", "veth")}, {"vif", interface("vnet3", "tun")}}},
          {"tools", {{"tcpdump", "4.99.3"}, {"libpcap", "1.10.3"}}}};
}

RunResults synthetic_run() {
  RunResults results;
  results.context = {"0.7.0",
                     "2db3e91",
                     "2026-11-28T00:20:21Z",
                     "lab",
                     "lab wv1",
                     "/run/weaver/wv1.yaml",
                     "9f86d081884c7d65",
                     "ci-runner",
                     nlohmann::json::object()};
  const std::map<std::string, double> median_us = {{"lab-bridge", 6.0}, {"lab-userspace", 24.0}};
  unsigned seed = 1;
  for (const char* scenario : {"UdpStream", "SynFlood"})
    for (const auto& [configuration, median] : median_us)
      for (int repetition = 0; repetition < 2; ++repetition) {
        CaseRun run = case_run(scenario, configuration, repetition);
        measure(run, std::string(scenario) == "SynFlood" ? median * 1.5 : median, 2000, seed++);
        results.runs.push_back(std::move(run));
      }
  results.runs[2].label = "source below the asked rate: 9120 of 10000 pps";
  CaseRun failed = case_run("UdpStream", "lab-broken", 0);
  failed.error = "wv1-hv: unknown VM <vm-broken>";
  results.runs.push_back(std::move(failed));
  results.environment = {{"collected_utc", "2026-11-28T00:20:19Z"},
                         {"configurations",
                          {{"lab-bridge", environment_of("bridge")},
                           {"lab-userspace", environment_of("userspace")},
                           {"lab-broken", {{"error", "wv1-hv: ethtool: command not found"}}}}}};
  return results;
}

// Two per scenario group with a measured run: its CDF and its histogram.
std::size_t expected_charts(const RunResults& results) {
  std::set<std::pair<std::string, std::vector<std::pair<std::string, std::int64_t>>>> measured;
  for (const CaseRun& run : results.runs)
    if (!run.error && !run.histogram.empty()) measured.insert({run.scenario, run.parameters});
  return 2 * measured.size();
}

// report.html in the build folder, written whole (a rename) so two tests
// running at once never read half a page.
fs::path write_report(const RunResults& results) {
  const std::optional<std::string> library = load_chart_library();
  if (!library) ADD_FAILURE() << "the chart library is missing: " << kChartLibraryPath;
  const fs::path report = kOutputDir / "report.html";
  const fs::path partial = kOutputDir / ("report.html." + std::to_string(getpid()));
  std::ofstream(partial, std::ios::binary | std::ios::trunc) << html_report(results, library);
  fs::rename(partial, report);
  return report;
}

// ---- headless Chromium ----------------------------------------------------

std::optional<fs::path> on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream directories(path ? path : "");
  for (std::string directory; std::getline(directories, directory, ':');) {
    const fs::path candidate = fs::path(directory.empty() ? "." : directory) / program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return std::nullopt;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

struct BrowserRun {
  int exit_code = -1;  // 124: `timeout` ended it
  std::string out;
  std::string err;
};

// Chromium with a profile directory of its own (mkdtemp), removed when this
// ends, also after a failed assertion. Every run is bounded by `timeout`;
// afterwards no process naming the profile directory may be left: any that
// is gets killed and fails the test.
class HeadlessChromium {
 public:
  HeadlessChromium() {
    std::string pattern = (fs::temp_directory_path() / "weaver-chromium-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    profile_ = pattern;
  }
  ~HeadlessChromium() {
    std::error_code ignored;
    fs::remove_all(profile_, ignored);
  }
  HeadlessChromium(const HeadlessChromium&) = delete;
  HeadlessChromium& operator=(const HeadlessChromium&) = delete;

  BrowserRun run(const std::vector<std::string>& options, const fs::path& page) {
    std::vector<std::string> args = {"timeout",
                                     "--kill-after=5",
                                     std::to_string(kChromiumTimeoutSeconds),
                                     "chromium",
                                     "--headless",
                                     "--no-sandbox",
                                     "--disable-gpu",
                                     "--no-first-run",
                                     "--user-data-dir=" + profile_.string(),
                                     "--virtual-time-budget=10000"};
    args.insert(args.end(), options.begin(), options.end());
    args.push_back("file://" + page.string());
    const fs::path out = profile_ / "stdout";
    const fs::path err = profile_ / "stderr";
    BrowserRun result;
    result.exit_code = spawn_and_wait(args, out, err);
    result.out = read_text(out);
    result.err = read_text(err);
    end_leftovers();
    return result;
  }

 private:
  // `timeout` runs in a process group of its own, which Chromium inherits.
  int spawn_and_wait(std::vector<std::string>& args, const fs::path& out, const fs::path& err) {
    std::vector<char*> argv;
    for (auto& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    const int spawned = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) return -1;
    // Until `timeout` is reaped its pid, and so its process group's id, is
    // not reused: whatever of the group outlived it is killed first.
    siginfo_t ended{};
    while (waitid(P_PID, static_cast<id_t>(pid), &ended, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
    }
    kill(-pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  // Processes whose command line names this profile directory: Chromium's.
  std::vector<pid_t> processes_of_profile() const {
    std::vector<pid_t> found;
    std::error_code error;
    for (const auto& entry : fs::directory_iterator("/proc", error)) {
      const std::string name = entry.path().filename().string();
      const auto digit = [](unsigned char c) { return std::isdigit(c) != 0; };
      if (name.empty() || !std::all_of(name.begin(), name.end(), digit)) continue;
      if (read_text(entry.path() / "cmdline").find(profile_.string()) != std::string::npos)
        found.push_back(static_cast<pid_t>(std::stol(name)));
    }
    return found;
  }

  void end_leftovers() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    std::vector<pid_t> left = processes_of_profile();
    while (!left.empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      left = processes_of_profile();
    }
    for (const pid_t pid : left) kill(pid, SIGKILL);
    EXPECT_TRUE(left.empty()) << left.size() << " chromium processes were still running; killed";
  }

  fs::path profile_;
};

// ---- the tests ------------------------------------------------------------

class ReportRendering : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!on_path("chromium")) GTEST_FAIL() << "chromium not found: ./test.sh installs it";
    report_ = write_report(results_);
  }

  const RunResults results_ = synthetic_run();
  fs::path report_;
};

std::string attribute(const std::string& tag, const std::string& name) {
  std::smatch match;
  const std::regex pattern("\\s" + name + "=\"([^\"]*)\"");
  return std::regex_search(tag, match, pattern) ? match[1].str() : "";
}

std::vector<std::string> tags(const std::string& dom, const std::string& element) {
  std::vector<std::string> found;
  const std::regex pattern("<" + element + "(\\s[^>]*)?>");
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), pattern);
       it != std::sregex_iterator(); ++it)
    found.push_back(it->str());
  return found;
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size()))
    ++count;
  return count;
}

TEST_F(ReportRendering, DrawsEveryChartAndListsEveryRun) {
  HeadlessChromium chromium;
  const BrowserRun run = chromium.run({"--dump-dom"}, report_);
  ASSERT_EQ(run.exit_code, 0) << "chromium --dump-dom (124: timed out after "
                              << kChromiumTimeoutSeconds << " s); stderr:\n"
                              << run.err;
  const std::vector<std::string> body = tags(run.out, "body");
  ASSERT_EQ(body.size(), 1u) << run.out.substr(0, 2000);
  EXPECT_EQ(attribute(body[0], "data-ready"), "true")
      << "the page's script did not finish; chromium's stderr:\n"
      << run.err;
  const std::size_t charts = expected_charts(results_);
  EXPECT_EQ(charts, 4u);
  EXPECT_EQ(attribute(body[0], "data-charts-drawn"), std::to_string(charts));
  const std::vector<std::string> canvases = tags(run.out, "canvas");
  EXPECT_EQ(canvases.size(), charts);
  for (const std::string& canvas : canvases)
    EXPECT_EQ(attribute(canvas, "data-painted"), "true") << canvas;
  EXPECT_EQ(occurrences(run.out, "<tr data-repetition="), results_.runs.size());
  EXPECT_EQ(results_.runs.size(), 9u);
}

TEST_F(ReportRendering, ScreenshotShowsThePage) {
  const fs::path screenshot = kOutputDir / "report-screenshot.png";
  std::error_code ignored;
  fs::remove(screenshot, ignored);
  HeadlessChromium chromium;
  const BrowserRun run = chromium.run(
      {"--screenshot=" + screenshot.string(), "--window-size=1280,3000", "--hide-scrollbars"},
      report_);
  ASSERT_EQ(run.exit_code, 0) << "chromium --screenshot; stderr:\n" << run.err;
  ASSERT_TRUE(fs::exists(screenshot)) << run.err;
  const std::string png = read_text(screenshot);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(png.size(), 10u * 1024);
  std::cout << "screenshot: " << screenshot.string() << "\n";
}

// Ten nightly runs of two cases; the first steps up at the eighth run.
Trend synthetic_trend() {
  Trend trend;
  trend.directory = "results";
  for (int run = 0; run < 10; ++run) {
    HistoryRun history;
    history.name = {"202611" + std::to_string(10 + run) + "T020000Z", "nightly"};
    history.folder = history.name.timestamp + "-nightly";
    trend.runs.push_back(history);
  }
  for (const std::string name : {"UdpStream/lab-bridge/size:64", "SynFlood/lab-userspace/size:64"}) {
    CaseTrend trend_case;
    trend_case.name = name;
    trend_case.states.assign(trend.runs.size(), RunState::measured);
    for (const std::string metric : {"p50_us", "p99_us"}) {
      MetricTrend series;
      series.metric = metric;
      for (std::size_t run = 0; run < trend.runs.size(); ++run) {
        const double level = (metric == "p50_us" ? 20.0 : 80.0) * (run % 3 == 0 ? 1.02 : 0.99);
        const bool stepped = trend.cases.empty() && run >= 7;
        series.values.push_back(stepped ? level * 1.4 : level);
      }
      series.steps = find_steps(series.values, 10.0, &series.outliers);
      trend_case.metrics.push_back(series);
    }
    trend.cases.push_back(trend_case);
  }
  return trend;
}

TEST_F(ReportRendering, TheTrendPageDrawsOneChartPerCase) {
  const Trend trend = synthetic_trend();
  ASSERT_EQ(trend.cases.front().metrics.front().steps.size(), 1u);
  const fs::path page = kOutputDir / "trend.html";
  {
    std::ofstream out(page, std::ios::binary | std::ios::trunc);
    out << trend_html(trend, load_chart_library());
  }
  HeadlessChromium chromium;
  const BrowserRun run = chromium.run({"--dump-dom"}, page);
  ASSERT_EQ(run.exit_code, 0) << "chromium --dump-dom; stderr:\n" << run.err;
  const std::vector<std::string> body = tags(run.out, "body");
  ASSERT_EQ(body.size(), 1u) << run.out.substr(0, 2000);
  EXPECT_EQ(attribute(body[0], "data-ready"), "true") << run.err;
  EXPECT_EQ(attribute(body[0], "data-charts-drawn"), "2");
  const std::vector<std::string> canvases = tags(run.out, "canvas");
  EXPECT_EQ(canvases.size(), 2u);
  for (const std::string& canvas : canvases)
    EXPECT_EQ(attribute(canvas, "data-painted"), "true") << canvas;
}

}  // namespace
}  // namespace weaver::reporters

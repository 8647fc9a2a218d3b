// A real Google Benchmark run of weaver-shaped cases through ResultsReporter:
// each case reports the counters and details the scenarios make of a case
// result (scenarios/case_counters, scenarios/case_details), here from a
// synthetic result with known delays instead of a lab. The console table,
// weaver.json and weaver.csv are checked against golden patterns with number
// placeholders; JUnit and histograms are parsed back.
#include <benchmark/benchmark.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output_patterns.hpp"
#include "run_program.hpp"
#include "scenarios/case_counters.hpp"
#include "scenarios/case_details.hpp"
#include "temp_dir.hpp"
#include "weaver/reporters/result_formats.hpp"
#include "weaver/reporters/results_folder.hpp"
#include "weaver/reporters/results_reporter.hpp"

namespace weaver::reporters {
namespace {

using testing::lines_match;

// 2000 packets whose delay is 10 us + (i % 100) * 100 ns: p50 about 15 us.
orchestrator::CaseResult synthetic_result() {
  orchestrator::CaseResult result;
  result.configuration = "lab-bridge";
  for (std::int64_t i = 0; i < 2000; ++i) {
    const std::int64_t delta = 10'000 + (i % 100) * 100;
    result.latency.histogram.record(delta);
    result.latency.moments.add(delta);
  }
  result.latency.matched = 2000;
  result.sent = 2000;
  result.achieved_pps = 10000;
  result.case_seconds = 0.5;
  return result;
}

const scenarios::Scenario& builtin(const std::string& name) {
  static const std::vector<scenarios::Scenario> all = scenarios::builtin_scenarios();
  for (const scenarios::Scenario& scenario : all) {
    if (scenario.name == name) return scenario;
  }
  throw std::runtime_error("no built-in scenario " + name);
}

struct Case {
  std::string scenario;
  std::vector<std::int64_t> values;
  std::string error;  // non-empty: the case fails with it
};

// Registers the cases the way scenarios/registration.cpp does and runs them.
RunResults run_cases(const std::vector<Case>& cases, int repetitions, std::ostream& console,
                     std::string* benchmark_json = nullptr, bool aggregates_only = false) {
  benchmark::ConsoleReporter display(benchmark::ConsoleReporter::OO_Tabular);
  display.SetOutputStream(&console);
  display.SetErrorStream(&console);
  RunContext context;
  context.weaver_version = "0.1.0";
  context.git_revision = "abc123";
  context.label = "golden";
  ResultsReporter reporter(&display, context);
  reporter.show_aggregates_only(aggregates_only);
  reporter.set_context_lines("weaver 0.1.0 (abc123): Time is the mean PIF->VIF latency\n");
  orchestrator::Configuration configuration;
  configuration.name = "lab-bridge";
  for (const Case& test_case : cases) {
    const scenarios::Scenario& scenario = builtin(test_case.scenario);
    std::string name = scenario.name + "/" + configuration.name;
    std::string case_name = name;
    std::vector<std::string> axis_names;
    for (std::size_t i = 0; i < scenario.axes.size(); ++i) {
      axis_names.push_back(scenario.axes[i].name);
      case_name += "/" + scenario.axes[i].name + ":" + std::to_string(test_case.values[i]);
    }
    auto* family = benchmark::RegisterBenchmark(
        name.c_str(), [&, test_case, case_name](benchmark::State& state) {
          const scenarios::Scenario& measured = builtin(test_case.scenario);
          for (auto _ : state) {
            orchestrator::Orchestrator::Outcome outcome;
            if (test_case.error.empty())
              outcome.result = synthetic_result();
            else
              outcome.error = test_case.error;
            reporter.add_case(scenarios::case_details(case_name, measured, configuration,
                                                      test_case.values, outcome));
            if (!outcome.result) {
              state.SkipWithError(outcome.error.c_str());
              break;
            }
            scenarios::report_case(state, *outcome.result, measured.traffic(test_case.values));
          }
        });
    family->ArgNames(axis_names)
        ->Args(test_case.values)
        ->UseManualTime()
        ->Iterations(1)
        ->Unit(benchmark::kMicrosecond);
    // One repetition keeps the name --benchmark_repetitions gives (Repetitions()
    // adds "repeats:N" to it).
    if (repetitions > 1) family->Repetitions(repetitions);
  }
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::ClearRegisteredBenchmarks();
  if (benchmark_json != nullptr) *benchmark_json = reporter.benchmark_json();
  return reporter.results();
}

const std::vector<Case> two_cases{
    {"SynFlood", {64, 10000, 2000}, ""},
    {"UdpBurst", {1518, 2048, 32, 1000}, "lab-bridge: tcpdump did not start"}};

TEST(ResultsOutput, ConsoleTableHasOneRowPerCaseWithEveryCounter) {
  std::ostringstream console;
  run_cases(two_cases, 1, console);
  EXPECT_TRUE(lines_match(
      console.str(),
      {R"(-+)",
       R"(Benchmark +Time +CPU +Iterations +achieved_pps +capture_drops +lost +matched +max_us +min_us +p50_us +p90_us +p999_us +p99_us +reordered +sent +stdev_us +vif_only)",
       R"(-+)",
       R"(SynFlood/lab-bridge/size:64/rate:10000/count:2000/iterations:1/manual_time +%float us +%float us +1 +10k +0 +0 +2k +19\.9 +10 +14\.%int +18\.%int +19\.%int +19\.%int +0 +2k +2\.%int +0)",
       R"(UdpBurst/lab-bridge/size:1518/count:2048/burst:32/burst_interval_us:1000/iterations:1/manual_time ERROR OCCURRED: 'lab-bridge: tcpdump did not start')"}));
}

TEST(ResultsOutput, WeaverJsonIsGoogleBenchmarkJsonWithWeaversContext) {
  std::ostringstream console;
  std::string benchmark_json;
  const RunResults results = run_cases(two_cases, 1, console, &benchmark_json);
  const std::string weaver = weaver_json(benchmark_json, results);
  EXPECT_TRUE(lines_match(
      weaver,
      {R"(\{)",
       R"(  "benchmarks": \[)",
       R"(      "achieved_pps": 10000\.0,)",
       R"(      "cpu_time": %float,)",
       R"(      "matched": 2000\.0,)",
       R"(      "name": "SynFlood/lab-bridge/size:64/rate:10000/count:2000/iterations:1/manual_time",)",
       R"(      "p50_us": 1%float,)",
       R"(      "real_time": 1%float,)",
       R"(      "run_name": "SynFlood/lab-bridge/size:64/rate:10000/count:2000/iterations:1/manual_time",)",
       R"(      "time_unit": "us",)",
       R"(      "weaver": \{)",
       R"(        "configuration": "lab-bridge",)",
       R"(        "direction": "ingress",)",
       R"(        "parameters": \{)",
       R"(          "burst": 0,)",
       R"(          "burst_interval_us": 0,)",
       R"(          "count": 2000,)",
       R"(          "rate": 10000,)",
       R"(          "size": 64)",
       R"(        "protocol": "syn",)",
       R"(        "scenario": "SynFlood")",
       R"(      "error_message": "lab-bridge: tcpdump did not start",)",
       R"(      "error_occurred": true,)",
       R"(      "name": "UdpBurst/lab-bridge/size:1518/count:2048/burst:32/burst_interval_us:1000/iterations:1/manual_time",)",
       R"(          "burst": 32,)",
       R"(  "context": \{)",
       R"(    "date": "%string",)",
       R"(    "num_cpus": %int,)",
       R"(    "weaver": \{)",
       R"(      "git_revision": "abc123",)",
       R"(      "label": "golden",)",
       R"(      "version": "0\.1\.0")"}));
}

TEST(ResultsOutput, WeaverJsonOfRepetitionsHasNoBareNaN) {
  std::ostringstream console;
  std::string benchmark_json;
  const RunResults results = run_cases({two_cases.front()}, 3, console, &benchmark_json);
  // Identical repetitions: Google Benchmark's cv of every counter is 0/0.
  ASSERT_NE(benchmark_json.find("NaN"), std::string::npos) << "the input this guards against";
  const std::string weaver = weaver_json(benchmark_json, results);
  EXPECT_EQ(weaver.find("NaN"), std::string::npos);
  const auto document = nlohmann::json::parse(weaver);  // strict JSON
  EXPECT_EQ(document["benchmarks"].size(), 3u + 4u);    // 3 repetitions, mean/median/stddev/cv
  EXPECT_EQ(results.runs.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(results.runs[static_cast<std::size_t>(i)].repetition, i);
}

TEST(ResultsOutput, CsvHasTheDocumentedColumnsAndOneRowPerRepetition) {
  std::ostringstream console;
  const RunResults results = run_cases(two_cases, 2, console);
  const std::string csv = results_csv(results);
  EXPECT_TRUE(lines_match(
      csv,
      {R"(name,scenario,configuration,protocol,direction,size,rate,count,burst,burst_interval_us,repetition,time_us,p50_us,p90_us,p99_us,p999_us,min_us,max_us,stdev_us,matched,lost,vif_only,reordered,capture_drops,achieved_pps,sent,case_seconds,label,error,capture,lost_by_reason,tool_losses)",
       R"(SynFlood/lab-bridge/size:64/rate:10000/count:2000,SynFlood,lab-bridge,syn,ingress,64,10000,2000,0,0,0,%float,%float,%float,%float,%float,10,19\.9,%float,2000,0,0,0,0,10000,2000,0\.5,,,,,)",
       R"(SynFlood/lab-bridge/size:64/rate:10000/count:2000,SynFlood,lab-bridge,syn,ingress,64,10000,2000,0,0,1,%float,.*)",
       R"(UdpBurst/lab-bridge/size:1518/count:2048/burst:32/burst_interval_us:1000,UdpBurst,lab-bridge,udp,ingress,1518,,2048,32,1000,0,,,,,,,,,,,,,,,,0,,lab-bridge: tcpdump did not start,,,)",
       R"(UdpBurst/.*,1,,,,,,,,,,,,,,,,0,,lab-bridge: tcpdump did not start,,,)"}));
  std::size_t rows = 0;
  for (const char c : csv) rows += c == '\n' ? 1 : 0;
  EXPECT_EQ(rows, 1u + 4u);
}

TEST(ResultsOutput, CsvColumnsCoverEveryCounterACaseReports) {
  for (const std::string& counter : scenarios::counter_names()) {
    EXPECT_NE(std::find(csv_columns().begin(), csv_columns().end(), counter), csv_columns().end())
        << counter;
  }
}

TEST(ResultsOutput, HistogramsHoldEveryMatchedPacket) {
  std::ostringstream console;
  const RunResults results = run_cases(two_cases, 1, console);
  const auto document = nlohmann::json::parse(histograms_json(results));
  EXPECT_EQ(document["unit"], "ns");
  ASSERT_EQ(document["cases"].size(), 1u) << "the failed case has no histogram";
  const auto& histogram = document["cases"][0];
  EXPECT_EQ(histogram["name"], "SynFlood/lab-bridge/size:64/rate:10000/count:2000");
  std::uint64_t packets = 0;
  for (const auto& bucket : histogram["buckets"]) {
    EXPECT_LE(bucket[0].get<std::int64_t>(), bucket[1].get<std::int64_t>());
    packets += bucket[2].get<std::uint64_t>();
  }
  EXPECT_EQ(packets, 2000u);
  EXPECT_EQ(histogram["buckets"].front()[0], 10000);
  EXPECT_EQ(histogram["buckets"].back()[1] >= 19900, true);
}

// Google Benchmark's own compare tool (Debian's libbenchmark-tools) reads
// weaver.json, repetitions, aggregates and a failed case included.
TEST(ResultsOutput, GoogleBenchmarksCompareToolReadsWeaverJson) {
  const std::string compare_tool = "/usr/share/benchmark/compare.py";
  ASSERT_TRUE(std::filesystem::exists(compare_tool))
      << compare_tool << " not found: ./test.sh installs libbenchmark-tools";
  testing::TempDir dir;
  for (const char* side : {"base.json", "new.json"}) {
    std::ostringstream console;
    std::string benchmark_json;
    const RunResults results = run_cases(two_cases, 3, console, &benchmark_json);
    std::ofstream(dir.file(side)) << weaver_json(benchmark_json, results);
  }
  const auto compared = testing::run_program(
      {"/usr/bin/python3", compare_tool, "--no-color", "benchmarks", dir.file("base.json"),
       dir.file("new.json")},
      dir.file("out"), dir.file("err"));
  ASSERT_EQ(compared.exit_code, 0) << compared.err;
  EXPECT_TRUE(lines_match(
      compared.out,
      {R"(Comparing .*base\.json to .*new\.json)",
       R"(SynFlood/lab-bridge/size:64/rate:10000/count:2000/iterations:1/repeats:3/manual_time +[-+]0\.0000 +.*)",
       R"(SynFlood/lab-bridge/size:64/rate:10000/count:2000/iterations:1/repeats:3/manual_time_pvalue +1\.0000 +.*)",
       R"(UdpBurst/lab-bridge/.*/repeats:3/manual_time_pvalue +.*)"}));
}

// The whole folder, as weaver run writes it: every file, weaver.json last,
// and bytes a host printed that are not UTF-8 do not stop it.
TEST(ResultsOutput, TheFolderHoldsEveryFileEvenWithBytesThatAreNotUtf8) {
  std::ostringstream console;
  std::string benchmark_json;
  RunResults results = run_cases(two_cases, 1, console, &benchmark_json);
  results.environment = {{"configurations", {{"lab-bridge", {{"os", "Debian \xff\xfe"}}}}}};
  results.context.host = "host-\xc3";
  testing::TempDir dir;
  std::filesystem::path written;
  {
    const ResultsFolder folder(dir.path(), "nightly",
                               std::chrono::system_clock::from_time_t(1795000000));
    write_results(folder, results, benchmark_json, std::nullopt);
    written = folder.path();
  }
  EXPECT_EQ(written.filename(), "20261118T110640Z-nightly");
  for (const char* file : {"weaver.json", "weaver.csv", "histograms.json", "junit.xml",
                           "environment.json", "report.html"}) {
    EXPECT_TRUE(std::filesystem::is_regular_file(written / file)) << file;
  }
  std::size_t parts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(written)) {
    parts += entry.path().extension() == ".part" ? 1 : 0;
  }
  EXPECT_EQ(parts, 0u);
  std::ifstream environment(written / "environment.json");
  EXPECT_EQ(nlohmann::json::parse(environment)["configurations"]["lab-bridge"]["os"],
            "Debian \xef\xbf\xbd\xef\xbf\xbd");
  // A second folder in the same second takes the next second's name; an
  // empty one is removed when it goes.
  {
    const ResultsFolder again(dir.path(), "nightly",
                              std::chrono::system_clock::from_time_t(1795000000));
    EXPECT_EQ(again.path().filename(), "20261118T110641Z-nightly");
  }
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "20261118T110641Z-nightly"));
}

// An independent XML parser (Python's ElementTree) reads junit.xml back.
TEST(ResultsOutput, JunitParsesBackWithOneTestcasePerCaseAndTheFailure) {
  std::ostringstream console;
  RunResults results = run_cases(two_cases, 2, console);
  results.runs.front().label = "source below the asked rate: <5000> & falling";
  testing::TempDir dir;
  {
    std::ofstream out(dir.file("junit.xml"));
    out << junit_xml(results);
  }
  const char* script =
      "import sys, xml.etree.ElementTree as ET\n"
      "root = ET.parse(sys.argv[1]).getroot()\n"
      "suite = root.find('testsuite')\n"
      "print(root.tag, root.get('tests'), root.get('failures'))\n"
      "for case in suite.findall('testcase'):\n"
      "    failure = case.find('failure')\n"
      "    out = case.find('system-out')\n"
      "    print(case.get('classname'), case.get('name'), case.get('time'),\n"
      "          failure.get('message') if failure is not None else '-',\n"
      "          'label' if out is not None and '<5000> & falling' in out.text else '-')\n";
  const auto parsed = testing::run_program(
      {"/usr/bin/python3", "-c", script, dir.file("junit.xml")}, dir.file("out"), dir.file("err"));
  ASSERT_EQ(parsed.exit_code, 0) << parsed.err;
  EXPECT_EQ(parsed.out,
            "testsuites 2 1\n"
            "SynFlood.lab-bridge SynFlood/lab-bridge/size:64/rate:10000/count:2000 1.000 - label\n"
            "UdpBurst.lab-bridge "
            "UdpBurst/lab-bridge/size:1518/count:2048/burst:32/burst_interval_us:1000 "
            "0.000 repetition 0: lab-bridge: tcpdump did not start -\n");
}

// Display flags change what is shown, never what is kept: with aggregates
// only on the console, the results still hold every repetition.
TEST(ResultsOutput, AggregatesOnlyOnTheConsoleKeepsEveryRepetition) {
  std::ostringstream console;
  std::string benchmark_json;
  const RunResults results = run_cases(two_cases, 3, console, &benchmark_json, true);
  const std::string shown = console.str();
  EXPECT_EQ(shown.find("SynFlood/lab-bridge/size:64/rate:10000/count:2000/iterations:1/repeats:3/manual_time "),
            std::string::npos)
      << "a repetition was shown:\n" << shown;
  EXPECT_NE(shown.find("/repeats:3/manual_time_median "), std::string::npos) << shown;
  EXPECT_NE(shown.find("/repeats:3/manual_time_mean "), std::string::npos) << shown;
  // The failed case has no aggregates: its repetitions are shown.
  EXPECT_NE(shown.find("UdpBurst/lab-bridge/size:1518"), std::string::npos) << shown;
  std::size_t kept = 0;
  for (const CaseRun& run : results.runs) kept += run.name.rfind("SynFlood", 0) == 0 ? 1 : 0;
  EXPECT_EQ(kept, 3u);
  const auto document = nlohmann::json::parse(weaver_json(benchmark_json, results));
  std::size_t iterations = 0, aggregates = 0;
  for (const auto& entry : document.at("benchmarks")) {
    (entry.at("run_type") == "iteration" ? iterations : aggregates) += 1;
  }
  EXPECT_EQ(iterations, 6u);  // 3 of each case
  EXPECT_EQ(aggregates, 4u);  // mean, median, stddev, cv of the case that ran
  const std::string csv = results_csv(results);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 7);  // the header and 6 repetitions
}

// Debian's libbenchmark is a debug build and says so in its context; weaver
// shows its own lines there instead, which say what Time and CPU are.
TEST(ResultsOutput, ContextSaysWhatTheFiguresAreWithoutTheLibraryWarning) {
  std::ostringstream raw;
  benchmark::ConsoleReporter plain;
  plain.SetErrorStream(&raw);
  plain.SetOutputStream(&raw);
  benchmark::BenchmarkReporter::Context context;
  plain.ReportContext(context);
  const bool library_warns = raw.str().find("Library was built as DEBUG") != std::string::npos;
  std::ostringstream console;
  run_cases(two_cases, 1, console);
  EXPECT_EQ(console.str().find("Library was built as DEBUG"), std::string::npos) << console.str();
  EXPECT_NE(console.str().find("weaver 0.1.0 (abc123): Time is the mean PIF->VIF latency\n"), std::string::npos);
  if (!library_warns) GTEST_SKIP() << "this libbenchmark does not warn about its build type";
  EXPECT_EQ(without_build_type_warning(raw.str()).find("DEBUG"), std::string::npos);
  EXPECT_LT(without_build_type_warning(raw.str()).size(), raw.str().size());
}

TEST(ResultsOutput, BencherJsonHoldsTheMeasuresOfEveryCaseThatRan) {
  std::ostringstream console;
  const RunResults results = run_cases(two_cases, 3, console);
  EXPECT_TRUE(lines_match(bencher_json(results),
                          {R"(\{)",
                           R"(  "SynFlood/lab-bridge/size:64/rate:10000/count:2000": \{)",
                           R"(    "lost": \{)",
                           R"(      "lower_value": 0\.0,)",
                           R"(      "upper_value": 0\.0,)",
                           R"(      "value": 0\.0)",
                           R"(    \},)",
                           R"(    "p50_us": \{)",
                           R"(      "lower_value": 14\.%int,)",
                           R"(      "upper_value": 14\.%int,)",
                           R"(      "value": 14\.%int)",
                           R"(    \},)",
                           R"(    "p999_us": \{)",
                           R"(      "lower_value": 19\.%int,)",
                           R"(      "upper_value": 19\.%int,)",
                           R"(      "value": 19\.%int)",
                           R"(    \},)",
                           R"(    "p99_us": \{)",
                           R"(      "lower_value": 19\.%int,)",
                           R"(      "upper_value": 19\.%int,)",
                           R"(      "value": 19\.%int)",
                           R"(    \})",
                           R"(  \})",
                           R"(\})"}))
      << bencher_json(results);
}

// The lowest, median and highest of the repetitions, whatever their order.
TEST(ResultsOutput, TrackerFilesTakeTheMedianAndRangeOfTheRepetitions) {
  RunResults results;
  for (double p50 : {3.0, 1.0, 2.0, 10.0}) {
    CaseRun run;
    run.name = "UdpStream/lab-bridge/size:64";
    run.counters = {{"p50_us", p50}, {"p99_us", p50 * 2}, {"p999_us", p50 * 3}, {"lost", 0}};
    results.runs.push_back(run);
  }
  CaseRun failed;
  failed.name = "UdpStream/lab-bridge/size:64";
  failed.error = "lab-bridge: lost";
  results.runs.push_back(failed);
  const auto bencher = nlohmann::json::parse(bencher_json(results));
  const auto& p50 = bencher.at("UdpStream/lab-bridge/size:64").at("p50_us");
  EXPECT_DOUBLE_EQ(p50.at("value"), 2.5);
  EXPECT_DOUBLE_EQ(p50.at("lower_value"), 1.0);
  EXPECT_DOUBLE_EQ(p50.at("upper_value"), 10.0);
  const auto action = nlohmann::json::parse(benchmark_action_json(results));
  ASSERT_EQ(action.size(), 4u);
  EXPECT_EQ(action[0].at("name"), "UdpStream/lab-bridge/size:64 p50_us");
  EXPECT_EQ(action[0].at("unit"), "us");
  EXPECT_DOUBLE_EQ(action[0].at("value"), 2.5);
  EXPECT_EQ(action[0].at("range"), "± 4.5");
  EXPECT_EQ(action[0].at("extra"), "median of 4 repetition(s), 1 to 10");
  EXPECT_EQ(action[3].at("name"), "UdpStream/lab-bridge/size:64 lost");
  EXPECT_EQ(action[3].at("unit"), "packets");
}

// bencher.json against the published schema (https://bencher.dev/bmf.json),
// and benchmark-action.json against what github-action-benchmark's
// customSmallerIsBetter reads (src/extract.ts: an array of BenchmarkResult
// {name: string, value: number, unit: string, range?: string, extra?: string}).
TEST(ResultsOutput, TrackerFilesPassTheirToolsChecks) {
  std::ostringstream console;
  const RunResults results = run_cases(two_cases, 3, console);
  testing::TempDir dir;
  std::ofstream(dir.file("bencher.json")) << bencher_json(results);
  std::ofstream(dir.file("benchmark-action.json")) << benchmark_action_json(results);
  const char* script = R"PY(
import json, sys, jsonschema
bmf_schema = {
  "$id": "https://bencher.dev/bmf.json",
  "$schema": "http://json-schema.org/draft-07/schema",
  "type": "object",
  "patternProperties": {".+": {"type": "object", "patternProperties": {".+": {
    "type": "object",
    "properties": {"value": {"type": "number"}, "lower_value": {"type": "number"},
                   "upper_value": {"type": "number"}},
    "required": ["value"]}}}}}
bencher = json.load(open(sys.argv[1]))
jsonschema.validate(bencher, bmf_schema)
# Bencher identifies a Measure by a slug or name of at most 64 characters.
assert all(len(m) <= 64 for case in bencher.values() for m in case), "measure name too long"
benches = json.load(open(sys.argv[2]))
assert isinstance(benches, list) and benches, "not a non-empty array"
for b in benches:
    assert isinstance(b["name"], str) and isinstance(b["unit"], str), b
    assert isinstance(b["value"], (int, float)) and not isinstance(b["value"], bool), b
    for optional in ("range", "extra"):
        assert optional not in b or isinstance(b[optional], str), b
print(len(bencher), len(benches))
)PY";
  const auto checked = testing::run_program(
      {"/usr/bin/python3", "-c", script, dir.file("bencher.json"), dir.file("benchmark-action.json")},
      dir.file("out"), dir.file("err"));
  ASSERT_EQ(checked.exit_code, 0) << checked.err;
  EXPECT_EQ(checked.out, "1 4\n");
}

}  // namespace
}  // namespace weaver::reporters

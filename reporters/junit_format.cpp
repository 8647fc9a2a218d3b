#include <fmt/format.h>

#include <map>

#include "weaver/reporters/html_page.hpp"
#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {
namespace {

// One <testcase>: every repetition of one case.
struct TestCase {
  const CaseRun* first = nullptr;
  int repetitions = 0;
  double seconds = 0;
  std::vector<std::string> errors;  // "repetition 2: ..."
  std::vector<std::string> notes;   // labels and figures, for <system-out>
};

std::string classname(const CaseRun& run) {
  return run.scenario.empty() ? std::string("weaver") : run.scenario + "." + run.configuration;
}

std::string figures(const CaseRun& run) {
  const auto counter = [&](const char* name) {
    const auto found = run.counters.find(name);
    return found == run.counters.end() ? std::string("-") : fmt::format("{}", found->second);
  };
  return fmt::format("repetition {}: p50 {} us, p99 {} us, matched {}, lost {}", run.repetition,
                     counter("p50_us"), counter("p99_us"), counter("matched"), counter("lost"));
}

std::vector<TestCase> test_cases(const RunResults& results) {
  std::vector<TestCase> cases;
  std::map<std::string, std::size_t> index_of;
  for (const CaseRun& run : results.runs) {
    const auto [found, added] = index_of.emplace(run.name, cases.size());
    if (added) cases.push_back({&run, 0, 0, {}, {}});
    TestCase& test = cases[found->second];
    ++test.repetitions;
    test.seconds += run.case_seconds;
    if (run.error) {
      test.errors.push_back(fmt::format("repetition {}: {}", run.repetition, *run.error));
      continue;
    }
    test.notes.push_back(figures(run));
    if (!run.label.empty())
      test.notes.push_back(fmt::format("repetition {}: {}", run.repetition, run.label));
  }
  return cases;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

}  // namespace

std::string junit_xml(const RunResults& results) {
  const std::vector<TestCase> cases = test_cases(results);
  std::size_t failures = 0;
  double seconds = 0;
  for (const TestCase& test : cases) {
    failures += test.errors.empty() ? 0 : 1;
    seconds += test.seconds;
  }
  std::string body;
  for (const TestCase& test : cases) {
    body += fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{:.3f}\">\n",
                        html_escape(classname(*test.first)), html_escape(test.first->name),
                        test.seconds);
    if (!test.errors.empty()) {
      body += fmt::format("      <failure message=\"{}\" type=\"case failed\">{}</failure>\n",
                          html_escape(test.errors.front()), html_escape(joined(test.errors)));
    }
    if (!test.notes.empty()) {
      body += fmt::format("      <system-out>{}</system-out>\n", html_escape(joined(test.notes)));
    }
    body += "    </testcase>\n";
  }
  const std::string suite =
      results.context.label.empty() ? "weaver" : "weaver " + results.context.label;
  return fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<testsuites name=\"weaver\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" time=\"{2:.3f}\">\n"
      "  <testsuite name=\"{3}\" tests=\"{0}\" failures=\"{1}\" errors=\"0\" skipped=\"0\" "
      "time=\"{2:.3f}\" timestamp=\"{4}\" hostname=\"{5}\">\n"
      "{6}"
      "  </testsuite>\n"
      "</testsuites>\n",
      cases.size(), failures, seconds, html_escape(suite), html_escape(results.context.started_utc),
      html_escape(results.context.host), body);
}

}  // namespace weaver::reporters

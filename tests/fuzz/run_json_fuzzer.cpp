// libFuzzer harness for the run JSON reader that `weaver compare` and
// `weaver trend` use: the input is read as a run, then compared with itself.
// A result or a weaver::Error naming the file and field are fine; any other
// exception, a crash or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "weaver/error.hpp"
#include "weaver/reporters/compare.hpp"
#include "weaver/reporters/run_report.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const auto run = weaver::reporters::parse_run_report(text, "fuzz.json");
    weaver::reporters::CompareOptions options;
    options.metrics = {"time"};
    const auto comparison = weaver::reporters::compare_runs(run, run, options);
    for (const auto& result : comparison.cases) {
      if (result.verdict == weaver::reporters::Verdict::regressed) {
        std::fprintf(stderr, "weaver fuzz invariant failed: a run regressed against itself\n");
        std::abort();
      }
    }
  } catch (const weaver::Error&) {
    // Refused with a message naming the file.
  }
  return 0;
}

// libFuzzer harness for the YAML readers: the input is read as a lab file
// and as a scenario file. Either gives a result or a weaver::Error (one line
// naming the file and field); anything else, a crash or a hang is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "scenarios/scenario.hpp"
#include "temp_input.hpp"
#include "weaver/error.hpp"
#include "weaver/orchestrator/run_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const weaver::fuzz::TempInput temp("input.yaml");
  temp.write(data, size);
  try {
    const auto config = weaver::orchestrator::load_run_config(temp.path);
    (void)config;
  } catch (const weaver::Error&) {
    // Refused with a message: what bad input gets.
  }
  try {
    const auto scenarios = weaver::scenarios::load_scenario_file(temp.path);
    for (const auto& scenario : scenarios) {
      if (scenario.name.empty()) {
        std::fprintf(stderr, "weaver fuzz invariant failed: a scenario without a name\n");
        std::abort();
      }
    }
  } catch (const weaver::Error&) {
  }
  return 0;
}

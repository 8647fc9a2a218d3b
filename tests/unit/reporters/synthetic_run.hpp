// Google Benchmark JSON as `weaver run --benchmark_repetitions=N` writes it
// (Google Benchmark 1.7): per case N "iteration" entries with the same
// run_name, then mean/median/stddev/cv aggregates, whose cv of an all-zero
// counter is a bare NaN.
#pragma once

#include <cmath>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace weaver::testing {

struct SyntheticCase {
  std::string name = "UdpStream/lab-bridge/size:64/rate:10000/count:2000/iterations:1/manual_time";
  std::vector<double> p50_us;        // one per repetition
  std::vector<double> p99_us;        // same length as p50_us
  std::optional<std::string> error;  // every repetition failed with it
};

// Small deterministic noise around `center`: center * (1 + 0.01 * wobble), |wobble| <= 1.
inline std::vector<double> noisy(double center, std::size_t repetitions, int seed = 0) {
  std::vector<double> values;
  for (std::size_t i = 0; i < repetitions; ++i) {
    const double wobble =
        std::sin(static_cast<double>(i * 7 + static_cast<std::size_t>(seed)) * 1.3);
    values.push_back(center * (1.0 + 0.01 * wobble));
  }
  return values;
}

inline SyntheticCase steady_case(std::string name, double p50, double p99, std::size_t repetitions,
                                 int seed = 0) {
  return SyntheticCase{std::move(name), noisy(p50, repetitions, seed),
                       noisy(p99, repetitions, seed + 3), std::nullopt};
}

inline std::string number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

inline std::string entry_head(const std::string& name, const std::string& run_name,
                              const std::string& run_type, std::size_t repetitions,
                              std::size_t index) {
  return "    {\n      \"name\": \"" + name +
         "\",\n      \"family_index\": 0,\n"
         "      \"per_family_instance_index\": 0,\n      \"run_name\": \"" +
         run_name +
         "\",\n"
         "      \"run_type\": \"" +
         run_type + "\",\n      \"repetitions\": " + std::to_string(repetitions) +
         ",\n      \"repetition_index\": " + std::to_string(index) + ",\n      \"threads\": 1,\n";
}

inline std::string counters(double p50, double p99, const std::string& lost) {
  return "      \"iterations\": 1,\n      \"real_time\": " + number(p50 * 1.05) +
         ",\n      \"cpu_time\": 1.5e+01,\n      \"time_unit\": \"us\",\n      \"lost\": " + lost +
         ",\n      \"p50_us\": " + number(p50) + ",\n      \"p99_us\": " + number(p99) + "\n    }";
}

inline double mean_of(const std::vector<double>& values) {
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

inline std::string gb_json(const std::vector<SyntheticCase>& cases) {
  std::string text =
      "{\n  \"context\": {\n    \"date\": \"2024-05-01T10:00:00+00:00\",\n"
      "    \"host_name\": \"lab\",\n    \"library_build_type\": \"release\"\n  },\n"
      "  \"benchmarks\": [\n";
  bool first = true;
  const auto add = [&](const std::string& entry) {
    text += (first ? "" : ",\n") + entry;
    first = false;
  };
  for (const SyntheticCase& c : cases) {
    const std::size_t repetitions = c.error ? 1 : c.p50_us.size();
    for (std::size_t i = 0; i < repetitions; ++i) {
      std::string entry = entry_head(c.name, c.name, "iteration", repetitions, i);
      if (c.error) {
        add(entry + "      \"error_occurred\": true,\n      \"error_message\": \"" + *c.error +
            "\",\n      \"iterations\": 0,\n      \"real_time\": 0,\n      \"cpu_time\": 0,\n"
            "      \"time_unit\": \"us\"\n    }");
      } else {
        add(entry + counters(c.p50_us[i], c.p99_us[i], "0"));
      }
    }
    if (c.error || repetitions < 2) continue;
    for (const char* aggregate : {"mean", "median", "stddev", "cv"}) {
      std::string entry = entry_head(c.name + "_" + aggregate, c.name, "aggregate", repetitions, 0);
      const bool cv = std::string(aggregate) == "cv";
      entry += "      \"aggregate_name\": \"" + std::string(aggregate) + "\",\n" +
               "      \"aggregate_unit\": \"" + (cv ? "percentage" : "time") + "\",\n";
      const std::string lost = cv ? "NaN" : "0";
      add(entry + counters(mean_of(c.p50_us), mean_of(c.p99_us), lost));
    }
  }
  return text + "\n  ]\n}\n";
}

inline void write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

}  // namespace weaver::testing

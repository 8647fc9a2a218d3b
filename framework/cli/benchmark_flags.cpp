#include "benchmark_flags.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "weaver/error.hpp"

namespace weaver::cli {
namespace {

// Google Benchmark's own reading: "--flag" alone is true, "--flag=V" is
// false for 0, false, no, off, f and n (any case), true for anything else
// but the empty string.
std::optional<bool> read_bool_flag(const std::string& word, const std::string& name) {
  const std::string prefix = "--" + name;
  if (word.rfind(prefix, 0) != 0) return std::nullopt;
  if (word.size() == prefix.size()) return true;
  if (word[prefix.size()] != '=') return std::nullopt;
  std::string value = word.substr(prefix.size() + 1);
  std::transform(value.begin(), value.end(), value.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (value.empty()) throw UsageError("--" + name + "=: give true or false");
  return !(value == "0" || value == "false" || value == "no" || value == "off" || value == "f" || value == "n");
}

}  // namespace

DisplayFlags take_display_flags(std::vector<std::string>& flags) {
  std::optional<bool> report, display;
  std::vector<std::string> kept;
  for (const std::string& word : flags) {
    if (auto value = read_bool_flag(word, "benchmark_report_aggregates_only")) {
      report = value;
    } else if (auto shown = read_bool_flag(word, "benchmark_display_aggregates_only")) {
      display = shown;
    } else {
      kept.push_back(word);
    }
  }
  flags = std::move(kept);
  return {report.value_or(false) || display.value_or(false)};
}

void check_benchmark_filter(const std::vector<std::string>& flags) {
  constexpr std::size_t kMaxLength = 1024;
  constexpr int kMaxDepth = 32;
  const std::string prefix = "--benchmark_filter=";
  for (const std::string& word : flags) {
    if (word.rfind(prefix, 0) != 0) continue;
    const std::string filter = word.substr(prefix.size());
    if (filter.size() > kMaxLength) {
      throw UsageError("--benchmark_filter: " + std::to_string(filter.size()) + " characters; at most " +
                       std::to_string(kMaxLength));
    }
    int depth = 0, deepest = 0;
    for (char c : filter) {
      if (c == '(' || c == '[' || c == '{') deepest = std::max(deepest, ++depth);
      if ((c == ')' || c == ']' || c == '}') && depth > 0) --depth;
    }
    if (deepest > kMaxDepth) {
      throw UsageError("--benchmark_filter: nested " + std::to_string(deepest) + " levels deep; at most " +
                       std::to_string(kMaxDepth));
    }
  }
}

}  // namespace weaver::cli

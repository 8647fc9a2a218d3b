// Output checked line by line against patterns, in the style of Google
// Benchmark's output tests: each pattern must match a later line than the
// previous one, and placeholders stand for what varies from run to run.
//   %float  a number as Google Benchmark or weaver prints it (1, 2.5, 10.0018k, 1e-05)
//   %int    an integer
//   %string a JSON string's content
#pragma once

#include <gtest/gtest.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

namespace weaver::testing {

inline std::string expand_placeholders(std::string pattern) {
  const std::vector<std::pair<std::string, std::string>> placeholders{
      {"%float", R"([-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?[kMGTm]?)"},
      {"%int", R"([-+]?[0-9]+)"},
      {"%string", R"([^"]*)"}};
  for (const auto& [name, regex] : placeholders) {
    for (std::size_t at = pattern.find(name); at != std::string::npos;
         at = pattern.find(name, at)) {
      pattern.replace(at, name.size(), regex);
      at += regex.size();
    }
  }
  return pattern;
}

// Every pattern matches a whole line, in order; lines in between are free.
inline ::testing::AssertionResult lines_match(const std::string& text,
                                              const std::vector<std::string>& patterns) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(line);
  }
  std::size_t next = 0;
  for (const std::string& pattern : patterns) {
    const std::regex regex(expand_placeholders(pattern));
    while (next < lines.size() && !std::regex_match(lines[next], regex)) ++next;
    if (next == lines.size()) {
      return ::testing::AssertionFailure()
             << "no line matches /" << pattern << "/ after the previous match; output:\n"
             << text;
    }
    ++next;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace weaver::testing

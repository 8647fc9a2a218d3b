#include "weaver/orchestrator/source_command.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include "weaver/error.hpp"

namespace weaver::orchestrator {
namespace {

using Placeholders = std::vector<std::pair<std::string_view, std::string>>;

[[noreturn]] void refuse(const std::string& why) { throw UsageError("source_command: " + why); }

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// Characters whose meaning in sh would need a shell to run. No shell runs the
// command, so they are refused rather than passed on as literal text, which
// would silently do something else than the author meant.
bool needs_shell(char c) {
  return c == '$' || c == '`' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>' ||
         c == '(' || c == ')';
}

[[noreturn]] void refuse_shell_syntax(char c) {
  refuse(
      fmt::format("'{}' needs a shell, but the command runs without one; "
                  "put it in single quotes to pass it literally",
                  c));
}

// Appends the double-quoted text starting at text[start] (after the opening
// quote) to `word`; returns the index of the closing quote. As in sh, a
// backslash only escapes ", \, $, ` and newline there.
std::size_t append_double_quoted(const std::string& text, std::size_t start, std::string& word) {
  for (std::size_t i = start; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') return i;
    if (c == '$' || c == '`') refuse_shell_syntax(c);
    if (c == '\\' && i + 1 < text.size()) {
      const char next = text[i + 1];
      if (next == '"' || next == '\\' || next == '$' || next == '`') {
        word += next;
        ++i;
        continue;
      }
      if (next == '\n') {  // line continuation
        ++i;
        continue;
      }
    }
    word += c;
  }
  refuse("unbalanced \" quote");
}

std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // '' makes an empty word, so emptiness is not enough
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (is_blank(c)) {
      if (in_word) words.push_back(std::exchange(word, {}));
      in_word = false;
    } else if (c == '\\' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;  // line continuation: joins the lines, adds nothing
    } else if (c == '\\') {
      if (i + 1 == text.size()) refuse("ends with a lone backslash");
      word += text[++i];
      in_word = true;
    } else if (c == '\'') {
      const std::size_t end = text.find('\'', i + 1);
      if (end == std::string::npos) refuse("unbalanced ' quote");
      word.append(text, i + 1, end - i - 1);
      i = end;
      in_word = true;
    } else if (c == '"') {
      i = append_double_quoted(text, i + 1, word);
      in_word = true;
    } else if (needs_shell(c)) {
      refuse_shell_syntax(c);
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front())) != 0) return false;
  for (char c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '_') return false;
  }
  return true;
}

// Replaces every {name} in one word in a single pass, so a value that itself
// contains "{count}" is never expanded again. Braces around anything that is
// not an identifier ("{}", "{print $1}") stay as they are.
std::string fill_placeholders(const std::string& word, const Placeholders& placeholders) {
  std::string filled;
  std::size_t at = 0;
  while (at < word.size()) {
    const std::size_t open = word.find('{', at);
    const std::size_t close = open == std::string::npos ? open : word.find('}', open);
    if (close == std::string::npos) break;
    const std::string_view name = std::string_view(word).substr(open + 1, close - open - 1);
    filled.append(word, at, open - at);
    if (!is_identifier(name)) {
      filled += '{';
      at = open + 1;
      continue;
    }
    const auto found = std::find_if(placeholders.begin(), placeholders.end(),
                                    [&](const auto& entry) { return entry.first == name; });
    if (found == placeholders.end()) {
      std::string known;
      for (const auto& entry : placeholders) known += fmt::format(" {{{}}}", entry.first);
      refuse(fmt::format("unknown placeholder {{{}}} (known:{})", name, known));
    }
    filled += found->second;
    at = close + 1;
  }
  filled.append(word, at);
  return filled;
}

}  // namespace

std::vector<std::string> expand_source_command(const std::string& command_template,
                                               const TrafficSpec& spec,
                                               const std::string& destination,
                                               const std::string& source) {
  const std::int64_t interval_us = spec.rate_pps > 0 ? 1'000'000 / spec.rate_pps : 0;
  const Placeholders placeholders = {
      {"destination", destination},
      {"source", source},
      {"count", std::to_string(spec.count)},
      {"rate", std::to_string(spec.rate_pps)},
      {"interval_us", std::to_string(interval_us)},
      {"size", std::to_string(spec.frame_size)},
      {"data_bytes", std::to_string(spec.data_bytes())},
      {"port", std::to_string(spec.destination_port)},
  };
  std::vector<std::string> argv = split_words(command_template);
  if (argv.empty()) refuse("is empty");
  for (std::string& word : argv) word = fill_placeholders(word, placeholders);
  return argv;
}

}  // namespace weaver::orchestrator

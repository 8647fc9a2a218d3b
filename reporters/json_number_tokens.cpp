#include "weaver/reporters/json_number_tokens.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace weaver::reporters {
namespace {

// Longest first, so "-Infinity" wins over "-inf".
constexpr std::array<std::string_view, 8> non_finite_tokens = {
    "-Infinity", "Infinity", "-NaN", "-nan", "-inf", "NaN", "nan", "inf"};

bool continues_word(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

// The token starting at `at`, when one does and is a whole word.
std::string_view token_at(std::string_view text, std::size_t at) {
  for (std::string_view token : non_finite_tokens) {
    if (text.substr(at, token.size()) != token) continue;
    const std::size_t end = at + token.size();
    if (end < text.size() && continues_word(text[end])) continue;
    return token;
  }
  return {};
}

}  // namespace

NonFiniteTokensAsNull::NonFiniteTokensAsNull(std::string_view json_text) {
  text_.reserve(json_text.size());
  std::ptrdiff_t added = 0;
  bool in_string = false;
  for (std::size_t at = 0; at < json_text.size(); ++at) {
    const char c = json_text[at];
    if (in_string) {
      text_ += c;
      if (c == '\\' && at + 1 < json_text.size()) {
        text_ += json_text[++at];
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    const bool starts_word = at == 0 || !continues_word(json_text[at - 1]);
    if (const std::string_view token = starts_word ? token_at(json_text, at) : std::string_view();
        !token.empty()) {
      text_ += "null";
      added += 4 - static_cast<std::ptrdiff_t>(token.size());
      shifts_.push_back({text_.size(), added});
      at += token.size() - 1;
      continue;
    }
    text_ += c;
  }
}

std::size_t NonFiniteTokensAsNull::original_byte(std::size_t byte) const {
  // The last shift at or before `byte` holds what had been added up to it.
  const auto after = std::upper_bound(
      shifts_.begin(), shifts_.end(), byte,
      [](std::size_t wanted, const Shift& shift) { return wanted < shift.from_byte; });
  if (after == shifts_.begin()) return byte;
  const std::ptrdiff_t added = std::prev(after)->added;
  const auto original = static_cast<std::ptrdiff_t>(byte) - added;
  return original < 0 ? 0 : static_cast<std::size_t>(original);
}

}  // namespace weaver::reporters

#include "weaver/text_lines.hpp"

namespace weaver {

std::string_view trimmed(std::string_view text) {
  constexpr std::string_view blanks = " \t\r\n";
  const auto begin = text.find_first_not_of(blanks);
  if (begin == std::string_view::npos) return {};
  return text.substr(begin, text.find_last_not_of(blanks) - begin + 1);
}

std::string first_line(std::string_view text) {
  text = trimmed(text);
  return std::string(trimmed(text.substr(0, text.find('\n'))));
}

}  // namespace weaver

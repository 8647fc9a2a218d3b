#include "weaver/reporters/html_page.hpp"

#include <fstream>
#include <sstream>

namespace weaver::reporters {

std::optional<std::string> load_chart_library(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return inline_script(text.str());
}

std::string html_escape(std::string_view text) {
  std::string escaped;
  escaped.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        escaped += "&amp;";
        break;
      case '<':
        escaped += "&lt;";
        break;
      case '>':
        escaped += "&gt;";
        break;
      case '"':
        escaped += "&quot;";
        break;
      case '\'':
        escaped += "&#39;";
        break;
      default:
        escaped += c;
    }
  }
  return escaped;
}

std::string inline_script(std::string_view source) {
  std::string safe;
  safe.reserve(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) {
    safe += source[i];
    if (source[i] == '<' && i + 1 < source.size() && source[i + 1] == '/') safe += '\\';
  }
  return safe;
}

}  // namespace weaver::reporters

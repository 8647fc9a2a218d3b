#include "weaver/remote/shell_words.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "weaver/error.hpp"

namespace weaver::remote {
namespace {

[[noreturn]] void refuse(std::string_view field, std::string_view value, std::string_view why) {
  throw UsageError(std::string(field) + ": '" + std::string(value) + "' " + std::string(why));
}

bool is_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' || c == '_';
}

bool is_ip_literal(std::string_view text) {
  std::string copy(text);
  unsigned char buffer[16];
  return inet_pton(AF_INET, copy.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, copy.c_str(), buffer) == 1;
}

}  // namespace

std::string shell_quote(std::string_view word) {
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string shell_quote(const std::vector<std::string>& argv) {
  std::string line;
  for (const auto& word : argv) {
    if (!line.empty()) line += ' ';
    line += shell_quote(word);
  }
  return line;
}

void validate_interface_name(std::string_view field, std::string_view name) {
  // IFNAMSIZ is 16 including the terminating NUL.
  if (name.empty() || name.size() > 15) refuse(field, name, "is not 1 to 15 characters long");
  if (name == "." || name == "..") refuse(field, name, "is not an interface name");
  if (!std::all_of(name.begin(), name.end(), is_name_char)) {
    refuse(field, name, "may contain only letters, digits, '.', '-' and '_'");
  }
}

void validate_host(std::string_view field, std::string_view host) {
  if (is_ip_literal(host)) return;
  if (host.empty() || host.size() > 253) refuse(field, host, "is not a host name or address");
  std::size_t start = 0;
  while (start <= host.size()) {
    std::size_t end = host.find('.', start);
    if (end == std::string_view::npos) end = host.size();
    std::string_view label = host.substr(start, end - start);
    bool ok = !label.empty() && label.size() <= 63 && label.front() != '-' &&
              label.back() != '-' &&
              std::all_of(label.begin(), label.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-';
              });
    if (!ok) refuse(field, host, "is not a host name or address");
    start = end + 1;
  }
}

void validate_vm_name(std::string_view field, std::string_view name) {
  if (name.empty() || name.size() > 128) refuse(field, name, "is not 1 to 128 characters long");
  if (name.front() == '-') refuse(field, name, "must not start with '-'");
  if (!std::all_of(name.begin(), name.end(), [](char c) { return is_name_char(c) || c == ':'; })) {
    refuse(field, name, "may contain only letters, digits, '.', '-', '_' and ':'");
  }
}

std::vector<std::string> with_bpf_filter(std::vector<std::string> argv, std::string_view filter) {
  if (filter.find('\0') != std::string_view::npos) refuse("filter", "<binary>", "contains NUL");
  argv.emplace_back("--");
  argv.emplace_back(filter);
  return argv;
}

}  // namespace weaver::remote

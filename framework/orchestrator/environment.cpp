// The probe script and the parsers of what it prints (see environment.hpp).
#include "weaver/orchestrator/environment.hpp"

#include <time.h>

#include <charconv>
#include <sstream>

#include "weaver/error.hpp"
#include "weaver/remote/shell_words.hpp"
#include "weaver/text_lines.hpp"

namespace weaver::orchestrator {
namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    lines.push_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::string first_word(std::string_view text) {
  text = trimmed(text);
  return std::string(text.substr(0, text.find_first_of(" \t")));
}

// A whole non-negative number, or null.
nlohmann::json number_or_null(std::string_view text) {
  text = trimmed(text);
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) {
    return nullptr;
  }
  return value;
}

std::string section_of(const std::map<std::string, std::string>& sections, const std::string& name) {
  const auto found = sections.find(name);
  return found == sections.end() ? std::string() : found->second;
}

// The MTU from `ip -o link show dev IF` ("5: vif1.0@if4: <...> mtu 1500 qdisc
// ...") or from /sys/class/net/IF/mtu (a bare number), or null.
nlohmann::json parse_mtu(std::string_view text) {
  text = trimmed(text);
  const auto at = text.find(" mtu ");
  if (at == std::string_view::npos) return number_or_null(text);
  const std::string_view rest = text.substr(at + 5);
  return number_or_null(rest.substr(0, rest.find_first_of(" \t\n")));
}

// The shell function the script calls once per interface: $1 the role, $2 the
// name. The MTU comes from ip, which asks the shell's own network namespace:
// /sys/class/net shows the namespace of whoever mounted /sys, and a process
// that only entered a namespace (setns, as the lab's sshd) sees another's.
constexpr const char* kInterfaceProbe = R"(interface() {
  section "$1.mtu"
  if have ip; then timeout 5 ip -o link show dev "$2" 2>/dev/null; else cat "/sys/class/net/$2/mtu" 2>/dev/null; fi
  section "$1.ethtool-i"
  have ethtool && timeout 5 ethtool -i "$2" 2>/dev/null
  section "$1.ethtool-k"
  have ethtool && timeout 5 ethtool -k "$2" 2>/dev/null
  section "$1.time-stamp-types"
  if have tcpdump; then timeout 5 tcpdump --list-time-stamp-types -i "$2" 2>&1; else echo 'tcpdump is not installed'; fi
}
)";

}  // namespace

std::string environment_script(const std::vector<ProbedInterface>& interfaces,
                               const std::string& version_script) {
  std::string script = R"(exec </dev/null
PATH="$PATH:/usr/sbin:/sbin"; export PATH
section() { printf '\n@@weaver-environment %s\n' "$1"; }
have() { command -v "$1" >/dev/null 2>&1; }
section os-release
cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
section kernel
uname -r
section cpu-model
c=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo 2>/dev/null | head -n 1)
[ -n "$c" ] || c=$(timeout 5 lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
printf '%s\n' "$c"
section cpus
getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null
section hypervisor-version
{
)";
  script += version_script;
  script += R"(
} 2>/dev/null
section tcpdump-version
have tcpdump && timeout 5 tcpdump --version 2>&1
)";
  script += kInterfaceProbe;
  for (const auto& [role, name] : interfaces) {
    script += "interface " + remote::shell_quote(role) + " " + remote::shell_quote(name) + "\n";
  }
  script += "section end\n";
  return script;
}

std::map<std::string, std::string> split_sections(std::string_view output) {
  std::map<std::string, std::string> sections;
  std::string* current = nullptr;
  for (std::string_view line : lines_of(output)) {
    if (line.substr(0, kSectionMarker.size()) == kSectionMarker) {
      current = &sections[std::string(trimmed(line.substr(kSectionMarker.size())))];
      current->clear();
      continue;
    }
    if (current != nullptr) {
      current->append(line);
      *current += '\n';
    }
  }
  for (auto& [name, text] : sections) text = std::string(trimmed(text));
  return sections;
}

std::string parse_os_release(std::string_view text) {
  for (std::string_view line : lines_of(text)) {
    line = trimmed(line);
    constexpr std::string_view key = "PRETTY_NAME=";
    if (line.substr(0, key.size()) != key) continue;
    std::string_view value = line.substr(key.size());
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    std::string unescaped;  // os-release allows \" \\ \$ \` inside double quotes
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i] == '\\' && i + 1 < value.size()) ++i;
      unescaped += value[i];
    }
    return unescaped;
  }
  return {};
}

nlohmann::json parse_ethtool_driver(std::string_view text) {
  nlohmann::json driver = nlohmann::json::object();
  for (std::string_view line : lines_of(text)) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string key(trimmed(line.substr(0, colon)));
    if (key.empty() || key.find(' ') != std::string::npos) continue;  // not a "field: value" line
    driver[key] = std::string(trimmed(line.substr(colon + 1)));
  }
  return driver;
}

nlohmann::json parse_ethtool_features(std::string_view text) {
  nlohmann::json offloads = nlohmann::json::object();
  nlohmann::json fixed = nlohmann::json::array();
  for (std::string_view line : lines_of(text)) {
    if (trimmed(line).rfind("Features for ", 0) == 0) continue;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string name(trimmed(line.substr(0, colon)));
    const std::string_view rest = trimmed(line.substr(colon + 1));
    const std::string value = first_word(rest);
    if (name.empty() || name.find(' ') != std::string::npos || (value != "on" && value != "off")) {
      continue;
    }
    offloads[name] = value;
    if (rest.find("[fixed]") != std::string_view::npos) fixed.push_back(name);
  }
  return {{"offloads", offloads}, {"offloads_fixed", fixed}};
}

nlohmann::json parse_time_stamp_types(std::string_view text) {
  nlohmann::json available = nlohmann::json::array();
  std::string note;
  bool in_list = false;
  for (std::string_view line : lines_of(text)) {
    const std::string_view content = trimmed(line);
    if (content.empty()) continue;
    if (content.rfind("Time stamp types for ", 0) == 0) {
      in_list = true;
      continue;
    }
    // "  host (Host)", "  adapter_unsynced (Adapter, not synced with system time)", "  3"
    if (in_list && (line.front() == ' ' || line.front() == '\t')) {
      available.push_back(first_word(content));
      continue;
    }
    in_list = false;
    if (!note.empty()) note += "; ";
    note += content;
  }
  nlohmann::json stamps = {{"type", kCaptureTimeStampType},
                           {"precision", kCaptureTimeStampPrecision},
                           {"available", available}};
  if (available.empty()) {
    stamps["note"] = note.empty() ? std::string("tcpdump listed no time-stamp types") : note;
  }
  return stamps;
}

nlohmann::json parse_tool_versions(std::string_view text) {
  nlohmann::json tools = {{"tcpdump", ""}, {"libpcap", ""}};
  for (std::string_view line : lines_of(text)) {
    line = trimmed(line);
    for (const char* tool : {"tcpdump", "libpcap"}) {
      const std::string prefix = std::string(tool) + " version ";
      if (line.rfind(prefix, 0) == 0) tools[tool] = first_word(line.substr(prefix.size()));
    }
  }
  return tools;
}

nlohmann::json parse_environment(std::string_view output,
                                 const std::vector<ProbedInterface>& interfaces) {
  const auto sections = split_sections(output);
  if (!sections.contains("end")) {
    throw Error("the environment probe's output ends early (no end marker)");
  }
  nlohmann::json facts = {
      {"os", parse_os_release(section_of(sections, "os-release"))},
      {"kernel", section_of(sections, "kernel")},
      {"cpu_model", section_of(sections, "cpu-model")},
      {"cpus", number_or_null(section_of(sections, "cpus"))},
      {"hypervisor_version", first_line(section_of(sections, "hypervisor-version"))},
  };
  nlohmann::json described = nlohmann::json::object();
  for (const auto& [role, name] : interfaces) {
    nlohmann::json entry = {{"name", name},
                            {"mtu", parse_mtu(section_of(sections, role + ".mtu"))},
                            {"driver", parse_ethtool_driver(section_of(sections, role + ".ethtool-i"))}};
    entry.update(parse_ethtool_features(section_of(sections, role + ".ethtool-k")));
    entry["capture_timestamps"] = parse_time_stamp_types(section_of(sections, role + ".time-stamp-types"));
    described[role] = std::move(entry);
  }
  facts["interfaces"] = std::move(described);
  facts["tools"] = parse_tool_versions(section_of(sections, "tcpdump-version"));
  return facts;
}

std::string utc_timestamp(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace weaver::orchestrator

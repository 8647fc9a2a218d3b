// What a vswitch benchmark report must disclose about the system under test
// (RFC 8204, section 3 "Scope" and 4.1 "Configuration Parameters"): per
// hypervisor configuration the OS, kernel, CPU, hypervisor version, and for
// the PIF and the VIF their MTU, driver, offloads and the capture time-stamp
// source. Orchestrator::collect_environment() gathers it over the run's SSH
// sessions with one probe script per configuration; the functions here build
// that script and read what it prints, without any host.
//
// environment.json:
//   {"collected_utc": "2026-11-28T00:20:21Z",
//    "configurations": {"<name>": {
//      "host", "adapter", "datapath", "os" (PRETTY_NAME), "kernel" (uname -r),
//      "cpu_model", "cpus" (online CPUs; null if unknown), "hypervisor_version"
//      ("" if unknown),
//      "interfaces": {"pif"|"vif": {
//        "name", "mtu" (from `ip -o link show dev`; null if unknown),
//        "driver": {every `ethtool -i` field as a string},
//        "offloads": {every `ethtool -k` feature: "on" | "off"},
//        "offloads_fixed": [features ethtool marks "[fixed]" (cannot be changed)],
//        "capture_timestamps": {"type": "host", "precision": "nano",
//                               "available": [`tcpdump --list-time-stamp-types` names],
//                               "note": "<why available is empty>" (only then)}}},
//      "tools": {"tcpdump": "4.99.3", "libpcap": "1.10.3"} ("" if unknown),
//      "error": "<one line naming the host and what failed>" (only then)}}}
// A missing ethtool or tcpdump leaves its fields empty; it is no error. A
// configuration whose VIF cannot be resolved still reports the host and its
// PIF, with the error.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace weaver::orchestrator {

// What weaver's captures use (remote_capture.cpp: --time-stamp-precision=nano,
// no -j, so libpcap's default type).
inline constexpr const char* kCaptureTimeStampType = "host";
inline constexpr const char* kCaptureTimeStampPrecision = "nano";

// The line before each section of the probe's output: "@@weaver-environment <section>".
inline constexpr std::string_view kSectionMarker = "@@weaver-environment ";

// An interface to describe: its role ("pif", "vif") and its name.
using ProbedInterface = std::pair<std::string, std::string>;

// One POSIX sh script (for `sh -c`) printing every section: os-release,
// kernel, cpu-model, cpus, hypervisor-version (from `version_script`, an
// adapter's VifResolver::version_script()), tcpdump-version, then per
// interface <role>.mtu, <role>.ethtool-i, <role>.ethtool-k,
// <role>.time-stamp-types, and "end" last. Interface names are shell-quoted
// words, whatever they contain; every tool call runs under `timeout 5`.
std::string environment_script(const std::vector<ProbedInterface>& interfaces,
                               const std::string& version_script);

// The script's output by section name; text before the first marker is dropped.
std::map<std::string, std::string> split_sections(std::string_view output);

// PRETTY_NAME of an os-release file, unquoted; "" when absent.
std::string parse_os_release(std::string_view text);
// `ethtool -i`: {"driver": "veth", "version": "1.0", "firmware-version": "", ...}.
nlohmann::json parse_ethtool_driver(std::string_view text);
// `ethtool -k`: {"offloads": {feature: "on"|"off"}, "offloads_fixed": [...]}.
// Other bracketed remarks ("[requested on]") are dropped.
nlohmann::json parse_ethtool_features(std::string_view text);
// `tcpdump --list-time-stamp-types -i IF` (stdout and stderr):
// {"type", "precision", "available": [...]} plus "note" when none is listed
// ("Time stamp type cannot be set for vif1.0", tcpdump's error, ...).
nlohmann::json parse_time_stamp_types(std::string_view text);
// `tcpdump --version`: {"tcpdump": "4.99.3", "libpcap": "1.10.3"}.
nlohmann::json parse_tool_versions(std::string_view text);

// One configuration's facts from the probe's whole output (no host, adapter,
// datapath or error: the caller knows those). Throws weaver::Error when the
// output has no "end" section (the script was cut short).
nlohmann::json parse_environment(std::string_view output,
                                 const std::vector<ProbedInterface>& interfaces);

// "2026-11-28T00:20:21Z".
std::string utc_timestamp(std::chrono::system_clock::time_point when);

}  // namespace weaver::orchestrator

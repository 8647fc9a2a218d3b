// environment.json without a host: the probe script and the parsers of what
// ethtool, tcpdump and os-release print (samples taken from Debian 12).
#include "weaver/orchestrator/environment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "run_program.hpp"
#include "temp_dir.hpp"
#include "weaver/error.hpp"

namespace weaver::orchestrator {
namespace {

const char* const kEthtoolDriverVeth =
    "driver: veth\n"
    "version: 1.0\n"
    "firmware-version: \n"
    "expansion-rom-version: \n"
    "bus-info: \n"
    "supports-statistics: yes\n"
    "supports-test: no\n"
    "supports-eeprom-access: no\n"
    "supports-register-dump: no\n"
    "supports-priv-flags: no\n";

const char* const kEthtoolFeatures =
    "Features for lo:\n"
    "rx-checksumming: on [fixed]\n"
    "tx-checksumming: on\n"
    "\ttx-checksum-ipv4: off [fixed]\n"
    "\ttx-checksum-ip-generic: on [fixed]\n"
    "scatter-gather: on\n"
    "\ttx-scatter-gather-fraglist: on [fixed]\n"
    "tcp-segmentation-offload: on\n"
    "\ttx-tcp-segmentation: on\n"
    "generic-receive-offload: on\n"
    "large-receive-offload: off [fixed]\n"
    "rx-vlan-offload: off [requested on]\n";

const char* const kTimeStampTypes =
    "Time stamp types for eth0 (use option -j to set):\n"
    "  host (Host)\n"
    "  adapter_unsynced (Adapter, not synced with system time)\n";

using Interfaces = std::vector<ProbedInterface>;

std::string marker(const std::string& section) { return std::string(kSectionMarker) + section + "\n"; }

// What the script prints on a lab hypervisor, section by section.
std::string sample_output(bool with_end = true) {
  std::string out = "\n" + marker("os-release") +
                    "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n" +
                    "\n" + marker("kernel") + "6.1.0-27-amd64\n" +
                    "\n" + marker("cpu-model") + "AMD EPYC\n" +
                    "\n" + marker("cpus") + "2\n" +
                    "\n" + marker("hypervisor-version") + "weaver lab (network namespaces, iproute2-6.1.0)\n" +
                    "\n" + marker("tcpdump-version") +
                    "tcpdump version 4.99.3\nlibpcap version 1.10.3 (with TPACKET_V3)\nOpenSSL 3.0.15 3 Sep 2024\n" +
                    "\n" + marker("pif.mtu") +
                    "2: eth0@if9: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP "
                    "mode DEFAULT group default qlen 1000\\    link/ether 02:00:00:00:00:01 brd "
                    "ff:ff:ff:ff:ff:ff link-netns wv61-switch\n" +
                    "\n" + marker("pif.ethtool-i") + kEthtoolDriverVeth +
                    "\n" + marker("pif.ethtool-k") + kEthtoolFeatures +
                    "\n" + marker("pif.time-stamp-types") + kTimeStampTypes +
                    "\n" + marker("vif.mtu") + "9000\n" +  // /sys/class/net/IF/mtu where ip is missing
                    "\n" + marker("vif.ethtool-i") +
                    "\n" + marker("vif.ethtool-k") +
                    "\n" + marker("vif.time-stamp-types") + "Time stamp type cannot be set for vif1.0\n";
  if (with_end) out += "\n" + marker("end");
  return out;
}

TEST(EthtoolDriver, KeepsEveryFieldEmptyOnesToo) {
  const nlohmann::json driver = parse_ethtool_driver(kEthtoolDriverVeth);
  EXPECT_EQ(driver.size(), 10u) << driver.dump();
  EXPECT_EQ(driver.at("driver"), "veth");
  EXPECT_EQ(driver.at("version"), "1.0");
  EXPECT_EQ(driver.at("firmware-version"), "");
  EXPECT_EQ(driver.at("supports-statistics"), "yes");
}

TEST(EthtoolDriver, BusInfoWithColonsStaysWhole) {
  const nlohmann::json driver = parse_ethtool_driver("driver: virtio_net\nbus-info: 0000:00:03.0\n");
  EXPECT_EQ(driver.at("bus-info"), "0000:00:03.0");
}

TEST(EthtoolDriver, NothingPrintedIsAnEmptyObject) {
  EXPECT_EQ(parse_ethtool_driver(""), nlohmann::json::object());
  // Should stderr ever reach the section, its message is no field.
  EXPECT_EQ(parse_ethtool_driver("Cannot get driver information: Operation not supported\n"),
            nlohmann::json::object());
}

TEST(EthtoolFeatures, OnOffWithFixedOnesListedApart) {
  const nlohmann::json parsed = parse_ethtool_features(kEthtoolFeatures);
  const nlohmann::json& offloads = parsed.at("offloads");
  EXPECT_EQ(offloads.size(), 11u) << offloads.dump();
  EXPECT_EQ(offloads.at("rx-checksumming"), "on");
  EXPECT_EQ(offloads.at("tx-checksum-ipv4"), "off");  // an indented sub-feature
  EXPECT_EQ(offloads.at("large-receive-offload"), "off");
  EXPECT_EQ(offloads.at("rx-vlan-offload"), "off");  // "[requested on]" dropped
  EXPECT_FALSE(offloads.contains("Features for lo"));
  const std::vector<std::string> fixed = parsed.at("offloads_fixed");
  EXPECT_EQ(fixed, (std::vector<std::string>{"rx-checksumming", "tx-checksum-ipv4",
                                             "tx-checksum-ip-generic", "tx-scatter-gather-fraglist",
                                             "large-receive-offload"}));
}

TEST(EthtoolFeatures, NothingPrintedIsEmpty) {
  const nlohmann::json parsed = parse_ethtool_features("");
  EXPECT_TRUE(parsed.at("offloads").empty());
  EXPECT_TRUE(parsed.at("offloads_fixed").empty());
}

TEST(TimeStampTypes, ListsTheNamesAndWhatWeaverUses) {
  const nlohmann::json stamps = parse_time_stamp_types(kTimeStampTypes);
  EXPECT_EQ(stamps.at("type"), "host");
  EXPECT_EQ(stamps.at("precision"), "nano");
  EXPECT_EQ(stamps.at("available"), (nlohmann::json{"host", "adapter_unsynced"}));
  EXPECT_FALSE(stamps.contains("note"));
}

TEST(TimeStampTypes, CannotBeSetIsExplained) {
  const nlohmann::json stamps = parse_time_stamp_types("Time stamp type cannot be set for vif1.0\n");
  EXPECT_TRUE(stamps.at("available").empty());
  EXPECT_EQ(stamps.at("note"), "Time stamp type cannot be set for vif1.0");
}

TEST(TimeStampTypes, ErrorsAndMissingToolsAreExplained) {
  EXPECT_EQ(parse_time_stamp_types("tcpdump: eth9: No such device exists\n").at("note"),
            "tcpdump: eth9: No such device exists");
  EXPECT_EQ(parse_time_stamp_types("tcpdump is not installed\n").at("note"), "tcpdump is not installed");
  EXPECT_EQ(parse_time_stamp_types("").at("note"), "tcpdump listed no time-stamp types");
  // Stderr lines around the list do not become types.
  const nlohmann::json mixed = parse_time_stamp_types(
      std::string("tcpdump: WARNING: something\n") + kTimeStampTypes + "done\n");
  EXPECT_EQ(mixed.at("available"), (nlohmann::json{"host", "adapter_unsynced"}));
}

TEST(ToolVersions, TcpdumpAndLibpcap) {
  const nlohmann::json tools =
      parse_tool_versions("tcpdump version 4.99.3\nlibpcap version 1.10.3 (with TPACKET_V3)\nOpenSSL 3.0.15\n");
  EXPECT_EQ(tools, (nlohmann::json{{"tcpdump", "4.99.3"}, {"libpcap", "1.10.3"}}));
  EXPECT_EQ(parse_tool_versions(""), (nlohmann::json{{"tcpdump", ""}, {"libpcap", ""}}));
}

TEST(OsRelease, PrettyNameUnquoted) {
  EXPECT_EQ(parse_os_release("NAME=\"Debian\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n"),
            "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(parse_os_release("PRETTY_NAME='XCP-ng 8.2.1'\n"), "XCP-ng 8.2.1");
  EXPECT_EQ(parse_os_release("PRETTY_NAME=Alpine\n"), "Alpine");
  EXPECT_EQ(parse_os_release("PRETTY_NAME=\"say \\\"hi\\\"\"\n"), "say \"hi\"");
  EXPECT_EQ(parse_os_release("NAME=x\n"), "");
}

TEST(SplitSections, DropsWhatComesBeforeTheFirstMarkerAndTrims) {
  const auto sections =
      split_sections("motd noise\n" + marker("kernel") + "\n6.1.0\n\n" + marker("empty") + marker("end"));
  EXPECT_EQ(sections.size(), 3u);
  EXPECT_EQ(sections.at("kernel"), "6.1.0");
  EXPECT_EQ(sections.at("empty"), "");
  EXPECT_TRUE(sections.contains("end"));
}

TEST(ParseEnvironment, EveryField) {
  const nlohmann::json facts = parse_environment(sample_output(), Interfaces{{"pif", "eth0"}, {"vif", "vif1.0"}});
  EXPECT_EQ(facts.at("os"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(facts.at("kernel"), "6.1.0-27-amd64");
  EXPECT_EQ(facts.at("cpu_model"), "AMD EPYC");
  EXPECT_EQ(facts.at("cpus"), 2);
  EXPECT_EQ(facts.at("hypervisor_version"), "weaver lab (network namespaces, iproute2-6.1.0)");
  EXPECT_EQ(facts.at("tools"), (nlohmann::json{{"tcpdump", "4.99.3"}, {"libpcap", "1.10.3"}}));
  const nlohmann::json& pif = facts.at("interfaces").at("pif");
  EXPECT_EQ(pif.at("name"), "eth0");
  EXPECT_EQ(pif.at("mtu"), 1500);
  EXPECT_EQ(pif.at("driver").at("driver"), "veth");
  EXPECT_EQ(pif.at("offloads").size(), 11u);
  EXPECT_EQ(pif.at("capture_timestamps").at("available").size(), 2u);
  // A VIF whose ethtool said nothing has empty fields, not an error.
  const nlohmann::json& vif = facts.at("interfaces").at("vif");
  EXPECT_EQ(vif.at("name"), "vif1.0");
  EXPECT_EQ(vif.at("mtu"), 9000);
  EXPECT_EQ(vif.at("driver"), nlohmann::json::object());
  EXPECT_TRUE(vif.at("offloads").empty());
  EXPECT_EQ(vif.at("capture_timestamps").at("note"), "Time stamp type cannot be set for vif1.0");
}

TEST(ParseEnvironment, MissingSectionsGiveEmptyFieldsAndNulls) {
  const nlohmann::json facts = parse_environment(marker("end"), Interfaces{{"pif", "eth0"}});
  EXPECT_EQ(facts.at("os"), "");
  EXPECT_EQ(facts.at("kernel"), "");
  EXPECT_TRUE(facts.at("cpus").is_null());
  EXPECT_EQ(facts.at("hypervisor_version"), "");
  EXPECT_TRUE(facts.at("interfaces").at("pif").at("mtu").is_null());
  EXPECT_FALSE(facts.at("interfaces").contains("vif"));
  EXPECT_EQ(facts.at("tools").at("tcpdump"), "");
}

TEST(ParseEnvironment, OutputCutShortIsAnError) {
  EXPECT_THROW(parse_environment(sample_output(false), Interfaces{{"pif", "eth0"}}), Error);
  EXPECT_THROW(parse_environment("", Interfaces{{"pif", "eth0"}}), Error);
}

TEST(EnvironmentScript, QuotesInterfaceNamesAndBoundsEveryTool) {
  const std::string script =
      environment_script(Interfaces{{"pif", "eth0"}, {"vif", "x'; reboot; '"}}, "echo v1");
  EXPECT_NE(script.find("interface 'pif' 'eth0'\n"), std::string::npos) << script;
  EXPECT_NE(script.find("interface 'vif' 'x'\\''; reboot; '\\'''\n"), std::string::npos) << script;
  EXPECT_NE(script.find("echo v1"), std::string::npos);
  for (const char* tool : {"ethtool -i", "ethtool -k", "tcpdump --list-time-stamp-types", "tcpdump --version"}) {
    EXPECT_NE(script.find(std::string("timeout 5 ") + tool), std::string::npos) << tool;
  }
  EXPECT_NE(script.find("section end"), std::string::npos);
}

// The script as sh runs it, here: a hostile name stays one word, every
// section is printed, and the output parses.
TEST(EnvironmentScript, RunsUnderShWithAHostileName) {
  weaver::testing::TempDir dir;
  const std::string hostile = "x'; echo INJECTED; '";
  const Interfaces interfaces{{"pif", "lo"}, {"vif", hostile}};
  const auto run = weaver::testing::run_program(
      {"/bin/sh", "-c", environment_script(interfaces, "echo 'test hypervisor 1.0'")}, dir.file("out"),
      dir.file("err"));
  EXPECT_EQ(run.exit_code, 0) << run.err;
  std::istringstream lines(run.out);
  for (std::string line; std::getline(lines, line);) EXPECT_NE(line, "INJECTED") << run.out;
  const nlohmann::json facts = parse_environment(run.out, interfaces);
  EXPECT_FALSE(facts.at("kernel").get<std::string>().empty()) << run.out;
  EXPECT_GT(facts.at("cpus").get<int>(), 0) << run.out;
  EXPECT_EQ(facts.at("hypervisor_version"), "test hypervisor 1.0");
  EXPECT_EQ(facts.at("interfaces").at("vif").at("name"), hostile);
  EXPECT_TRUE(facts.at("interfaces").at("vif").at("mtu").is_null());  // no such interface
  EXPECT_EQ(facts.at("interfaces").at("pif").at("mtu"), 65536);        // lo
}

TEST(UtcTimestamp, SecondsWithZ) {
  EXPECT_EQ(utc_timestamp(std::chrono::system_clock::time_point(std::chrono::seconds(1795825221))),
            "2026-11-28T00:20:21Z");
}

}  // namespace
}  // namespace weaver::orchestrator

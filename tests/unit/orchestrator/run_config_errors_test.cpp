// Every problem in a lab file is one line naming the file, the line and the
// field, so the user can go straight to it.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "weaver/orchestrator/run_config.hpp"
#include "yaml_test_support.hpp"

namespace weaver::orchestrator {
namespace {

struct BadLab {
  const char* name;
  const char* yaml;
  const char* message;  // after "<file>: "
};

// gtest names the failing case by this rather than by its bytes.
void PrintTo(const BadLab& bad, std::ostream* out) { *out << bad.name; }

// Line 1..11: a valid lab the cases below vary.
constexpr const char* valid_head = R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: vm1
        address: 198.18.1.20
)";

const BadLab bad_labs[] = {
    {"MissingPif", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms: [{name: vm1, address: 198.18.1.20}]
  - name: xen2
    host: 10.0.0.3
    adapter: xenserver
    vms: [{name: vm1, address: 198.18.1.21}]
)",
     "line 10: hypervisors[1].pif: missing"},
    {"MisspelledField", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adaptor: xenserver
)",
     "line 7: hypervisors[0].adaptor: unknown field (expected one of: name, host, adapter, pif, "
     "datapath, sources, vms, user, port, key, known_hosts)"},
    {"UnknownTopLevelField", R"(source:
  - name: src1
)",
     "line 1: source: unknown field (expected one of: defaults, sources, hypervisors)"},
    {"UnknownDefaultsField", R"(defaults:
  username: root
)",
     "line 2: defaults.username: unknown field (expected one of: user, port, key, known_hosts)"},
    {"FieldTwice", R"(sources:
  - name: src1
    host: 10.0.0.5
    host: 10.0.0.6
)",
     "line 4: sources[0].host: appears twice"},
    {"SyntaxError", R"(sources:
  - name: src1
    host: [10.0.0.5
hypervisors: []
)",
     "line 4: invalid YAML: "},
    {"NotAMapping", "- just\n- a list\n",
     "line 1: expected a mapping with fields: defaults, sources, hypervisors"},
    {"NoSources", R"(hypervisors:
  - name: xen1
)",
     "line 1: sources: missing"},
    {"EmptySources", "sources: []\n", "line 1: sources: is an empty list"},
    {"NoHypervisors", R"(sources:
  - name: src1
    host: 10.0.0.5
)",
     "line 1: hypervisors: missing"},
    {"NoVms", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
)",
     "line 5: hypervisors[0].vms: missing"},
    {"BadHost", R"(sources:
  - name: src1
    host: "10.0.0.5; reboot"
)",
     "line 3: sources[0].host: '10.0.0.5; reboot' is not a host name or address"},
    {"EmptyHost", R"(sources:
  - name: src1
    host: ""
)",
     "line 3: sources[0].host: is empty"},
    {"HostWithoutValue", R"(sources:
  - name: src1
    host:
)",
     "line 3: sources[0].host: has no value"},
    {"HostIsAList", R"(sources:
  - name: src1
    host: [a, b]
)",
     "line 3: sources[0].host: expected a single value, not a list or mapping"},
    {"BadInterface", R"(sources:
  - name: src1
    host: 10.0.0.5
    interface: eth1.toolongforlinux
)",
     "line 4: sources[0].interface: 'eth1.toolongforlinux' is not 1 to 15 characters long"},
    {"BadPif", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0;reboot
)",
     "line 8: hypervisors[0].pif: 'eth0;reboot' may contain only letters, digits, '.', '-' and "
     "'_'"},
    {"BadVmName", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: -rf
        address: 198.18.1.20
)",
     "line 10: hypervisors[0].vms[0].name: '-rf' must not start with '-'"},
    {"VmWithoutAddress", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: vm1
        vif_index: 2
)",
     "line 10: hypervisors[0].vms[0].address: missing"},
    {"VmSshWithoutHost", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: vm1
        address: 198.18.1.20
        ssh: {user: bench}
)",
     "line 12: hypervisors[0].vms[0].ssh.host: missing"},
    {"VmSshUnknownField", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: vm1
        address: 198.18.1.20
        ssh:
          host: 10.0.1.20
          adapter: xl
)",
     "line 14: hypervisors[0].vms[0].ssh.adapter: unknown field (expected one of: host, user, port, "
     "key, known_hosts)"},
    {"NegativeVifIndex", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: vm1
        vif_index: -1
)",
     "line 11: hypervisors[0].vms[0].vif_index: expected an integer from 0 to 65535, got '-1'"},
    {"PortZero", R"(defaults:
  port: 0
)",
     "line 2: defaults.port: expected an integer from 1 to 65535, got '0'"},
    {"PortTooLarge", R"(sources:
  - name: src1
    host: 10.0.0.5
    port: 65536
)",
     "line 4: sources[0].port: expected an integer from 1 to 65535, got '65536'"},
    {"PortNotANumber", R"(sources:
  - name: src1
    host: 10.0.0.5
    port: ssh
)",
     "line 4: sources[0].port: expected an integer from 1 to 65535, got 'ssh'"},
    {"BadUser", R"(sources:
  - name: src1
    host: 10.0.0.5
    user: "root admin"
)",
     "line 4: sources[0].user: 'root admin' is not a user name"},
    {"TildeUser", R"(defaults:
  key: ~admin/.ssh/id
)",
     "line 2: defaults.key: only a leading ~/ is expanded"},
    {"UnknownAdapter", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: kvm
)",
     "line 7: hypervisors[0].adapter: 'kvm' is not one of: xenserver, xl, libvirt, lab"},
    {"SourceNameWithSlash", R"(sources:
  - name: src/1
    host: 10.0.0.5
)",
     "line 2: sources[0].name: source name 'src/1' may contain only letters, digits, '-' and "
     "'_'"},
    {"DuplicateSourceName", R"(sources:
  - name: src1
    host: 10.0.0.5
  - name: src1
    host: 10.0.0.6
)",
     "line 4: sources[1].name: source name 'src1' is already used by sources[0].name"},
    {"UnknownSourceOfAHypervisor", R"(sources:
  - name: src1
    host: 10.0.0.5
  - name: src2
    host: 10.0.0.6
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    sources: [src1, src3]
)",
     "line 11: hypervisors[0].sources[1]: unknown source 'src3' (sources: src1, src2)"},
    {"SourceListedTwice", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    sources:
      - src1
      - src1
)",
     "line 11: hypervisors[0].sources[1]: source 'src1' is listed twice"},
    {"HypervisorNameWithDot", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1.lab
)",
     "line 5: hypervisors[0].name: hypervisor name 'xen1.lab' may contain only letters, digits, "
     "'-' and '_'"},
    {"DuplicateHypervisorName", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms: [{name: vm1, address: 198.18.1.20}]
  - name: xen1
)",
     "line 10: hypervisors[1].name: hypervisor name 'xen1' is already used by "
     "hypervisors[0].name"},
    {"VmNameUnfitForACaseName", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: xen1
    host: 10.0.0.2
    adapter: xenserver
    pif: eth0
    vms:
      - name: vm1
        address: 198.18.1.20
      - name: vm:2
        address: 198.18.1.21
)",
     "line 12: hypervisors[0].vms[1].name: configuration name 'xen1-vm:2' may contain only "
     "letters, digits, '-' and '_'"},
    {"ConfigurationNameTwice", R"(sources:
  - name: src1
    host: 10.0.0.5
hypervisors:
  - name: a-b
    host: 10.0.0.2
    adapter: xl
    pif: eth0
    vms: [{name: vm0, address: 198.18.1.20}]
  - name: a
    host: 10.0.0.3
    adapter: xl
    pif: eth0
    vms:
      - {name: b, address: 198.18.1.21}
      - {name: c, address: 198.18.1.22}
)",
     "line 15: hypervisors[1].vms[0].name: configuration name 'a-b' is already used by "
     "hypervisors[0].vms[0].name"},
};

class BadLabFile : public testing::YamlFileTest, public ::testing::WithParamInterface<BadLab> {};

TEST_P(BadLabFile, FailsWithFileLineFieldAndWhat) {
  const std::string path = write_text("lab.yaml", GetParam().yaml);
  const std::string message = testing::input_error(path, [&] { load_run_config(path); });
  if (std::string(GetParam().name) == "SyntaxError") {
    EXPECT_EQ(message.rfind(GetParam().message, 0), 0u) << message;
  } else {
    EXPECT_EQ(message, GetParam().message);
  }
}

INSTANTIATE_TEST_SUITE_P(RunConfigFile, BadLabFile, ::testing::ValuesIn(bad_labs),
                         [](const auto& test) { return std::string(test.param.name); });

class RunConfigFileErrors : public testing::YamlFileTest {};

TEST_F(RunConfigFileErrors, TheValidHeadOfTheCasesIsValid) {
  const std::string path = write_text("lab.yaml", valid_head);
  EXPECT_EQ(load_run_config(path).configurations.size(), 1u);
}

TEST_F(RunConfigFileErrors, AMissingFileSaysWhyItCannotBeRead) {
  const std::string path = file("absent.yaml");
  EXPECT_EQ(testing::input_error(path, [&] { load_run_config(path); }),
            "cannot read the YAML file: No such file or directory");
}

TEST_F(RunConfigFileErrors, ADirectoryIsNotALabFile) {
  const std::string path = file("");
  EXPECT_EQ(testing::input_error(path, [&] { load_run_config(path); }),
            "the YAML file is a folder, not a regular file");
}

// Neither a FIFO (whose read would wait for a writer forever) nor a device
// (/dev/zero never ends) nor a file too large to be a lab file is read.
TEST_F(RunConfigFileErrors, OnlyARegularFileOfBoundedSizeIsRead) {
  const std::string fifo = file("fifo.yaml");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  EXPECT_EQ(testing::input_error(fifo, [&] { load_run_config(fifo); }),
            "the YAML file is a FIFO, not a regular file");
  EXPECT_EQ(testing::input_error("/dev/zero", [&] { load_run_config("/dev/zero"); }),
            "the YAML file is a device, not a regular file");
  const std::string big = write_text("big.yaml", "# " + std::string(5 << 20, 'x') + "\n");
  EXPECT_EQ(testing::input_error(big, [&] { load_run_config(big); }),
            "the YAML file is larger than 4 MiB; this is not a YAML file");
}

TEST_F(RunConfigFileErrors, AnEmptyFileNeedsSourcesAndHypervisors) {
  const std::string path = write_text("lab.yaml", "");
  EXPECT_EQ(testing::input_error(path, [&] { load_run_config(path); }),
            "expected a mapping with fields: defaults, sources, hypervisors");
}

TEST_F(RunConfigFileErrors, HomeIsNeededForATildeKey) {
  const std::string path = write_text("lab.yaml", "defaults:\n  key: ~/.ssh/id\n");
  const char* home = std::getenv("HOME");
  const std::string saved = home != nullptr ? home : "";
  ::unsetenv("HOME");
  const std::string message = testing::input_error(path, [&] { load_run_config(path); });
  if (home != nullptr) ::setenv("HOME", saved.c_str(), 1);
  EXPECT_EQ(message, "line 2: defaults.key: starts with ~/ but HOME is not set");
}

}  // namespace
}  // namespace weaver::orchestrator

// The YAML lab file (`weaver run --config lab.yaml`):
//
//   defaults:                 # optional, applied to every ssh endpoint that does not set them
//     user: root
//     port: 22
//     key: ~/.ssh/id_ed25519  # leading ~/ expands to $HOME; null: ssh-agent
//     known_hosts: ~/.ssh/known_hosts   # null or absent: ~/.ssh/known_hosts
//   sources:                  # at least one
//     - name: src1            # letters, digits, '-', '_'; unique
//       host: 10.0.0.5        # ssh
//       address: 198.18.0.10  # optional: traffic source address (default: host)
//       interface: eth1       # optional: data interface
//       user/port/key/known_hosts: optional overrides
//   hypervisors:              # at least one
//     - name: xen1            # letters, digits, '-', '_'; unique
//       host: 10.0.0.2
//       adapter: xenserver    # xenserver | xl | libvirt | lab
//       pif: eth0
//       datapath: bridge      # optional, free text for reports
//       sources: [src1]       # optional, default all
//       user/port/key/known_hosts: optional overrides
//       vms:                  # at least one
//         - name: instance-0f3c   # vm name for the adapter
//           vif_index: 0          # default 0
//           address: 198.18.1.20  # required: traffic destination
//           vif: vif7.0           # optional: skip adapter lookup
//           ssh:                  # optional: the VM over SSH, for egress (VIF->PIF) cases
//             host: 10.0.0.20     # plus user/port/key/known_hosts overrides
//
// Each (hypervisor, vm) is one Configuration, named after the hypervisor when
// it has one VM and "<hypervisor>-<vm>" otherwise. Unknown fields are errors,
// so a typo never silently falls back to a default.
#include "weaver/orchestrator/run_config.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>

#include "weaver/error.hpp"
#include "weaver/orchestrator/yaml_fields.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::orchestrator {
namespace {

using yaml_fields::child;
using yaml_fields::FieldNames;
using yaml_fields::FieldReader;
using yaml_fields::item;
using yaml_fields::Validator;

const FieldNames ssh_fields = {"user", "port", "key", "known_hosts"};

FieldNames with_ssh_fields(FieldNames names) {
  names.insert(names.end(), ssh_fields.begin(), ssh_fields.end());
  return names;
}

// Case names carry configuration and source names, so they stay plain.
bool is_case_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '_';
  });
}

// What libssh is given as the login: a portable POSIX user name.
bool is_user_name(std::string_view name) {
  return !name.empty() && name.size() <= 32 && name.front() != '-' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '-' ||
                  c == '_';
         });
}

class LabFileParser {
 public:
  explicit LabFileParser(const std::string& file) : fields_(file) { config_.origin = file; }

  RunConfig parse(const YAML::Node& root) {
    fields_.expect_fields(root, "", {"defaults", "sources", "hypervisors"});
    if (const YAML::Node defaults = root["defaults"]; defaults.IsDefined()) {
      fields_.expect_fields(defaults, "defaults", ssh_fields);
      apply_ssh_fields(defaults, "defaults", defaults_);
    }
    const YAML::Node sources = fields_.list(root, "", "sources", true);
    for (std::size_t i = 0; i < sources.size(); ++i) add_source(sources[i], item("sources", i));
    const YAML::Node hypervisors = fields_.list(root, "", "hypervisors", true);
    for (std::size_t i = 0; i < hypervisors.size(); ++i) {
      add_hypervisor(hypervisors[i], item("hypervisors", i));
    }
    return std::move(config_);
  }

 private:
  void apply_ssh_fields(const YAML::Node& map, const std::string& path, SshEndpoint& ssh) const {
    if (auto user = fields_.text(map, path, "user")) {
      if (!is_user_name(*user)) {
        fields_.fail(map["user"], child(path, "user"),
                     fmt::format("'{}' is not a user name", *user));
      }
      ssh.user = *user;
    }
    if (auto port = fields_.integer(map, path, "port", 1, 65535)) {
      ssh.port = static_cast<std::uint16_t>(*port);
    }
    // An explicit null returns to the built-in default (ssh-agent, ~/.ssh/known_hosts).
    if (map["key"].IsDefined()) {
      ssh.key_file.reset();
      if (!map["key"].IsNull()) ssh.key_file = path_field(map, path, "key");
    }
    if (map["known_hosts"].IsDefined()) {
      ssh.known_hosts.clear();
      if (!map["known_hosts"].IsNull()) ssh.known_hosts = path_field(map, path, "known_hosts");
    }
  }

  std::filesystem::path path_field(const YAML::Node& map, const std::string& path,
                                   const std::string& key) const {
    const std::string value = fields_.required_text(map, path, key);
    if (value.rfind("~/", 0) != 0) {
      if (value.front() == '~') {
        fields_.fail(map[key], child(path, key), "only a leading ~/ is expanded");
      }
      return value;
    }
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') {
      fields_.fail(map[key], child(path, key), "starts with ~/ but HOME is not set");
    }
    return std::filesystem::path(home) / value.substr(2);
  }

  SshEndpoint endpoint(const YAML::Node& map, const std::string& path) const {
    SshEndpoint ssh = defaults_;
    ssh.host = fields_.required_text(map, path, "host");
    fields_.validate(&remote::validate_host, map["host"], child(path, "host"), ssh.host);
    apply_ssh_fields(map, path, ssh);
    return ssh;
  }

  std::optional<std::string> checked(const YAML::Node& map, const std::string& path,
                                     const std::string& key, Validator check) const {
    std::optional<std::string> value = fields_.text(map, path, key);
    if (value) fields_.validate(check, map[key], child(path, key), *value);
    return value;
  }

  std::string required_checked(const YAML::Node& map, const std::string& path,
                               const std::string& key, Validator check) const {
    std::string value = fields_.required_text(map, path, key);
    fields_.validate(check, map[key], child(path, key), value);
    return value;
  }

  // `name` goes into case names, so it must be plain and not used before.
  void claim_name(std::map<std::string, std::string>& used, const std::string& name,
                  const YAML::Node& near, const std::string& field, const char* what) const {
    if (!is_case_name(name)) {
      fields_.fail(
          near, field,
          fmt::format("{} '{}' may contain only letters, digits, '-' and '_'", what, name));
    }
    const auto [previous, added] = used.emplace(name, field);
    if (!added) {
      fields_.fail(near, field,
                   fmt::format("{} '{}' is already used by {}", what, name, previous->second));
    }
  }

  void add_source(const YAML::Node& map, const std::string& path) {
    fields_.expect_fields(map, path, with_ssh_fields({"name", "host", "address", "interface"}));
    Source source;
    source.name = fields_.required_text(map, path, "name");
    claim_name(source_names_, source.name, map["name"], child(path, "name"), "source name");
    source.ssh = endpoint(map, path);
    source.address = checked(map, path, "address", &remote::validate_host).value_or("");
    source.interface =
        checked(map, path, "interface", &remote::validate_interface_name).value_or("");
    config_.sources.push_back(std::move(source));
  }

  void add_hypervisor(const YAML::Node& map, const std::string& path) {
    fields_.expect_fields(
        map, path,
        with_ssh_fields({"name", "host", "adapter", "pif", "datapath", "sources", "vms"}));
    const std::string name = fields_.required_text(map, path, "name");
    claim_name(hypervisor_names_, name, map["name"], child(path, "name"), "hypervisor name");
    Configuration base;
    base.hypervisor = endpoint(map, path);
    base.adapter = fields_.required_text(map, path, "adapter");
    const FieldNames adapters = {"xenserver", "xl", "libvirt", "lab"};
    if (std::find(adapters.begin(), adapters.end(), base.adapter) == adapters.end()) {
      fields_.fail(map["adapter"], child(path, "adapter"),
                   fmt::format("'{}' is not one of: {}", base.adapter, fmt::join(adapters, ", ")));
    }
    base.pif = required_checked(map, path, "pif", &remote::validate_interface_name);
    base.datapath = fields_.text(map, path, "datapath").value_or("");
    base.sources = source_list(map, path);

    const YAML::Node vms = fields_.list(map, path, "vms", true);
    for (std::size_t i = 0; i < vms.size(); ++i) {
      add_vm(vms[i], item(child(path, "vms"), i), base, name, vms.size() == 1);
    }
  }

  std::vector<std::string> source_list(const YAML::Node& map, const std::string& path) const {
    std::vector<std::string> all;
    for (const Source& source : config_.sources) all.push_back(source.name);
    const YAML::Node listed = fields_.list(map, path, "sources", false);
    if (!listed.IsDefined()) return all;
    std::vector<std::string> chosen;
    for (std::size_t i = 0; i < listed.size(); ++i) {
      const std::string field = item(child(path, "sources"), i);
      if (!listed[i].IsScalar()) fields_.fail(listed[i], field, "expected a source name");
      const std::string name = listed[i].Scalar();
      if (std::find(all.begin(), all.end(), name) == all.end()) {
        fields_.fail(listed[i], field,
                     fmt::format("unknown source '{}' (sources: {})", name, fmt::join(all, ", ")));
      }
      if (std::find(chosen.begin(), chosen.end(), name) != chosen.end()) {
        fields_.fail(listed[i], field, fmt::format("source '{}' is listed twice", name));
      }
      chosen.push_back(name);
    }
    return chosen;
  }

  void add_vm(const YAML::Node& map, const std::string& path, Configuration configuration,
              const std::string& hypervisor_name, bool only_vm) {
    fields_.expect_fields(map, path, {"name", "vif_index", "address", "vif", "ssh"});
    configuration.vm = required_checked(map, path, "name", &remote::validate_vm_name);
    configuration.vif_index =
        static_cast<int>(fields_.integer(map, path, "vif_index", 0, 65535).value_or(0));
    configuration.destination = required_checked(map, path, "address", &remote::validate_host);
    configuration.vif = checked(map, path, "vif", &remote::validate_interface_name).value_or("");
    if (map["ssh"].IsDefined()) {
      const std::string ssh_path = child(path, "ssh");
      fields_.expect_fields(map["ssh"], ssh_path, with_ssh_fields({"host"}));
      configuration.vm_shell.ssh = endpoint(map["ssh"], ssh_path);
    }
    configuration.name = only_vm ? hypervisor_name : hypervisor_name + "-" + configuration.vm;
    claim_name(configuration_names_, configuration.name, map["name"], child(path, "name"),
               "configuration name");
    config_.configurations.push_back(std::move(configuration));
  }

  FieldReader fields_;
  SshEndpoint defaults_;
  RunConfig config_;
  std::map<std::string, std::string> source_names_;  // name -> field that named it first
  std::map<std::string, std::string> hypervisor_names_;
  std::map<std::string, std::string> configuration_names_;
};

// The lab's state.json: written by weaver itself, so a problem here means a
// different weaver version or a damaged file; messages name the field.
class LabStateReader {
 public:
  explicit LabStateReader(std::string origin) : origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(origin_, field.empty() ? what : field + ": " + what);
  }

  const nlohmann::json& member(const nlohmann::json& object, const std::string& path,
                               const std::string& key) const {
    const auto found = object.find(key);
    if (found == object.end()) fail(child(path, key), "missing");
    return *found;
  }

  const nlohmann::json& object(const nlohmann::json& parent, const std::string& path,
                               const std::string& key) const {
    const nlohmann::json& value = member(parent, path, key);
    if (!value.is_object()) fail(child(path, key), "expected an object");
    return value;
  }

  const nlohmann::json& array(const nlohmann::json& parent, const std::string& path,
                              const std::string& key) const {
    const nlohmann::json& value = member(parent, path, key);
    if (!value.is_array()) fail(child(path, key), "expected an array");
    if (value.empty()) fail(child(path, key), "is empty");
    return value;
  }

  std::string text(const nlohmann::json& object, const std::string& path, const std::string& key,
                   Validator check = nullptr) const {
    const nlohmann::json& value = member(object, path, key);
    if (!value.is_string()) fail(child(path, key), "expected a string");
    std::string result = value.get<std::string>();
    if (result.empty()) fail(child(path, key), "is empty");
    if (check != nullptr) {
      try {
        check(child(path, key), result);
      } catch (const UsageError& error) {
        throw InputError(origin_, error.what());
      }
    }
    return result;
  }

  std::int64_t integer(const nlohmann::json& value, const std::string& field, std::int64_t min,
                       std::int64_t max) const {
    if (!value.is_number_integer() || value.get<std::int64_t>() < min ||
        value.get<std::int64_t>() > max) {
      fail(field, fmt::format("expected an integer from {} to {}", min, max));
    }
    return value.get<std::int64_t>();
  }

  const std::string& origin() const { return origin_; }

 private:
  std::string origin_;
};

// "lab wv3" when the state knows its id; otherwise the file it came from.
std::string lab_origin(const nlohmann::json& state) {
  if (!state.is_object()) return "lab state";
  if (const auto id = state.find("id"); id != state.end() && id->is_string()) {
    return "lab " + id->get<std::string>();
  }
  if (const auto dir = state.find("state_dir"); dir != state.end() && dir->is_string()) {
    return dir->get<std::string>() + "/state.json";
  }
  return "lab state";
}

SshEndpoint lab_endpoint(const LabStateReader& reader, const SshEndpoint& shared,
                         const nlohmann::json& host, const std::string& path) {
  SshEndpoint ssh = shared;
  ssh.host = reader.text(host, path, "management_address", &remote::validate_host);
  return ssh;
}

// Every lab host takes the lab's one client key, user and port.
SshEndpoint lab_ssh(const LabStateReader& reader, const nlohmann::json& state) {
  const nlohmann::json& ssh = reader.object(state, "", "ssh");
  SshEndpoint shared;
  shared.user = reader.text(ssh, "ssh", "user");
  if (!is_user_name(shared.user)) reader.fail("ssh.user", "is not a user name");
  shared.port = static_cast<std::uint16_t>(
      reader.integer(reader.member(ssh, "ssh", "port"), "ssh.port", 1, 65535));
  shared.key_file = reader.text(ssh, "ssh", "client_key");
  shared.known_hosts = reader.text(ssh, "ssh", "known_hosts");
  return shared;
}

Source lab_source(const LabStateReader& reader, const SshEndpoint& shared,
                  const nlohmann::json& entry, const std::string& path) {
  if (!entry.is_object()) reader.fail(path, "expected an object");
  Source source;
  source.name = reader.text(entry, path, "name");
  if (!is_case_name(source.name)) reader.fail(child(path, "name"), "is not a plain name");
  source.ssh = lab_endpoint(reader, shared, entry, path);
  source.address = reader.text(entry, path, "data_address", &remote::validate_host);
  source.interface = reader.text(entry, path, "data_interface", &remote::validate_interface_name);
  return source;
}

// The name is set by the caller, which knows whether the datapath repeats.
Configuration lab_configuration(const LabStateReader& reader, const SshEndpoint& shared,
                                const nlohmann::json& entry, const std::string& path) {
  Configuration configuration;
  configuration.hypervisor = lab_endpoint(reader, shared, entry, path);
  // The namespace datapaths' VIFs carry the guest's name as their alias (the
  // lab adapter); a libvirt guest's tap is found as on any libvirt host.
  configuration.adapter = "lab";
  if (const auto adapter = entry.find("adapter"); adapter != entry.end()) {
    configuration.adapter = reader.text(entry, path, "adapter");
    if (configuration.adapter != "lab" && configuration.adapter != "libvirt") {
      reader.fail(child(path, "adapter"), "expected lab or libvirt");
    }
  }
  configuration.pif = reader.text(entry, path, "pif", &remote::validate_interface_name);
  const nlohmann::json& guest = reader.object(entry, path, "guest");
  configuration.vm =
      reader.text(guest, child(path, "guest"), "instance", &remote::validate_vm_name);
  configuration.destination =
      reader.text(guest, child(path, "guest"), "address", &remote::validate_host);
  // A QEMU guest has no namespace to run egress traffic in.
  if (guest.contains("netns")) {
    configuration.vm_shell.netns =
        reader.text(guest, child(path, "guest"), "netns", &remote::validate_vm_name);
  }
  configuration.datapath = reader.text(entry, path, "datapath");
  if (guest.contains("accelerator")) {
    const std::string accelerator = reader.text(guest, child(path, "guest"), "accelerator");
    if (accelerator != "kvm" && accelerator != "tcg") {
      reader.fail(child(child(path, "guest"), "accelerator"), "expected kvm or tcg");
    }
    configuration.datapath += " (QEMU " + accelerator + ")";
  }
  if (const auto delay = entry.find("delay_us"); delay != entry.end()) {
    const std::int64_t delay_us = reader.integer(*delay, child(path, "delay_us"), 0, 1'000'000);
    if (delay_us > 0) configuration.datapath += fmt::format(" delay {} us", delay_us);
  }
  return configuration;
}

}  // namespace

const Source& RunConfig::source(const std::string& name) const {
  const auto found = std::find_if(sources.begin(), sources.end(),
                                  [&](const Source& source) { return source.name == name; });
  if (found == sources.end()) throw Error(fmt::format("{}: unknown source '{}'", origin, name));
  return *found;
}

RunConfig load_run_config(const std::filesystem::path& file) {
  return LabFileParser(file.string()).parse(yaml_fields::load_file(file));
}

RunConfig run_config_from_lab_state(const nlohmann::json& state) {
  const LabStateReader reader(lab_origin(state));
  if (!state.is_object()) reader.fail("", "expected a JSON object");
  const std::string format = reader.text(state, "", "format");
  if (format != "weaver-lab/1") {
    reader.fail("format", fmt::format("'{}' is not weaver-lab/1", format));
  }
  reader.text(state, "", "id");

  RunConfig config;
  config.origin = reader.origin();
  const SshEndpoint shared = lab_ssh(reader, state);
  std::vector<std::string> source_names;
  const nlohmann::json& sources = reader.array(state, "", "sources");
  for (std::size_t i = 0; i < sources.size(); ++i) {
    config.sources.push_back(lab_source(reader, shared, sources[i], item("sources", i)));
    source_names.push_back(config.sources.back().name);
  }

  const nlohmann::json& hypervisors = reader.array(state, "", "hypervisors");
  std::map<std::string, int> datapath_uses;
  for (std::size_t i = 0; i < hypervisors.size(); ++i) {
    if (!hypervisors[i].is_object()) reader.fail(item("hypervisors", i), "expected an object");
    ++datapath_uses[reader.text(hypervisors[i], item("hypervisors", i), "datapath")];
  }
  for (std::size_t i = 0; i < hypervisors.size(); ++i) {
    const std::string path = item("hypervisors", i);
    Configuration configuration = lab_configuration(reader, shared, hypervisors[i], path);
    const std::string datapath = reader.text(hypervisors[i], path, "datapath");
    configuration.name = "lab-" + datapath;
    if (datapath_uses[datapath] > 1) {
      configuration.name += "-" + reader.text(hypervisors[i], path, "name");
    }
    if (!is_case_name(configuration.name)) {
      reader.fail(path,
                  fmt::format("configuration name '{}' is not a plain name", configuration.name));
    }
    for (const Configuration& earlier : config.configurations) {
      if (earlier.name == configuration.name) {
        reader.fail(path, fmt::format("configuration name '{}' appears twice", configuration.name));
      }
    }
    configuration.sources = source_names;
    config.configurations.push_back(std::move(configuration));
  }
  return config;
}

}  // namespace weaver::orchestrator

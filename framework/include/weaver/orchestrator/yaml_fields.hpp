// Reading weaver's YAML inputs (lab files, scenario files) so that every
// failure is a weaver::InputError naming the file, the line and the field
// path: "lab.yaml: line 7: hypervisors[1].pif: missing".
// Plumbing shared by run_config.cpp and the scenario files, not an API of
// the framework.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace weaver::orchestrator::yaml_fields {

using FieldNames = std::vector<std::string>;
// A remote::validate_* check: throws UsageError starting with `field`.
using Validator = void (*)(std::string_view field, std::string_view value);

// "hypervisors[1].pif": `key` under `path` ("pif" at the top level) ...
std::string child(const std::string& path, const std::string& key);
// ... and the `index`th item of the list at `path`.
std::string item(const std::string& path, std::size_t index);

// The file's YAML document; throws InputError "cannot read: ..." or
// "line N: invalid YAML: ...".
YAML::Node load_file(const std::filesystem::path& file);

// Reads fields out of one file's YAML nodes.
class FieldReader {
 public:
  explicit FieldReader(std::string file) : file_(std::move(file)) {}

  // Throws InputError with the line of `near` when it has one.
  [[noreturn]] void fail_at(const YAML::Node& near, const std::string& message) const;
  // The same, with the message "<field>: <what>".
  [[noreturn]] void fail(const YAML::Node& near, const std::string& field,
                         const std::string& what) const;

  // `map` must be a mapping whose keys are all in `allowed`, each once.
  void expect_fields(const YAML::Node& map, const std::string& path,
                     const FieldNames& allowed) const;

  // The value of `key`: undefined when absent; a null value ("key:") is refused.
  YAML::Node value(const YAML::Node& map, const std::string& path, const std::string& key) const;

  // A single value, possibly empty; nullopt when absent.
  std::optional<std::string> text(const YAML::Node& map, const std::string& path,
                                  const std::string& key) const;
  // A single non-empty value.
  std::string required_text(const YAML::Node& map, const std::string& path,
                            const std::string& key) const;

  // `node` as an integer in [min, max], reported as `field` otherwise.
  std::int64_t integer(const YAML::Node& node, const std::string& field, std::int64_t min,
                       std::int64_t max) const;
  // The integer at `key`; nullopt when absent.
  std::optional<std::int64_t> integer(const YAML::Node& map, const std::string& path,
                                      const std::string& key, std::int64_t min,
                                      std::int64_t max) const;

  // A non-empty sequence, or an undefined node when absent and optional.
  YAML::Node list(const YAML::Node& map, const std::string& path, const std::string& key,
                  bool required) const;

  // Runs `check` and reports its UsageError with the file and line of `near`.
  void validate(Validator check, const YAML::Node& near, const std::string& field,
                const std::string& value) const;

 private:
  std::string file_;
};

}  // namespace weaver::orchestrator::yaml_fields

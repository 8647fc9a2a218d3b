#include "weaver/orchestrator/yaml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <memory>

#include "weaver/error.hpp"
#include "weaver/input_file.hpp"

namespace weaver::orchestrator::yaml_fields {
namespace {

YAML::Node key_node(const YAML::Node& map, const std::string& key) {
  for (const auto& entry : map) {
    if (entry.first.IsScalar() && entry.first.Scalar() == key) return entry.first;
  }
  return map;
}

}  // namespace

std::string child(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

std::string item(const std::string& path, std::size_t index) {
  return fmt::format("{}[{}]", path, index);
}

YAML::Node load_file(const std::filesystem::path& file) {
  const std::string text = read_input_file(file.string(), kMaxConfigBytes, "YAML file");
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& error) {
    const std::string where =
        error.mark.is_null() ? "" : fmt::format("line {}: ", error.mark.line + 1);
    throw InputError(file.string(), where + "invalid YAML: " + error.msg);
  }
}

void FieldReader::fail_at(const YAML::Node& near, const std::string& message) const {
  const int line = near.IsDefined() ? near.Mark().line : -1;
  if (line < 0) throw InputError(file_, message);
  throw InputError(file_, fmt::format("line {}: {}", line + 1, message));
}

void FieldReader::fail(const YAML::Node& near, const std::string& field,
                       const std::string& what) const {
  fail_at(near, field.empty() ? what : field + ": " + what);
}

void FieldReader::expect_fields(const YAML::Node& map, const std::string& path,
                                const FieldNames& allowed) const {
  if (!map.IsMap()) {
    fail(map, path, fmt::format("expected a mapping with fields: {}", fmt::join(allowed, ", ")));
  }
  FieldNames seen;
  for (const auto& entry : map) {
    const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      fail(entry.first, child(path, key),
           fmt::format("unknown field (expected one of: {})", fmt::join(allowed, ", ")));
    }
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
      fail(entry.first, child(path, key), "appears twice");
    }
    seen.push_back(key);
  }
}

YAML::Node FieldReader::value(const YAML::Node& map, const std::string& path,
                              const std::string& key) const {
  const YAML::Node node = map[key];
  // A null value's mark is where the next token starts; its key is where the user looks.
  if (node.IsDefined() && node.IsNull()) fail(key_node(map, key), child(path, key), "has no value");
  return node;
}

std::optional<std::string> FieldReader::text(const YAML::Node& map, const std::string& path,
                                             const std::string& key) const {
  const YAML::Node node = value(map, path, key);
  if (!node.IsDefined()) return std::nullopt;
  if (!node.IsScalar()) {
    fail(node, child(path, key), "expected a single value, not a list or mapping");
  }
  return node.Scalar();
}

std::string FieldReader::required_text(const YAML::Node& map, const std::string& path,
                                       const std::string& key) const {
  std::optional<std::string> found = text(map, path, key);
  if (!found) fail(map, child(path, key), "missing");
  if (found->empty()) fail(map[key], child(path, key), "is empty");
  return *found;
}

std::int64_t FieldReader::integer(const YAML::Node& node, const std::string& field,
                                  std::int64_t min, std::int64_t max) const {
  const std::string written = node.IsScalar() ? node.Scalar() : "";
  std::int64_t number = 0;
  const char* end = written.data() + written.size();
  const auto [stop, error] = std::from_chars(written.data(), end, number);
  if (error != std::errc() || stop != end || number < min || number > max) {
    fail(node, field,
         fmt::format("expected an integer from {} to {}, got '{}'", min, max, written));
  }
  return number;
}

std::optional<std::int64_t> FieldReader::integer(const YAML::Node& map, const std::string& path,
                                                 const std::string& key, std::int64_t min,
                                                 std::int64_t max) const {
  if (!text(map, path, key)) return std::nullopt;
  return integer(map[key], child(path, key), min, max);
}

YAML::Node FieldReader::list(const YAML::Node& map, const std::string& path, const std::string& key,
                             bool required) const {
  const YAML::Node node = map[key];
  if (!node.IsDefined()) {
    if (required) fail(map, child(path, key), "missing");
    return node;
  }
  if (!node.IsSequence()) fail(node, child(path, key), "expected a list");
  if (node.size() == 0) fail(node, child(path, key), "is an empty list");
  return node;
}

void FieldReader::validate(Validator check, const YAML::Node& near, const std::string& field,
                           const std::string& value) const {
  try {
    check(field, value);
  } catch (const UsageError& error) {
    fail_at(near, error.what());
  }
}

}  // namespace weaver::orchestrator::yaml_fields

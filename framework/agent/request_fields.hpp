// Reading a request's fields: a missing or mistyped field is an Error naming
// it, which the agent sends back as the request's reply.
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "weaver/error.hpp"

namespace weaver::agent {

template <typename T>
T field(const nlohmann::json& request, const char* name) {
  if (!request.contains(name)) throw Error(std::string("field '") + name + "' is missing");
  try {
    return request.at(name).get<T>();
  } catch (const nlohmann::json::exception&) {
    throw Error(std::string("field '") + name + "' has the wrong type");
  }
}

template <typename T>
T field_or(const nlohmann::json& request, const char* name, T fallback) {
  return request.contains(name) ? field<T>(request, name) : fallback;
}

inline int bounded(const nlohmann::json& request, const char* name, int fallback, int low, int high) {
  const auto value = field_or<std::int64_t>(request, name, fallback);
  if (value < low || value > high) {
    throw Error(std::string("field '") + name + "' is " + std::to_string(value) + ", outside " +
                std::to_string(low) + ".." + std::to_string(high));
  }
  return static_cast<int>(value);
}

}  // namespace weaver::agent

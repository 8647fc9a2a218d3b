// Helpers for tests of YAML inputs: files written into a per-test temporary
// directory, and the one-line message an input error ends with.
#pragma once

#include <fstream>
#include <functional>
#include <string>

#include "temp_dir.hpp"
#include "weaver/error.hpp"

namespace weaver::testing {

class YamlFileTest : public TempDirTest {
 protected:
  std::string write_text(const std::string& name, const std::string& text) {
    const std::string path = file(name);
    std::ofstream(path, std::ios::trunc) << text;
    return path;
  }
};

// The InputError message `load` throws, checked to name `file` first, with
// the "<file>: " prefix removed; a description of what happened otherwise.
inline std::string input_error(const std::string& file, const std::function<void()>& load) {
  try {
    load();
  } catch (const InputError& error) {
    const std::string message = error.what();
    if (error.file() != file || message.rfind(file + ": ", 0) != 0) return "wrong file: " + message;
    return message.substr(file.size() + 2);
  } catch (const std::exception& error) {
    return std::string("not an InputError: ") + error.what();
  }
  return "no error";
}

}  // namespace weaver::testing

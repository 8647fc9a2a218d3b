// A harness input written to a file of its own (the readers under test take
// paths), in a private folder under $TMPDIR removed at exit.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace weaver::fuzz {

struct TempInput {
  std::string directory;
  std::string path;

  explicit TempInput(const std::string& name) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") +
                          "/weaver-fuzzer-XXXXXX";
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (::mkdtemp(buffer.data()) == nullptr) {
      std::perror("fuzzer: mkdtemp");
      std::abort();
    }
    directory = buffer.data();
    path = directory + "/" + name;
  }

  ~TempInput() {
    ::unlink(path.c_str());
    ::rmdir(directory.c_str());
  }

  TempInput(const TempInput&) = delete;
  TempInput& operator=(const TempInput&) = delete;

  void write(const std::uint8_t* data, std::size_t size) const {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
      std::perror("fuzzer: fopen");
      std::abort();
    }
    if (size > 0 && std::fwrite(data, 1, size, file) != size) {
      std::perror("fuzzer: fwrite");
      std::abort();
    }
    if (std::fclose(file) != 0) {
      std::perror("fuzzer: fclose");
      std::abort();
    }
  }
};

}  // namespace weaver::fuzz

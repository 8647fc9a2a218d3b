// After every test binary run: no folder of this process's fixtures (named
// /tmp/weaver-remote-test-<pid>-...) and no process naming one (their sshd,
// the commands it ran) is left on the machine. ctest runs each test in a
// process of its own, so this is checked after every single test; tests of
// other processes running beside it (ctest -j) have other names.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string fixture_prefix() { return "/tmp/weaver-remote-test-" + std::to_string(::getpid()) + "-"; }

std::vector<std::string> fixture_folders() {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::directory_iterator("/tmp")) {
    if (entry.path().string().rfind(fixture_prefix(), 0) == 0) found.push_back(entry.path());
  }
  return found;
}

// Command lines naming a fixture folder (its sshd, the commands it ran).
std::vector<std::string> fixture_processes() {
  std::vector<std::string> found;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string cmdline;
    try {
      std::ifstream in(entry.path() / "cmdline", std::ios::binary);
      cmdline.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      continue;  // the process ended while being read (ESRCH)
    }
    if (cmdline.find(fixture_prefix()) != std::string::npos) {
      for (char& c : cmdline) c = c == '\0' ? ' ' : c;
      found.push_back(entry.path().filename().string() + ": " + cmdline);
    }
  }
  return found;
}

class NothingLeftBehind : public ::testing::Environment {
 public:
  void TearDown() override {
    EXPECT_EQ(fixture_folders(), std::vector<std::string>{});
    // An sshd child serving a connection that just closed (sshd -R) may take
    // a moment to exit; it must be gone within two seconds.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (!fixture_processes().empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_EQ(fixture_processes(), std::vector<std::string>{});
  }
};

const auto* const kNothingLeftBehind = ::testing::AddGlobalTestEnvironment(new NothingLeftBehind);

}  // namespace

// A real OpenSSH sshd for one test: generated host and client keys, its own
// config and known_hosts in a temp dir, on a free port of 127.0.0.1. The
// destructor stops it (TERM, then KILL to the process group) and removes the
// dir, also when the test failed.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

#include "weaver/remote/ssh_executor.hpp"

namespace weaver::testing {

class TestDir {
 public:
  TestDir();
  ~TestDir();
  TestDir(const TestDir&) = delete;
  TestDir& operator=(const TestDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

class SshdServer {
 public:
  SshdServer();
  ~SshdServer();
  SshdServer(const SshdServer&) = delete;
  SshdServer& operator=(const SshdServer&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_.path(); }
  // Options for root with the ed25519 client key and a known_hosts holding the host key.
  remote::SshOptions options() const;
  // The authorized ed25519 client key options() uses.
  std::filesystem::path client_key() const { return dir_.path() / "client_ed25519"; }
  // A client key of `type` ("ed25519", "ecdsa", "rsa"), authorized when `authorize`.
  std::filesystem::path make_client_key(const std::string& type, bool authorize);
  void stop();  // kills sshd and every process in its group, waits for it
  void crash();  // SIGKILL to sshd and its connection handlers at once

 private:
  TestDir dir_;
  std::uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// Runs a shell command line for test setup; throws when it fails.
void run_or_throw(const std::string& command_line);
// A TCP port on 127.0.0.1 nobody listens on right now.
std::uint16_t free_port();

}  // namespace weaver::testing

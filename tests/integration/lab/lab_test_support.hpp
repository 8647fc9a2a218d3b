// Helpers of the lab integration tests: the weaver binary, labs and tcpdump
// captures as RAII objects (removed also when an assertion fails), traffic
// from a source namespace, and snapshots of what the lab may leave behind.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "process.hpp"

namespace weaver::lab::test {

bool running_as_root();

ProcessOutput run_weaver(const std::vector<std::string>& args);

// A lab brought up by `weaver lab up --id ID ... --json`, downed on destruction.
class TestLab {
 public:
  TestLab(const std::string& id, const std::vector<std::string>& up_args);
  ~TestLab();
  TestLab(const TestLab&) = delete;
  TestLab& operator=(const TestLab&) = delete;

  const nlohmann::json& state() const { return state_; }
  const nlohmann::json& hypervisor(std::size_t index = 0) const { return state_.at("hypervisors").at(index); }
  const nlohmann::json& source(std::size_t index = 0) const { return state_.at("sources").at(index); }
  bool up() const { return !state_.is_null(); }
  const std::string& up_error() const { return up_error_; }

 private:
  std::string id_;
  nlohmann::json state_;
  std::string up_error_;
};

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// tcpdump -i IF in namespace NETNS writing nanosecond pcap to FILE; the
// constructor returns once tcpdump says it is listening.
class Capture {
 public:
  Capture(const std::string& netns, const std::string& interface, const std::string& file,
          const std::string& filter = "udp");
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  // SIGINT, then waits: the file is complete afterwards.
  void stop();
  bool listening() const { return listening_; }
  const std::string& file() const { return file_; }

 private:
  pid_t pid_ = -1;
  int stderr_fd_ = -1;
  std::string stderr_;
  bool listening_ = false;
  std::string file_;
};

// hping3 UDP packets from a source namespace to `destination` (port 9);
// false when hping3 failed.
bool send_udp(const std::string& source_netns, const std::string& destination, int count,
              int interval_us);

// `weaver analyze --pif --vif --json`; null json (and the message in `error`) on failure.
nlohmann::json analyze(const std::string& pif, const std::string& vif, std::string& error);

// UDP datagrams the guest's kernel received for closed ports (Udp NoPorts).
long guest_udp_no_ports(const std::string& guest_netns);

// A running process: its pid and command line (argv joined by NULs).
struct RunningProcess {
  std::string pid;
  std::string cmdline;
  std::string program() const { return cmdline.substr(0, cmdline.find('\0')); }  // argv[0]
};
// Every process on the machine; one that ends while being read is left out.
std::vector<RunningProcess> running_processes();

// Lab-related objects on the machine: namespaces and root links named wv<N>-...,
// processes that belong to a lab (by command line).
struct LabFootprint {
  std::set<std::string> namespaces;
  std::set<std::string> links;
  std::set<std::string> processes;
  bool operator==(const LabFootprint&) const = default;
};
LabFootprint lab_footprint();
std::string describe(const LabFootprint& footprint);

// The one results folder a run wrote under `parent`; empty when there is
// not exactly one.
std::filesystem::path only_results_folder(const std::string& parent);
std::string read_file(const std::filesystem::path& path);
// Writes `text` to `name` in `dir`; returns its path.
std::string write_file(const TempDir& dir, const std::string& name, const std::string& text);

// A traffic generator: hping3, or weaver-gen as uploaded (.../weaver-gen-<hash>).
bool is_traffic(const std::string& program);
// Command lines of running tcpdump and traffic processes.
std::vector<std::string> traffic_and_captures();

// A child process killed and reaped should the test end before it did.
struct Child {
  pid_t pid = -1;
  ~Child();
  int wait();
};

}  // namespace weaver::lab::test

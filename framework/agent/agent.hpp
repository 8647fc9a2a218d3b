// weaver-agent's event loop: one process per host and run, serving weaver's
// requests on stdin (agent_protocol.hpp) while its captures and commands run.
// Single-threaded: stdin, every capture's ring and every command's pipes and
// pidfd are polled together, so the captures are read between requests.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "ebpf_capture.hpp"
#include "live_capture.hpp"

namespace weaver::agent {

class Agent {
 public:
  // `dir`: the agent's own mktemp -d folder, removed when it ends.
  // `idle`: the agent ends after this long without a request while nothing runs.
  // `btf`: the kernel's BTF, which the in-kernel probes are built against.
  Agent(std::string dir, std::chrono::seconds idle, std::string btf = "/sys/kernel/btf/vmlinux");
  ~Agent();

  // Serves until stdin closes, a TERM/INT/HUP arrives, or the agent idles;
  // then stops its commands, closes its captures and removes its folder.
  // Returns the exit code.
  int run();

 private:
  struct CaptureSet {
    std::vector<std::unique_ptr<LiveCapture>> sides;
    std::vector<std::string> files;
  };

  struct Probes {
    std::unique_ptr<EbpfCapture> capture;
    std::vector<std::string> interfaces;  // [pif, vif], as the request gave them
    std::size_t first = 0;                // which of them packets reach first
    std::string records_file;
  };

  void read_requests();
  void handle_line(std::string_view line);
  nlohmann::json handle(const nlohmann::json& request);
  nlohmann::json start_capture(const nlohmann::json& request);
  nlohmann::json start_probes(const nlohmann::json& request, std::uint64_t id);
  nlohmann::json finish_capture(const nlohmann::json& request);
  nlohmann::json finish_probes(std::uint64_t id, bool keep);
  void discard_capture(const nlohmann::json& request);
  // Removes a capture and its files.
  void drop_capture(std::map<std::uint64_t, CaptureSet>::iterator capture);
  nlohmann::json spawn(const nlohmann::json& request);
  void signal_run(const nlohmann::json& request);
  void service_runs(const std::vector<int>& ready);
  void send(const nlohmann::json& message);
  void stop_everything();

  std::string dir_;
  std::chrono::seconds idle_;
  std::string btf_;
  Clock::time_point last_request_;
  int signal_fd_ = -1;
  bool stdin_open_ = true;
  bool stdout_broken_ = false;
  std::string pending_input_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, CaptureSet> captures_;
  std::map<std::uint64_t, Probes> probes_;
  std::map<std::uint64_t, std::string> kept_records_;  // finished with keep, until discarded
  std::map<std::uint64_t, std::unique_ptr<ChildProcess>> runs_;
};

}  // namespace weaver::agent

// One case end to end: resolve the VIF, capture on PIF and VIF at once, send
// the traffic from every source at once, stop the captures, fetch them,
// analyze. SSH sessions (one per host) and each host's remote temp dir live
// for the whole run; close() (or the destructor) removes the temp dirs.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "weaver/agent/agent_protocol.hpp"
#include "weaver/analysis/latency_result.hpp"
#include "weaver/capture/match_key.hpp"
#include "weaver/orchestrator/run_config.hpp"
#include "weaver/orchestrator/traffic_spec.hpp"

namespace weaver::orchestrator {

// How the PIF and VIF are measured. ebpf: weaver-agent's in-kernel probes
// stamp and match every packet in the kernel (no packet reaches user space;
// drops come with the kernel's reason). agent: weaver-agent captures both
// with libpcap in one process and analyses them on the host (buffered: no
// wakeup per packet). tcpdump: two buffered tcpdumps, fetched and analysed
// here. automatic: ebpf where the probes load, else the agent's libpcap
// (always with keep_captures, which keeps packet captures), else tcpdump;
// the case says which and why.
enum class CaptureMethod { automatic, ebpf, agent, tcpdump };

// Where a case is; reported as it gets there.
enum class CaseStage { capturing, sending, fetching, analyzing };

struct RunOptions {
  bool accept_new_host_keys = false;  // like OpenSSH StrictHostKeyChecking=accept-new
  std::chrono::seconds connect_timeout{10};
  std::chrono::milliseconds drain{100};  // after the traffic, before the captures stop
  capture::KeyKind key = capture::KeyKind::automatic;
  // Where fetched captures go (one subfolder per case); empty: a temporary
  // folder removed with the orchestrator.
  std::filesystem::path capture_dir;
  bool keep_captures = false;  // false: each case's files are removed once analyzed
  // SIGINT/SIGTERM end the traffic in flight; that case and every later one
  // then fail with "interrupted", and close() still cleans every host.
  bool stop_on_signals = false;
  // weaver-gen to upload to the sources (cached there by content) and send
  // with; none: the sources run hping3.
  std::optional<std::filesystem::path> generator;
  CaptureMethod capture = CaptureMethod::automatic;
  // The kernel BTF the in-kernel probes load against, on the hypervisors;
  // empty: the agent's default, /sys/kernel/btf/vmlinux.
  std::string btf;
  // weaver-agent to upload to every SSH host (cached there by content) for
  // captures and commands; none: tcpdump captures, one SSH exec per command.
  std::optional<std::filesystem::path> agent;
  // Called as a case moves on, with the case name and a line saying what it
  // does ("capturing on eth0 and vif1.0").
  std::function<void(CaseStage, std::string_view case_name, std::string_view what)> progress;
};

// The capture's own counts: libpcap's statistics in the agent, or the lines
// tcpdump prints when it stops.
struct CaptureStats {
  std::string method;  // "ebpf", "agent" or "tcpdump"
  std::uint64_t captured = 0;
  std::uint64_t received_by_filter = 0;
  std::uint64_t dropped_by_kernel = 0;
  std::uint64_t dropped_by_interface = 0;  // agent only (pcap_stats ps_ifdrop)
  std::string timestamp_type;  // agent only: "host", ...
  std::string precision;       // "nano" or "micro"
  bool reported = false;  // false: tcpdump printed no statistics
};

struct CaseResult {
  std::string configuration;
  std::string pif;
  std::string vif;  // as the adapter resolved it
  analysis::LatencyResult latency;
  CaptureStats pif_capture;
  CaptureStats vif_capture;
  std::uint64_t sent = 0;      // packets the sources report transmitted
  double achieved_pps = 0;     // per source, from the PIF timestamps of the traffic
  double source_pps = 0;       // per source, as weaver-gen measured its own sending (0: hping3)
  std::uint64_t send_errors = 0;  // sends weaver-gen had to retry (full queue)
  double traffic_seconds = 0;  // from starting the traffic to its end on every source
  double case_seconds = 0;     // the whole case
  std::filesystem::path pif_file;  // local copies (removed unless keep_captures)
  std::filesystem::path vif_file;
  // With keep_captures: the capture the packets reach second as pcapng, each
  // matched packet commented with its delay ("PIF->VIF 12.345 us").
  std::filesystem::path annotated_file;
  // ebpf with keep_captures: every matched packet's two stamps (packets.csv).
  std::filesystem::path packets_file;
  // ebpf: what the in-kernel probes saw besides the latency.
  std::optional<agent::ProbeSummary> probes;
  std::vector<std::string> warnings;  // measured, but not as asked (e.g. hping3 instead of weaver-gen)
};

class Orchestrator {
 public:
  Orchestrator(RunConfig config, RunOptions options);
  ~Orchestrator();
  Orchestrator(const Orchestrator&) = delete;
  Orchestrator& operator=(const Orchestrator&) = delete;

  const RunConfig& config() const;

  // Runs one traffic run of `spec` on `configuration`. Throws weaver::Error
  // (remote::RemoteError for what happened on a host) naming where it failed;
  // the remote processes it started are stopped first.
  CaseResult run_case(const Configuration& configuration, const TrafficSpec& spec,
                      const std::string& case_name);

  // The same case on several configurations at once (one per hypervisor), in
  // the order given; a failed one holds its error, the others their result.
  struct Outcome {
    std::optional<CaseResult> result;
    std::string error;
  };
  std::vector<Outcome> run_cases(const std::vector<const Configuration*>& configurations,
                                 const TrafficSpec& spec, const std::string& case_name);

  // environment.json (shape in weaver/orchestrator/environment.hpp): what
  // RFC 8204 asks a report to disclose about every configuration of the run,
  // over the run's SSH sessions, one probe command per configuration (plus
  // the adapter's VIF lookup, which later cases reuse). Hosts are probed side
  // by side, a host's configurations one after another. Does not throw for a
  // host's failure: that configuration gets an "error"; every remote call is
  // bounded (connect timeout, 30 s VIF lookup, 60 s probe).
  nlohmann::json collect_environment();

  // The signal that interrupted the run (with stop_on_signals), or 0.
  int interrupted() const;

  // Stops what still runs and removes every host's remote temp dir.
  void close();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace weaver::orchestrator

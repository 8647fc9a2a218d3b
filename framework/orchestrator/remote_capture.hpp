// tcpdump on the hypervisor (--capture tcpdump, or where weaver-agent cannot
// run), writing nanosecond pcap into the run's remote temp dir: started,
// awaited until it listens, stopped with SIGINT (so it writes out what it
// holds and prints its statistics), then fetched.
#pragma once

#include <memory>
#include <string>

#include "weaver/orchestrator/orchestrator.hpp"
#include "weaver/remote/executor.hpp"

namespace weaver::orchestrator {

// tcpdump's argv: buffered delivery (ring blocks, not a wakeup per packet;
// the case's drain outlasts the last block's timeout), nanosecond stamps, a
// 32 MiB kernel buffer, headers and the leading payload only (what the match
// keys use), the filter after "--".
std::vector<std::string> tcpdump_argv(const std::string& interface, const std::string& file,
                                      const std::string& filter, bool as_root);

// Reads "N packets captured", "N packets received by filter" and
// "N packets dropped by kernel" from tcpdump's closing lines.
void read_tcpdump_statistics(std::string_view line, CaptureStats& stats);

class RemoteCapture {
 public:
  // Returns once tcpdump printed "listening on".
  static remote::asio::awaitable<std::unique_ptr<RemoteCapture>> start(
      remote::Executor& host, std::string interface, std::string file, std::string filter,
      std::chrono::seconds time_limit, bool as_root);

  // SIGINT, then waits for tcpdump to exit; the file is complete afterwards.
  remote::asio::awaitable<CaptureStats> stop();
  // For failure paths: ends tcpdump without waiting for its statistics.
  remote::asio::awaitable<void> abort() noexcept;

  const std::string& file() const { return file_; }

 private:
  RemoteCapture(std::string interface, std::string file) : interface_(std::move(interface)), file_(std::move(file)) {}
  std::string interface_;
  std::string file_;
  std::unique_ptr<remote::Process> process_;
  std::shared_ptr<CaptureStats> stats_ = std::make_shared<CaptureStats>();
  std::shared_ptr<std::string> last_error_ = std::make_shared<std::string>();
};

}  // namespace weaver::orchestrator

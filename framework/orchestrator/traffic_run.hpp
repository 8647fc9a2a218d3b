// The traffic of a case on its senders: each sender's command while it runs
// (its summary line, its last complaint), and the commands of every case in
// flight, so an interruption can end them.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "traffic_command.hpp"
#include "weaver/orchestrator/run_config.hpp"
#include "weaver/orchestrator/traffic_spec.hpp"
#include "weaver/remote/executor.hpp"

#include <boost/asio/io_context.hpp>

namespace weaver::orchestrator {

// One sender's traffic command while it runs: its summary line and its last
// complaint, for the message when it fails.
struct TrafficRun {
  const Source* source = nullptr;
  remote::Executor* host = nullptr;
  std::unique_ptr<remote::Process> process;
  std::optional<std::string> generator;  // weaver-gen's path on the source; none: hping3
  std::string program;  // argv[0]: weaver-gen, hping3, or the scenario's source_command
  std::shared_ptr<std::optional<std::uint64_t>> transmitted = std::make_shared<std::optional<std::uint64_t>>();
  std::shared_ptr<GeneratorSummary> summary = std::make_shared<GeneratorSummary>();
  std::shared_ptr<std::uint64_t> sent_so_far = std::make_shared<std::uint64_t>(0);
  std::shared_ptr<std::string> last_error = std::make_shared<std::string>();
};

// The traffic commands of the cases in flight, so an interruption (Ctrl-C)
// can end them; each case then fails and stops its own captures. Once the
// run is stopping, a command registered later is ended at once.
class ActiveTraffic {
 public:
  explicit ActiveTraffic(remote::asio::io_context& io) : io_(io) {}
  void add(remote::Process* process);
  void remove(remote::Process* process) { std::erase(processes_, process); }
  // Sends TERM to each, without waiting for them to end.
  void stop_all();
  bool stopping() const { return stopping_; }

 private:
  bool registered(remote::Process* process) const;
  void stop(remote::Process* process);

  remote::asio::io_context& io_;
  std::vector<remote::Process*> processes_;
  bool stopping_ = false;
};

// Starts the sender's traffic command and waits for it to end well; `sent`
// is set only then. Throws weaver::Error naming the source when it fails.
// `on_progress` (may be empty) hears of every progress line weaver-gen prints.
remote::asio::awaitable<void> run_traffic(TrafficRun& run, const TrafficSpec& spec, std::string destination,
                                          std::chrono::seconds limit, ActiveTraffic& active, std::uint64_t& sent,
                                          std::function<void()> on_progress);

}  // namespace weaver::orchestrator

#include "traffic_run.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <exception>

#include "weaver/error.hpp"

namespace weaver::orchestrator {
namespace {

namespace asio = remote::asio;
constexpr std::chrono::seconds kControlTimeout{10};

asio::awaitable<void> start_traffic(TrafficRun& run, const TrafficSpec& spec,
                                    const std::string& destination, std::chrono::seconds limit,
                                    const std::function<void()>& on_progress) {
  remote::Command command;
  command.argv = traffic_argv(spec, *run.source, destination, run.generator,
                              static_cast<bool>(on_progress));
  run.program = command.argv.front();
  auto on_line = [transmitted = run.transmitted, summary = run.summary,
                  error = run.last_error, sent_so_far = run.sent_so_far,
                  on_progress](std::string_view line) {
    if (auto sent = read_progress(line)) {
      *sent_so_far = *sent;
      on_progress();
    } else if (auto count = read_packets_transmitted(line)) {
      *transmitted = *count;
    } else if (auto generator = read_generator_summary(line)) {
      *transmitted = generator->sent;
      *summary = *generator;
    } else if (!line.empty()) {
      *error = line;
    }
  };
  command.on_stdout = on_line;
  command.on_stderr = on_line;
  command.time_limit = limit;
  run.process = co_await run.host->start(std::move(command), kControlTimeout);
}

asio::awaitable<std::uint64_t> finish_traffic(TrafficRun& run, std::chrono::seconds limit) {
  // Beyond the remote `timeout`, so that it, not this wait, ends a command
  // that runs too long, and the exit status says so.
  const remote::ExitStatus status = co_await run.process->wait(limit + kControlTimeout);
  const std::string what = run.host->where() + ": traffic from " + run.source->name;
  if (!status.code) throw Error(what + " was killed by signal " + status.signal);
  if (status.code == 127) {
    throw Error(what + ": " + run.program + " is not installed" +
                (run.program == "hping3" ? " (Debian package hping3)" : ""));
  }
  if (status.code == 124) {
    throw Error(what + ": " + run.program + " ran past its time limit of " +
                std::to_string(limit.count()) + " s and was stopped");
  }
  // hping3 exits 1 when no reply came back, which says nothing about the path
  // measured; its summary line says whether it sent.
  if (!*run.transmitted) {
    throw Error(what + " failed with exit status " + std::to_string(*status.code) +
                (run.last_error->empty() ? "" : ": " + *run.last_error));
  }
  co_return **run.transmitted;
}

}  // namespace

asio::awaitable<void> run_traffic(TrafficRun& run, const TrafficSpec& spec, std::string destination,
                                  std::chrono::seconds limit, ActiveTraffic& active, std::uint64_t& sent,
                                  std::function<void()> on_progress) {
  // `sent` is set only by a command that ended well.
  if (active.stopping()) co_return;  // the case fails as interrupted
  co_await start_traffic(run, spec, destination, limit, on_progress);
  remote::Process* process = run.process.get();
  active.add(process);
  std::exception_ptr failure;
  try {
    sent = co_await finish_traffic(run, limit);
  } catch (...) {
    failure = std::current_exception();
  }
  active.remove(process);  // before the process goes: stop() must not reach it
  run.process.reset();
  if (failure) std::rethrow_exception(failure);
}

void ActiveTraffic::add(remote::Process* process) {
  processes_.push_back(process);
  if (stopping_) stop(process);
}

void ActiveTraffic::stop_all() {
  stopping_ = true;
  for (remote::Process* process : processes_) stop(process);
}

bool ActiveTraffic::registered(remote::Process* process) const {
  return std::find(processes_.begin(), processes_.end(), process) != processes_.end();
}

// TERM through the pid file may find it not yet written by a command that has
// just started: a few tries, each only while the process is still registered
// (so never after its case has let it go).
void ActiveTraffic::stop(remote::Process* process) {
  asio::co_spawn(
      io_,
      [this, process]() -> asio::awaitable<void> {
        asio::steady_timer pause(io_);
        for (int attempt = 0; attempt < 20 && registered(process); ++attempt) {
          try {
            co_await process->signal("TERM", kControlTimeout);
            co_return;
          } catch (...) {
            // Not yet signalable, or it ended meanwhile: look again shortly.
          }
          pause.expires_after(std::chrono::milliseconds(100));
          co_await pause.async_wait(asio::use_awaitable);
        }
      },
      asio::detached);
}

}  // namespace weaver::orchestrator

#include "remote_capture.hpp"

#include <exception>

#include "count_line.hpp"
#include "end_quietly.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::orchestrator {
namespace {

constexpr std::chrono::seconds kControlTimeout{10};

// `value` is set only when everything before `suffix` is the number.
bool read_count(std::string_view line, std::string_view suffix, std::uint64_t& value) {
  const std::optional<std::uint64_t> number = count_before(line, suffix);
  if (number) value = *number;
  return number.has_value();
}

}  // namespace

std::vector<std::string> tcpdump_argv(const std::string& interface, const std::string& file,
                                      const std::string& filter, bool as_root) {
  remote::validate_interface_name("interface", interface);
  // No --immediate-mode: a wakeup of tcpdump per packet competes with the
  // softirq forwarding it and adds several microseconds to what is measured.
  std::vector<std::string> argv{"tcpdump", "-n", "-i", interface, "--time-stamp-precision=nano",
                                "-B", "32768", "-s", "256", "-w", file};
  // Debian's tcpdump drops to user tcpdump after opening the device, which
  // could not write into a root-owned mktemp dir.
  if (as_root) argv.insert(argv.end(), {"-Z", "root"});
  return remote::with_bpf_filter(std::move(argv), filter);
}

void read_tcpdump_statistics(std::string_view line, CaptureStats& stats) {
  if (read_count(line, " packets captured", stats.captured) ||
      read_count(line, " packet captured", stats.captured) ||
      read_count(line, " packets received by filter", stats.received_by_filter) ||
      read_count(line, " packet received by filter", stats.received_by_filter)) {
    return;
  }
  if (read_count(line, " packets dropped by kernel", stats.dropped_by_kernel) ||
      read_count(line, " packet dropped by kernel", stats.dropped_by_kernel)) {
    stats.reported = true;
  }
}

remote::asio::awaitable<std::unique_ptr<RemoteCapture>> RemoteCapture::start(
    remote::Executor& host, std::string interface, std::string file, std::string filter,
    std::chrono::seconds time_limit, bool as_root) {
  std::unique_ptr<RemoteCapture> capture(new RemoteCapture(interface, file));
  remote::Command command;
  command.argv = tcpdump_argv(interface, file, filter, as_root);
  command.on_stderr = [stats = capture->stats_, error = capture->last_error_](std::string_view line) {
    read_tcpdump_statistics(line, *stats);
    if (line.rfind("tcpdump: ", 0) == 0) *error = line;
  };
  command.time_limit = time_limit;
  capture->process_ = co_await host.start(std::move(command), kControlTimeout);
  std::exception_ptr failure;
  try {
    co_await capture->process_->wait_for_line("listening on", kControlTimeout);
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) {
    co_await capture->abort();
    // tcpdump's own complaint ("tcpdump: eth9: No such device exists") says more.
    if (!capture->last_error_->empty()) {
      throw Error(host.where() + ": tcpdump on " + capture->interface_ + " did not start: " +
                  *capture->last_error_);
    }
    std::rethrow_exception(failure);
  }
  co_return capture;
}

remote::asio::awaitable<CaptureStats> RemoteCapture::stop() {
  co_await process_->signal("INT", kControlTimeout);
  const remote::ExitStatus status = co_await process_->wait(kControlTimeout);
  process_.reset();
  stats_->method = "tcpdump";
  stats_->precision = "nano";
  if (!status.success()) {
    throw Error("tcpdump on " + interface_ + " ended with " +
                (status.code ? "exit status " + std::to_string(*status.code) : "signal " + status.signal) +
                (last_error_->empty() ? "" : ": " + *last_error_));
  }
  co_return *stats_;
}

remote::asio::awaitable<void> RemoteCapture::abort() noexcept { co_await end_quietly(process_); }

}  // namespace weaver::orchestrator

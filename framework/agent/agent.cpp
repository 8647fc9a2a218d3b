#include "agent.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <thread>

#include "weaver/analysis/analyze.hpp"
#include "weaver/error.hpp"
#include "weaver/output_file.hpp"
#include "request_fields.hpp"

namespace weaver::agent {
namespace {

using nlohmann::json;

constexpr std::chrono::seconds kMaxTimeLimit{7 * 24 * 3600};
constexpr std::chrono::seconds kStopGrace{2};
constexpr std::chrono::milliseconds kRecordsInterval{100};

}  // namespace

Agent::Agent(std::string dir, std::chrono::seconds idle, std::string btf)
    : dir_(std::move(dir)), idle_(idle), btf_(std::move(btf)), last_request_(Clock::now()) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int number : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&mask, number);
  ::sigprocmask(SIG_BLOCK, &mask, nullptr);
  signal_fd_ = ::signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  ::signal(SIGPIPE, SIG_IGN);  // a closed stdout is seen as EPIPE
}

Agent::~Agent() {
  stop_everything();
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

void Agent::send(const json& message) {
  if (stdout_broken_) return;
  // Replacement characters for bytes that are not UTF-8 (a command's output).
  const std::string line = message.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
  // A failed write means weaver is gone: end as if stdin closed.
  if (write_all(STDOUT_FILENO, line) != 0) stdout_broken_ = true;
}

int Agent::run() {
  send({{"event", "hello"}, {"version", kProtocolVersion}, {"pid", ::getpid()}, {"dir", dir_}});
  ::fcntl(STDIN_FILENO, F_SETFL, ::fcntl(STDIN_FILENO, F_GETFL) | O_NONBLOCK);
  int exit_code = 0;
  while (stdin_open_ && !stdout_broken_) {
    std::vector<pollfd> fds{{STDIN_FILENO, POLLIN, 0}, {signal_fd_, POLLIN, 0}};
    for (const auto& [id, set] : captures_) {
      for (const auto& side : set.sides) {
        if (side) fds.push_back({side->selectable_fd(), POLLIN, 0});
      }
    }
    bool records = false;
    for (const auto& [id, probes] : probes_) {
      if (probes.capture->records_fd() >= 0) fds.push_back({probes.capture->records_fd(), POLLIN, 0});
      records = records || probes.capture->records_fd() >= 0;
    }
    const auto now = Clock::now();
    const bool busy = !runs_.empty() || !captures_.empty() || !probes_.empty();
    auto wake = busy ? Clock::time_point::max() : last_request_ + idle_;
    // Records wake the agent in batches: drain them on a timer too.
    if (records) wake = now + kRecordsInterval;
    if (wake <= now) {
      send({{"event", "idle"}, {"seconds", idle_.count()}});
      break;
    }
    for (auto& [id, run] : runs_) {
      wake = std::min(wake, run->enforce_time_limit(now));
      for (int fd : run->descriptors()) fds.push_back({fd, POLLIN, 0});
    }
    const auto wait_ms = wake == Clock::time_point::max()
                             ? -1
                             : std::clamp<std::int64_t>(
                                   std::chrono::ceil<std::chrono::milliseconds>(wake - now).count(), 0,
                                   INT_MAX);
    if (::poll(fds.data(), fds.size(), static_cast<int>(wait_ms)) < 0 && errno != EINTR) {
      exit_code = 1;
      break;
    }
    if (fds[1].revents != 0) {
      signalfd_siginfo info{};
      if (::read(signal_fd_, &info, sizeof info) > 0) {
        send({{"event", "signal"}, {"signal", sigabbrev_np(static_cast<int>(info.ssi_signo))}});
        exit_code = 128 + static_cast<int>(info.ssi_signo);
        break;
      }
    }
    // Captures first: a block waiting in the ring is the thing that must not wait.
    for (auto& [id, set] : captures_) {
      for (auto& side : set.sides) {
        if (side) side->read_available();
      }
    }
    for (auto& [id, probes] : probes_) probes.capture->read_records();
    std::vector<int> ready;
    for (std::size_t i = 2; i < fds.size(); ++i) {
      if (fds[i].revents != 0) ready.push_back(fds[i].fd);
    }
    service_runs(ready);
    if (fds[0].revents != 0) read_requests();
  }
  stop_everything();
  return exit_code;
}

void Agent::read_requests() {
  char buffer[64 * 1024];
  for (;;) {
    const ssize_t got = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) break;
    if (got <= 0) {
      stdin_open_ = false;
      break;
    }
    pending_input_.append(buffer, static_cast<std::size_t>(got));
    std::size_t newline;
    while ((newline = pending_input_.find('\n')) != std::string::npos) {
      const std::string line = pending_input_.substr(0, newline);
      pending_input_.erase(0, newline + 1);
      handle_line(line);
    }
    if (pending_input_.size() > kMaxLineBytes) {
      send({{"event", "error"}, {"error", "a request line is longer than " + std::to_string(kMaxLineBytes) + " bytes"}});
      stdin_open_ = false;
      break;
    }
  }
}

void Agent::handle_line(std::string_view line) {
  last_request_ = Clock::now();
  const json request = json::parse(line, nullptr, false);
  if (!request.is_object() || !request.contains("id") || !request["id"].is_number_unsigned()) {
    send({{"event", "error"}, {"error", "a request that is not a JSON object with an id"}});
    return;
  }
  json reply;
  try {
    reply = handle(request);
    reply["ok"] = true;
  } catch (const std::exception& error) {
    reply = {{"ok", false}, {"error", error.what()}};
  }
  reply["id"] = request["id"];
  send(reply);
}

json Agent::handle(const json& request) {
  const std::string op = field<std::string>(request, "op");
  if (op == "capture") return start_capture(request);
  if (op == "finish") return finish_capture(request);
  if (op == "discard") {
    discard_capture(request);
    return json::object();
  }
  if (op == "spawn") return spawn(request);
  if (op == "signal") {
    signal_run(request);
    return json::object();
  }
  throw Error("unknown operation");
}

json Agent::start_capture(const json& request) {
  const std::uint64_t id = next_id_++;
  const auto method = field_or<std::string>(request, "method", "libpcap");
  if (method == "ebpf") return start_probes(request, id);
  if (method != "libpcap") throw Error("field 'method' is '" + method + "', not libpcap or ebpf");
  const auto interfaces = field<std::vector<std::string>>(request, "interfaces");
  if (interfaces.empty() || interfaces.size() > 8) throw Error("give 1 to 8 interfaces");
  CaptureSettings settings;
  settings.filter = field_or<std::string>(request, "filter", "");
  settings.snaplen = bounded(request, "snaplen", settings.snaplen, 64, 262144);
  settings.buffer_bytes = bounded(request, "buffer_bytes", settings.buffer_bytes, 1 << 20, 1 << 30);
  settings.timeout_ms = bounded(request, "timeout_ms", settings.timeout_ms, 1, 1000);
  CaptureSet set;
  json sides = json::array();
  for (std::size_t i = 0; i < interfaces.size(); ++i) {
    const std::string file = dir_ + "/capture-" + std::to_string(id) + "-" + std::to_string(i) + ".pcap";
    set.files.push_back(file);
    try {
      set.sides.push_back(std::make_unique<LiveCapture>(interfaces[i], file, settings));
    } catch (...) {
      set.sides.clear();
      for (const std::string& made : set.files) std::filesystem::remove(made);
      throw;
    }
    sides.push_back(to_json(set.sides.back()->side()));
  }
  captures_.emplace(id, std::move(set));
  return {{"capture", id}, {"sides", std::move(sides)}};
}

json Agent::finish_capture(const json& request) {
  const auto id = field<std::uint64_t>(request, "capture");
  const bool keep = field_or<bool>(request, "keep", false);
  if (probes_.contains(id)) return finish_probes(id, keep);
  auto found = captures_.find(id);
  if (found == captures_.end()) throw Error("no capture " + std::to_string(id));
  CaptureSet& set = found->second;
  if (set.sides.empty() || !set.sides.front()) throw Error("capture " + std::to_string(id) + " is already finished");
  std::vector<LiveCapture*> open;
  for (auto& side : set.sides) open.push_back(side.get());
  read_until_quiet(open);
  json sides = json::array();
  std::vector<CaptureSide> finished;
  for (auto& side : set.sides) {
    finished.push_back(side->finish());
    sides.push_back(to_json(finished.back()));
    side.reset();
  }
  json reply{{"sides", std::move(sides)}};
  if (request.contains("analyze")) {
    const json& analyze = request["analyze"];
    const auto first = static_cast<std::size_t>(bounded(analyze, "first", 0, 0, 1));
    if (finished.size() != 2) throw Error("analysis needs exactly two interfaces");
    analysis::AnalyzeOptions options;
    options.pif_path = finished[first].file;
    options.vif_path = finished[1 - first].file;
    const auto key = capture::parse_key_kind(field_or<std::string>(analyze, "key", "auto"));
    if (!key) throw Error("field 'key' names no match key");
    options.key = *key;
    options.window_ns = field_or<std::int64_t>(analyze, "window_ns", analysis::kDefaultWindowNs);
    std::exception_ptr failure;
    try {
      reply["result"] = to_json(analysis::analyze_captures(options));
    } catch (...) {
      failure = std::current_exception();
    }
    if (failure && !keep) drop_capture(found);
    if (failure) std::rethrow_exception(failure);
  }
  if (!keep) drop_capture(found);
  return reply;
}

void Agent::drop_capture(std::map<std::uint64_t, CaptureSet>::iterator capture) {
  for (const std::string& file : capture->second.files) std::filesystem::remove(file);
  captures_.erase(capture);
}

void Agent::discard_capture(const json& request) {
  const auto id = field<std::uint64_t>(request, "capture");
  auto found = captures_.find(id);
  if (found != captures_.end()) drop_capture(found);  // already gone: discarding is idempotent
  if (auto probes = probes_.find(id); probes != probes_.end()) {
    const std::string records = probes->second.records_file;
    probes_.erase(probes);  // detaches them
    if (!records.empty()) std::filesystem::remove(records);
  }
  if (auto kept = kept_records_.find(id); kept != kept_records_.end()) {
    std::filesystem::remove(kept->second);
    kept_records_.erase(kept);
  }
}

json Agent::spawn(const json& request) {
  const auto argv = field<std::vector<std::string>>(request, "argv");
  const auto limit = std::chrono::seconds(field<std::int64_t>(request, "time_limit_s"));
  if (limit.count() < 1 || limit > kMaxTimeLimit) {
    throw Error("field 'time_limit_s' must be 1.." + std::to_string(kMaxTimeLimit.count()));
  }
  const std::uint64_t id = next_id_++;
  runs_.emplace(id, std::make_unique<ChildProcess>(argv, limit));
  return {{"run", id}};
}

void Agent::signal_run(const json& request) {
  const auto id = field<std::uint64_t>(request, "run");
  const auto name = field<std::string>(request, "signal");
  const auto number = signal_by_name(name);
  if (!number) throw Error("signal '" + name + "' is not one of TERM INT KILL HUP USR1 USR2");
  if (auto found = runs_.find(id); found != runs_.end()) found->second->signal(*number);
}

void Agent::service_runs(const std::vector<int>& ready) {
  for (auto it = runs_.begin(); it != runs_.end();) {
    auto& [id, run] = *it;
    const std::uint64_t run_id = id;
    for (int fd : run->descriptors()) {
      if (std::find(ready.begin(), ready.end(), fd) == ready.end()) continue;
      run->read(fd, [&](bool is_stderr, std::string_view line) {
        send({{"event", "line"}, {"run", run_id}, {"stream", is_stderr ? "stderr" : "stdout"},
              {"text", std::string(line)}});
      });
    }
    run->reap();  // WNOHANG: nothing happens until it has exited
    if (run->finished()) {
      json event{{"event", "exit"}, {"run", run_id}};
      if (run->exit_code()) event["code"] = *run->exit_code();
      else event["signal"] = run->exit_signal();
      send(event);
      it = runs_.erase(it);
    } else {
      ++it;
    }
  }
}

void Agent::stop_everything() {
  for (auto& [id, run] : runs_) run->signal(SIGTERM);
  const auto until = Clock::now() + kStopGrace;
  while (!runs_.empty() && Clock::now() < until) {
    for (auto it = runs_.begin(); it != runs_.end();) {
      it->second->reap();
      // Output no longer matters: drop the pipes' remains.
      it = it->second->reaped() ? runs_.erase(it) : std::next(it);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  runs_.clear();  // the destructor KILLs what is left
  captures_.clear();
  probes_.clear();  // detaches the probes
  std::error_code ignored;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ignored);
  dir_.clear();
}

}  // namespace weaver::agent

#include "weaver/remote/agent_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <map>
#include <optional>
#include <vector>

#include "deadline.hpp"
#include "weaver/remote/notifier.hpp"

namespace weaver::remote {

using nlohmann::json;

struct AgentSession::State {
  std::string where;
  std::unique_ptr<Process> process;
  std::uint64_t next_id = 1;
  std::map<std::uint64_t, json> replies;
  std::map<std::uint64_t, EventListener> listeners;
  std::map<std::uint64_t, std::vector<json>> early_events;  // for runs not yet listened to
  std::optional<json> hello;
  std::string gone;  // why the agent is no more; empty while it runs
  std::string last_stderr;
  Notifier changed;

  // Called from inside libssh: nothing may escape.
  void on_line(std::string_view line) noexcept {
    try {
      dispatch(line);
    } catch (const std::exception& error) {
      last_stderr = std::string("weaver-agent's line could not be handled: ") + error.what();
    }
    changed.notify_all();
  }

  void dispatch(std::string_view line) {
    json message = json::parse(line, nullptr, false);
    if (!message.is_object()) {
      last_stderr = std::string(line.substr(0, 500));  // not the protocol: a complaint
      return;
    }
    if (message.contains("id")) {
      if (message["id"].is_number_unsigned()) {
        const auto id = message["id"].get<std::uint64_t>();
        replies[id] = std::move(message);
      }
    } else if (message.value("event", "") == "hello") {
      hello = std::move(message);
    } else if (message.contains("run") && message["run"].is_number_unsigned()) {
      const auto run = message["run"].get<std::uint64_t>();
      if (auto found = listeners.find(run); found != listeners.end()) {
        found->second(message);
      } else {
        early_events[run].push_back(std::move(message));
      }
    } else if (message.contains("error")) {
      last_stderr = message.value("error", "");
    }
  }

  void end(std::string reason) {
    if (!gone.empty()) return;
    gone = std::move(reason);
    const json event{{"event", "gone"}, {"reason", gone}};
    auto listening = listeners;  // a listener may forget itself
    for (auto& [run, listener] : listening) listener(event);
    changed.notify_all();
  }
};

namespace {

asio::awaitable<void> watch(std::shared_ptr<AgentSession::State> state) {
  std::string reason;
  try {
    const ExitStatus status = co_await state->process->wait(std::chrono::hours(24 * 366));
    reason = "weaver-agent ended (" +
             (status.code ? "exit status " + std::to_string(*status.code) : "signal " + status.signal) + ")";
  } catch (const std::exception& error) {
    reason = std::string("weaver-agent lost: ") + error.what();
  }
  if (!state->last_stderr.empty()) reason += ": " + state->last_stderr;
  state->end(reason);
}

}  // namespace

asio::awaitable<std::shared_ptr<AgentSession>> AgentSession::start(Executor& host, std::string agent_path,
                                                                  std::chrono::seconds lifetime,
                                                                  std::chrono::seconds idle,
                                                                  Timeout timeout) {
  auto state = std::make_shared<State>();
  state->where = host.where();
  Command command;
  command.argv = {std::move(agent_path), "--idle-timeout", std::to_string(idle.count())};
  command.time_limit = lifetime;
  command.record_pid = false;  // it ends with its stdin; signals go through the protocol
  command.open_stdin = true;
  std::weak_ptr<State> weak = state;
  command.on_stdout = [weak](std::string_view line) {
    if (auto alive = weak.lock()) alive->on_line(line);
  };
  command.on_stderr = [weak](std::string_view line) {
    if (auto alive = weak.lock()) alive->last_stderr = std::string(line.substr(0, 500));
  };
  const auto deadline = Deadline::after(timeout);
  state->process = co_await host.start(std::move(command), timeout);
  asio::co_spawn(co_await asio::this_coro::executor, watch(state), asio::detached);
  while (!state->hello && state->gone.empty()) {
    if (deadline.passed()) {
      throw RemoteError(state->where, "start weaver-agent", RemoteErrc::deadline_exceeded,
                        "no hello: " + deadline.exceeded());
    }
    co_await state->changed.wait_until(deadline.at);
  }
  if (!state->gone.empty()) {
    throw RemoteError(state->where, "start weaver-agent", RemoteErrc::channel_failed, state->gone);
  }
  co_return std::shared_ptr<AgentSession>(new AgentSession(state));
}

AgentSession::~AgentSession() {
  // The process handle ends the channel, and with it the agent's stdin.
  state_->listeners.clear();
}

bool AgentSession::alive() const { return state_->gone.empty(); }

const std::string& AgentSession::where() const { return state_->where; }

std::string AgentSession::folder() const {
  const json& dir = (*state_->hello)["dir"];
  return dir.is_string() ? dir.get<std::string>() : "";
}

asio::awaitable<json> AgentSession::request(json request, Timeout timeout) {
  const std::string op = request.value("op", "?");
  const std::string operation = "weaver-agent " + op;
  if (!state_->gone.empty()) throw RemoteError(state_->where, operation, RemoteErrc::connection_lost, state_->gone);
  const std::uint64_t id = state_->next_id++;
  request["id"] = id;
  const auto deadline = Deadline::after(timeout);
  std::shared_ptr<State> state = state_;  // the frame keeps it
  co_await state->process->write(request.dump() + "\n", timeout);
  for (;;) {
    if (auto found = state->replies.find(id); found != state->replies.end()) {
      json reply = std::move(found->second);
      state->replies.erase(found);
      if (!reply.value("ok", false)) {
        throw RemoteError(state->where, operation, RemoteErrc::agent_refused,
                          reply.value("error", "failed without a reason"));
      }
      co_return reply;
    }
    if (!state->gone.empty()) throw RemoteError(state->where, operation, RemoteErrc::connection_lost, state->gone);
    if (deadline.passed()) throw RemoteError(state->where, operation, RemoteErrc::deadline_exceeded, deadline.exceeded());
    co_await state->changed.wait_until(deadline.at);
  }
}

void AgentSession::listen(std::uint64_t run, EventListener listener) {
  state_->listeners[run] = listener;
  if (auto early = state_->early_events.find(run); early != state_->early_events.end()) {
    const std::vector<json> events = std::move(early->second);
    state_->early_events.erase(early);
    for (const json& event : events) listener(event);
  }
  if (!state_->gone.empty()) listener(json{{"event", "gone"}, {"reason", state_->gone}});
}

void AgentSession::forget(std::uint64_t run) {
  state_->listeners.erase(run);
  state_->early_events.erase(run);
}

asio::awaitable<void> AgentSession::close(Timeout timeout) {
  if (!state_->gone.empty()) co_return;
  std::shared_ptr<State> state = state_;
  co_await state->process->close_stdin(timeout);
  const auto deadline = Deadline::after(timeout);
  while (state->gone.empty() && !deadline.passed()) co_await state->changed.wait_until(deadline.at);
  if (state->gone.empty()) {
    throw RemoteError(state->where, "close weaver-agent", RemoteErrc::deadline_exceeded, deadline.exceeded());
  }
}

}  // namespace weaver::remote

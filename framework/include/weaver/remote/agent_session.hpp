// weaver-agent on one host for the whole run (weaver/agent/agent_protocol.hpp):
// started once, over one channel of the host's session, under `timeout`. It
// runs weaver's commands (no login shell and no channel per command, so a
// host's slow shell start-up is paid once per run) and serves capture
// requests. It ends by itself when its stdin closes, which happens when this
// session closes, weaver dies or the link drops.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "weaver/remote/executor.hpp"

namespace weaver::remote {

class AgentSession {
 public:
  struct State;
  using EventListener = std::function<void(const nlohmann::json& event)>;

  // Runs `agent_path` on `host` and waits for its hello. `lifetime` bounds
  // it (`timeout`); the agent also ends after `idle` without a request.
  static asio::awaitable<std::shared_ptr<AgentSession>> start(Executor& host, std::string agent_path,
                                                              std::chrono::seconds lifetime,
                                                              std::chrono::seconds idle, Timeout timeout);
  ~AgentSession();

  // Sends `request` (an "id" is added) and returns the reply's fields; a reply
  // with ok:false throws RemoteError with the agent's reason.
  asio::awaitable<nlohmann::json> request(nlohmann::json request, Timeout timeout);

  // The "line" and "exit" events of run `run` (also those that came before
  // listen), and a synthetic {"event":"gone","reason":...} should the agent end.
  void listen(std::uint64_t run, EventListener listener);
  void forget(std::uint64_t run);

  bool alive() const;
  const std::string& where() const;
  // The agent's own folder on the host (its mktemp -d), removed when it ends.
  std::string folder() const;
  // Closes the agent's stdin and waits for it to end (it cleans up first).
  asio::awaitable<void> close(Timeout timeout);

 private:
  explicit AgentSession(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace weaver::remote

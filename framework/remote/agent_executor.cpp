#include "weaver/remote/agent_executor.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "process_core.hpp"
#include "ssh_process.hpp"  // validate_signal_name

namespace weaver::remote {
namespace {

using nlohmann::json;

// A plain function taking its arguments by value: the coroutine frame owns them.
asio::awaitable<void> stop_run(std::shared_ptr<AgentSession> agent, std::uint64_t run) {
  json request{{"op", "signal"}, {"run", run}, {"signal", "TERM"}};
  try {
    co_await agent->request(std::move(request), std::chrono::seconds(10));
  } catch (...) {
    // It ended meanwhile, or the agent did: its time limit is the backstop.
  }
}

// One command in the agent: its line and exit events feed a ProcessCore.
class AgentProcess final : public Process {
 public:
  AgentProcess(std::shared_ptr<AgentSession> agent, std::uint64_t run, std::shared_ptr<ProcessCore> core,
               asio::any_io_executor executor)
      : agent_(std::move(agent)), run_(run), core_(std::move(core)), executor_(std::move(executor)) {}
  ~AgentProcess() override {
    core_->drop_callbacks();
    agent_->forget(run_);
    // Abandoned while running: ask it to stop (its time limit is the backstop).
    if (!core_->done() && agent_->alive()) {
      asio::co_spawn(executor_, stop_run(agent_, run_), asio::detached);
    }
  }

  asio::awaitable<std::string> wait_for_line(std::string pattern, Timeout timeout) override {
    co_return co_await core_->wait_for_line(std::move(pattern), timeout);
  }
  asio::awaitable<ExitStatus> wait(Timeout timeout) override { co_return co_await core_->wait(timeout); }
  asio::awaitable<void> signal(std::string signal_name, Timeout timeout) override {
    validate_signal_name(core_->where(), signal_name);
    if (core_->done()) co_return;
    json request{{"op", "signal"}, {"run", run_}, {"signal", signal_name}};
    co_await agent_->request(std::move(request), timeout);
  }
  asio::awaitable<void> write(std::string, Timeout) override {
    core_->throw_error(RemoteErrc::channel_failed, "stdin of a command the agent runs is /dev/null");
  }
  asio::awaitable<void> close_stdin(Timeout) override { co_return; }
  const std::string& description() const override { return core_->description(); }

 private:
  std::shared_ptr<AgentSession> agent_;
  std::uint64_t run_;
  std::shared_ptr<ProcessCore> core_;
  asio::any_io_executor executor_;
};

void deliver(ProcessCore& core, const json& event) {
  const std::string kind = event.value("event", "");
  if (kind == "line") {
    const json& text = event["text"];
    if (!text.is_string()) return;
    core.append(event.value("stream", "") == "stderr", text.get<std::string>() + "\n");
  } else if (kind == "exit") {
    ExitStatus status;
    if (event.contains("code") && event["code"].is_number_integer()) status.code = event["code"].get<int>();
    if (event.contains("signal") && event["signal"].is_string()) status.signal = event["signal"].get<std::string>();
    core.finish(status);
  } else if (kind == "gone") {
    try {
      core.throw_error(RemoteErrc::connection_lost, event.value("reason", "weaver-agent ended"));
    } catch (const RemoteError&) {
      core.fail(std::current_exception());
    }
  }
}

}  // namespace

asio::awaitable<std::unique_ptr<Process>> AgentExecutor::start(Command command, Timeout timeout) {
  if (command.argv.empty()) throw UsageError(where() + ": empty command");
  if (command.open_stdin) throw UsageError(where() + ": commands the agent runs have no stdin");
  const auto limit = command.time_limit.value_or(kDefaultTimeLimit);
  auto core = std::make_shared<ProcessCore>(where(), describe_exec(command.argv), std::move(command.on_stdout),
                                            std::move(command.on_stderr));
  json request{{"op", "spawn"}, {"argv", command.argv}, {"time_limit_s", std::max<long>(1, limit.count())}};
  const json reply = co_await agent_->request(std::move(request), timeout);
  const auto run = reply.value("run", std::uint64_t{0});
  auto process = std::make_unique<AgentProcess>(agent_, run, core, co_await asio::this_coro::executor);
  agent_->listen(run, [weak = std::weak_ptr<ProcessCore>(core)](const json& event) {
    if (auto alive = weak.lock()) deliver(*alive, event);
  });
  co_return process;
}

}  // namespace weaver::remote

#include "fake_executor.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string_view>

#include "weaver/remote/shell_words.hpp"

namespace weaver::testing {
namespace {

// Output lines go to the callbacks as soon as the process starts; wait()
// then only reports the exit status.
class FakeProcess final : public remote::Process {
 public:
  FakeProcess(std::string description, remote::ExitStatus status)
      : description_(std::move(description)), status_(std::move(status)) {}

  asio::awaitable<std::string> wait_for_line(std::string, remote::Timeout) override {
    throw std::logic_error("FakeProcess::wait_for_line is not faked");
  }
  asio::awaitable<remote::ExitStatus> wait(remote::Timeout) override { co_return status_; }
  asio::awaitable<void> signal(std::string, remote::Timeout) override { co_return; }
  asio::awaitable<void> write(std::string, remote::Timeout) override {
    throw std::logic_error("FakeProcess::write is not faked");
  }
  asio::awaitable<void> close_stdin(remote::Timeout) override { co_return; }
  const std::string& description() const override { return description_; }

 private:
  std::string description_;
  remote::ExitStatus status_;
};

void deliver_lines(std::string_view text, const remote::LineCallback& callback) {
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (callback) callback(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

}  // namespace

void FakeExecutor::reply(Argv argv, int exit_code, std::string out, std::string err) {
  replies_[std::move(argv)] = Reply{exit_code, std::move(out), std::move(err)};
}

asio::awaitable<std::unique_ptr<remote::Process>> FakeExecutor::start(remote::Command command,
                                                                      remote::Timeout timeout) {
  commands_.push_back(command.argv);
  timeouts_.push_back(timeout);
  const auto found = replies_.find(command.argv);
  if (found == replies_.end()) {
    // An argv the test did not expect: fail loudly rather than guess.
    ADD_FAILURE() << "unexpected command: " << remote::shell_quote(command.argv);
    throw std::logic_error("unexpected command");
  }
  deliver_lines(found->second.out, command.on_stdout);
  deliver_lines(found->second.err, command.on_stderr);
  co_return std::make_unique<FakeProcess>(remote::shell_quote(command.argv),
                                          remote::ExitStatus{found->second.exit_code, ""});
}

asio::awaitable<std::string> FakeExecutor::temp_dir(remote::Timeout) {
  throw std::logic_error("FakeExecutor::temp_dir is not faked");
}

asio::awaitable<void> FakeExecutor::upload(std::filesystem::path, std::string,
                                           remote::ProgressCallback, remote::Timeout) {
  throw std::logic_error("FakeExecutor::upload is not faked");
}

asio::awaitable<void> FakeExecutor::download(std::string, std::filesystem::path,
                                             remote::ProgressCallback, remote::Timeout) {
  throw std::logic_error("FakeExecutor::download is not faked");
}

asio::awaitable<void> FakeExecutor::close(remote::Timeout) { co_return; }

std::string resolve(const std::string& adapter, FakeExecutor& executor, const std::string& vm,
                    int vif_index) {
  const auto resolver = hypervisor::make_vif_resolver(adapter);
  const hypervisor::VmInterface request{vm, vif_index};
  return run_sync(resolver->resolve(executor, request, std::chrono::seconds(10)));
}

}  // namespace weaver::testing

#include "tool_call.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join

#include <algorithm>
#include <charconv>
#include <utility>

#include "weaver/error.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::hypervisor {

void check_request(const remote::Executor& executor, const Tool& tool,
                   const VmInterface& interface) {
  remote::validate_vm_name(fmt::format("{}: {}: VM name", executor.where(), tool.adapter),
                           interface.vm);
  if (interface.vif_index < 0) {
    throw UsageError(fmt::format("{}: {}: VM '{}': VIF index {} is negative", executor.where(),
                                 tool.adapter, interface.vm, interface.vif_index));
  }
}

remote::asio::awaitable<remote::CommandOutput> run_tool(remote::Executor& executor,
                                                        const Tool& tool,
                                                        std::vector<std::string> argv,
                                                        remote::Timeout timeout) {
  try {
    co_return co_await executor.capture(std::move(argv), timeout);
  } catch (const remote::RemoteError& error) {
    if (error.code() != remote::RemoteErrc::command_not_found) throw;
  }
  // The usual cause is the wrong adapter for this host, so say so.
  throw Error(
      fmt::format("{} not found on {}: {}", tool.program, executor.where(), tool.missing_hint));
}

remote::Timeout remaining(Clock::time_point deadline) {
  return std::max(deadline - Clock::now(), remote::Timeout::zero());
}

std::string command_line(const std::vector<std::string>& argv) {
  return fmt::format("{}", fmt::join(argv, " "));
}

std::optional<int> parse_int(std::string_view text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

void fail(const remote::Executor& executor, const Tool& tool, std::string_view vm,
          std::string_view problem) {
  throw Error(fmt::format("{}: {}: VM '{}' {}", executor.where(), tool.adapter, vm, problem));
}

void fail_exit(const remote::Executor& executor, const Tool& tool, std::string_view vm,
               const std::vector<std::string>& argv, const remote::CommandOutput& output) {
  std::string said = first_line(output.err);
  if (said.empty()) said = first_line(output.out);
  if (said.empty()) said = "(no message)";
  fail(executor, tool, vm,
       fmt::format("could not be looked up: {} exited with status {}: {}", command_line(argv),
                   output.status.code.value_or(-1), said));
}

std::string checked_vif_name(const remote::Executor& executor, const Tool& tool,
                             std::string_view vm, std::string name) {
  try {
    remote::validate_interface_name(
        fmt::format("{}: {}: VM '{}': VIF name", executor.where(), tool.adapter, vm), name);
  } catch (const UsageError& error) {
    // Not the user's mistake: the hypervisor's tool printed something odd.
    throw Error(error.what());
  }
  return name;
}

}  // namespace weaver::hypervisor

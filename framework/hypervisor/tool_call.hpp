// What every adapter does around its hypervisor tool: refuse a bad request
// before any command exists, run the tool, and phrase each failure as one
// line naming the host, the VM and what the tool said.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weaver/hypervisor/vif_resolver.hpp"
#include "weaver/remote/executor.hpp"
#include "weaver/text_lines.hpp"  // first_line, for the adapters

namespace weaver::hypervisor {

struct Tool {
  const char* adapter;       // "xenserver": follows the host in every message
  const char* program;       // "xe"
  const char* missing_hint;  // "is this a XenServer host?"
};

using Clock = std::chrono::steady_clock;

// Validates the VM name and the VIF index; throws UsageError.
void check_request(const remote::Executor& executor, const Tool& tool,
                   const VmInterface& interface);

// Runs argv and returns its output whatever its exit code. Exit 127 throws
// Error "xe not found on <where>: is this a XenServer host?".
remote::asio::awaitable<remote::CommandOutput> run_tool(remote::Executor& executor,
                                                        const Tool& tool,
                                                        std::vector<std::string> argv,
                                                        remote::Timeout timeout);

// The time left until `deadline`, never negative: one deadline covers all of
// an adapter's commands.
remote::Timeout remaining(Clock::time_point deadline);

// "xe vm-list name-label=web1 ...": the words are validated, so they read
// better unquoted.
std::string command_line(const std::vector<std::string>& argv);
// A whole decimal number, optionally negative.
std::optional<int> parse_int(std::string_view text);

// Throws Error "<where>: <adapter>: VM '<vm>' <problem>".
[[noreturn]] void fail(const remote::Executor& executor, const Tool& tool, std::string_view vm,
                       std::string_view problem);
// For an exit status nothing more specific explains: quotes what the tool said.
[[noreturn]] void fail_exit(const remote::Executor& executor, const Tool& tool, std::string_view vm,
                            const std::vector<std::string>& argv,
                            const remote::CommandOutput& output);

// `name` once it is a usable interface name; the tool's output is not trusted
// to be one, and the name goes on into tcpdump's command line.
std::string checked_vif_name(const remote::Executor& executor, const Tool& tool,
                             std::string_view vm, std::string name);

}  // namespace weaver::hypervisor

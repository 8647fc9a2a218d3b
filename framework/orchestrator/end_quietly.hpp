// Ending a remote process on a failure path, where a second error would only
// hide the first: TERM, a bounded wait, and nothing thrown. Every remote
// process runs under `timeout`, which ends it anyway should this fail.
#pragma once

#include <chrono>
#include <memory>

#include "weaver/remote/executor.hpp"

namespace weaver::orchestrator {

inline remote::asio::awaitable<void> end_quietly(std::unique_ptr<remote::Process>& process) noexcept {
  if (!process) co_return;
  constexpr std::chrono::seconds kTimeout{10};
  try {
    co_await process->signal("TERM", kTimeout);
    co_await process->wait(kTimeout);
  } catch (...) {
    // See above: `timeout` on the host is the backstop.
  }
  process.reset();
}

}  // namespace weaver::orchestrator

// Runs coroutines side by side on one io_context and resumes when all have
// finished (Boost 1.74 has no parallel_group yet). The first exception is
// rethrown once every coroutine has ended, so none outlives the caller's frame.
#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <exception>
#include <memory>
#include <vector>

#include "weaver/remote/executor.hpp"

namespace weaver::orchestrator {

inline remote::asio::awaitable<void> concurrently(remote::asio::io_context& io,
                                                  std::vector<remote::asio::awaitable<void>> tasks) {
  namespace asio = remote::asio;
  struct Join {
    explicit Join(asio::io_context& context) : done(context, asio::steady_timer::time_point::max()) {}
    asio::steady_timer done;
    std::size_t running = 0;
    std::exception_ptr first_failure;
  };
  auto join = std::make_shared<Join>(io);
  join->running = tasks.size();
  for (auto& task : tasks) {
    asio::co_spawn(io, std::move(task), [join](std::exception_ptr failure) {
      if (failure && !join->first_failure) join->first_failure = failure;
      if (--join->running == 0) join->done.cancel();
    });
  }
  if (join->running > 0) {
    boost::system::error_code ignored;
    co_await join->done.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
  if (join->first_failure) std::rethrow_exception(join->first_failure);
}

}  // namespace weaver::orchestrator

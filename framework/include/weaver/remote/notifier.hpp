// Wakes every coroutine waiting on it. A waiter sleeps on its own timer until
// its time limit; notify_all() cancels the timers. Everything runs on one
// strand, so no locking.
#pragma once

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <vector>

#include "weaver/remote/executor.hpp"

namespace weaver::remote {

using Clock = std::chrono::steady_clock;

class Notifier {
 public:
  // Returns when notified or at `until`, whichever comes first.
  asio::awaitable<void> wait_until(Clock::time_point until) {
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor, until);
    std::erase_if(waiters_, [](const auto& weak) { return weak.expired(); });
    waiters_.push_back(timer);
    boost::system::error_code ignored;
    co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }

  void notify_all() {
    auto waiters = std::move(waiters_);
    waiters_.clear();
    for (auto& weak : waiters) {
      if (auto timer = weak.lock()) timer->cancel();
    }
  }

 private:
  std::vector<std::weak_ptr<asio::steady_timer>> waiters_;
};

}  // namespace weaver::remote

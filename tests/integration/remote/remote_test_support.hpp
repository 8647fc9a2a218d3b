// Running coroutines to completion in a test, and a fixture with one sshd.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <memory>

#include "sshd_fixture.hpp"
#include "weaver/remote/ssh_executor.hpp"

namespace weaver::testing {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Drives `io` until `future` is ready. An io_context that ran out of work
// stops and must be restarted before it runs anything again.
template <typename Future>
void drive(asio::io_context& io, Future& future) {
  while (future.wait_for(0s) != std::future_status::ready) {
    if (io.stopped()) io.restart();
    io.run_one_for(50ms);
  }
}

// Drives `io` until `task` completes; rethrows what it threw.
template <typename T>
T run_io(asio::io_context& io, asio::awaitable<T> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  drive(io, future);
  return future.get();
}

inline void run_io(asio::io_context& io, asio::awaitable<void> task) {
  auto future = asio::co_spawn(io, std::move(task), asio::use_future);
  drive(io, future);
  future.get();
}

class SshdTest : public ::testing::Test {
 protected:
  std::unique_ptr<remote::SshExecutor> connect(remote::SshOptions options) {
    return run_io(io_, remote::SshExecutor::connect(io_, std::move(options), 10s));
  }
  std::unique_ptr<remote::SshExecutor> connect() { return connect(sshd_.options()); }

  // Declared first, destroyed last: sessions release their sockets into it.
  asio::io_context io_;
  SshdServer sshd_;
};

// Elapsed wall time of `body` in seconds.
template <typename Body>
double seconds_taken(Body&& body) {
  auto start = std::chrono::steady_clock::now();
  body();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace weaver::testing

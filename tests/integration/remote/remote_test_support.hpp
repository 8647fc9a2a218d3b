// Running coroutines to completion in a test, a fixture with one sshd, and
// checking the RemoteError a failure ends in.
#pragma once

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

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

// Runs `task`, expects a RemoteError of `code` whose message contains `where`
// and each of `parts`, and returns how long it took.
template <typename T>
double expect_remote_error(asio::io_context& io, asio::awaitable<T> task, remote::RemoteErrc code,
                           const std::string& where, std::vector<std::string> parts) {
  auto start = std::chrono::steady_clock::now();
  try {
    run_io(io, std::move(task));
    ADD_FAILURE() << "no error";
  } catch (const remote::RemoteError& error) {
    EXPECT_EQ(error.code(), remote::make_error_code(code)) << error.what();
    EXPECT_EQ(error.where(), where);
    std::string message = error.what();
    EXPECT_EQ(message.rfind(where + ": ", 0), 0u) << message;
    for (const auto& part : parts) EXPECT_NE(message.find(part), std::string::npos) << message;
  }
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace weaver::testing

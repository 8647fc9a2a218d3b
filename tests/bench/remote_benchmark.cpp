// Figures for the note, one run each against a real sshd on 127.0.0.1:
//  1. open 16 sessions and run one command on each, concurrently vs one after another;
//  2. download 100 MB over SFTP vs `scp` in the same run.
// Usage: remote_benchmark  (as root; starts and stops its own sshd)
#include <fstream>
#include <iostream>
#include <random>

#include "remote_test_support.hpp"
#include "weaver/remote/local_executor.hpp"

using namespace weaver;
using namespace weaver::testing;

namespace {

asio::awaitable<void> open_and_run(asio::io_context& io, remote::SshOptions options) {
  auto ssh = co_await remote::SshExecutor::connect(io, options, 30s);
  remote::Command command{{"true"}, {}, {}, std::nullopt};
  co_await ssh->run(std::move(command), 30s);
  co_await ssh->close(30s);
}

}  // namespace

int main() {
  asio::io_context io;
  SshdServer sshd;
  const auto options = sshd.options();

  double serial = seconds_taken([&] {
    for (int i = 0; i < 16; ++i) run_io(io, open_and_run(io, options));
  });
  double concurrent = seconds_taken([&] {
    std::vector<std::future<void>> sessions;
    for (int i = 0; i < 16; ++i) {
      sessions.push_back(asio::co_spawn(io, open_and_run(io, options), asio::use_future));
    }
    for (auto& session : sessions) {
      drive(io, session);
      session.get();
    }
  });
  std::cout << "16 sessions x 1 command: one after another " << serial << " s, concurrent "
            << concurrent << " s, ratio " << serial / concurrent << "\n";

  TestDir dir;
  const auto source = dir.path() / "source.bin";
  {
    std::mt19937_64 random(7);
    std::vector<std::uint64_t> block(1 << 17);
    std::ofstream out(source, std::ios::binary);
    for (int i = 0; i < 100; ++i) {
      for (auto& word : block) word = random();
      out.write(reinterpret_cast<const char*>(block.data()), 1 << 20);
    }
  }
  auto ssh = run_io(io, remote::SshExecutor::connect(io, options, 30s));
  double sftp = seconds_taken(
      [&] { run_io(io, ssh->download(source.string(), dir.path() / "sftp.bin", {}, 120s)); });
  remote::LocalExecutor here(io);
  std::vector<std::string> scp = {"scp", "-q", "-P", std::to_string(sshd.port()), "-i",
                                  options.key_file->string(), "-o",
                                  "UserKnownHostsFile=" + options.known_hosts.string(),
                                  "root@127.0.0.1:" + source.string(),
                                  (dir.path() / "scp.bin").string()};
  double scp_time = seconds_taken([&] { run_io(io, here.capture(scp, 120s)); });
  std::cout << "100 MB download over loopback: weaver SFTP " << 100 / sftp << " MB/s, scp "
            << 100 / scp_time << " MB/s\n";
  ssh.reset();
}

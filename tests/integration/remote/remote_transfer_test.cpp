// SFTP upload and download of 100 MB with checksums, and the local executor.
#include <fstream>
#include <random>

#include "remote_test_support.hpp"
#include "weaver/remote/local_executor.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::testing {
namespace {

void write_random_file(const std::filesystem::path& path, std::size_t bytes) {
  std::mt19937_64 random(42);
  std::vector<std::uint64_t> block(1 << 16);
  std::ofstream out(path, std::ios::binary);
  for (std::size_t written = 0; written < bytes;) {
    for (auto& word : block) word = random();
    auto length = std::min(bytes - written, block.size() * sizeof(std::uint64_t));
    out.write(reinterpret_cast<const char*>(block.data()), static_cast<std::streamsize>(length));
    written += length;
  }
}

// The hex digest sha256sum prints for `path`, computed by `executor`.
std::string sha256(asio::io_context& io, remote::Executor& executor, const std::string& path) {
  auto output = run_io(io, executor.capture({"sha256sum", "--", path}, 30s));
  EXPECT_TRUE(output.status.success()) << output.err;
  return output.out.substr(0, 64);
}

TEST_F(SshdTest, UploadAndDownloadHundredMegabytesKeepTheChecksum) {
  constexpr std::size_t kSize = 100u << 20;
  TestDir local;
  const auto original = local.path() / "original.bin";
  const auto fetched = local.path() / "fetched.bin";
  write_random_file(original, kSize);
  auto ssh = connect();
  remote::LocalExecutor here(io_);
  const std::string remote_file = run_io(io_, ssh->temp_dir(10s)) + "/generator.bin";

  std::uint64_t last_done = 0;
  int calls = 0;
  auto progress = [&](std::uint64_t done, std::uint64_t total) {
    EXPECT_EQ(total, kSize);
    EXPECT_GE(done, last_done);
    last_done = done;
    ++calls;
  };
  double up = seconds_taken([&] { run_io(io_, ssh->upload(original, remote_file, progress, 60s)); });
  EXPECT_EQ(last_done, kSize);
  last_done = 0;
  double down = seconds_taken([&] { run_io(io_, ssh->download(remote_file, fetched, progress, 60s)); });
  EXPECT_EQ(last_done, kSize);
  EXPECT_GT(calls, 100);
  EXPECT_EQ(std::filesystem::file_size(fetched), kSize);
  const std::string expected = sha256(io_, here, original.string());
  EXPECT_EQ(sha256(io_, *ssh, remote_file), expected);
  EXPECT_EQ(sha256(io_, here, fetched.string()), expected);
  std::cout << "100 MB over SFTP: upload " << 100 / up << " MB/s, download " << 100 / down
            << " MB/s\n";
  run_io(io_, ssh->close(10s));
}

TEST(LocalExecutorTest, RunsCommandsWithTheSameInterface) {
  asio::io_context io;
  remote::LocalExecutor here(io);
  auto output = run_io(io, here.capture({"sh", "-c", "echo out; echo err >&2; exit 4"}, 10s));
  EXPECT_EQ(output.out, "out\n");
  EXPECT_EQ(output.err, "err\n");
  EXPECT_EQ(output.status.code, 4);
  try {
    run_io(io, here.run({{"weaver-no-such-command"}, {}, {}, std::nullopt}, 10s));
    ADD_FAILURE() << "no error";
  } catch (const remote::RemoteError& error) {
    EXPECT_EQ(error.code(), remote::make_error_code(remote::RemoteErrc::command_not_found));
    EXPECT_EQ(error.where(), "local");
  }
  auto process = run_io(io, here.start({{"sh", "-c", "echo ready; exec sleep 30"}, {}, {}, std::nullopt}, 5s));
  EXPECT_EQ(run_io(io, process->wait_for_line("^ready$", 5s)), "ready");
  run_io(io, process->signal("TERM", 5s));
  EXPECT_EQ(run_io(io, process->wait(5s)).signal, "TERM");
}

TEST(LocalExecutorTest, WritesToStdinWhenAskedAndSurvivesAnEndedReader) {
  asio::io_context io;
  remote::LocalExecutor here(io);
  std::string out;
  remote::Command command{{"sh", "-c", "read line; echo \"got $line\"; cat"}, {}, {}, std::nullopt};
  command.open_stdin = true;
  command.on_stdout = [&out](std::string_view line) { out.append(line).append("\n"); };
  auto process = run_io(io, here.start(std::move(command), 5s));
  run_io(io, process->write("first\nsecond\n", 5s));
  run_io(io, process->close_stdin(5s));  // cat ends at end of input
  EXPECT_EQ(run_io(io, process->wait(5s)).code, 0);
  EXPECT_EQ(out, "got first\nsecond\n");
  // Writing to a process that has ended is an error, not a SIGPIPE.
  EXPECT_THROW(run_io(io, process->write(std::string(1 << 20, 'x'), 5s)), remote::RemoteError);
  // Without open_stdin, stdin is /dev/null.
  auto quiet = run_io(io, here.start({{"cat"}, {}, {}, std::nullopt}, 5s));
  EXPECT_EQ(run_io(io, quiet->wait(5s)).code, 0);
  EXPECT_THROW(run_io(io, quiet->write("x", 5s)), remote::RemoteError);
}

TEST(LocalExecutorTest, TempDirUploadAndDownloadLikeARemoteHost) {
  asio::io_context io;
  TestDir local;
  const auto original = local.path() / "original.bin";
  const auto fetched = local.path() / "fetched.bin";
  write_random_file(original, 3u << 20);
  std::string dir;
  {
    remote::LocalExecutor here(io);
    dir = run_io(io, here.temp_dir(10s));
    EXPECT_TRUE(std::filesystem::is_directory(dir)) << dir;
    EXPECT_EQ(run_io(io, here.temp_dir(10s)), dir);  // one per executor
    const remote::ProgressCallback no_progress;
    run_io(io, here.upload(original, dir + "/copy.bin", no_progress, 10s));
    run_io(io, here.download(dir + "/copy.bin", fetched, no_progress, 10s));
    EXPECT_EQ(sha256(io, here, fetched.string()), sha256(io, here, original.string()));
    try {
      run_io(io, here.download(dir + "/missing.bin", fetched, no_progress, 10s));
      ADD_FAILURE() << "a missing file was downloaded";
    } catch (const remote::RemoteError& error) {
      EXPECT_NE(std::string(error.what()).find("missing.bin"), std::string::npos) << error.what();
    }
    run_io(io, here.close(10s));
    EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  }
}

TEST(LocalExecutorTest, RunsInsideANamedNetworkNamespace) {
  const std::string netns = "wvr" + std::to_string(::getpid());
  run_or_throw("ip netns add " + netns);
  struct Remove {
    std::string name;
    ~Remove() { std::system(("ip netns delete " + name).c_str()); }
  } remove{netns};
  asio::io_context io;
  remote::LocalExecutor inside(io, netns);
  EXPECT_EQ(inside.where(), "local netns " + netns);
  auto output = run_io(io, inside.capture({"ip", "-o", "link", "show"}, 10s));
  EXPECT_NE(output.out.find("lo:"), std::string::npos) << output.out;
  EXPECT_EQ(output.out.find("eth"), std::string::npos) << output.out;  // only the namespace's lo
}

TEST(ShellWordsTest, QuotesEveryWordForPosixSh) {
  EXPECT_EQ(remote::shell_quote("it's"), "'it'\\''s'");
  EXPECT_EQ(remote::shell_quote(std::vector<std::string>{"a b", "", "$x"}), "'a b' '' '$x'");
}

TEST(ShellWordsTest, ValidatesNamesThatReachARemoteShell) {
  EXPECT_NO_THROW(remote::validate_interface_name("pif", "eth0"));
  EXPECT_NO_THROW(remote::validate_interface_name("vif", "vif7.0"));
  EXPECT_THROW(remote::validate_interface_name("pif", "a-very-long-name0"), UsageError);  // 17
  EXPECT_THROW(remote::validate_interface_name("pif", "eth0;reboot"), UsageError);
  EXPECT_THROW(remote::validate_interface_name("pif", ""), UsageError);
  EXPECT_NO_THROW(remote::validate_host("hv", "10.0.0.1"));
  EXPECT_NO_THROW(remote::validate_host("hv", "::1"));
  EXPECT_NO_THROW(remote::validate_host("hv", "xen-01.lab.example"));
  EXPECT_THROW(remote::validate_host("hv", "-oProxyCommand=x"), UsageError);
  EXPECT_THROW(remote::validate_host("hv", "a..b"), UsageError);
  EXPECT_NO_THROW(remote::validate_vm_name("instance", "instance-1b2c:3"));
  EXPECT_THROW(remote::validate_vm_name("instance", "-x"), UsageError);
  EXPECT_THROW(remote::validate_vm_name("instance", "vm $(id)"), UsageError);
  try {
    remote::validate_interface_name("--pif", "eth 0");
    ADD_FAILURE();
  } catch (const UsageError& error) {
    EXPECT_NE(std::string(error.what()).find("--pif"), std::string::npos);
  }
  auto argv = remote::with_bpf_filter({"tcpdump", "-i", "eth0"}, "udp and port 9");
  EXPECT_EQ(argv.back(), "udp and port 9");
  EXPECT_EQ(argv[argv.size() - 2], "--");
}

}  // namespace
}  // namespace weaver::testing

#include "lab_test_support.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace weaver::lab::test {
namespace {

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

}  // namespace

bool running_as_root() { return ::geteuid() == 0; }

ProcessOutput run_weaver(const std::vector<std::string>& args) {
  std::vector<std::string> argv{WEAVER_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_process(argv);
}

TestLab::TestLab(const std::string& id, const std::vector<std::string>& up_args) : id_(id) {
  std::vector<std::string> args{"lab", "up", "--id", id, "--json"};
  args.insert(args.end(), up_args.begin(), up_args.end());
  const ProcessOutput result = run_weaver(args);
  if (result.exit_code != 0) {
    up_error_ = result.err;
    return;
  }
  state_ = nlohmann::json::parse(result.out, nullptr, false);
  if (state_.is_discarded()) {
    state_ = nullptr;
    up_error_ = "unparsable state: " + result.out;
  }
}

TestLab::~TestLab() { run_weaver({"lab", "down", "--id", id_}); }

TempDir::TempDir() {
  char pattern[] = "/tmp/weaver-lab-test-XXXXXX";
  if (::mkdtemp(pattern)) path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

Capture::Capture(const std::string& netns, const std::string& interface, const std::string& file,
                 const std::string& filter)
    : file_(file) {
  int err_pipe[2];
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) return;
  pid_ = ::fork();
  if (pid_ == 0) {
    ::dup2(err_pipe[1], 2);
    // -Z root: tcpdump would otherwise drop to user tcpdump and fail to
    // write into the root-owned temporary directory. --immediate-mode: without
    // it packets reach tcpdump a ring block at a time (up to a second late)
    // and whatever is still in the ring when SIGINT arrives is lost. -B: the
    // 2 MB default overflows (kernel drops) when tcpdump waits for a core.
    ::execlp("ip", "ip", "netns", "exec", netns.c_str(), "tcpdump", "-n", "-i", interface.c_str(),
             "--immediate-mode", "-B", "16384", "--time-stamp-precision=nano", "-Z", "root", "-w", file.c_str(), filter.c_str(),
             static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(err_pipe[1]);
  stderr_fd_ = err_pipe[0];
  // tcpdump writes its "listening on ..." line in several pieces and treats
  // SIGPIPE like SIGINT: the pipe stays open until tcpdump has exited, or a
  // capture would end, empty, as soon as this side stopped reading.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (pid_ > 0 && !listening_ && std::chrono::steady_clock::now() < deadline) {
    pollfd readable{stderr_fd_, POLLIN, 0};
    if (::poll(&readable, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = ::read(stderr_fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    stderr_.append(buffer, static_cast<std::size_t>(n));
    const std::size_t line = stderr_.find("listening on");
    listening_ = line != std::string::npos && stderr_.find('\n', line) != std::string::npos;
  }
}

void Capture::stop() {
  if (pid_ <= 0) return;
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the last frames reach tcpdump
  ::kill(pid_, SIGINT);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
  ::close(stderr_fd_);
  stderr_fd_ = -1;
}

Capture::~Capture() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (stderr_fd_ >= 0) ::close(stderr_fd_);
}

bool send_udp(const std::string& source_netns, const std::string& destination, int count,
              int interval_us) {
  return run_process({"ip", "netns", "exec", source_netns, "hping3", "--udp", "-p", "9", "-q", "-c",
               std::to_string(count), "-i", "u" + std::to_string(interval_us), destination})
             .exit_code == 0;
}

nlohmann::json analyze(const std::string& pif, const std::string& vif, std::string& error) {
  const ProcessOutput result = run_weaver({"analyze", "--pif", pif, "--vif", vif, "--json"});
  if (result.exit_code != 0) {
    error = result.err;
    return nullptr;
  }
  nlohmann::json json = nlohmann::json::parse(result.out, nullptr, false);
  if (json.is_discarded()) {
    error = "unparsable: " + result.out;
    return nullptr;
  }
  return json;
}

long guest_udp_no_ports(const std::string& guest_netns) {
  const ProcessOutput result =
      run_process({"ip", "netns", "exec", guest_netns, "cat", "/proc/net/snmp"});
  // Two "Udp:" lines: the field names, then the values.
  std::istringstream lines(result.out);
  std::string line;
  std::vector<std::vector<std::string>> udp;
  while (std::getline(lines, line)) {
    if (line.rfind("Udp:", 0) != 0) continue;
    std::istringstream fields(line);
    udp.emplace_back();
    for (std::string field; fields >> field;) udp.back().push_back(field);
  }
  if (udp.size() < 2) return -1;
  for (std::size_t i = 0; i < udp[0].size() && i < udp[1].size(); ++i) {
    if (udp[0][i] == "NoPorts") return std::stol(udp[1][i]);
  }
  return -1;
}

std::vector<RunningProcess> running_processes() {
  std::vector<RunningProcess> processes;
  for (const std::string& pid : list_dir("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline;
    try {
      std::ifstream in("/proc/" + pid + "/cmdline");
      cmdline.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    } catch (const std::exception&) {
      continue;  // the process ended while we read it
    }
    processes.push_back({pid, std::move(cmdline)});
  }
  return processes;
}

LabFootprint lab_footprint() {
  LabFootprint footprint;
  // Lab names only (wv<N>-...): other suites running beside this one make
  // namespaces of their own, such as the remote tests' wvr<pid>.
  static const std::regex lab_name("wv[0-9]+-.*");
  for (const std::string& name : list_dir("/run/netns")) {
    if (std::regex_match(name, lab_name)) footprint.namespaces.insert(name);
  }
  for (const std::string& name : list_dir("/sys/class/net")) {
    if (std::regex_match(name, lab_name)) footprint.links.insert(name);
  }
  for (const RunningProcess& process : running_processes()) {
    // argv[0], not the whole line: a compiler building forwarder_main.cpp
    // for weaver-forwarder is not a lab process.
    const std::string program = process.program();
    const bool forwarder = program.size() >= 16 &&
                           program.compare(program.size() - 16, 16, "weaver-forwarder") == 0;
    if (process.cmdline.find("/run/weaver/lab/") != std::string::npos || forwarder) {
      footprint.processes.insert(process.pid);
    }
  }
  return footprint;
}

std::string describe(const LabFootprint& footprint) {
  std::string text = "namespaces:";
  for (const auto& name : footprint.namespaces) text += " " + name;
  text += "; links:";
  for (const auto& name : footprint.links) text += " " + name;
  text += "; processes:";
  for (const auto& pid : footprint.processes) text += " " + pid;
  return text;
}

std::filesystem::path only_results_folder(const std::string& parent) {
  std::vector<std::filesystem::path> folders;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(parent, ignored)) {
    if (entry.is_directory()) folders.push_back(entry.path());
  }
  return folders.size() == 1 ? folders.front() : std::filesystem::path();
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  const std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

bool is_traffic(const std::string& program) {
  return program == "hping3" || program.find("weaver-gen") != std::string::npos;
}

std::vector<std::string> traffic_and_captures() {
  std::vector<std::string> found;
  for (const RunningProcess& process : running_processes()) {
    const std::string program = process.program();
    if (program == "tcpdump" || is_traffic(program)) found.push_back(process.cmdline);
  }
  return found;
}

Child::~Child() {
  if (pid <= 0) return;
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

int Child::wait() {
  int status = 0;
  ::waitpid(pid, &status, 0);
  pid = -1;
  return status;
}

}  // namespace weaver::lab::test

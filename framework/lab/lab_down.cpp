// Teardown by prefix: what `down` removes is found in the kernel and /proc,
// not read from the state file, so a lab killed in the middle of `up` (or a
// state directory lost) is removed just as completely.
#include <dirent.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <thread>

#include "process.hpp"
#include "weaver/lab/lab.hpp"

namespace weaver::lab {
namespace {

using NameMatcher = std::function<bool(const std::string&)>;

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> names;
  if (DIR* dir = ::opendir(path.c_str())) {
    while (const dirent* entry = ::readdir(dir)) {
      const std::string name = entry->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(dir);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::string> matching(const std::vector<std::string>& names, const NameMatcher& match) {
  std::vector<std::string> result;
  std::copy_if(names.begin(), names.end(), std::back_inserter(result), match);
  return result;
}

std::vector<std::string> root_links() {
  std::vector<std::string> names;
  if (struct if_nameindex* interfaces = ::if_nameindex()) {
    for (const struct if_nameindex* it = interfaces; it->if_index != 0; ++it) names.push_back(it->if_name);
    ::if_freenameindex(interfaces);
  }
  return names;
}

// Empty for a process that ended meanwhile: libstdc++ throws on the read
// error (ESRCH) /proc gives then.
std::string read_cmdline(const std::string& pid) {
  std::string text;
  try {
    std::ifstream in("/proc/" + pid + "/cmdline");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return {};
  }
  std::replace(text.begin(), text.end(), '\0', ' ');
  return text;
}

// Processes of the lab: those inside one of its namespaces (sshd, the
// forwarder, anything a test or a user started there), and those whose
// command line names the lab (an sshd config or ip batch under the state
// directory, a forwarder's --lab ID, an argument such as `ip -n wv1-src0`)
// even if their namespace is already gone.
std::vector<pid_t> lab_processes(const std::vector<std::string>& netns_names,
                                 const std::regex& cmdline_pattern) {
  std::vector<std::pair<dev_t, ino_t>> namespaces;
  for (const std::string& netns : netns_names) {
    struct stat info{};
    if (::stat(("/run/netns/" + netns).c_str(), &info) == 0) {
      namespaces.emplace_back(info.st_dev, info.st_ino);
    }
  }
  std::vector<pid_t> pids;
  for (const std::string& entry : list_dir("/proc")) {
    if (entry.find_first_not_of("0123456789") != std::string::npos) continue;
    const pid_t pid = std::stoi(entry);
    if (pid == ::getpid()) continue;
    struct stat info{};
    bool inside = false;
    if (::stat(("/proc/" + entry + "/ns/net").c_str(), &info) == 0) {
      inside = std::find(namespaces.begin(), namespaces.end(),
                         std::pair{info.st_dev, info.st_ino}) != namespaces.end();
    }
    if (inside || std::regex_search(read_cmdline(entry), cmdline_pattern)) pids.push_back(pid);
  }
  return pids;
}

void terminate(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) ::kill(pid, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  while (std::any_of(pids.begin(), pids.end(), process_running) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (pid_t pid : pids) {
    if (process_running(pid)) ::kill(pid, SIGKILL);
  }
  // Gone for sure before links and namespaces are deleted under them.
  while (std::any_of(pids.begin(), pids.end(), process_running) &&
         std::chrono::steady_clock::now() < deadline + std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

LabDownReport remove_matching(const NameMatcher& match, const std::regex& cmdline_pattern) {
  LabDownReport report;
  report.namespaces = matching(list_dir("/run/netns"), match);
  report.links = matching(root_links(), match);
  report.state_dirs = matching(list_dir(lab_state_root), match);
  // Again until none is left: a daemon may have forked a child just before
  // it ended (libvirtd starting QEMU for a `virsh start` still in flight).
  for (int round = 0; round < 5; ++round) {
    std::vector<pid_t> pids = lab_processes(report.namespaces, cmdline_pattern);
    pids.erase(std::remove_if(pids.begin(), pids.end(), [](pid_t pid) { return !process_running(pid); }),
               pids.end());  // zombies wait for their parent, not for us
    if (pids.empty()) break;
    report.processes.insert(report.processes.end(), pids.begin(), pids.end());
    terminate(pids);
  }
  // Root-namespace ends first: deleting a veth deletes its peer at once,
  // while a namespace's own links go away asynchronously after `netns del`.
  std::string batch;
  for (const std::string& link : report.links) batch += "link del " + link + "\n";
  for (const std::string& netns : report.namespaces) batch += "netns del " + netns + "\n";
  // -force: one object already gone (a veth whose peer went first) must not
  // stop the rest.
  if (!batch.empty()) run_process({"ip", "-force", "-batch", "-"}, batch);
  for (const std::string& dir : report.state_dirs) {
    std::error_code ignored;
    std::filesystem::remove_all(std::string(lab_state_root) + "/" + dir, ignored);
  }
  return report;
}

}  // namespace

LabDownReport lab_down(const std::string& id) {
  const std::string prefix = id + "-";
  return remove_matching(
      [&](const std::string& name) { return name.rfind(prefix, 0) == 0 || name == id; },
      std::regex("/run/weaver/lab/" + id + "/|--lab " + id + "( |$)|(^| )" + id + "-"));
}

LabDownReport lab_down_all() {
  static const std::regex lab_name("wv[1-9][0-9]?(-.*)?");
  return remove_matching(
      [](const std::string& name) { return std::regex_match(name, lab_name); },
      std::regex("/run/weaver/lab/wv[0-9]+/|--lab wv[0-9]+( |$)|(^| )wv[0-9]+-"));
}

std::vector<std::string> list_labs() {
  std::vector<std::string> ids;
  for (const std::string& name : list_dir(lab_state_root)) {
    if (parse_lab_id(name)) ids.push_back(name);
  }
  return ids;
}

}  // namespace weaver::lab

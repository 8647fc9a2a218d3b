// `lab up`: claim an id, build namespaces and links, start forwarders and
// sshds, boot the kvm and libvirt guests, wait for every sshd to answer,
// write state.json. Anything that fails
// on the way removes what was built (and `down --all` catches the rest if
// this process is killed).
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <fmt/format.h>

#include "lab_network.hpp"
#include "lab_paths.hpp"
#include "lab_sshd.hpp"
#include "lab_state.hpp"
#include "process.hpp"
#include "weaver/error.hpp"
#include "weaver/lab/lab.hpp"
#include "weaver/lab/lab_error.hpp"

namespace weaver::lab {
namespace {

bool has_leftovers(const std::string& id) {
  const std::string prefix = id + "-";
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/run/netns", error)) {
    if (entry.path().filename().string().rfind(prefix, 0) == 0) return true;
  }
  return std::filesystem::exists(std::string("/sys/class/net/") + prefix + "mgmt");
}

// mkdir is atomic: of two `up`s racing for the same id, one wins.
bool claim(const std::string& id) {
  std::error_code error;
  std::filesystem::create_directories(lab_state_root, error);
  const std::string dir = std::string(lab_state_root) + "/" + id;
  if (::mkdir(dir.c_str(), 0700) == 0) return true;
  if (errno != EEXIST) throw LabError(dir + ": cannot create the lab's state directory");
  return false;
}

// Removes a half-built lab unless committed.
class UpTransaction {
 public:
  explicit UpTransaction(std::string id) : id_(std::move(id)) {}
  ~UpTransaction() {
    if (committed_) return;
    try {
      lab_down(id_);
    } catch (...) {
      // Already failing; `down --all` remains the safety net.
    }
  }
  void commit() { committed_ = true; }
  UpTransaction(const UpTransaction&) = delete;
  UpTransaction& operator=(const UpTransaction&) = delete;

 private:
  std::string id_;
  bool committed_ = false;
};

// An existing lab `id` built with the same options and answering: reuse it.
std::optional<LabUpReport> reuse_if_identical(const std::string& id, const LabOptions& options) {
  LabStatus status = lab_status(id);
  if (!status.complete) return std::nullopt;
  const LabOptions existing = options_from_state(status.state);
  if (!same_options(existing, options)) return std::nullopt;
  if (!status.healthy()) return std::nullopt;
  LabUpReport report;
  report.plan = make_lab_plan(existing, *parse_lab_id(id));
  report.already_up = true;
  report.state = status.state;
  return report;
}

// Chooses the lab number: the given id (cleaning up a broken lab of that id),
// or the first id with no state directory and no leftovers.
int choose_and_claim(const LabOptions& options) {
  if (options.id) {
    const auto number = parse_lab_id(*options.id);
    if (!number) throw UsageError("--id '" + *options.id + "': expected wv1 ... wv99");
    const nlohmann::json state = read_state(*options.id);
    if (!state.is_null() && !same_options(options_from_state(state), options)) {
      throw UsageError("lab " + *options.id +
                       " is up with other options; run `weaver lab down --id " + *options.id +
                       "` first");
    }
    lab_down(*options.id);  // broken or half-built: start clean
    if (!claim(*options.id)) throw LabError("lab " + *options.id + ": being built by another process");
    return *number;
  }
  for (int number = 1; number <= max_lab_number; ++number) {
    const std::string id = fmt::format("wv{}", number);
    if (!has_leftovers(id) && claim(id)) return number;
  }
  throw LabError("lab: all ids wv1 ... wv99 are in use; run `weaver lab down --all`");
}

// A forwarder logs one line once its sockets are bound; traffic sent before
// that would be dropped, so `up` returns only when every forwarder is ready.
void wait_for_forwarders(const LabPlan& plan, const LabProcesses& processes, int timeout_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (const auto& [name, pid] : processes.forwarder) {
    const std::string log = plan.state_dir + "/" + name + ".forwarder.log";
    for (;;) {
      std::ifstream in(log);
      const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (text.find("weaver-forwarder: ready: ") != std::string::npos) break;
      if (!process_running(pid) || std::chrono::steady_clock::now() > deadline) {
        throw LabError("forwarder of " + name + " did not start (see " + log + ")");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
}

void build(const LabPlan& plan, LabProcesses& processes, std::vector<std::string>& notes) {
  generate_ssh_keys(plan);
  create_namespaces(plan);
  build_network(plan);
  for (const HypervisorPlan& hypervisor : plan.hypervisors) {
    if (hypervisor.datapath != Datapath::userspace) continue;
    processes.forwarder[hypervisor.name] = spawn_detached(
        {forwarder_path(), "--lab", plan.id, "--pif", hypervisor.pif, "--vif", hypervisor.vif,
         "--delay-us", std::to_string(plan.delay_us)},
        hypervisor.netns, plan.state_dir + "/" + hypervisor.name + ".forwarder.log");
  }
  const std::vector<SshHost> hosts = ssh_hosts(plan);
  for (const SshHost& host : hosts) processes.sshd[host.name] = start_sshd(plan, host);
  processes.guests = boot_guests(plan, notes);
  wait_for_sshds(hosts, 10'000);
  wait_for_forwarders(plan, processes, 10'000);
}

}  // namespace

LabUpReport lab_up(const LabOptions& options) {
  check_lab_privileges();
  check_lab_tools(options);
  make_lab_plan(options, 1);  // validates the counts before anything is touched
  const auto started = std::chrono::steady_clock::now();
  if (options.id) {
    if (auto existing = reuse_if_identical(*options.id, options)) return *existing;
  } else {
    for (const std::string& id : list_labs()) {
      if (auto existing = reuse_if_identical(id, options)) return *existing;
    }
  }
  const int number = choose_and_claim(options);
  LabUpReport report;
  report.plan = make_lab_plan(options, number);
  UpTransaction transaction(report.plan.id);
  LabProcesses processes;
  build(report.plan, processes, report.notes);
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  report.state = make_state(report.plan, processes, report.seconds);
  write_state(report.plan, report.state);
  transaction.commit();
  return report;
}

}  // namespace weaver::lab

#include "weaver/orchestrator/orchestrator.hpp"

#include <signal.h>
#include <stdlib.h>

#include "weaver/remote/executor.hpp"  // before Asio: it includes <utility> first

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_future.hpp>
#include <fmt/format.h>
#include <algorithm>
#include <functional>
#include <future>
#include <map>

#include "case_steps.hpp"
#include "environment_collect.hpp"
#include "host_pool.hpp"
#include "weaver/error.hpp"
#include "weaver/orchestrator/environment.hpp"

namespace weaver::orchestrator {

namespace asio = remote::asio;

struct Orchestrator::Impl {
  Impl(RunConfig run_config, RunOptions run_options)
      : config(std::move(run_config)),
        options(std::move(run_options)),
        agent(options.agent ? std::optional(CachedBinary::load("weaver-agent", *options.agent)) : std::nullopt),
        hosts(io, options, agent ? &*agent : nullptr) {
    if (options.stop_on_signals) {
      signals.add(SIGINT);
      signals.add(SIGTERM);
      signals.async_wait([this](const boost::system::error_code& error, int signal_number) {
        if (error) return;
        interrupted = signal_number;
        active_traffic.stop_all();
        // A second Ctrl-C ends weaver at once (remote `timeout` bounds the rest).
        boost::system::error_code ignored;
        signals.clear(ignored);
      });
    }
  }

  void check_interrupted() const {
    if (interrupted != 0) {
      throw Error(std::string("interrupted by ") + (interrupted == SIGINT ? "SIGINT" : "SIGTERM"));
    }
  }

  // Drives the io_context until every future is ready; sessions opened on
  // the way stay open for the next case.
  template <typename Future>
  void drive(std::vector<Future>& futures) {
    auto ready = [](Future& future) {
      return future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    };
    while (!std::all_of(futures.begin(), futures.end(), ready)) {
      if (io.run_one() == 0) io.restart();
    }
  }

  template <typename T>
  T run_sync(asio::awaitable<T> work) {
    io.poll();  // a signal that came between cases is seen before the next
    io.restart();
    std::vector<std::future<T>> futures;
    futures.push_back(asio::co_spawn(io, std::move(work), asio::use_future));
    drive(futures);
    return futures.front().get();
  }

  // "0007-UdpStream_lab-bridge_size_64_...": unique within the run.
  std::string case_folder_name(const std::string& case_name, const std::string& configuration) {
    std::string name = fmt::format("{:04}-{}", ++case_number, case_name);
    if (case_name.find(configuration) == std::string::npos) name += "-" + configuration;
    for (char& c : name) {
      if (c == '/' || c == ':' || c == ' ') c = '_';
    }
    return name;
  }

  // Made only when a case fetches captures: a case the agent analysed on
  // its host leaves nothing here.
  std::filesystem::path case_dir(const std::string& folder_name) {
    if (local_dir.empty()) {
      if (options.capture_dir.empty()) {
        char pattern[] = "/tmp/weaver-run-XXXXXX";
        if (::mkdtemp(pattern) == nullptr) throw Error("cannot create a folder in /tmp for captures");
        local_dir = pattern;
        own_local_dir = true;
      } else {
        local_dir = options.capture_dir;
      }
    }
    std::filesystem::path dir = local_dir / folder_name;
    std::filesystem::create_directories(dir);
    return dir;
  }

  asio::awaitable<CaseResult> run_case(const Configuration& configuration, const TrafficSpec& spec,
                                       std::string case_name) {
    check_interrupted();
    CaseSteps steps{io,
                    hosts,
                    config,
                    options,
                    vif_cache,
                    active_traffic,
                    generator ? &*generator : nullptr,
                    source_generators,
                    probe_failures};
    std::optional<CaseResult> result;
    std::exception_ptr failure;
    try {
      // Named objects, not temporaries in the co_await (see case_steps.cpp).
      const std::string folder_name = case_folder_name(case_name, configuration.name);
      const std::function<std::filesystem::path()> make_folder = [this, folder_name] {
        return case_dir(folder_name);
      };
      result = co_await steps.run(configuration, spec, case_name, folder_name, make_folder);
    } catch (...) {
      failure = std::current_exception();
    }
    // An interrupted case is incomplete even when its traffic ended cleanly
    // (hping3 exits 0 on TERM), and the interruption is the reason it failed.
    check_interrupted();
    if (failure) std::rethrow_exception(failure);
    co_return std::move(*result);
  }

  asio::io_context io;
  asio::signal_set signals{io};
  int interrupted = 0;
  ActiveTraffic active_traffic{io};
  RunConfig config;
  RunOptions options;
  std::optional<CachedBinary> agent;
  HostPool hosts;
  std::map<std::string, std::string> vif_cache;  // configuration name -> VIF
  std::optional<CachedBinary> generator =
      options.generator ? std::optional(CachedBinary::load("weaver-gen", *options.generator)) : std::nullopt;
  std::map<std::string, SourceGenerator> source_generators;  // by source host
  std::map<std::string, std::string> probe_failures;  // hypervisor -> why its probes did not load
  std::filesystem::path local_dir;
  bool own_local_dir = false;
  int case_number = 0;
  bool closed = false;
};

Orchestrator::Orchestrator(RunConfig config, RunOptions options)
    : impl_(std::make_unique<Impl>(std::move(config), std::move(options))) {}

Orchestrator::~Orchestrator() {
  try {
    close();
  } catch (...) {
    // close() reports through its return path when called explicitly.
  }
}

const RunConfig& Orchestrator::config() const { return impl_->config; }

int Orchestrator::interrupted() const { return impl_->interrupted; }

CaseResult Orchestrator::run_case(const Configuration& configuration, const TrafficSpec& spec,
                                  const std::string& case_name) {
  return impl_->run_sync(impl_->run_case(configuration, spec, case_name));
}

std::vector<Orchestrator::Outcome> Orchestrator::run_cases(
    const std::vector<const Configuration*>& configurations, const TrafficSpec& spec,
    const std::string& case_name) {
  std::vector<Outcome> outcomes(configurations.size());
  auto one = [&](std::size_t index) -> asio::awaitable<void> {
    try {
      outcomes[index].result = co_await impl_->run_case(*configurations[index], spec, case_name);
    } catch (const std::exception& error) {
      outcomes[index].error = error.what();
    }
  };
  impl_->io.poll();  // a signal that came between cases is seen first
  impl_->io.restart();
  std::vector<std::future<void>> running;
  for (std::size_t i = 0; i < configurations.size(); ++i) {
    running.push_back(asio::co_spawn(impl_->io, one(i), asio::use_future));
  }
  impl_->drive(running);
  return outcomes;
}

nlohmann::json Orchestrator::collect_environment() {
  const std::string collected = utc_timestamp(std::chrono::system_clock::now());
  const std::vector<Configuration>& configurations = impl_->config.configurations;
  std::vector<nlohmann::json> entries(configurations.size());
  impl_->io.poll();
  impl_->io.restart();
  std::vector<std::future<void>> running;
  for (std::vector<std::size_t>& indices : group_by_host(configurations)) {
    running.push_back(asio::co_spawn(
        impl_->io,
        collect_host_environment(impl_->hosts, impl_->vif_cache, configurations, std::move(indices), entries),
        asio::use_future));
  }
  impl_->drive(running);
  for (auto& host : running) host.get();  // failures are in the entries; nothing else throws
  nlohmann::json by_name = nlohmann::json::object();
  for (std::size_t i = 0; i < configurations.size(); ++i) by_name[configurations[i].name] = std::move(entries[i]);
  return {{"collected_utc", collected}, {"configurations", std::move(by_name)}};
}

void Orchestrator::close() {
  if (impl_->closed) return;
  impl_->closed = true;
  const std::vector<std::string> errors = impl_->run_sync(impl_->hosts.close_all());
  if (impl_->own_local_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(impl_->local_dir, ignored);
  }
  if (!errors.empty()) throw Error(errors.front());
}

}  // namespace weaver::orchestrator

#include "scenarios/registration.hpp"

#include <benchmark/benchmark.h>

#include <deque>
#include <map>
#include <memory>
#include <regex>

#include "scenarios/case_counters.hpp"
#include "scenarios/case_details.hpp"

namespace weaver::scenarios {
namespace {

using orchestrator::Configuration;
using orchestrator::Orchestrator;

std::string case_name(const Scenario& scenario, const Configuration& configuration,
                      const std::vector<std::int64_t>& values) {
  std::string name = scenario.name + "/" + configuration.name;
  for (std::size_t i = 0; i < values.size(); ++i) {
    name += "/" + scenario.axes[i].name + ":" + std::to_string(values[i]);
  }
  return name;
}

// Does Google Benchmark's --benchmark_filter select this name? (Same rule:
// a regex searched in the name, a leading '-' negates.)
bool selected(const std::string& name) {
  std::string filter = benchmark::GetBenchmarkFilter();
  if (filter.empty() || filter == "all" || filter == ".") return true;
  const bool negated = filter.front() == '-';
  if (negated) filter.erase(0, 1);
  try {
    return std::regex_search(name, std::regex(filter, std::regex::extended)) != negated;
  } catch (const std::regex_error&) {
    return true;  // Google Benchmark reports a bad filter itself
  }
}

// With parallel hypervisors: outcomes of cases run ahead of their turn,
// queued per case name (repetitions come out in order).
class Prefetched {
 public:
  std::optional<Orchestrator::Outcome> take(const std::string& name) {
    auto found = queues_.find(name);
    if (found == queues_.end() || found->second.empty()) return std::nullopt;
    Orchestrator::Outcome outcome = std::move(found->second.front());
    found->second.pop_front();
    return outcome;
  }
  void put(const std::string& name, Orchestrator::Outcome outcome) {
    queues_[name].push_back(std::move(outcome));
  }

 private:
  std::map<std::string, std::deque<Orchestrator::Outcome>> queues_;
};

struct Shared {
  Orchestrator& orchestrator;
  RegistrationOptions options;
  Prefetched prefetched;
};

// The outcome of one traffic run of `scenario` on `configuration`; with
// parallel hypervisors, the same case runs on every other selected
// configuration of another hypervisor at the same time.
Orchestrator::Outcome run_one(Shared& shared, const Scenario& scenario, const Configuration& configuration,
                              const std::vector<std::int64_t>& values) {
  const std::string name = case_name(scenario, configuration, values);
  if (auto ready = shared.prefetched.take(name)) return std::move(*ready);
  const orchestrator::TrafficSpec spec = scenario.traffic(values);
  if (!shared.options.parallel_hypervisors) {
    Orchestrator::Outcome outcome;
    try {
      outcome.result = shared.orchestrator.run_case(configuration, spec, name);
    } catch (const std::exception& error) {
      outcome.error = error.what();
    }
    return outcome;
  }
  std::vector<const Configuration*> batch{&configuration};
  std::vector<std::string> names{name};
  std::vector<std::string> busy_hosts{configuration.hypervisor.host};
  for (const Configuration& other : shared.orchestrator.config().configurations) {
    const std::string other_name = case_name(scenario, other, values);
    if (&other == &configuration || !selected(other_name)) continue;
    if (std::find(busy_hosts.begin(), busy_hosts.end(), other.hypervisor.host) != busy_hosts.end()) continue;
    busy_hosts.push_back(other.hypervisor.host);
    batch.push_back(&other);
    names.push_back(other_name);
  }
  auto outcomes = shared.orchestrator.run_cases(batch, spec, name);
  for (std::size_t i = 1; i < outcomes.size(); ++i) shared.prefetched.put(names[i], std::move(outcomes[i]));
  return std::move(outcomes.front());
}

}  // namespace

std::size_t register_cases(const std::vector<Scenario>& scenarios, Orchestrator& orchestrator,
                           const RegistrationOptions& options, CaseTally& tally) {
  auto shared = std::make_shared<Shared>(Shared{orchestrator, options, {}});
  std::size_t families = 0;
  for (const Scenario& scenario : scenarios) {
    for (const Configuration& configuration : orchestrator.config().configurations) {
      // Egress traffic starts in the VM: only where the lab file gives a way in.
      if (scenario.base.direction == orchestrator::Direction::egress &&
          !configuration.vm_shell.available()) {
        continue;
      }
      auto run = [shared, scenario, &configuration, &tally](benchmark::State& state) {
        std::vector<std::int64_t> values;
        for (std::size_t i = 0; i < scenario.axes.size(); ++i) values.push_back(state.range(static_cast<int>(i)));
        for (auto _ : state) {
          Orchestrator::Outcome outcome = run_one(*shared, scenario, configuration, values);
          if (shared->options.on_case) {
            shared->options.on_case(case_details(case_name(scenario, configuration, values), scenario,
                                                 configuration, values, outcome));
          }
          if (!outcome.result) {
            ++tally.failed;
            state.SkipWithError(outcome.error.c_str());
            break;
          }
          ++tally.measured;
          report_case(state, *outcome.result, scenario.traffic(values));
        }
      };
      auto* family = benchmark::RegisterBenchmark((scenario.name + "/" + configuration.name).c_str(), run);
      std::vector<std::string> names;
      std::vector<std::vector<std::int64_t>> values;
      for (const Axis& axis : scenario.axes) {
        names.push_back(axis.name);
        values.push_back(axis.values);
      }
      if (!names.empty()) family->ArgNames(names)->ArgsProduct(values);
      family->UseManualTime()->Iterations(1)->Unit(benchmark::kMicrosecond);
      ++families;
    }
  }
  return families;
}

}  // namespace weaver::scenarios

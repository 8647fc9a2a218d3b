#include "environment_collect.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "weaver/hypervisor/vif_resolver.hpp"
#include "weaver/orchestrator/environment.hpp"
#include "weaver/remote/shell_words.hpp"

namespace weaver::orchestrator {
namespace {

namespace asio = remote::asio;
constexpr std::chrono::seconds kResolveTimeout{30};  // as a case resolves its VIF
// The probe's own tool calls stop after 5 s each; this bounds the whole.
constexpr std::chrono::seconds kProbeTimeout{60};

std::string host_key(const SshEndpoint& endpoint) {
  return fmt::format("{}@{}:{}", endpoint.user, endpoint.host, endpoint.port);
}

// As a case finds it: given in the lab file, cached, or asked of the adapter.
asio::awaitable<std::string> resolve_vif(remote::Executor& hypervisor, hypervisor::VifResolver& resolver,
                                         const Configuration& configuration,
                                         std::map<std::string, std::string>& vif_cache) {
  if (!configuration.vif.empty()) {
    remote::validate_interface_name(configuration.name + ".vif", configuration.vif);
    co_return configuration.vif;
  }
  if (auto found = vif_cache.find(configuration.name); found != vif_cache.end()) co_return found->second;
  // A named object, not a temporary in the co_await (GCC 12, see case_steps.cpp).
  const hypervisor::VmInterface vm{configuration.vm, configuration.vif_index};
  std::string vif = co_await resolver.resolve(hypervisor, vm, kResolveTimeout);
  vif_cache[configuration.name] = vif;
  co_return vif;
}

// One line that names the host.
std::string error_line(const Configuration& configuration, std::string message) {
  std::replace(message.begin(), message.end(), '\n', ' ');
  if (message.find(configuration.hypervisor.host) == std::string::npos) {
    message = configuration.hypervisor.host + ": " + message;
  }
  return message;
}

nlohmann::json described(const Configuration& configuration) {
  return {{"host", configuration.hypervisor.host},
          {"adapter", configuration.adapter},
          {"datapath", configuration.datapath}};
}

void add_errors(nlohmann::json& entry, const Configuration& configuration,
                const std::vector<std::string>& errors) {
  if (errors.empty()) return;
  std::string joined;
  for (const std::string& error : errors) joined += (joined.empty() ? "" : "; ") + error;
  entry["error"] = error_line(configuration, std::move(joined));
}

asio::awaitable<nlohmann::json> collect_configuration(remote::Executor& host,
                                                      std::map<std::string, std::string>& vif_cache,
                                                      const Configuration& configuration) {
  nlohmann::json entry = described(configuration);
  std::vector<std::string> errors;
  try {
    const auto resolver = hypervisor::make_vif_resolver(configuration.adapter);
    remote::validate_interface_name(configuration.name + ".pif", configuration.pif);
    std::vector<ProbedInterface> interfaces{{"pif", configuration.pif}};
    // Without its VIF the host and the PIF are still worth describing.
    try {
      std::string vif = co_await resolve_vif(host, *resolver, configuration, vif_cache);
      interfaces.emplace_back("vif", std::move(vif));
    } catch (const std::exception& error) {
      errors.emplace_back(error.what());
    }
    const std::vector<std::string> argv{"sh", "-c", environment_script(interfaces, resolver->version_script())};
    const remote::CommandOutput output = co_await host.capture(argv, kProbeTimeout);
    try {
      entry.update(parse_environment(output.out, interfaces));
    } catch (const Error& error) {
      throw Error(host.where() + ": " + error.what() + ", exit status " +
                  std::to_string(output.status.code.value_or(-1)));
    }
  } catch (const std::exception& error) {
    errors.emplace_back(error.what());
  }
  add_errors(entry, configuration, errors);
  co_return entry;
}

}  // namespace

std::vector<std::vector<std::size_t>> group_by_host(const std::vector<Configuration>& configurations) {
  std::vector<std::vector<std::size_t>> groups;
  std::map<std::string, std::size_t> group_of;
  for (std::size_t i = 0; i < configurations.size(); ++i) {
    const auto [it, added] = group_of.emplace(host_key(configurations[i].hypervisor), groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(i);
  }
  return groups;
}

asio::awaitable<void> collect_host_environment(HostPool& hosts,
                                               std::map<std::string, std::string>& vif_cache,
                                               const std::vector<Configuration>& configurations,
                                               std::vector<std::size_t> indices,
                                               std::vector<nlohmann::json>& entries) {
  if (indices.empty()) co_return;
  // One connection attempt per host: a host that cannot be reached fails all
  // its configurations within one connect timeout.
  remote::Executor* host = nullptr;
  std::string unreachable;
  try {
    host = co_await hosts.get(configurations[indices.front()].hypervisor);
  } catch (const std::exception& error) {
    unreachable = error.what();
  }
  for (const std::size_t index : indices) {
    const Configuration& configuration = configurations[index];
    if (host == nullptr) {
      entries[index] = described(configuration);
      add_errors(entries[index], configuration, {unreachable});
      continue;
    }
    entries[index] = co_await collect_configuration(*host, vif_cache, configuration);
  }
}

}  // namespace weaver::orchestrator

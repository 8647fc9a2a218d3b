// environment.json over the run's sessions: one coroutine per hypervisor
// host, its configurations one after another, each probed by one remote
// command (see weaver/orchestrator/environment.hpp).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "host_pool.hpp"
#include "weaver/orchestrator/run_config.hpp"

namespace weaver::orchestrator {

// Indices into `configurations`, one list per hypervisor endpoint
// (user@host:port, as HostPool tells hosts apart), in first-seen order.
std::vector<std::vector<std::size_t>> group_by_host(const std::vector<Configuration>& configurations);

// Fills entries[i] for every i of `indices`, in turn. Never throws for a
// host's failure: each configuration's failure becomes its "error". The VIFs
// it resolves go into `vif_cache` (configuration name -> VIF), which the
// run's cases share.
remote::asio::awaitable<void> collect_host_environment(HostPool& hosts,
                                                       std::map<std::string, std::string>& vif_cache,
                                                       const std::vector<Configuration>& configurations,
                                                       std::vector<std::size_t> indices,
                                                       std::vector<nlohmann::json>& entries);

}  // namespace weaver::orchestrator

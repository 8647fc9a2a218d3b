#include "run_context.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "build_info.hpp"
#include "weaver/error.hpp"
#include "weaver/reporters/results_folder.hpp"

namespace weaver::cli {
namespace {

using nlohmann::json;

json endpoint(const orchestrator::SshEndpoint& ssh) {
  return {{"host", ssh.host}, {"port", ssh.port}, {"user", ssh.user}};
}

json configuration_fields(const orchestrator::RunConfig& config,
                          const orchestrator::Configuration& configuration) {
  json sources = json::array();
  const bool all_sources = configuration.sources.empty();
  for (const orchestrator::Source& source : config.sources) {
    if (!all_sources && std::find(configuration.sources.begin(), configuration.sources.end(),
                                  source.name) == configuration.sources.end()) {
      continue;
    }
    sources.push_back({{"name", source.name},
                       {"ssh", endpoint(source.ssh)},
                       {"address", source.address},
                       {"interface", source.interface}});
  }
  return {{"hypervisor", endpoint(configuration.hypervisor)},
          {"adapter", configuration.adapter},
          {"datapath", configuration.datapath},
          {"pif", configuration.pif},
          {"vm", configuration.vm},
          {"vif_index", configuration.vif_index},
          {"vif", configuration.vif},
          {"destination", configuration.destination},
          {"egress", configuration.vm_shell.available()},
          {"sources", std::move(sources)}};
}

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return "unknown";
  return name.data();
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw Error("SHA-256 failed (OpenSSL)");
  }
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

reporters::RunContext run_context(const RunTarget& target, const std::string& label,
                                  std::chrono::system_clock::time_point started) {
  reporters::RunContext context;
  context.weaver_version = WEAVER_VERSION;
  context.git_revision = kGitRevision;
  context.started_utc = reporters::utc_iso8601(started);
  context.label = label;
  context.target = target.description();
  context.lab_file = target.definition_source();
  context.lab_file_sha256 = sha256_hex(target.definition_text());
  context.host = host_name();
  for (const orchestrator::Configuration& configuration : target.config().configurations) {
    context.configurations[configuration.name] =
        configuration_fields(target.config(), configuration);
  }
  return context;
}

}  // namespace weaver::cli

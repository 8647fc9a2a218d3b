// Which hypervisors a run measures: a YAML lab file, or the local lab (the
// one that is up, or one brought up for the run and taken down after it).
#pragma once

#include <optional>
#include <string>

#include "weaver/orchestrator/run_config.hpp"

namespace weaver::cli {

class RunTarget {
 public:
  // config_file set: that file. Otherwise lab_id, or the single lab that is
  // up, or a new lab with every datapath.
  RunTarget(const std::string& config_file, const std::string& lab_id);
  ~RunTarget();  // takes down a lab it brought up
  RunTarget(const RunTarget&) = delete;
  RunTarget& operator=(const RunTarget&) = delete;

  const orchestrator::RunConfig& config() const { return config_; }
  const std::string& description() const { return description_; }

 private:
  orchestrator::RunConfig config_;
  std::string description_;
  std::optional<std::string> own_lab_;
};

}  // namespace weaver::cli

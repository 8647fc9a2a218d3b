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
  // What the run's hypervisors were read from, for the results' context: the
  // lab file's path and content, or the local lab's state as JSON.
  const std::string& definition_source() const { return definition_source_; }
  const std::string& definition_text() const { return definition_text_; }

 private:
  orchestrator::RunConfig config_;
  std::string description_;
  std::string definition_source_;
  std::string definition_text_;
  std::optional<std::string> own_lab_;
};

}  // namespace weaver::cli

#include "run_target.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "weaver/text_lines.hpp"
#include "weaver/error.hpp"
#include "weaver/lab/lab.hpp"

namespace weaver::cli {
namespace {

std::vector<std::string> labs_up() {
  std::vector<std::string> up;
  for (const std::string& id : lab::list_labs()) {
    if (lab::lab_status(id).complete) up.push_back(id);
  }
  return up;
}

std::string file_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

RunTarget::RunTarget(const std::string& config_file, const std::string& lab_id) {
  if (!config_file.empty()) {
    config_ = orchestrator::load_run_config(config_file);
    description_ = config_file;
    definition_source_ = std::filesystem::absolute(config_file).string();
    definition_text_ = file_text(config_file);
    return;
  }
  std::string id = lab_id;
  if (id.empty()) {
    const std::vector<std::string> up = labs_up();
    if (up.size() > 1) {
      throw UsageError(fmt::format("several labs are up ({}): choose one with --lab ID",
                                   fmt::join(up, ", ")));
    }
    if (up.size() == 1) id = up.front();
  }
  if (id.empty()) {
    lab::LabOptions options;
    std::string left_out;
    options.datapaths = lab::default_datapaths(left_out);
    if (!left_out.empty()) std::cerr << "weaver: " << left_out << '\n';
    lab::check_lab_privileges();
    lab::check_lab_tools(options);
    const lab::LabUpReport report = lab::lab_up(options);
    for (const std::string& note : report.notes) std::cerr << "weaver: " << note << '\n';
    std::cerr << fmt::format("weaver: lab {} up in {:.2f} s for this run (taken down after it)\n",
                             report.plan.id, report.seconds);
    try {
      config_ = orchestrator::run_config_from_lab_state(report.state);
    } catch (...) {
      lab::lab_down(report.plan.id);  // the destructor will not run: the constructor failed
      throw;
    }
    own_lab_ = report.plan.id;
    description_ = "lab " + report.plan.id;
    definition_source_ = "state of lab " + report.plan.id;
    definition_text_ = report.state.dump();
    return;
  }
  const lab::LabStatus status = lab::lab_status(id);
  if (!status.complete) throw UsageError("lab " + id + " is not up (weaver lab status)");
  config_ = orchestrator::run_config_from_lab_state(status.state);
  description_ = "lab " + id;
  definition_source_ = "state of lab " + id;
  definition_text_ = status.state.dump();
}

RunTarget::~RunTarget() {
  if (!own_lab_) return;
  try {
    lab::lab_down(*own_lab_);
  } catch (const std::exception& error) {
    std::cerr << "weaver: " << weaver::printable(error.what()) << " (run: weaver lab down --all)\n";
  }
}

}  // namespace weaver::cli

// One folder per run: <parent>/<UTC timestamp>-<label>/ holding weaver.json,
// weaver.csv, histograms.json, junit.xml, environment.json, report.html and,
// with --keep-captures, captures/. weaver.json is written last, so a folder
// without it (a run that ended early) is never read as a result.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "weaver/reporters/run_results.hpp"

namespace weaver::reporters {

// Throws weaver::UsageError unless `label` is 1-64 of [A-Za-z0-9._-], not
// starting with '.' or '-'.
void validate_label(const std::string& label);

std::string utc_folder_stamp(std::chrono::system_clock::time_point time);  // 20261128T002021Z
std::string utc_iso8601(std::chrono::system_clock::time_point time);       // 2026-11-28T00:20:21Z

class ResultsFolder {
 public:
  // Creates <parent>/<stamp of `started`>-<label> (and `parent`); when that
  // folder exists, the next second's name is taken. Throws weaver::Error
  // naming the folder when it cannot be created.
  ResultsFolder(const std::filesystem::path& parent, const std::string& label,
                std::chrono::system_clock::time_point started);
  // A folder left empty (the run ended before writing anything) is removed.
  ~ResultsFolder();
  ResultsFolder(const ResultsFolder&) = delete;
  ResultsFolder& operator=(const ResultsFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

  // Writes `file_name` in the folder whole or not at all (a .part file
  // renamed into place). Throws weaver::Error naming the file.
  void write(std::string_view file_name, std::string_view content) const;

 private:
  std::filesystem::path path_;
};

// Writes every file of the run into `folder`, weaver.json last.
// `benchmark_json` is Google Benchmark's JSON of the run; `chart_library`
// is load_chart_library()'s result.
void write_results(const ResultsFolder& folder, const RunResults& results,
                   std::string_view benchmark_json,
                   const std::optional<std::string>& chart_library);

}  // namespace weaver::reporters

#include "weaver/reporters/results_folder.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "weaver/error.hpp"
#include "weaver/reporters/html_report.hpp"
#include "weaver/reporters/result_formats.hpp"

namespace weaver::reporters {
namespace {

bool label_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

std::tm utc(std::chrono::system_clock::time_point time) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
  std::tm fields{};
  ::gmtime_r(&seconds, &fields);
  return fields;
}

}  // namespace

void validate_label(const std::string& label) {
  const bool valid = !label.empty() && label.size() <= 64 && label.front() != '.' &&
                     label.front() != '-' &&
                     std::all_of(label.begin(), label.end(), label_character);
  if (!valid) {
    throw UsageError(
        "--label '" + label +
        "': expected 1 to 64 letters, digits, '.', '_' or '-', not starting with '.' or '-'");
  }
}

std::string utc_folder_stamp(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y%m%dT%H%M%SZ}", utc(time));
}

std::string utc_iso8601(std::chrono::system_clock::time_point time) {
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc(time));
}

ResultsFolder::ResultsFolder(const std::filesystem::path& parent, const std::string& label,
                             std::chrono::system_clock::time_point started) {
  validate_label(label);
  std::error_code error;
  std::filesystem::create_directories(parent, error);
  if (error) {
    throw Error("results folder '" + parent.string() + "': cannot create it (" + error.message() +
                ")");
  }
  for (int attempt = 0; attempt < 60; ++attempt) {
    const auto stamp = started + std::chrono::seconds(attempt);
    const std::filesystem::path candidate = parent / (utc_folder_stamp(stamp) + "-" + label);
    if (::mkdir(candidate.c_str(), 0755) == 0) {
      path_ = candidate;
      return;
    }
    if (errno != EEXIST) {
      throw Error("results folder '" + candidate.string() + "': cannot create it (" +
                  std::strerror(errno) + ")");
    }
  }
  throw Error("results folder '" + parent.string() +
              "': a folder for every second of the next minute exists");
}

ResultsFolder::~ResultsFolder() {
  std::error_code ignored;
  if (std::filesystem::is_empty(path_, ignored)) std::filesystem::remove(path_, ignored);
}

void ResultsFolder::write(std::string_view file_name, std::string_view content) const {
  const std::filesystem::path file = path_ / file_name;
  std::filesystem::path part = file;
  part += ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
      std::error_code ignored;
      std::filesystem::remove(part, ignored);
      throw Error("'" + file.string() + "': cannot write it (" + std::strerror(errno) + ")");
    }
  }
  std::error_code error;
  std::filesystem::rename(part, file, error);
  if (error) {
    std::filesystem::remove(part, error);
    throw Error("'" + file.string() + "': cannot write it (" + error.message() + ")");
  }
}

void write_results(const ResultsFolder& folder, const RunResults& results,
                   std::string_view benchmark_json,
                   const std::optional<std::string>& chart_library) {
  // weaver.json is built first (it is the one that can fail on its input)
  // and written last: its presence says the folder is whole.
  const std::string weaver = weaver_json(benchmark_json, results);
  folder.write("weaver.csv", results_csv(results));
  folder.write("histograms.json", histograms_json(results));
  folder.write("junit.xml", junit_xml(results));
  folder.write("bencher.json", bencher_json(results));
  folder.write("benchmark-action.json", benchmark_action_json(results));
  // What hosts printed may not be UTF-8: such bytes become U+FFFD.
  folder.write("environment.json",
               results.environment.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  folder.write("report.html", html_report(results, chart_library));
  folder.write("weaver.json", weaver);
}

}  // namespace weaver::reporters

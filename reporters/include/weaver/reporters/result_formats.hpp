// The files of a results folder rendered from a run's results. Each returns
// the file's whole content; results_folder.hpp writes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "weaver/reporters/run_results.hpp"

namespace weaver::reporters {

// weaver.csv's header, in its fixed order. Columns are only ever appended.
const std::vector<std::string>& csv_columns();

// weaver.csv: one row per case and repetition (RFC 4180 quoting); a counter
// a case did not report (a failed case) is an empty field.
std::string results_csv(const RunResults& results);

// junit.xml: one <testcase> per case; a case with a failed repetition is a
// <failure> carrying its error; a label goes to <system-out>.
std::string junit_xml(const RunResults& results);

// histograms.json: every case repetition's latency histogram.
std::string histograms_json(const RunResults& results);

// bencher.json, in the Bencher Metric Format (https://bencher.dev/bmf.json):
// per case the measures p50_us, p99_us, p999_us and lost, each the median of
// the case's successful repetitions with the lowest and highest as
// lower_value and upper_value. Regression trackers that read Google
// Benchmark's JSON take only its real_time; this carries the percentiles.
std::string bencher_json(const RunResults& results);

// benchmark-action.json, github-action-benchmark's customSmallerIsBetter
// input: an array of {name: "<case> <measure>", unit, value, range, extra},
// the same measures and medians as bencher.json.
std::string benchmark_action_json(const RunResults& results);

// weaver.json: Google Benchmark's JSON of the run (`benchmark_json`, as its
// JSONReporter wrote it) with weaver's context added: context.weaver (version,
// git revision, lab file and its SHA-256, ...), the configurations measured,
// and per benchmark its scenario, configuration, protocol, direction and
// traffic parameters. Non-finite numbers (Google Benchmark writes a bare NaN)
// become null, so every JSON parser reads it. Throws weaver::Error when
// `benchmark_json` is not JSON.
std::string weaver_json(std::string_view benchmark_json, const RunResults& results);

}  // namespace weaver::reporters

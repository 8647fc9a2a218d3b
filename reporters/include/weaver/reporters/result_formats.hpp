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

// weaver.json: Google Benchmark's JSON of the run (`benchmark_json`, as its
// JSONReporter wrote it) with weaver's context added: context.weaver (version,
// git revision, lab file and its SHA-256, ...), the configurations measured,
// and per benchmark its scenario, configuration, protocol, direction and
// traffic parameters. Non-finite numbers (Google Benchmark writes a bare NaN)
// become null, so every JSON parser reads it. Throws weaver::Error when
// `benchmark_json` is not JSON.
std::string weaver_json(std::string_view benchmark_json, const RunResults& results);

}  // namespace weaver::reporters

// A run as one self-contained HTML page (report.html of a results folder):
// the context, the environment each configuration disclosed, and per
// scenario group (same scenario, same parameters) a latency CDF and a
// histogram with one line per configuration, and every repetition's
// counters. Everything is inline (style, chart library, data), so the page
// works offline, e.g. as a CI artifact.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "weaver/reporters/run_results.hpp"

namespace weaver::reporters {

// The page. `chart_library` is load_chart_library()'s result; without it the
// page keeps every table and says in one line that charts are unavailable.
//
// The page's script marks what it did, for a headless browser to check:
// every chart canvas gets data-painted="true" when it holds a visible pixel,
// and <body> gets data-charts-drawn (charts created) and, last of all,
// data-ready="true" (absent when the script failed).
std::string html_report(const RunResults& results, const std::optional<std::string>& chart_library);

// The page's static stylesheet and script (html_report_assets.cpp). The
// script reads the data from <script type="application/json" id="weaver-data">.
std::string_view html_report_style();
std::string_view html_report_script();

}  // namespace weaver::reporters

// Pieces every self-contained HTML page of weaver's shares: the packaged
// chart library inlined, and text escaped for HTML.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace weaver::reporters {

// Debian's libjs-chart.js (Chart.js 3, UMD build: defines `Chart`).
inline constexpr const char* kChartLibraryPath = "/usr/share/javascript/chart.js/chart.min.js";

// The chart library's source, ready to sit inside <script>...</script>;
// nullopt when the file cannot be read.
std::optional<std::string> load_chart_library(
    const std::filesystem::path& path = kChartLibraryPath);

// `text` with &, <, >, " and ' as character references.
std::string html_escape(std::string_view text);

// JavaScript source made safe to inline in a <script> element: every "</"
// becomes "<\/", so no "</script>" inside it can end the element early.
std::string inline_script(std::string_view source);

}  // namespace weaver::reporters

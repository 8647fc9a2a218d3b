// The three formats of a comparison: an aligned table, JSON, GitHub markdown.
#include "weaver/reporters/compare_format.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "synthetic_run.hpp"
#include "weaver/reporters/compare.hpp"

namespace {

using namespace weaver::reporters;
using weaver::testing::gb_json;
using weaver::testing::steady_case;
using weaver::testing::SyntheticCase;

// One case of each kind: regressed (9 repetitions), unchanged, only in
// BASE, only in NEW, failed in NEW.
Comparison mixed_comparison() {
  std::vector<SyntheticCase> base = {steady_case("Slower", 20, 50, 9),
                                     steady_case("Same", 20, 50, 9), steady_case("Gone", 20, 50, 9),
                                     steady_case("Broken", 20, 50, 9)};
  std::vector<SyntheticCase> current = {
      steady_case("Slower", 20, 65, 9), steady_case("Same", 20, 50, 9, 1),
      steady_case("Added", 20, 50, 9), SyntheticCase{"Broken", {}, {}, "no packets | at all"}};
  return compare_runs(parse_run_report(gb_json(base), "base.json"),
                      parse_run_report(gb_json(current), "new.json"), CompareOptions{});
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(CompareFormat, ParsesFormatNames) {
  EXPECT_EQ(parse_compare_format("text"), CompareFormat::text);
  EXPECT_EQ(parse_compare_format("json"), CompareFormat::json);
  EXPECT_EQ(parse_compare_format("markdown"), CompareFormat::markdown);
  EXPECT_FALSE(parse_compare_format("csv").has_value());
}

TEST(CompareFormat, JsonListsCasesAndCounts) {
  std::ostringstream out;
  write_comparison(mixed_comparison(), CompareFormat::json, out);
  const auto document = nlohmann::json::parse(out.str());
  EXPECT_EQ(document["base"], "base.json");
  EXPECT_EQ(document["metrics"], nlohmann::json({"p50_us", "p99_us"}));
  const auto& cases = document["cases"];
  ASSERT_EQ(cases.size(), 5u);
  EXPECT_EQ(cases[0]["name"], "Slower");
  EXPECT_EQ(cases[0]["verdict"], "regressed");
  EXPECT_EQ(cases[0]["repetitions"]["base"], 9);
  EXPECT_EQ(cases[0]["repetitions"]["new"], 9);
  const auto& p99 = cases[0]["metrics"]["p99_us"];
  EXPECT_NEAR(p99["change_pct"].get<double>(), 30.0, 1.0);
  EXPECT_LT(p99["p_value"].get<double>(), 0.05);
  EXPECT_EQ(p99["verdict"], "regressed");
  EXPECT_EQ(cases[1]["verdict"], "unchanged");
  EXPECT_EQ(cases[2]["verdict"], "only_in_base");
  EXPECT_TRUE(cases[2]["metrics"]["p99_us"]["new"].is_null());
  EXPECT_TRUE(cases[2]["metrics"]["p99_us"]["p_value"].is_null());
  EXPECT_EQ(cases[3]["verdict"], "failed");
  EXPECT_EQ(cases[3]["error"], "no packets | at all");
  EXPECT_EQ(cases[4]["verdict"], "only_in_new");
  const auto& summary = document["summary"];
  EXPECT_EQ(summary["cases"], 5);
  EXPECT_EQ(summary["regressed"], 1);
  EXPECT_EQ(summary["unchanged"], 1);
  EXPECT_EQ(summary["only_in_base"], 1);
  EXPECT_EQ(summary["only_in_new"], 1);
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_EQ(document["regressed"], true);
}

TEST(CompareFormat, JsonHasNullPValueForOneRepetition) {
  const auto comparison =
      compare_runs(parse_run_report(gb_json({steady_case("A", 20, 50, 1)}), "b"),
                   parse_run_report(gb_json({steady_case("A", 20, 50, 1)}), "n"), {});
  const auto document = comparison_json(comparison);
  EXPECT_TRUE(document["cases"][0]["metrics"]["p50_us"]["p_value"].is_null());
  EXPECT_EQ(document["cases"][0]["metrics"]["p50_us"]["change_pct"], 0.0);
  EXPECT_EQ(document["regressed"], false);
}

TEST(CompareFormat, TextIsAnAlignedTable) {
  std::ostringstream out;
  write_comparison_text(mixed_comparison(), out);
  const auto lines = lines_of(out.str());
  ASSERT_GE(lines.size(), 13u) << out.str();
  EXPECT_EQ(lines[0], "BASE  base.json");
  EXPECT_EQ(lines[1], "NEW   new.json");
  // Metric names at line 4, column names at 5, then the five cases: columns line up.
  const std::size_t reps = lines[5].find("reps");
  ASSERT_NE(reps, std::string::npos) << out.str();
  EXPECT_EQ(lines[5].rfind("case", 0), 0u);
  EXPECT_NE(lines[4].find("- p50_us -"), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find("- p99_us -"), std::string::npos) << lines[4];
  // The group line ends where the p99 "p" column ends.
  EXPECT_EQ(lines[4].size(), lines[5].find("  reps")) << out.str();
  EXPECT_EQ(lines[6].rfind("Slower", 0), 0u);
  EXPECT_EQ(lines[6].substr(reps, 4), " 9/9");
  EXPECT_NE(lines[6].find("REGRESSED"), std::string::npos);
  EXPECT_NE(lines[6].find("+30."), std::string::npos);
  EXPECT_NE(lines[8].find("only in BASE"), std::string::npos);
  EXPECT_EQ(lines[8].substr(reps, 4), " 9/-");
  EXPECT_NE(lines[9].find("FAILED in NEW"), std::string::npos);
  EXPECT_NE(lines[10].find("only in NEW"), std::string::npos);
  const std::string text = out.str();
  EXPECT_NE(text.find("FAILED in NEW: Broken: no packets | at all\n"), std::string::npos);
  EXPECT_NE(text.find("5 case(s): 1 regressed, 0 improved, 1 unchanged, 1 only in BASE, "
                      "1 only in NEW, 1 failed in NEW\n"),
            std::string::npos)
      << text;
}

TEST(CompareFormat, MarkdownIsAGithubTable) {
  std::ostringstream out;
  write_comparison_markdown(mixed_comparison(), out);
  const auto lines = lines_of(out.str());
  std::vector<std::string> table;
  for (const auto& line : lines) {
    if (line.rfind("|", 0) == 0) table.push_back(line);
  }
  ASSERT_EQ(table.size(), 2u + 5u) << out.str();
  const auto cells = [](const std::string& line) {
    std::size_t bars = 0;
    for (std::size_t i = 0; i < line.size(); ++i)
      bars += line[i] == '|' && (i == 0 || line[i - 1] != '\\');
    return bars - 1;
  };
  EXPECT_EQ(table[0].rfind("| case | p50_us base | p50_us new | p50_us change | p50_us p |", 0),
            0u);
  EXPECT_EQ(table[1].rfind("| --- | ---: |", 0), 0u);
  // case, 4 columns for each of the 2 metrics, reps, verdict
  for (const auto& line : table) EXPECT_EQ(cells(line), 3u + 2u * 4u) << line;
  EXPECT_NE(table[2].find("| REGRESSED |"), std::string::npos);
  // A '|' in an error message must not split a cell.
  EXPECT_NE(out.str().find("no packets \\| at all"), std::string::npos);
}

}  // namespace

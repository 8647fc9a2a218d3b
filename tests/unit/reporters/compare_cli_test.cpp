// `weaver compare` as a user runs it: exit codes 0/1/2, the one-line error
// naming the file, the low-power warning printed once, results folders.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "synthetic_run.hpp"
#include "run_program.hpp"
#include "temp_dir.hpp"

namespace {

using weaver::testing::gb_json;
using weaver::testing::noisy;
using weaver::testing::steady_case;
using weaver::testing::SyntheticCase;
using weaver::testing::TempDirTest;
using weaver::testing::write_text;

using Outcome = weaver::testing::ProgramOutcome;

std::string count_of(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
    ++count;
  }
  return std::to_string(count);
}

class CompareCli : public TempDirTest {
 protected:
  Outcome compare(std::vector<std::string> args) {
    args.insert(args.begin(), {WEAVER_BINARY, "compare"});
    return weaver::testing::run_program(std::move(args), file("stdout.txt"), file("stderr.txt"));
  }

  // A run with one case whose p99 is `p99` (p50 20 us) in each repetition.
  std::string run_file(const std::string& name, double p99, std::size_t repetitions) {
    SyntheticCase c = steady_case("UdpStream/lab-bridge/size:64/manual_time", 20, p99, repetitions);
    c.p50_us = noisy(20, repetitions, 4);
    write_text(file(name), gb_json({c}));
    return file(name);
  }
};

TEST_F(CompareCli, NothingRegressedExitsZero) {
  const auto run = compare({run_file("base.json", 50, 9), run_file("new.json", 51, 9)});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.err, "");
  EXPECT_NE(run.out.find("unchanged"), std::string::npos) << run.out;
}

TEST_F(CompareCli, ARegressionExitsOne) {
  const auto run = compare({run_file("base.json", 50, 9), run_file("new.json", 65, 9)});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find("REGRESSED"), std::string::npos) << run.out;
}

TEST_F(CompareCli, MalformedJsonExitsTwoNamingTheFile) {
  write_text(file("new.json"), R"({"benchmarks": [}])");
  const auto run = compare({run_file("base.json", 50, 1), file("new.json")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err,
            "weaver compare: " + file("new.json") + ": not JSON (parse error at byte 17)\n");
  EXPECT_EQ(run.out, "");
}

TEST_F(CompareCli, MissingFileExitsTwo) {
  const auto run = compare({file("absent.json"), run_file("new.json", 50, 1)});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "weaver compare: " + file("absent.json") + ": no such file or folder\n");
}

TEST_F(CompareCli, NoBenchmarksArrayExitsTwo) {
  write_text(file("base.json"), R"({"context": {}})");
  const auto run = compare({file("base.json"), run_file("new.json", 50, 1)});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("base.json: no \"benchmarks\" array"), std::string::npos) << run.err;
}

TEST_F(CompareCli, BadOptionsExitTwo) {
  const std::string base = run_file("base.json", 50, 1);
  EXPECT_EQ(compare({base, base, "--format", "csv"}).exit_code, 2);
  EXPECT_EQ(compare({base, base, "--metric", "p42"}).exit_code, 2);
  EXPECT_EQ(compare({base, base, "--alpha", "2"}).exit_code, 2);
  EXPECT_EQ(compare({base}).exit_code, 2);
}

TEST_F(CompareCli, ResultsFoldersWork) {
  std::filesystem::create_directories(file("results/a"));
  std::filesystem::create_directories(file("results/b"));
  std::filesystem::rename(run_file("a.json", 50, 1), file("results/a/weaver.json"));
  std::filesystem::rename(run_file("b.json", 80, 1), file("results/b/weaver.json"));
  const auto run = compare({file("results/a"), file("results/b"), "--metric", "p99"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find("+60.0%"), std::string::npos) << run.out;
}

TEST_F(CompareCli, WarnsOnceAboutFewRepetitions) {
  const std::string base = run_file("base.json", 50, 3);
  const std::string current = run_file("new.json", 50, 3);
  const auto run = compare({base, current});  // two metrics tested, one warning
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(count_of(run.err, "fewer than 9 repetitions: the U test has little power"), "1")
      << run.err;
}

TEST_F(CompareCli, JsonFormatParses) {
  const auto run = compare({run_file("base.json", 50, 9), run_file("new.json", 65, 9), "--format",
                            "json", "--threshold", "40"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto document = nlohmann::json::parse(run.out);
  EXPECT_EQ(document["cases"][0]["verdict"], "unchanged");
  EXPECT_EQ(document["threshold_pct"], 40.0);
}

}  // namespace

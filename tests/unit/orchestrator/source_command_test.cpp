#include "weaver/orchestrator/source_command.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "weaver/error.hpp"

namespace weaver::orchestrator {
namespace {

using Argv = std::vector<std::string>;
using ::testing::HasSubstr;

TrafficSpec syn_spec() {
  TrafficSpec spec;
  spec.protocol = Protocol::tcp_syn;
  spec.frame_size = 64;
  spec.rate_pps = 10000;
  spec.count = 2000;
  spec.destination_port = 80;
  return spec;
}

Argv expand(const std::string& command, const std::string& destination = "198.18.1.20") {
  return expand_source_command(command, syn_spec(), destination, "198.18.0.10");
}

std::string usage_error(const std::string& command) {
  try {
    expand(command);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "no error";
}

TEST(SourceCommand, FillsEveryPlaceholder) {
  EXPECT_EQ(expand("hping3 -S -c {count} -i u{interval_us} -d {data_bytes} -p {port} "
                   "-a {source} {destination} --size={size} --rate={rate}"),
            (Argv{"hping3", "-S", "-c", "2000", "-i", "u100", "-d", "6", "-p", "80", "-a",
                  "198.18.0.10", "198.18.1.20", "--size=64", "--rate=10000"}));
}

TEST(SourceCommand, IntervalIsAMillionOverTheRateAndZeroForAsFastAsPossible) {
  TrafficSpec spec = syn_spec();
  spec.rate_pps = 3;
  EXPECT_EQ(expand_source_command("x {interval_us}", spec, "d", "s")[1], "333333");
  spec.rate_pps = 0;
  EXPECT_EQ(expand_source_command("x {interval_us}", spec, "d", "s")[1], "0");
}

TEST(SourceCommand, SplitsLikeShForPlainAndQuotedWords) {
  EXPECT_EQ(expand("  a\tb \n c  "), (Argv{"a", "b", "c"}));
  EXPECT_EQ(expand("sh -c 'echo \"a  b\"'"), (Argv{"sh", "-c", "echo \"a  b\""}));
  EXPECT_EQ(expand("say \"it's here\""), (Argv{"say", "it's here"}));
  EXPECT_EQ(expand("a'b c'\"d\"e"), (Argv{"ab cde"}));
  EXPECT_EQ(expand("x '' \"\" y"), (Argv{"x", "", "", "y"}));
  EXPECT_EQ(expand("x \"a\\\"b\\\\c\\d\""), (Argv{"x", "a\"b\\c\\d"}));
  EXPECT_EQ(expand("x a\\ b \\'"), (Argv{"x", "a b", "'"}));
  EXPECT_EQ(expand("x \\\n  y"), (Argv{"x", "y"}));
  EXPECT_EQ(expand("awk '{print $1}' {}"), (Argv{"awk", "{print $1}", "{}"}));
}

TEST(SourceCommand, PlaceholdersAreFilledInsideQuotedWords) {
  EXPECT_EQ(expand("sh -c 'ping -c {count} {destination}'"),
            (Argv{"sh", "-c", "ping -c 2000 198.18.1.20"}));
}

TEST(SourceCommand, AValueStaysOneWordWhateverItContains) {
  EXPECT_EQ(expand("ping {destination}", "a b; reboot"), (Argv{"ping", "a b; reboot"}));
  EXPECT_EQ(expand("ping {destination}", "$(reboot) `id` 'x'"),
            (Argv{"ping", "$(reboot) `id` 'x'"}));
  EXPECT_EQ(expand("ping --to={destination}", ""), (Argv{"ping", "--to="}));
}

TEST(SourceCommand, AValueIsNeverExpandedAgain) {
  EXPECT_EQ(expand("ping {destination}", "{count}"), (Argv{"ping", "{count}"}));
}

TEST(SourceCommand, RefusesUnbalancedQuotes) {
  EXPECT_EQ(usage_error("echo 'abc"), "source_command: unbalanced ' quote");
  EXPECT_EQ(usage_error("echo \"abc"), "source_command: unbalanced \" quote");
  EXPECT_EQ(usage_error("echo abc\\"), "source_command: ends with a lone backslash");
}

TEST(SourceCommand, NamesAnUnknownPlaceholder) {
  EXPECT_THAT(usage_error("hping3 {dest}"),
              HasSubstr("source_command: unknown placeholder {dest} (known: {destination}"));
  EXPECT_THAT(usage_error("sh -c 'x {interval}'"), HasSubstr("{interval}"));
}

TEST(SourceCommand, RefusesShellSyntaxItCannotHonour) {
  EXPECT_THAT(usage_error("hping3 {destination}; reboot"), HasSubstr("';' needs a shell"));
  EXPECT_THAT(usage_error("hping3 $HOME"), HasSubstr("'$' needs a shell"));
  EXPECT_THAT(usage_error("echo \"$(id)\""), HasSubstr("'$' needs a shell"));
  EXPECT_THAT(usage_error("echo `id`"), HasSubstr("'`' needs a shell"));
  EXPECT_THAT(usage_error("hping3 x > out"), HasSubstr("'>' needs a shell"));
  EXPECT_THAT(usage_error("a | b"), HasSubstr("'|' needs a shell"));
  EXPECT_THAT(usage_error("a & b"), HasSubstr("'&' needs a shell"));
  // Quoted, they are plain text.
  EXPECT_EQ(expand("echo '$HOME; a | b' \\;"), (Argv{"echo", "$HOME; a | b", ";"}));
}

TEST(SourceCommand, RefusesAnEmptyCommand) {
  EXPECT_EQ(usage_error(""), "source_command: is empty");
  EXPECT_EQ(usage_error(" \t\n"), "source_command: is empty");
}

}  // namespace
}  // namespace weaver::orchestrator

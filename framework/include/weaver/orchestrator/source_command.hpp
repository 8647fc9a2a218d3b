// A scenario's `source_command` template turned into the argv run on a source.
// The template is split into words the way sh splits plain, 'single-quoted'
// and "double-quoted" words, and only then are placeholders filled in, inside
// each word. The result is an argv vector, never a shell string, so a value
// such as a destination "a; reboot" stays one argument.
#pragma once

#include <string>
#include <vector>

#include "weaver/orchestrator/traffic_spec.hpp"

namespace weaver::orchestrator {

// Placeholders: {destination} {source} {count} {rate} {interval_us}
// (1e6 / rate, 0 when the rate is 0) {size} {data_bytes} {port}. Throws
// weaver::UsageError starting with "source_command: " for an unbalanced
// quote, shell syntax that would need a shell ($, `, ;, |, &, <, >, parentheses),
// an unknown placeholder, or an empty command.
std::vector<std::string> expand_source_command(const std::string& command_template,
                                               const TrafficSpec& spec,
                                               const std::string& destination,
                                               const std::string& source);

}  // namespace weaver::orchestrator

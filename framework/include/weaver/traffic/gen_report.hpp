// weaver-gen's closing summary: packets sent, achieved rate, send errors and
// the inter-packet gaps, as text lines or one JSON object (the orchestrator
// reads the JSON).
#pragma once

#include <string>

#include "weaver/traffic/generator.hpp"

namespace weaver::traffic {

struct GenSummary {
  const GeneratorPlan& plan;
  const GeneratorReport& report;
  std::string interface;
  bool bypasses_qdisc = false;
};

std::string summary_text(const GenSummary& summary);
std::string summary_json(const GenSummary& summary);

}  // namespace weaver::traffic

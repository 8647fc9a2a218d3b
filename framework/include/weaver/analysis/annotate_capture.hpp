// The VIF capture again, as pcapng, with each packet's measured delay in its
// comment: Wireshark shows it in the packet list (pkt_comment) and tshark
// prints it with `-T fields -e frame.comment`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "weaver/analysis/analyze.hpp"
#include "weaver/analysis/latency_result.hpp"

namespace weaver::analysis {

struct AnnotateOptions {
  // The captures, key, window and filter, as analyze_captures takes them;
  // its on_match, if set, still sees every match.
  AnalyzeOptions analyze;
  std::string output_path;              // the annotated copy of analyze.vif_path
  std::string application = "weaver";   // the section header's shb_userappl
  // Names the delay in the comments; what comes before "->" names the
  // missing partner ("no PIF partner"). Egress captures: "VIF->PIF".
  std::string direction = "PIF->VIF";
};

struct AnnotateSummary {
  LatencyResult latency;                // what analyze_captures returned
  std::uint64_t records = 0;            // VIF records written
  std::uint64_t annotated = 0;          // of them, matched: commented with their delay
  std::uint64_t without_partner = 0;    // keyed but matched nothing: "no PIF partner"
};

// Runs analyze_captures, then copies every record of the VIF capture (pcap
// or pcapng) to `output_path` as pcapng with its original timestamp, in
// nanoseconds. A matched record's comment is delay_comment(); a record that
// took part in the join (passed the filter and has a key) but matched
// nothing (lost partner, a copy the datapath duplicated) says
// "no PIF partner"; other records (ARP, filtered out) have no comment.
// Memory grows by 16 bytes per matched packet, not with the captures.
//
// Throws what analyze_captures throws, and weaver::Error naming
// `output_path` when it cannot be written; the output path is then left
// untouched (the file is written as `<output_path>.part` and renamed when
// complete).
AnnotateSummary write_annotated_capture(const AnnotateOptions& options);

// "PIF->VIF 12.345 us": microseconds with three decimals (exact, from the
// nanoseconds), a negative delay with its sign ("PIF->VIF -0.300 us").
std::string delay_comment(std::string_view direction, std::int64_t delta_ns);

}  // namespace weaver::analysis

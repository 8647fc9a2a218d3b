#include "weaver/analysis/analyze.hpp"

#include "keyed_capture.hpp"
#include "streaming_join.hpp"
#include "weaver/error.hpp"

namespace weaver::analysis {
namespace {

// A capture that gave the join nothing cannot be measured: say why.
void require_keyed_packets(const CaptureCounts& counts, const AnalyzeOptions& options) {
  if (counts.keyed > 0) return;
  if (counts.packets == 0) throw InputError(counts.path, "the capture contains no packets");
  std::string why = "none of its " + std::to_string(counts.packets) + " packets can be matched";
  if (counts.filtered == counts.packets) {
    why += ": --filter '" + options.filter + "' rejects them all";
  } else if (counts.unkeyed > 0) {
    why += ": " + std::to_string(counts.unkeyed) + " lack what --key " +
           std::string(capture::key_kind_name(options.key)) + " is made of";
  } else {
    why += " (" + std::to_string(counts.not_ip) + " without IP, " +
           std::to_string(counts.malformed) + " malformed)";
  }
  throw InputError(counts.path, why);
}

// Both captures' keyed packets, merged by timestamp, through the join. On a
// tie the PIF goes first, so a zero delta matches.
void join_in_time_order(KeyedCapture& pif, KeyedCapture& vif, StreamingJoin& join) {
  while (pif.valid() || vif.valid()) {
    const bool take_pif =
        pif.valid() && (!vif.valid() || (*pif).timestamp_ns <= (*vif).timestamp_ns);
    KeyedCapture& capture = take_pif ? pif : vif;
    join.add(take_pif ? Side::pif : Side::vif, (*capture).key, (*capture).timestamp_ns,
             (*capture).record);
    capture.advance();
  }
}

}  // namespace

LatencyResult analyze_captures(const AnalyzeOptions& options) {
  if (options.window_ns <= 0) throw UsageError("--window must be positive");

  LatencyResult result;
  result.key = options.key;
  result.window_ns = options.window_ns;
  {
    // Three threads: one decoding each capture, this one joining.
    KeyedCapture pif(options.pif_path, options);
    KeyedCapture vif(options.vif_path, options);
    StreamingJoin join(options.window_ns, result, options.on_match);
    pif.start();
    vif.start();
    join_in_time_order(pif, vif, join);
    pif.finish();
    vif.finish();
    result.pif = pif.counts();
    result.vif = vif.counts();
    join.finish();
    for (const auto* capture : {&pif, &vif}) {
      for (std::string& warning : capture->warnings()) result.warnings.push_back(std::move(warning));
    }
  }
  require_keyed_packets(result.pif, options);
  require_keyed_packets(result.vif, options);
  if (result.matched == 0) {
    throw InputError(options.pif_path,
                     "no packet matched any packet of " + options.vif_path + " (" +
                         std::to_string(result.pif.keyed) + " and " +
                         std::to_string(result.vif.keyed) + " keyed packets, --key " +
                         std::string(capture::key_kind_name(options.key)) +
                         "): are they captures of the same traffic?");
  }
  return result;
}

}  // namespace weaver::analysis

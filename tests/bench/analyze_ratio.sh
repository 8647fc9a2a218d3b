#!/usr/bin/env bash
# Prints weaver analyze's throughput as ratios to the baselines, all measured
# in this one run on the same machine:
#   - Google Benchmark (analyze_benchmark): libpcap pcap_next_ex read, mmap walk,
#     decode+key, std::unordered_map join, weaver's full analysis;
#   - `weaver analyze` end to end (the CLI): median wall time of five runs and
#     peak RSS at N and N/10 packets, to show memory does not grow with capture length;
#   - the 2013 method (tcpdump -tttt text + a Python dict keyed by TCP sequence
#     number) on a 200k-packet slice, as pairs per second.
# Usage: tests/bench/analyze_ratio.sh [PACKETS]   (default 10000000; needs ~1.6 GB in /tmp)
set -euo pipefail
cd "$(dirname "$0")/../.."
packets=${1:-10000000}
build=${WEAVER_BUILD:-build}
work=$(mktemp -d /tmp/weaver-ratio-XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== Google Benchmark, $packets packet pairs"
WEAVER_BENCH_PACKETS=$packets "$build/tests/analyze_benchmark" \
  --benchmark_out="$work/bench.json" --benchmark_out_format=json \
  --benchmark_report_aggregates_only=true | grep -E '_median|^Join/unordered_map'


echo
echo "== weaver analyze end to end (CLI)"
small=$((packets / 10))
for count in $small $packets; do
  "$build/tests/weaver-synth" --pif "$work/pif.pcap" --vif "$work/vif.pcap" --packets "$count" \
    --loss 0.001 --reorder 0.01 >/dev/null
  "$build/framework/weaver" analyze --pif "$work/pif.pcap" --vif "$work/vif.pcap" >/dev/null  # warm the page cache
  for run in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -a -o "$work/time.$count" "$build/framework/weaver" analyze \
      --pif "$work/pif.pcap" --vif "$work/vif.pcap" >/dev/null
  done
  read -r seconds rss_kb < <(sort -n "$work/time.$count" | sed -n 3p)  # the median of five
  echo "$count $seconds $rss_kb" >>"$work/cli"
  awk -v n="$count" -v s="$seconds" -v m="$rss_kb" \
    'BEGIN { printf "%10d pairs: %6.2f s, %6.2f M pairs/s, peak RSS %6.1f MB\n", n, s, n / s / 1e6, m / 1024 }'
done
if [[ $packets -ne 10000000 ]]; then rm -f "$work/pif.pcap" "$work/vif.pcap"; fi

echo
echo "== The 2013 method: tcpdump -tttt text + Python dict by TCP sequence number"
slice=200000
"$build/tests/weaver-synth" --pif "$work/pif2013.pcap" --vif "$work/vif2013.pcap" --packets $slice \
  --loss 0.001 --reorder 0.01 >/dev/null
cat >"$work/match2013.py" <<'PY'
import re, sys
from datetime import datetime
seq = re.compile(r"seq (\d+)")
def times(path):
    table = {}
    for line in open(path):
        found = seq.search(line)
        if found:
            stamp = datetime.strptime(" ".join(line.split()[:2]), "%Y-%m-%d %H:%M:%S.%f")
            table[found.group(1)] = stamp
    return table
pif, vif = times(sys.argv[1]), times(sys.argv[2])
deltas = [(vif[k] - t).total_seconds() * 1e6 for k, t in pif.items() if k in vif]
print(len(deltas))
PY
start=$(date +%s.%N)
tcpdump -tttt -nn -r "$work/pif2013.pcap" >"$work/pif.txt" 2>/dev/null
tcpdump -tttt -nn -r "$work/vif2013.pcap" >"$work/vif.txt" 2>/dev/null
python3 "$work/match2013.py" "$work/pif.txt" "$work/vif.txt" >/dev/null
end=$(date +%s.%N)
awk -v n=$slice -v a="$start" -v b="$end" \
  'BEGIN { printf "%10d pairs: %6.2f s, %8.1f k pairs/s\n", n, b - a, n / (b - a) / 1e3 }' | tee "$work/2013"

echo
echo "== Ratios (same run)"
python3 - "$work/bench.json" "$work/cli" "$work/2013" <<'PY'
import json, re, sys
bench = {}
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    name = re.sub(r"/repeats:\d+", "", b["name"]).split("/real_time")[0]
    if b.get("aggregate_name", "median") == "median":  # single runs have no aggregate
        bench[name] = b["pairs_per_second"]
cli = [line.split() for line in open(sys.argv[2])]
count, seconds, rss = (float(x) for x in cli[-1])
small_rss = float(cli[0][2])
cli_rate = count / seconds
text = open(sys.argv[3]).read()
old_rate = float(text.split()[0]) / float(text.split(":")[1].split()[0])
print(f"weaver analyze (CLI)        {cli_rate / 1e6:7.2f} M pairs/s")
print(f"  vs libpcap pcap_next_ex   {cli_rate / bench['RawRead/libpcap']:7.2f} x   (target >= 2)")
print(f"  vs mmap walk (the limit)  {cli_rate / bench['RawRead/mmap']:7.2f} x")
print(f"  vs unordered_map join     {cli_rate / bench['Join/unordered_map']:7.2f} x")
print(f"  vs the 2013 method        {cli_rate / old_rate:7.0f} x   (target >= 300)")
print(f"Analyze (in-process median) {bench['Analyze'] / 1e6:7.2f} M pairs/s")
print(f"peak RSS {rss / 1024:.1f} MB at {int(count)} pairs, {small_rss / 1024:.1f} MB at {int(cli[0][0])} (target < 100 MB, flat)")
PY

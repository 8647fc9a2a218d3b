#!/usr/bin/env bash
# The analyzer on its own: a synthetic PIF/VIF capture pair with known
# latency, loss and reordering is written, analyzed, and the result is
# compared with the ground truth (non-zero exit if they differ).
# Results land in results/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/setup/common.sh

install_packages
configure_and_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo

packets=${WEAVER_DEMO_PACKETS:-1000000}
run_dir="results/$(date -u +%Y%m%dT%H%M%SZ)-analyze-demo"
mkdir -p "$run_dir"
echo "Writing $packets synthetic SYNs (1 Mpps, 1-50 us delay, 0.1% loss, 1% reordered) to $run_dir"
build/tests/weaver-synth --pif "$run_dir/pif.pcap" --vif "$run_dir/vif.pcap" --packets "$packets" \
  --loss 0.001 --reorder 0.01 --duplicate 0.0005 >"$run_dir/truth.json"
echo
build/framework/weaver analyze --pif "$run_dir/pif.pcap" --vif "$run_dir/vif.pcap" | tee "$run_dir/analyze.txt"
build/framework/weaver analyze --pif "$run_dir/pif.pcap" --vif "$run_dir/vif.pcap" --json >"$run_dir/analyze.json"
rm -f "$run_dir/pif.pcap" "$run_dir/vif.pcap"
echo
python3 - "$run_dir/truth.json" "$run_dir/analyze.json" <<'PY'
import json, sys
truth, measured = (json.load(open(path)) for path in sys.argv[1:3])
rows = [
    ("lost", truth["lost"], measured["pif_only"]),
    ("reordered", truth["reordered"], measured["reordered"]),
    ("duplicated", truth["duplicated"], measured["duplicates"]),
    ("min delay (us)", truth["min_delay_ns"] / 1e3, measured["min_us"]),
    ("mean delay (us)", round(truth["mean_delay_ns"] / 1e3, 3), round(measured["mean_us"], 3)),  # to the ns
    ("max delay (us)", truth["max_delay_ns"] / 1e3, measured["max_us"]),
]
agree = lambda expected, got: abs(expected - got) <= 0.001  # 1 ns
print(f"{'':16} {'truth':>12} {'measured':>12}")
for name, expected, got in rows:
    print(f"{name:16} {expected:>12} {got:>12}  {'ok' if agree(expected, got) else 'DIFFERS'}")
sys.exit(0 if all(agree(expected, got) for _, expected, got in rows) else 1)
PY
echo
echo "Results: $run_dir (analyze.txt, analyze.json, truth.json)"

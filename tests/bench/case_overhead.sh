#!/usr/bin/env bash
# What a case costs beyond its own traffic: one bridge hypervisor on the lab,
# a case of 100 UDP packets at 1 000 pps (0.1 s of traffic) repeated N times
# (default 10), the mean case_seconds of the repetitions after the first
# (which also connects, uploads and starts the agents) minus 0.1 s. Measured
# for both capture methods, with an empty shell start-up file on the lab's
# hosts and with one that sleeps 0.15 s (what a host running pyenv, conda or
# a chatty .bashrc pays for every command sshd runs), side by side.
#
# Usage (root): tests/bench/case_overhead.sh [REPETITIONS]
set -euo pipefail
cd "$(dirname "$0")/../.."
reps=${1:-10}
[[ $reps =~ ^[0-9]+$ ]] && ((reps >= 2)) || { echo "usage: $0 [REPETITIONS >= 2]" >&2; exit 2; }
((EUID == 0)) || { echo "$0: needs root (network namespaces)" >&2; exit 1; }
weaver=$PWD/build/framework/weaver
lab=wv96
work=$(mktemp -d /tmp/case-overhead-XXXXXX)
trap '"$weaver" lab down --id "$lab" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

printf 'scenarios:\n  - name: Udp100\n    protocol: udp\n    axes:\n      size: [64]\n      rate: [1000]\n      count: [100]\n' \
  >"$work/scenarios.yaml"
: >"$work/empty_rc"
printf 'sleep 0.15\n' >"$work/slow_rc"

printf '%-10s %-24s %s\n' capture "host's .bashrc" "seconds per case beyond the 0.1 s of traffic (mean of $((reps - 1)), after the first)"
for rc in empty_rc slow_rc; do
  "$weaver" lab down --id "$lab" >/dev/null 2>&1 || true
  "$weaver" lab up --id "$lab" --datapath bridge --shell-rc "$work/$rc" >/dev/null
  for capture in agent tcpdump; do
    out=$work/$rc-$capture
    "$weaver" run --lab "$lab" --scenarios "$work/scenarios.yaml" --capture "$capture" \
      --benchmark_repetitions="$reps" --results-dir "$out" >/dev/null 2>&1 || true
    python3 - "$out" "$capture" "$rc" <<'PY'
import csv, glob, sys
folder, capture, rc = sys.argv[1:]
files = glob.glob(f"{folder}/*/weaver.csv")
rows = list(csv.DictReader(open(files[0]))) if files else []
rc_text = "empty" if rc == "empty_rc" else "sleep 0.15"
if not rows or any(r["error"] for r in rows):
    print(f"{capture:<10} {rc_text:<24} failed")
    sys.exit(0)
seconds = [float(r["case_seconds"]) for r in rows]
later = seconds[1:]
print(f"{capture:<10} {rc_text:<24} {sum(later) / len(later) - 0.1:.3f}   (first case {seconds[0]:.3f} s)")
PY
  done
done

#!/usr/bin/env bash
# Many hypervisors at once: a lab of N bridge hypervisors (default 8), one
# case of 1 000 UDP packets at 1 000 pps on each, run one hypervisor after
# another and with --parallel-hypervisors, against the same case on one
# hypervisor. Prints the wall time of each `weaver run` (connect, agents,
# environment, cases, results folder).
#
# Usage (root): tests/bench/fan_out.sh [HYPERVISORS]
set -euo pipefail
cd "$(dirname "$0")/../.."
hypervisors=${1:-8}
[[ $hypervisors =~ ^[1-9][0-9]?$ ]] || { echo "usage: $0 [HYPERVISORS 1..64]" >&2; exit 2; }
((EUID == 0)) || { echo "$0: needs root (network namespaces)" >&2; exit 1; }
weaver=$PWD/build/framework/weaver
lab=wv95
work=$(mktemp -d /tmp/fan-out-XXXXXX)
trap '"$weaver" lab down --id "$lab" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
printf 'scenarios:\n  - name: Udp1000\n    protocol: udp\n    axes:\n      size: [64]\n      rate: [1000]\n      count: [1000]\n' \
  >"$work/scenarios.yaml"
"$weaver" lab up --id "$lab" --datapath bridge --hypervisors "$hypervisors" >/dev/null

timed() {  # LABEL weaver-run-arguments...
  local label=$1 started ended
  shift
  started=$(date +%s.%N)
  "$weaver" run --lab "$lab" --scenarios "$work/scenarios.yaml" --results-dir "$work/results" "$@" \
    >"$work/out" 2>&1 || { echo "$label: weaver run failed:"; tail -5 "$work/out"; return 1; }
  ended=$(date +%s.%N)
  printf '%-44s %6.1f s\n' "$label" "$(echo "$ended - $started" | bc)"
}
timed "$hypervisors hypervisors, one after another"
timed "$hypervisors hypervisors, --parallel-hypervisors" --parallel-hypervisors
timed "1 hypervisor" --benchmark_filter='^Udp1000/lab-bridge-br0/'

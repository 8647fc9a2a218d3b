#!/usr/bin/env bash
# In-kernel reference for a lab datapath's PIF->VIF latency, measured with no
# weaver and no packet capture running: bpftrace (kernel_reference.bt) stamps
# every IPv4/UDP skb at net:netif_rx on the PIF and at net:net_dev_start_xmit
# on the VIF of one network namespace and joins them by skb address.
#
# Usage (root): tests/bench/kernel_reference.sh --netns NS --pif IF --vif IF
#                 --duration-s S [--ready-file F] [--json]
# Start it in the background, wait for "ready" on its stderr (or for F to
# exist), then start the traffic; it prints its result after S seconds:
#   matched N  p50 U us  p90 U us  p99 U us  mean U us      (--json: one object)
# Percentiles are nearest-rank over the exact nanosecond deltas, as weaver's.
set -euo pipefail

usage() { echo "usage: $0 --netns NS --pif IF --vif IF --duration-s S [--ready-file F] [--json]" >&2; exit 2; }
netns='' pif='' vif='' duration='' ready_file='' json=0
while (($#)); do
  case $1 in
    --netns) netns=${2:?}; shift 2 ;;
    --pif) pif=${2:?}; shift 2 ;;
    --vif) vif=${2:?}; shift 2 ;;
    --duration-s) duration=${2:?}; shift 2 ;;
    --ready-file) ready_file=${2:?}; shift 2 ;;
    --json) json=1; shift ;;
    *) usage ;;
  esac
done
[[ -n $netns && -n $pif && -n $vif && -n $duration ]] || usage
[[ $duration =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "$0: --duration-s: not a number: $duration" >&2; exit 2; }
duration_ms=$(awk -v s="$duration" 'BEGIN { printf "%d", s * 1000 }')
((duration_ms > 0)) || { echo "$0: --duration-s must be > 0" >&2; exit 2; }
((EUID == 0)) || { echo "$0: needs root (bpftrace, ip netns)" >&2; exit 1; }
script_dir=$(cd "$(dirname "$0")" && pwd)

# Interface names repeat across namespaces (every hypervisor has an eth0), so
# the probes filter on the namespace's inode number and the ifindexes in it.
[[ -e /run/netns/$netns ]] || { echo "$0: no network namespace $netns" >&2; exit 1; }
netns_inum=$(stat -L -c %i "/run/netns/$netns")
ifindex() {  # ip netns exec mounts the namespace's own /sys
  ip netns exec "$netns" cat "/sys/class/net/$1/ifindex" 2>/dev/null ||
    { echo "$0: no interface $1 in $netns" >&2; exit 1; }
}
pif_index=$(ifindex "$pif")
vif_index=$(ifindex "$vif")

# bpftrace attaches tracepoints through tracefs.
if [[ ! -e /sys/kernel/tracing/events ]]; then
  mount -t tracefs nodev /sys/kernel/tracing
fi

work=$(mktemp -d /tmp/kernel-reference-XXXXXX)
bpftrace_pid=''
cleanup() {
  if [[ -n $bpftrace_pid ]] && kill -0 "$bpftrace_pid" 2>/dev/null; then
    kill -TERM "$bpftrace_pid" 2>/dev/null || true
    wait "$bpftrace_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Room for one count-map key per distinct nanosecond delta (default 4096).
# timeout: bpftrace exits by itself after the duration; this bounds a hang.
BPFTRACE_MAP_KEYS_MAX=65536 timeout $((duration_ms / 1000 + 60)) \
  bpftrace "$script_dir/kernel_reference.bt" "$netns_inum" "$pif_index" "$vif_index" "$duration_ms" \
  >"$work/out" 2>"$work/err" &
bpftrace_pid=$!

# bpftrace writes BEGIN's "ready" only once its poll loop runs, i.e. after
# every tracepoint is attached and enabled (checked with strace on 0.17).
until grep -sqx ready "$work/out"; do
  kill -0 "$bpftrace_pid" 2>/dev/null || { echo "$0: bpftrace failed:" >&2; grep -v RLIMIT_MEMLOCK "$work/err" >&2; exit 1; }
  sleep 0.05
done
if [[ -n $ready_file ]]; then : >"$ready_file"; else echo ready >&2; fi

status=0
wait "$bpftrace_pid" || status=$?
bpftrace_pid=''
((status == 0)) || { echo "$0: bpftrace exited with $status:" >&2; cat "$work/err" >&2; exit 1; }

python3 - "$work/out" "$json" <<'PY'
import json, math, re, sys
counts, scalars = {}, {}
for line in open(sys.argv[1]):
    if m := re.fullmatch(r"@delta_ns\[(\d+)\]: (\d+)\s*", line):
        counts[int(m[1])] = int(m[2])
    elif m := re.fullmatch(r"@(\w+): (\d+)\s*", line):
        scalars[m[1]] = int(m[2])
matched = sum(counts.values())
if matched != scalars.get("matched", 0):
    sys.exit(f"kernel_reference: {scalars.get('matched', 0)} matched but {matched} deltas kept "
             "(more distinct deltas than BPFTRACE_MAP_KEYS_MAX?)")
values = sorted(counts)
def percentile(p):  # nearest rank, in microseconds
    rank, seen = max(1, math.ceil(p * matched)), 0
    for v in values:
        seen += counts[v]
        if seen >= rank:
            return round(v / 1000, 3)
    return 0.0
mean = round(sum(v * c for v, c in counts.items()) / matched / 1000, 3) if matched else 0.0
result = {"matched": matched, "p50_us": percentile(0.5), "p90_us": percentile(0.9),
          "p99_us": percentile(0.99), "mean_us": mean}
if sys.argv[2] == "1":
    print(json.dumps(result, separators=(",", ":")))
else:
    print(f"matched {matched}  (UDP on the VIF without a PIF stamp: {scalars.get('vif_only', 0)})")
    for k in ("p50_us", "p90_us", "p99_us", "mean_us"):
        print(f"{k[:-3]:>5} {result[k]:.3f} us")
PY

#!/usr/bin/env bash
# weaver-gen against hping3 on the local lab, side by side in one run:
#   - rate accuracy: for each asked rate, the rate each achieved and the
#     inter-packet gaps (p50, p99), both measured from one capture on the
#     receiving side (tcpdump, nanosecond stamps), 64-byte UDP frames: into
#     the sink below, and through the lab to the hypervisor's PIF. Not on the
#     source: frames sent with PACKET_QDISC_BYPASS skip the sender's own
#     packet taps, so tcpdump there would not see weaver-gen's;
#   - peak: packets/s with `weaver-gen --rate max` and `hping3 --flood` (median of 3), into a
#     sink that drops frames at once (a veth whose peer has no address), so
#     the generators, not the lab's datapath, set the pace; and through the
#     lab's bridge datapath, where the sender's CPU also forwards every frame.
# Usage (root): tests/bench/generator_rates.sh [SECONDS per rate]   (default 2)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-2}
build=${WEAVER_BUILD:-build}
weaver="$build/framework/weaver"
gen="$build/framework/weaver-gen"
lab=wv90
work=$(mktemp -d /tmp/weaver-gen-rates-XXXXXX)
sink_a="wvgen$$-a" sink_b="wvgen$$-b"
cleanup() {
  "$weaver" lab down --id "$lab" >/dev/null 2>&1 || true
  ip netns del "$sink_a" 2>/dev/null || true
  ip netns del "$sink_b" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$weaver" lab up --id "$lab" --datapath bridge >/dev/null
source_ns="$lab-src0"
hypervisor_ns="$lab-br0"
guest=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["hypervisors"][0]["guest"]["address"])' \
  "/run/weaver/lab/$lab/state.json")

# capture_while NETNS IF FILE COMMAND...: runs COMMAND while tcpdump records
# the UDP arriving on IF to FILE.
capture_while() {
  local netns=$1 interface=$2 file=$3; shift 3
  ip netns exec "$netns" tcpdump -i "$interface" -nn -q -w "$file" --time-stamp-precision=nano \
    -B 65536 'udp and dst port 9' 2>"$file.log" &
  local tcpdump=$!
  until grep -q "listening on" "$file.log" 2>/dev/null; do sleep 0.05; done
  "$@" >"$file.out" 2>&1 || true
  sleep 0.2
  kill -INT "$tcpdump"; wait "$tcpdump" || true
}

# gaps FILE: "achieved_pps p50_us p99_us packets" from the capture's timestamps.
gaps() {
  python3 - "$1" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
magic = struct.unpack("<I", data[:4])[0]
scale = 1 if magic == 0xa1b23c4d else 1000
times, offset = [], 24
while offset + 16 <= len(data):
    sec, frac, incl, _ = struct.unpack("<IIII", data[offset:offset + 16])
    times.append(sec * 1_000_000_000 + frac * scale)
    offset += 16 + incl
if len(times) < 2:
    print("0 0 0", len(times)); sys.exit()
deltas = sorted(b - a for a, b in zip(times, times[1:]))
pick = lambda q: deltas[min(len(deltas) - 1, int(q * len(deltas)))] / 1000
print(f"{(len(times) - 1) * 1e9 / (times[-1] - times[0]):.0f} {pick(0.5):.1f} {pick(0.99):.1f} {len(times)}")
PY
}

# hping3's "N packets transmitted" (upstream: "tramitted") after --flood for SECONDS.
hping3_flood_pps() {
  local ns=$1 destination=$2 sent
  sent=$(ip netns exec "$ns" timeout -s INT "$seconds" hping3 -n -q --udp -p 9 -d 18 --flood \
    "$destination" 2>&1 | sed -n 's/^\([0-9]*\) packets tra[nsm]*itted.*/\1/p' || true)
  echo $(( ${sent:-0} / seconds ))
}

weaver_gen_max_pps() {
  local ns=$1 destination=$2
  ip netns exec "$ns" "$gen" --dst "$destination" --proto udp --size 64 --rate max \
    --duration "$seconds" --json | python3 -c 'import json,sys; print(round(json.load(sys.stdin)["achieved_pps"]))'
}

# rate_table LABEL SOURCE_NS DESTINATION CAPTURE_NS CAPTURE_IF
rate_table() {
  local label=$1 ns=$2 destination=$3 capture_ns=$4 capture_if=$5 rate count
  echo "== rate accuracy $label, 64-byte UDP, ${seconds} s per rate"
  printf '%10s | %12s %9s %9s | %12s %9s %9s\n' asked weaver-gen p50_us p99_us hping3 p50_us p99_us
  for rate in 1000 10000 50000 100000 200000; do
    count=$((rate * seconds))
    capture_while "$capture_ns" "$capture_if" "$work/gen.pcap" ip netns exec "$ns" "$gen" \
      --dst "$destination" --proto udp --size 64 --rate "$rate" --count "$count"
    read -r gen_pps gen_p50 gen_p99 _ < <(gaps "$work/gen.pcap")
    capture_while "$capture_ns" "$capture_if" "$work/hping.pcap" ip netns exec "$ns" hping3 -n -q \
      --udp -p 9 -d 18 -c "$count" -i "u$((1000000 / rate))" "$destination"
    read -r hp_pps hp_p50 hp_p99 _ < <(gaps "$work/hping.pcap")
    printf '%10s | %12s %9s %9s | %12s %9s %9s\n' "$rate" "$gen_pps" "$gen_p50" "$gen_p99" \
      "$hp_pps" "$hp_p50" "$hp_p99"
  done
  echo
}

ip netns add "$sink_a"
ip netns add "$sink_b"
ip -n "$sink_a" link add a0 type veth peer name b0 netns "$sink_b"
ip -n "$sink_a" addr add 198.18.254.1/24 dev a0
ip -n "$sink_a" link set a0 up
ip -n "$sink_b" link set b0 up
ip -n "$sink_a" neigh add 198.18.254.2 lladdr 02:00:00:00:fe:02 dev a0 nud permanent

rate_table "into the sink" "$sink_a" 198.18.254.2 "$sink_b" b0
rate_table "through the lab's bridge (capture on the PIF)" "$source_ns" "$guest" "$hypervisor_ns" eth0

median() { printf '%s\n' "$@" | sort -n | sed -n 2p; }

echo "== peak, 64-byte UDP, median of 3 alternating runs of ${seconds} s each"
printf '%-34s %12s %12s %8s\n' "" weaver-gen hping3 ratio
for target in "sink:$sink_a:198.18.254.2" "lab bridge datapath:$source_ns:$guest"; do
  IFS=: read -r label ns destination <<<"$target"
  gen_runs=() hp_runs=()
  for _ in 1 2 3; do
    gen_runs+=("$(weaver_gen_max_pps "$ns" "$destination")")
    hp_runs+=("$(hping3_flood_pps "$ns" "$destination")")
  done
  gen_peak=$(median "${gen_runs[@]}")
  hp_peak=$(median "${hp_runs[@]}")
  printf '%-34s %12s %12s %7.2fx\n' "$label" "$gen_peak" "$hp_peak" \
    "$(python3 -c "import sys; print(int(sys.argv[1]) / max(1, int(sys.argv[2])))" "$gen_peak" "$hp_peak")"
done

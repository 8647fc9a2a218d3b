#!/usr/bin/env bash
# Installs what is missing, builds, and runs weaver's main job on the local
# lab: every built-in scenario on every lab datapath (bridge, routed,
# tc-redirect, userspace), as Google Benchmark cases over SSH. A lab that is
# already up is measured as it is; otherwise one is brought up for the run
# and taken down after it. Extra arguments go to `weaver run`
# (e.g. --benchmark_filter=SynFlood, --benchmark_repetitions=5).
set -euo pipefail
cd "$(dirname "$0")"
source tests/setup/common.sh

if [[ $(id -u) -ne 0 ]]; then
  echo "weaver: the local lab needs root (network namespaces, sshd, tcpdump): run sudo ./run.sh" >&2
  exit 1
fi
install_packages
configure_and_build build -DCMAKE_BUILD_TYPE=Release

# weaver writes results/<UTC timestamp>-lab/ (weaver.json, weaver.csv,
# histograms.json, junit.xml, environment.json, report.html) and names it.
exec build/framework/weaver run --benchmark_counters_tabular=true --results-dir results "$@"

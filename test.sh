#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   ./test.sh            normal build (build/) + sanitizer build (build-asan/, clang, ASan+UBSan,
#                        fuzzers; every test but the lab integration tests, which run in build/)
#   ./test.sh --quick    normal build only
set -euo pipefail
cd "$(dirname "$0")"
source tests/setup/common.sh

quick=0
[[ "${1:-}" == "--quick" ]] && quick=1

install_packages "${WEAVER_TEST_PACKAGES[@]}"
configure_and_build build -DCMAKE_BUILD_TYPE=Release
run_ctest build

if [[ $quick -eq 0 ]]; then
  configure_and_build build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only \
    -DCMAKE_CXX_COMPILER=clang++ \
    -DWEAVER_SANITIZE=ON -DWEAVER_FUZZ=ON -DWEAVER_BENCHMARKS=OFF -DWEAVER_LAB_TESTS=OFF
  run_ctest build-asan
fi

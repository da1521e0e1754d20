#!/usr/bin/env bash
# The whole test suite, as CI runs it: dependencies, a release build with its tests and the lint
# (tools/lint.sh), the same tests again under AddressSanitizer + UndefinedBehaviorSanitizer, then
# a release build without the eBPF collector (GTANALYZE_COLLECTOR=OFF) with its tests, then the
# reader threads' tests under ThreadSanitizer (the tsan preset builds test_parser alone).
#   tools/run-tests.sh            all four builds
#   tools/run-tests.sh --fast     the release build only (for quick local runs)
set -euo pipefail
cd "$(dirname "$0")/.."

fast=0
[ "${1:-}" = "--fast" ] && fast=1

# --go: the collector tests build their Go test program with every Go toolchain 1.19-1.26.
bash tools/install-deps.sh --go
# DuckDB's node package, which the export test queries the tables with (tests/report/export).
npm ci --prefix tests/report/export --no-audit --no-fund --loglevel=error
jobs=$(nproc)
# ccache, with paths taken relative to the checkout: the build without the collector then reuses
# nearly every object of the release build (same flags), instead of compiling it all again.
export CMAKE_C_COMPILER_LAUNCHER=ccache CMAKE_CXX_COMPILER_LAUNCHER=ccache
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
presets=(release)
[ "$fast" = 1 ] || presets+=(asan nocollector tsan)
for preset in "${presets[@]}"; do
  echo "== $preset build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== $preset tests"
  ctest --preset "$preset"
  # The code's layout and function sizes, once the release build has made the compile commands.
  if [ "$preset" = release ]; then bash tools/lint.sh build/release; fi
done

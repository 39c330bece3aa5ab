#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   ./scripts/test.sh            the ASan+UBSan and TSan builds (unit tests and the integration
#                                suites labelled `sanitize`), the fuzz build (clang, libFuzzer:
#                                every seed of tests/fuzz/corpus replayed, then each target fuzzed
#                                briefly; label `fuzz`, docs/fuzzing.md), then the release build:
#                                every test
#   ./scripts/test.sh --quick    release build only
# Each phase reports its time. Ends with ctest's summary line of the release suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

jobs=$(nproc)
run_suite() {
  local preset=$1; shift
  echo "== ${preset}: configure and build" >&2
  local start=$SECONDS
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: built in $((SECONDS - start)) s; ctest" >&2
  start=$SECONDS
  ctest --preset "$preset" -j "$jobs" "$@"
  # The release suite runs last: its summary line stays the last line of the output.
  [ "$preset" = release ] || echo "== ${preset}: tests ran in $((SECONDS - start)) s" >&2
}

quick=0
[ "${1:-}" = "--quick" ] && quick=1

if [ "$quick" = 0 ]; then
  # The sanitizer builds run the unit tests and the integration suites that drive the daemon
  # through its concurrency (label `sanitize`, STEMEDB_SANITIZE_SUITES in tests/CMakeLists.txt).
  # A sanitizer report in the daemon's or a tool's output fails the test that started it.
  run_suite asan -L 'unit|sanitize'
  run_suite tsan -L 'unit|sanitize'
  run_suite fuzz -L fuzz
fi
run_suite release

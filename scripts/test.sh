#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   ./scripts/test.sh            release build: every test; then the ASan+UBSan and TSan builds
#   ./scripts/test.sh --quick    release build only
# Ends with ctest's summary line of the last suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

jobs=$(nproc)
run_suite() {
  local preset=$1; shift
  echo "== ${preset}: configure and build" >&2
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: ctest" >&2
  ctest --preset "$preset" -j "$jobs" "$@"
}

quick=0
[ "${1:-}" = "--quick" ] && quick=1

if [ "$quick" = 0 ]; then
  # Sanitizer builds run the unit tests and the integration tests that drive the daemon
  # through its concurrency (server, shutdown); see docs/testing.md.
  run_suite asan -L 'unit|sanitize'
  run_suite tsan -L 'unit|sanitize'
fi
run_suite release

#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test through ctest.
#   ./scripts/test.sh            the ASan+UBSan and TSan builds (unit tests and the integration
#                                suites labelled `sanitize`), the fuzz build (clang, libFuzzer, at
#                                -O0: every seed of tests/fuzz/corpus replayed, then each target
#                                fuzzed briefly; label `fuzz`, docs/fuzzing.md), then the release
#                                build: every test but the unit tests, which both sanitizer builds
#                                have just run (the release build leaves their binaries out:
#                                STEMEDB_UNIT_TESTS=OFF, a fifth of its compile time)
#   ./scripts/test.sh --quick    release build only, every test
# Each phase reports its time. Ends with ctest's summary line of the release suite.
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh

jobs=$(nproc)
release_options=()
run_suite() {
  local preset=$1; shift
  echo "== ${preset}: configure and build" >&2
  local start=$SECONDS
  local configure=()
  [ "$preset" = release ] && configure=("${release_options[@]}")
  cmake --preset "$preset" "${configure[@]}" >/dev/null
  cmake --build --preset "$preset" -j "$jobs"
  echo "== ${preset}: built in $((SECONDS - start)) s; ctest" >&2
  start=$SECONDS
  ctest --preset "$preset" -j "$jobs" "$@"
  # The release suite runs last: its summary line stays the last line of the output.
  [ "$preset" = release ] || echo "== ${preset}: tests ran in $((SECONDS - start)) s" >&2
}

quick=0
[ "${1:-}" = "--quick" ] && quick=1

# The fuzz and release builds, at nice 19 in the background from the start: they take only the
# CPU the sanitizer phases leave idle (a test waiting on a daemon, a link step, ctest's tail),
# which on CI's 2 cores is minutes. Their phases below wait for them, then find little left to
# build. The output goes to a log, shown if a build fails.
background_log=build/background-builds.log
background_pid=
start_background_builds() {
  mkdir -p build
  # Not in a session of its own (setsid): the kernel's autogroups give each session an equal
  # share of the CPU whatever its nice value, so a new session would take half of it.
  # shellcheck disable=SC2016  # the child's script: its $1 is the job count passed after it
  nice -n 19 bash -c '
    set -e
    cmake --preset fuzz-ci >/dev/null && cmake --build --preset fuzz-ci -j "$1"
    cmake --preset release -DSTEMEDB_UNIT_TESTS=OFF >/dev/null && cmake --build --preset release -j "$1"
  ' background-builds "$jobs" >"$background_log" 2>&1 &
  background_pid=$!
  trap '[ -z "$background_pid" ] || kill_tree "$background_pid"' EXIT
}
# Stops a process and everything it started (cmake, ninja, the compilers).
kill_tree() {
  local child
  for child in $(pgrep -P "$1"); do kill_tree "$child"; done
  kill "$1" 2>/dev/null || true
}
wait_background_builds() {
  local start=$SECONDS
  if ! wait "$background_pid"; then
    background_pid=
    echo "== background builds (fuzz-ci, release) failed:" >&2
    tail -n 100 "$background_log" >&2
    exit 1
  fi
  background_pid=
  echo "== background builds (fuzz-ci, release): waited $((SECONDS - start)) s for them" >&2
}

if [ "$quick" = 0 ]; then
  start_background_builds
  # The sanitizer builds run the unit tests and the integration suites that drive the daemon
  # through its concurrency (label `sanitize`, STEMEDB_SANITIZE_SUITES in tests/CMakeLists.txt).
  # A sanitizer report in the daemon's or a tool's output fails the test that started it.
  run_suite asan -L 'unit|sanitize'
  run_suite tsan -L 'unit|sanitize'
  wait_background_builds
  run_suite fuzz-ci -L fuzz
  release_options=(-DSTEMEDB_UNIT_TESTS=OFF)
fi
run_suite release

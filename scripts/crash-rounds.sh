#!/usr/bin/env bash
# The long crash campaign of docs/crash-testing.md, outside CI (CI runs the same tests with
# fewer rounds). A campaign, not a test suite: it prints one summary line per part.
#
#   ./scripts/crash-rounds.sh [ROUNDS] [--points N] [--daemon-rounds N] [--seed S]
#
#   ROUNDS             SIGKILL rounds of the WAL under 64 writer threads (default 100;
#                      tests/wal/crash_test.cpp, stemedb-wal-crash-writer)
#   --daemon-rounds N  SIGKILL rounds of the real daemon under 64 HTTP writers (default 100;
#                      tests/integration/write_durability_test.cpp); 0 skips them
#   --points N         power cuts through the Env seam (default 1000;
#                      tests/wal/power_cut_test.cpp); 0 skips them
#   --seed S           another sequence of kill points and cuts
#
# Every acknowledged write must survive; the first loss stops the campaign with exit 1.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=100
daemon_rounds=100
points=1000
seed=""
while [ $# -gt 0 ]; do
  case "$1" in
    --points) points=${2:?--points needs a number}; shift 2 ;;
    --daemon-rounds) daemon_rounds=${2:?--daemon-rounds needs a number}; shift 2 ;;
    --seed) seed=${2:?--seed needs a number}; shift 2 ;;
    -h | --help) sed -n '2,16p' "$0"; exit 0 ;;
    [0-9]*) rounds=$1; shift ;;
    *) echo "crash-rounds.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for n in "$rounds" "$daemon_rounds" "$points"; do
  case "$n" in '' | *[!0-9]*) echo "crash-rounds.sh: '$n' is not a number" >&2; exit 2 ;; esac
done

./scripts/setup.sh --build-only
cmake --preset release >/dev/null
targets=(wal_test)
[ "$daemon_rounds" -gt 0 ] && targets+=(integration_test)
cmake --build --preset release --target "${targets[@]}" >/dev/null
tests=build/release/tests
seed_env=()
[ -n "$seed" ] && seed_env=("STEMEDB_CRASH_SEED=$seed" "STEMEDB_POWER_CUT_SEED=$seed")

# run_part NAME FILTER BINARY VAR=VALUE...: runs one gtest with the campaign's settings and
# prints its summary line; the full output is kept in build/crash-rounds/NAME.log.
mkdir -p build/crash-rounds
run_part() {
  local name=$1 filter=$2 binary=$3
  shift 3
  local log=build/crash-rounds/$name.log
  if ! env "$@" "${seed_env[@]}" "$binary" --gtest_filter="$filter" >"$log" 2>&1; then
    grep -E 'Failure|missing|lost' "$log" | head -20 >&2 || true
    echo "crash-rounds.sh: $name FAILED (full output: $log)" >&2
    exit 1
  fi
  grep -E '^(crash|daemon crash|power cut) summary' "$log"
}

run_part wal-sigkill 'WalCrashTest.*' "$tests/wal_test" "STEMEDB_CRASH_ROUNDS=$rounds"
if [ "$daemon_rounds" -gt 0 ]; then
  run_part daemon-sigkill 'WriteDurabilityTest.*' "$tests/integration_test" \
    "STEMEDB_DAEMON_CRASH_ROUNDS=$daemon_rounds"
fi
if [ "$points" -gt 0 ]; then
  run_part power-cut 'WalPowerCutTest.*' "$tests/wal_test" "STEMEDB_POWER_CUT_POINTS=$points"
fi

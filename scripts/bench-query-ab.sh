#!/usr/bin/env bash
# Ordinary pairs, two builds in one run (docs/benchmarks.md, "Ordinary pairs before and after
# issue 12"): each build's stemedb-api on a fresh data directory, 100,000 assertions (1,000
# subjects x 10 predicates x 10 claims, a vote on every tenth), every lens 8 s after 1 s of
# warm-up, and the server's CPU over the query phase from /proc/PID/stat. Rounds alternate
# A B A B, so a noisy neighbour lands on both. A benchmark: it asserts nothing.
#
#   ./scripts/bench-query-ab.sh BEFORE_TOOLS_DIR [AFTER_TOOLS_DIR] [ROUNDS]
#
#   BEFORE_TOOLS_DIR  a build's src/tools directory (stemedb-api and stemedb-bench), e.g. of a
#                     worktree of the baseline commit: build/release/src/tools
#   AFTER_TOOLS_DIR   default: this checkout's build/release/src/tools
#   ROUNDS            default 2
set -euo pipefail
cd "$(dirname "$0")/.."

before=${1:?usage: bench-query-ab.sh BEFORE_TOOLS_DIR [AFTER_TOOLS_DIR] [ROUNDS]}
after=${2:-build/release/src/tools}
rounds=${3:-2}
for dir in "$before" "$after"; do
  if [ ! -x "$dir/stemedb-api" ] || [ ! -x "$dir/stemedb-bench" ]; then
    echo "bench-query-ab.sh: no stemedb-api and stemedb-bench in $dir" >&2
    exit 2
  fi
done
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# The process's user + system CPU seconds (fields 14 and 15 of /proc/PID/stat, in ticks).
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }

run_side() {
  local name=$1 tools=$2 round=$3
  local port=$((18400 + round)) data="$scratch/$name-$round"
  "$tools/stemedb-api" --bind "127.0.0.1:$port" --data-dir "$data" --log-level warn \
    --rate-limit-enabled false --auth-mode off >>"$scratch/daemon.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do curl -fs -o /dev/null "http://127.0.0.1:$port/v1/ready" && break; sleep 0.1; done
  "$tools/stemedb-bench" load --server "http://127.0.0.1:$port" --subjects 1000 >/dev/null
  "$tools/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects 1000 --seconds 2 --lens recency >/dev/null
  local cpu_before cpu_after out
  cpu_before=$(cpu_seconds "$pid")
  out=$("$tools/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects 1000 --seconds 8 --warmup-seconds 1)
  cpu_after=$(cpu_seconds "$pid")
  kill "$pid"
  wait "$pid" || true
  local queries
  queries=$(awk -F'|' '/ 200 x / {split($8, s, " x "); n += s[2]} END {print n}' <<<"$out")
  echo "## round $round, $name ($tools): server CPU $(awk -v a="$cpu_after" -v b="$cpu_before" -v q="$queries" \
    'BEGIN {printf "%.2f s for %d queries, %.0f us a query", a - b, q, (a - b) / q * 1e6}')"
  echo "$out"
}

for round in $(seq 1 "$rounds"); do
  run_side before "$before" "$round"
  run_side after "$after" "$round"
done

#!/usr/bin/env bash
# Two builds in one run (docs/benchmarks.md, "Ordinary pairs before and after issue 12" and
# "Against PostgreSQL, second run"): each build's stemedb-api on a fresh data directory, the
# server's CPU over the measured phase from /proc/PID/stat beside the throughput. Rounds
# alternate A B A B, so a noisy neighbour lands on both. A benchmark: it asserts nothing.
#
#   ./scripts/bench-ab.sh JOB BEFORE_TOOLS_DIR [AFTER_TOOLS_DIR] [ROUNDS]
#
#   JOB               query: 100,000 assertions (1,000 subjects x 10 predicates x 10 claims, a
#                     vote on every tenth), every lens 8 s after 1 s of warm-up;
#                     ingest: 40,000 signed single posts, then 100,000 claims in batches of 100,
#                     64 connections, each on its own fresh daemon
#   BEFORE_TOOLS_DIR  a build's src/tools directory (stemedb-api and stemedb-bench), e.g. of a
#                     worktree of the baseline commit: build/release/src/tools
#   AFTER_TOOLS_DIR   default: this checkout's build/release/src/tools
#   ROUNDS            default 2
set -euo pipefail
cd "$(dirname "$0")/.."

usage="usage: bench-ab.sh query|ingest BEFORE_TOOLS_DIR [AFTER_TOOLS_DIR] [ROUNDS]"
job=${1:?$usage}
before=${2:?$usage}
after=${3:-build/release/src/tools}
rounds=${4:-2}
case "$job" in query | ingest) ;; *) echo "$usage" >&2; exit 2 ;; esac
for dir in "$before" "$after"; do
  if [ ! -x "$dir/stemedb-api" ] || [ ! -x "$dir/stemedb-bench" ]; then
    echo "bench-ab.sh: no stemedb-api and stemedb-bench in $dir" >&2
    exit 2
  fi
done
scratch=$(mktemp -d)
pid=""
trap '[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$scratch"' EXIT

# The process's user + system CPU seconds (fields 14 and 15 of /proc/PID/stat, in ticks).
cpu_seconds() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"; }

# start TOOLS PORT DATA: a daemon with limits and auth off, ready; sets pid.
start() {
  "$1/stemedb-api" --bind "127.0.0.1:$2" --data-dir "$3" --log-level warn \
    --rate-limit-enabled false --auth-mode off >>"$scratch/daemon.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 200); do curl -fs -o /dev/null "http://127.0.0.1:$2/v1/ready" && break; sleep 0.1; done
}

stop() {
  kill "$pid"
  wait "$pid" || true
  pid=""
}

# One measured phase: prints the server's CPU per request, then the benchmark's table.
measured() {
  local requests_awk=$1 cpu_before cpu_after out requests
  shift
  cpu_before=$(cpu_seconds "$pid")
  out=$("$@")
  cpu_after=$(cpu_seconds "$pid")
  requests=$(awk -F'|' "$requests_awk" <<<"$out")
  echo "server CPU $(awk -v a="$cpu_after" -v b="$cpu_before" -v q="$requests" \
    'BEGIN {printf "%.2f s for %d requests, %.0f us a request", a - b, q, (a - b) / q * 1e6}')"
  echo "$out"
}

run_query() {
  local tools=$1 port=$2 data=$3
  start "$tools" "$port" "$data"
  "$tools/stemedb-bench" load --server "http://127.0.0.1:$port" --subjects 1000 >/dev/null
  "$tools/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects 1000 --seconds 2 --lens recency >/dev/null
  # shellcheck disable=SC2016  # an awk program, for awk to expand
  measured '/ 200 x / {split($8, s, " x "); n += s[2]} END {print n}' \
    "$tools/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects 1000 --seconds 8 --warmup-seconds 1
  stop
}

run_ingest() {
  local tools=$1 port=$2 data=$3 batch n
  for batch in 1 100; do
    n=$((batch == 1 ? 40000 : 100000))
    start "$tools" "$port" "$data-$batch"
    measured "END {print $n}" "$tools/stemedb-bench" ingest --server "http://127.0.0.1:$port" --assertions "$n" \
      --batch "$batch" --ceiling-seconds 2
    stop
  done
}

for round in $(seq 1 "$rounds"); do
  for side in before after; do
    tools=$before
    [ "$side" = after ] && tools=$after
    echo "## round $round, $side ($tools)"
    "run_$job" "$tools" $((18400 + round)) "$scratch/$side-$round"
  done
done

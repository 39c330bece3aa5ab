#!/usr/bin/env bash
# Runs the benchmarks of docs/benchmarks.md on this machine and prints their tables (also kept
# in build/bench/results.md). Benchmarks, not tests: they assert nothing, they measure.
#
#   ./scripts/bench.sh [--quick] [wal] [ingest] [query] [edge] [readiness] [postgres] [growth]
#                      [replication] [export]  (no section: all but postgres, growth, replication
#                      and export)
#
#   wal     group commit vs one fdatasync per record (stemedb-bench wal)
#   ingest  signed assertions/s, singly and in batches of 100, vs the Ed25519 ceiling
#   query   1,000,000 assertions: queries/s per lens, RSS, start-up after SIGKILL
#   edge    ingest and query with API keys + rate limiting on (limits not reached) vs off
#   readiness  /v1/health and /readyz latency while 8 clients post 1 MiB batches, 16 signers an item
#   postgres   PostgreSQL on the same machine, same run: durable single inserts, inserts of 100,
#              one pair's rows at 1M rows, at 8/16/64 clients (scripts/lib/bench_postgres.sh;
#              installs PostgreSQL from Debian when it is missing)
#   growth     1M then 10M assertions in one daemon: seconds per million loaded, recency lens
#              queries/s, memory and disk at each (scripts/lib/bench_growth.sh; about 30 minutes)
#   replication  a lone primary, two asynchronous standbys, one synchronous standby under 64
#              writers; apply lag; a fresh standby's catch-up (scripts/lib/bench_replication.sh)
#   export     batches of 100 (stemedb-bench ingest) into one daemon, then `stemedb export` of it
#              and `stemedb import` into a fresh one: the import's rate against the batches'
#
# --quick shrinks every data set (a smoke run of the script itself, not a measurement).
# Run it on a quiet machine: anything else on the cores shows up in the numbers.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
sections=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    wal | ingest | query | edge | readiness | postgres | growth | replication | export) sections+=("$arg") ;;
    -h | --help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument '$arg' (see --help)" >&2; exit 2 ;;
  esac
done
[ ${#sections[@]} -eq 0 ] && sections=(wal ingest query edge readiness)

setup_options=()
[[ " ${sections[*]} " == *" postgres "* ]] && setup_options=(--postgres)
./scripts/setup.sh "${setup_options[@]}"
cmake --preset release >/dev/null
cmake --build --preset release --target stemedb-api stemedb-bench stemedb >/dev/null

bin=build/release/src/tools
out=build/bench
scratch=$(mktemp -d "${TMPDIR:-/tmp}/stemedb-bench.XXXXXX")
mkdir -p "$out"
results="$out/results.md"
: >"$results"
daemon_pid=""

cleanup() {
  if [ -n "$daemon_pid" ]; then kill -9 "$daemon_pid" 2>/dev/null || true; fi
  local pid
  for pid in "${standby_pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$scratch"
}
trap cleanup EXIT

say() { echo "$*" | tee -a "$results"; }
run() { "$@" | tee -a "$results"; }

# start_daemon PORT DATA_DIR [flags...]: starts stemedb-api and waits until /v1/ready says 200.
# Sets daemon_pid and ready_s (seconds from exec to ready).
start_daemon() {
  local port=$1 data=$2
  shift 2
  mkdir -p "$data"
  local t0_ns
  t0_ns=$(date +%s%N)
  "$bin/stemedb-api" --bind "127.0.0.1:$port" --data-dir "$data" --log-level warn "$@" \
    >>"$scratch/daemon.log" 2>&1 &
  daemon_pid=$!
  for _ in $(seq 1 2400); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/v1/ready"; then
      ready_s=$(awk -v ns=$(($(date +%s%N) - t0_ns)) 'BEGIN {printf "%.2f", ns / 1e9}')
      return 0
    fi
    kill -0 "$daemon_pid" 2>/dev/null || { tail -20 "$scratch/daemon.log" >&2; return 1; }
    sleep 0.05
  done
  echo "bench.sh: stemedb-api on port $port not ready after 120 s" >&2
  return 1
}

stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
  daemon_pid=""
}

kill_daemon() {
  kill -9 "$daemon_pid"
  wait "$daemon_pid" 2>/dev/null || true
  daemon_pid=""
}

# "VmRSS  VmHWM" of the daemon, in MiB.
memory_mb() {
  awk '/^VmRSS|^VmHWM/ {printf "%s %.0f MiB  ", $1, $2 / 1024}' "/proc/$daemon_pid/status"
}

machine() {
  say "machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem/ {print $2}') GiB RAM, kernel $(uname -r)"
  say "disk under $scratch: $(df -h "$scratch" | awk 'NR == 2 {print $1 ", " $2 " total"}')"
  say "commit $(git rev-parse --short HEAD), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  say ""
}

port=18191
no_limits=(--rate-limit-enabled false)

bench_wal() {
  say "## wal"
  local seconds=3
  [ "$quick" = 1 ] && seconds=0.5
  run "$bin/stemedb-bench" wal --dir "$scratch/wal" --seconds "$seconds"
  say ""
}

bench_ingest() {
  say "## ingest"
  local n=200000
  [ "$quick" = 1 ] && n=5000
  # Rate limiting off: one benchmark client would otherwise meet the per-client write limit.
  start_daemon "$port" "$scratch/ingest" "${no_limits[@]}"
  run "$bin/stemedb-bench" ingest --server "http://127.0.0.1:$port" --assertions "$n"
  say "daemon memory after ingest: $(memory_mb)"
  stop_daemon
  say ""
}

bench_query() {
  say "## query"
  local subjects=10000 seconds=10
  [ "$quick" = 1 ] && subjects=100 && seconds=1
  local data="$scratch/query"
  start_daemon "$port" "$data" "${no_limits[@]}"
  run "$bin/stemedb-bench" load --server "http://127.0.0.1:$port" --subjects "$subjects"
  say "daemon memory after load: $(memory_mb)"
  say "data on disk: $(du -sh "$data" | cut -f1) (RocksDB $(du -sh "$data/rocksdb" | cut -f1), WAL $(du -sh "$data/wal" | cut -f1))"
  say "### cold: the candidate cache starts empty, so this first pass mostly misses"
  run "$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects "$subjects" --seconds "$seconds" \
    --warmup-seconds 0 --lens recency
  say "### warm: every lens after the cold pass"
  run "$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects "$subjects" --seconds "$seconds"
  say "daemon memory after queries: $(memory_mb)"
  say "candidate cache: $(curl -s "http://127.0.0.1:$port/metrics" | grep -E '^stemedb_storage_cache_(bytes|requests_total)' | tr '\n' ' ')"
  kill_daemon
  start_daemon "$port" "$data" "${no_limits[@]}"
  say "start-up after SIGKILL with $((subjects * 100)) assertions: ${ready_s} s to /v1/ready 200 (target <= 5 s)"
  say "daemon memory after restart: $(memory_mb)"
  say "### after the restart (cold cache again)"
  run "$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects "$subjects" --seconds "$seconds" \
    --warmup-seconds 0 --lens recency
  stop_daemon
  say ""
}

# The edge's cost: the same ingest and query runs against a daemon with auth.mode = all and rate
# limits far above the load, and one with both off; five rounds, on fresh data each time. Throughput is noisy on a shared machine (the load generator shares the cores), so the
# server's CPU time per request (all its threads, from /proc) is reported beside it: that is what
# the edge adds. Before each measured phase the daemon is left to finish its background work (the
# flusher and RocksDB's compactions after a load), which would otherwise land in one phase's CPU.
bench_edge() {
  say "## edge"
  local n=50000 subjects=1000 seconds=6 key rounds=5
  [ "$quick" = 1 ] && n=2000 && subjects=50 && seconds=1 && rounds=1
  key=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  local high=(--rate-limit-enabled true --rate-limit-write-rps 1000000 --rate-limit-write-burst 1000000
              --rate-limit-read-rps 1000000 --rate-limit-read-burst 1000000)
  local rows="$scratch/edge-rows"
  : >"$rows"
  say "| round | auth + rate limiting | ingest assertions/s | ingest server CPU us/request | query recency/s | query server CPU us/request |"
  say "|---|---|---|---|---|---|"
  for round in $(seq 1 "$rounds"); do
    # The order alternates, so whatever the previous daemon left behind (dirty pages still being
    # written back, a warm page cache) falls on both modes alike.
    local order=(off on)
    [ $((round % 2)) = 0 ] && order=(on off)
    for mode in "${order[@]}"; do
      local data="$scratch/edge-$mode-$round" flags=(--auth-mode off "${no_limits[@]}") client=()
      if [ "$mode" = on ]; then
        flags=(--auth-mode all "${high[@]}")
        client=(--api-key "$key")
      fi
      STEMEDB_ROOT_API_KEY=$key start_daemon "$port" "$data" "${flags[@]}"
      local t0 ingest t1 query t2 queries t3 out
      wait_idle
      t0=$(cpu_ticks)
      ingest=$("$bin/stemedb-bench" ingest --server "http://127.0.0.1:$port" "${client[@]}" --assertions "$n" \
        --batch 1 --ceiling-seconds 0.1 | awk -F'|' '/^\| single/ {gsub(/ /, "", $3); print $3}')
      wait_idle
      t1=$(cpu_ticks)
      "$bin/stemedb-bench" load --server "http://127.0.0.1:$port" "${client[@]}" --subjects "$subjects" --vote-every 0 >/dev/null
      wait_idle
      t2=$(cpu_ticks)
      out=$("$bin/stemedb-bench" query --server "http://127.0.0.1:$port" "${client[@]}" --subjects "$subjects" \
        --seconds "$seconds" --warmup-seconds 0 --lens recency)
      query=$(echo "$out" | awk -F'|' '/^\| recency/ {gsub(/ /, "", $3); print $3}')
      queries=$(echo "$out" | awk -F'|' '/^\| recency/ {split($8, a, " x "); print a[2]}')
      t3=$(cpu_ticks)
      local row
      row="$mode $ingest $(per_request "$t0" "$t1" "$n") $query $(per_request "$t2" "$t3" "$queries")"
      echo "$row" >>"$rows"
      say "| $round | ${row// / | } |"
      stop_daemon
      rm -rf "$data"
      sync
    done
  done
  say ""
  edge_summary "$rows"
  say ""
}

# Health and readiness under CPU-heavy writes: 8 clients post 1 MiB batches of assertions with 16
# signers each (about 4,400 signature checks a batch) in a closed loop, on the daemon's defaults
# (rate limiting off: one benchmark client would meet the per-client write limit), while one
# more client probes /v1/health and /readyz every 10 ms.
bench_readiness() {
  say "## readiness"
  local seconds=20
  [ "$quick" = 1 ] && seconds=2
  start_daemon "$port" "$scratch/readiness" "${no_limits[@]}"
  run "$bin/stemedb-bench" readiness --server "http://127.0.0.1:$port" --seconds "$seconds" || true
  say "daemon memory after the load: $(memory_mb)"
  stop_daemon
  say ""
}

# Medians per mode over the rounds, and on against off. Throughput "lower by" is 1 - on/off; CPU
# "more by" is on/off - 1.
edge_summary() {
  local med=()
  for mode in off on; do
    for col in 2 3 4 5; do
      med+=("$(awk -v m="$mode" -v c="$col" '$1 == m {print $c}' "$1" | sort -g |
        awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}')")
    done
  done
  say "| median | ingest assertions/s | ingest server CPU us/request | query recency/s | query server CPU us/request |"
  say "|---|---|---|---|---|"
  say "| off | ${med[0]} | ${med[1]} | ${med[2]} | ${med[3]} |"
  say "| on | ${med[4]} | ${med[5]} | ${med[6]} | ${med[7]} |"
  say "$(awk -v a="${med[0]}" -v b="${med[4]}" -v c="${med[1]}" -v d="${med[5]}" -v e="${med[2]}" -v f="${med[6]}" \
    -v g="${med[3]}" -v h="${med[7]}" 'BEGIN {printf "| on vs off | %.1f%% lower | %.1f%% more | %.1f%% lower | %.1f%% more |", \
    (1 - b / a) * 100, (d / c - 1) * 100, (1 - f / e) * 100, (h / g - 1) * 100}')"
  say "target: with auth + rate limiting on, throughput at most 5% lower than off"
}

# wait_idle [SECONDS_MAX]: until the daemon has used under 2% of a core for half a second (its
# compactions done), at most SECONDS_MAX (30). Sets idle_wait: how long that took, or that it
# was still busy, for a result that depends on it to say.
idle_wait=""
wait_idle() {
  local before after hz half_seconds=0
  hz=$(getconf CLK_TCK)
  for _ in $(seq 1 $((${1:-30} * 2))); do
    before=$(cpu_ticks)
    sleep 0.5
    after=$(cpu_ticks)
    half_seconds=$((half_seconds + 1))
    if [ $((after - before)) -le $((hz / 100)) ]; then
      idle_wait="idle after $((half_seconds / 2)) s"
      return 0
    fi
  done
  idle_wait="still busy after ${1:-30} s"
}

# Clock ticks of CPU (user + system, all threads) the daemon has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$daemon_pid/stat"; }
# Microseconds of CPU per request between two cpu_ticks readings.
per_request() {
  awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.1f", (b - a) / hz * 1e6 / n}'
}

# Moving a store: the rate `stemedb import` posts an export at, against the rate batches of 100
# from 64 connections reach on the same machine in the same run (issue 16: at least 80%), with
# the server's CPU per record beside each.
bench_export() {
  say "## export"
  local n=100000
  [ "$quick" = 1 ] && n=5000
  start_daemon "$port" "$scratch/export-from" "${no_limits[@]}"
  local t0 t1 batch_rate
  t0=$(cpu_ticks)
  batch_rate=$("$bin/stemedb-bench" ingest --server "http://127.0.0.1:$port" --assertions "$n" --batch 100 \
    --ceiling-seconds 0.1 | awk -F'|' '/^\| batch of 100/ {gsub(/ /, "", $3); print $3}')
  t1=$(cpu_ticks)
  say "batches of 100, 64 connections: $batch_rate assertions/s, $(per_request "$t0" "$t1" "$n") us of server CPU each"
  local key start_ns export_s
  key=$(cat "$scratch/export-from/root.key")
  start_ns=$(date +%s%N)
  "$bin/stemedb" --server "http://127.0.0.1:$port" --api-key "$key" export --output "$scratch/export.ndjson" 2>/dev/null
  export_s=$(awk -v ns=$(($(date +%s%N) - start_ns)) 'BEGIN {printf "%.2f", ns / 1e9}')
  say "export: $(wc -l <"$scratch/export.ndjson") records, $(du -h "$scratch/export.ndjson" | cut -f1), $export_s s"
  stop_daemon
  start_daemon "$port" "$scratch/export-to" "${no_limits[@]}"
  local import_s import_rate
  t0=$(cpu_ticks)
  start_ns=$(date +%s%N)
  "$bin/stemedb" --server "http://127.0.0.1:$port" import "$scratch/export.ndjson" >/dev/null
  import_s=$(awk -v ns=$(($(date +%s%N) - start_ns)) 'BEGIN {printf "%.2f", ns / 1e9}')
  t1=$(cpu_ticks)
  import_rate=$(awk -v n="$n" -v s="$import_s" 'BEGIN {printf "%.0f", n / s}')
  say "import into a fresh daemon (4 connections, batches of 500): $import_rate assertions/s ($import_s s), $(per_request "$t0" "$t1" "$n") us of server CPU each"
  say "import / batches of 100: $(awk -v a="$import_rate" -v b="$batch_rate" 'BEGIN {printf "%.0f%%", 100 * a / b}') (target 80%)"
  stop_daemon
  say ""
}

# shellcheck source=scripts/lib/bench_postgres.sh
source scripts/lib/bench_postgres.sh
# shellcheck source=scripts/lib/bench_growth.sh
source scripts/lib/bench_growth.sh
# shellcheck source=scripts/lib/bench_replication.sh
source scripts/lib/bench_replication.sh

machine
for s in "${sections[@]}"; do "bench_$s"; done
echo "results kept in $results" >&2

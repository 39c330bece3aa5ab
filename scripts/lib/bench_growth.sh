# shellcheck shell=bash
# shellcheck disable=SC2154  # scratch, port, bin, quick, no_limits: bench.sh's, which sources this
# `./scripts/bench.sh growth` (sourced by bench.sh, which defines say, run, start_daemon,
# stop_daemon, wait_idle, memory_mb, $bin, $scratch, $port, $quick and no_limits): how ingest and
# queries hold up as the data grows (issue 13; docs/operations/sizing.md). One daemon, defaults but
# rate limiting off, loaded in two steps through the API: 1M assertions (10,000 subjects x 10
# predicates x 10 claims, a vote on every tenth, batches of 1,000), the recency lens queried;
# then 9M more under another subject prefix, queried over the new subjects and then over the
# first step's subjects again. Each million's load
# time comes from the load tool's progress lines; it includes signing that million on the
# client (the same work for every million), so the ratio between the first and the last million
# is the figure, not the absolute time. RSS and the data directory's size after each step.
# Random pairs repeat, so at 1M a share of the queries hit the candidate cache and at 10M almost
# none do: each step is also measured with every query a miss (the daemon restarted, so its
# caches are empty, and each pair asked once), the storage engine's own cost as the data grows.
# STEMEDB_BENCH_GROWTH_DIR=DIR loads into DIR (which must not exist) and keeps it afterwards, so
# the 10M data set can be queried and profiled again without another half hour of loading.

# Runs `stemedb-bench load` and prints, per 1,000,000 assertions loaded, the seconds it took.
growth_load() {
  local subjects=$1 prefix=$2
  "$bin/stemedb-bench" load --server "http://127.0.0.1:$port" --subjects "$subjects" --subject-prefix "$prefix" 2>&1 |
    while IFS= read -r line; do
      case "$line" in
        "load: "*" assertions") echo "$(date +%s.%N) ${line#load: }" ;;
      esac
    done |
    awk -v t0="$(date +%s.%N)" '{split($2, n, " "); if (n[1] % 1000000 == 0) {printf "%d %.0f\n", n[1], $1 - t0; t0 = $1}}'
}

growth_query() {
  local subjects=$1 prefix=$2 seconds=$3
  "$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects "$subjects" --subject-prefix "$prefix" \
    --seconds "$seconds" --warmup-seconds 2 --lens recency | awk -F'|' '/^\| recency/ {gsub(/ /, ""); print $3, $4, $5}'
}

# After a restart (empty caches; the files stay in the page cache): each pair at most once, so
# every query is a candidate-cache miss. Sets `misses` to rate, p99 and the daemon's CPU a query
# in us. Not run in a subshell: it restarts the daemon, whose pid the caller keeps.
growth_misses() {
  local subjects=$1 prefix=$2 seconds=$3 data=$4 before after out rate p99 count
  stop_daemon
  start_daemon "$port" "$data" "${no_limits[@]}"
  wait_idle 120
  before=$(cpu_ticks)
  out=$("$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects "$subjects" --subject-prefix "$prefix" \
    --seconds "$seconds" --warmup-seconds 0 --lens recency --each-pair-once --seed 7)
  after=$(cpu_ticks)
  read -r rate p99 count < <(awk -F'|' '/^\| recency/ {gsub(/ /, ""); split($8, s, "x"); print $3, $5, s[2]}' <<<"$out")
  misses="$rate $p99 $(per_request "$before" "$after" "$count")"
}

bench_growth() {
  say "## growth"
  local first=10000 more=90000 seconds=10
  [ "$quick" = 1 ] && first=100 && more=900 && seconds=1
  local data=${STEMEDB_BENCH_GROWTH_DIR:-$scratch/growth}
  if [ -e "$data" ] && [ "$data" != "$scratch/growth" ]; then
    echo "bench.sh growth: $data exists; STEMEDB_BENCH_GROWTH_DIR must name a new directory" >&2
    return 1
  fi
  start_daemon "$port" "$data" "${no_limits[@]}"
  say "| step | assertions stored | seconds per million loaded (each million in turn) | recency queries/s, random pairs | p50 ms | p99 ms | queries/s, every one a cache miss | p99 ms | server CPU us a miss | daemon memory | data on disk |"
  say "|---|---|---|---|---|---|---|---|---|---|---|"
  local step subjects prefix total=0 loads queries misses memory waits=""
  for step in 1 2; do
    subjects=$first prefix=growth-a
    [ "$step" = 2 ] && subjects=$more && prefix=growth-b
    total=$((total + subjects * 100))
    loads=$(growth_load "$subjects" "$prefix" | awk '{printf "%s%s", sep, $2; sep = ", "}')
    # After 9M assertions RocksDB compacts for minutes: queries measured during that measure the
    # compactions' share of the cores (4,559/s against 9,400/s once they were done).
    wait_idle 600
    waits="${waits:+$waits; }step $step: $idle_wait"
    queries=$(growth_query "$subjects" "$prefix" "$seconds")
    memory=$(memory_mb)
    growth_misses "$subjects" "$prefix" "$seconds" "$data"
    # shellcheck disable=SC2086  # three words each: rate, p50, p99; rate, p99, CPU
    say "| $step | $total | ${loads:-under a million} | $(printf '%s | %s | %s' $queries) | $(printf '%s | %s | %s' $misses) | $memory | $(du -sm "$data" | cut -f1) MiB |"
  done
  # Like for like: the first step's pairs again, so the ratio to step 1 measures the data's size
  # and not how much of a larger key space the candidate cache reaches.
  queries=$(growth_query "$first" growth-a "$seconds")
  # shellcheck disable=SC2086  # three words: rate, p50, p99
  say "| 2, step 1's pairs | $total | | $(printf '%s | %s | %s' $queries) | | | | $(memory_mb) | $(du -sm "$data" | cut -f1) MiB |"
  stop_daemon
  say ""
  say "Compactions before the queries: $waits"
  say ""
}

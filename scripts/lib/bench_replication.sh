# shellcheck shell=bash
# shellcheck disable=SC2154  # scratch, port, bin, quick, no_limits, daemon_pid: bench.sh's, which sources this
# `./scripts/bench.sh replication` (sourced by bench.sh, which defines say, run, start_daemon,
# stop_daemon, cpu_ticks, wait_idle, per_request, $bin, $scratch, $port and $quick): streaming
# replication's cost, in one run on this machine (docs/replication.md):
#
#   lone primary          signed single posts at 64 connections, no standby
#   2 async standbys      the same load with two standbys streaming; apply lag percentiles from
#                         the primary's stemedb_replication_apply_lag_seconds histogram
#   1 sync standby        replication.synchronous_standbys = 1
#   catch-up              a fresh standby streams the 1M-assertion data set: records/s
#
# Every node runs on this machine: the standbys' apply and fsyncs take the same two cores the
# primary and the load generator use, which a deployment puts on other machines. The primary's
# CPU per request (all its threads, from /proc) is reported beside throughput, and the
# standbys' CPU per record they applied.

standby_pids=()

# start_standby N PRIMARY_PORT DATA_DIR [flags...]: a standby named sN on port $port + 10 + N.
start_standby() {
  local n=$1 primary_port=$2 data=$3
  shift 3
  mkdir -p "$data"
  STEMEDB_REPLICATION_API_KEY=$(cat "$primary_data/root.key") \
    "$bin/stemedb-api" --bind "127.0.0.1:$((port + 10 + n))" --data-dir "$data" --log-level warn \
    --replication-role standby --replication-primary-url "http://127.0.0.1:$primary_port" \
    --replication-name "s$n" "${no_limits[@]}" "$@" >>"$scratch/standby-$n.log" 2>&1 &
  standby_pids+=($!)
  for _ in $(seq 1 2400); do
    curl -fs -o /dev/null "http://127.0.0.1:$((port + 10 + n))/v1/ready" && return 0
    sleep 0.05
  done
  echo "bench.sh replication: standby $n not ready" >&2
  return 1
}

stop_standbys() {
  local pid
  for pid in "${standby_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${standby_pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  standby_pids=()
}

standby_cpu_ticks() {
  local pid total=0
  for pid in "${standby_pids[@]}"; do total=$((total + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$total"
}

admin_get() { curl -fs -H "X-API-Key: $(cat "$primary_data/root.key")" "http://127.0.0.1:$port$1"; }

# Seconds until every standby has applied the primary's durable end (polls every 10 ms).
wait_caught_up() {
  local t0 flushed
  t0=$(date +%s%N)
  for _ in $(seq 1 60000); do
    flushed=$(admin_get /v1/admin/replication | jq '.flushed')
    if admin_get /v1/admin/replication | jq -e --argjson f "$flushed" \
      '(.standbys | length) > 0 and all(.standbys[]; .applied == $f)' >/dev/null; then
      awk -v ns=$(($(date +%s%N) - t0)) 'BEGIN {printf "%.2f", ns / 1e9}'
      return 0
    fi
    sleep 0.01
  done
  echo "never"
}

# The apply-lag histogram's buckets summed over standbys: "le count" lines.
lag_buckets() {
  curl -fs "http://127.0.0.1:$port/metrics" |
    sed -n 's/^stemedb_replication_apply_lag_seconds_bucket{.*le="\([^"]*\)"} \(.*\)$/\1 \2/p' |
    awk '{n[$1] += $2} END {for (le in n) print le, n[le]}' | sort -g
}

# "p50 p99 (ms)" from two lag_buckets snapshots: the bucket bound at or above each quantile.
lag_quantiles() {
  join -a 1 -e 0 -o 0,1.2,2.2 <(echo "$2" | sed 's/+Inf/1e9/' | sort -k1,1) <(echo "$1" | sed 's/+Inf/1e9/' | sort -k1,1) |
    sort -g | awk '{le[NR] = $1; c[NR] = $2 - $3} END {
      total = c[NR]; if (total == 0) { print "- -"; exit }
      split("0.5 0.99", q, " ")
      for (k = 1; k <= 2; k++) for (i = 1; i <= NR; i++) if (c[i] >= q[k] * total) {
        out = out sprintf("%s%.1f", k > 1 ? " " : "", le[i] * 1000); break }
      print out, total
    }'
}

# ingest_row LABEL N [primary flags...]: one row of the table with the standbys already started.
ingest_row() {
  local label=$1 n=$2 out t0 t1 s0 s1 before after rate p99 caught lag
  wait_idle
  t0=$(cpu_ticks)
  s0=$(standby_cpu_ticks)
  before=$(lag_buckets)
  out=$("$bin/stemedb-bench" ingest --server "http://127.0.0.1:$port" --connections 64 --assertions "$n" \
    --batch 1 --ceiling-seconds 0.1)
  t1=$(cpu_ticks)
  s1=$(standby_cpu_ticks)
  after=$(lag_buckets)
  rate=$(awk -F'|' '/^\| single/ {gsub(/ /, "", $3); print $3}' <<<"$out")
  p99=$(awk -F'|' '/^\| single/ {gsub(/ /, "", $6); print $6}' <<<"$out")
  caught="-"
  lag="- -"
  if [ ${#standby_pids[@]} -gt 0 ]; then
    caught=$(wait_caught_up)
    lag=$(lag_quantiles "$before" "$after")
  fi
  say "| $label | $rate | $p99 | $(per_request "$t0" "$t1" "$n") | $([ ${#standby_pids[@]} -gt 0 ] && per_request "$s0" "$s1" $((n * ${#standby_pids[@]})) || echo -) | ${lag% *} | $caught |"
}

bench_replication() {
  say "## replication"
  local n=100000 subjects=10000 rounds=2
  [ "$quick" = 1 ] && n=3000 && subjects=50 && rounds=1
  say "| setup | signed posts/s at 64 | p99 ms | primary CPU us/post | standby CPU us/record | apply lag p50 / p99 ms | catch-up after load s |"
  say "|---|---|---|---|---|---|---|"
  for round in $(seq 1 "$rounds"); do
    primary_data=$scratch/repl-lone-$round
    start_daemon "$port" "$primary_data" "${no_limits[@]}"
    ingest_row "lone primary" "$n"
    stop_daemon

    primary_data=$scratch/repl-async-$round
    start_daemon "$port" "$primary_data" "${no_limits[@]}"
    start_standby 1 "$port" "$scratch/repl-async-$round-s1"
    start_standby 2 "$port" "$scratch/repl-async-$round-s2"
    ingest_row "2 async standbys" "$n"
    stop_standbys
    stop_daemon

    primary_data=$scratch/repl-sync-$round
    start_daemon "$port" "$primary_data" "${no_limits[@]}" --replication-synchronous-standbys 1
    start_standby 1 "$port" "$scratch/repl-sync-$round-s1"
    ingest_row "1 sync standby" "$n"
    stop_standbys
    stop_daemon
    rm -rf "$scratch"/repl-*
  done

  say ""
  say "### catch-up: a fresh standby streams the $((subjects * 100))-assertion data set"
  primary_data=$scratch/repl-catchup
  start_daemon "$port" "$primary_data" "${no_limits[@]}"
  "$bin/stemedb-bench" load --server "http://127.0.0.1:$port" --subjects "$subjects" >/dev/null 2>&1
  wait_idle
  local records bytes seconds s0 s1
  records=$(admin_get /v1/admin/replication | jq '.last_seq')
  bytes=$(admin_get /v1/admin/replication | jq '.flushed')
  s0=$(date +%s%N)
  start_standby 1 "$port" "$scratch/repl-catchup-s1"
  seconds=$(wait_caught_up)
  s1=$(date +%s%N)
  seconds=$(awk -v ns=$((s1 - s0)) 'BEGIN {printf "%.2f", ns / 1e9}')
  say "$records records ($((bytes / 1048576)) MiB of WAL) in $seconds s from start: $(awk -v r="$records" -v s="$seconds" 'BEGIN {printf "%.0f", r / s}') records/s, $(awk -v b="$bytes" -v s="$seconds" 'BEGIN {printf "%.1f", b / 1048576 / s}') MiB/s"
  stop_standbys
  stop_daemon
  say ""
}

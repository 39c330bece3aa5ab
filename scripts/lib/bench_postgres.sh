# shellcheck shell=bash
# shellcheck disable=SC2154  # scratch, port, bin, quick, no_limits: bench.sh's, which sources this
# `./scripts/bench.sh postgres` (sourced by bench.sh, which defines say, run, start_daemon,
# stop_daemon, cpu_ticks, wait_idle, per_request, $bin, $scratch, $port, $quick and no_limits):
# PostgreSQL on the same machine, in the same run as StemeDB, on the same three jobs at 8, 16 and
# 64 clients each:
#
#   durable single inserts   pgbench, one INSERT a transaction    POST /v1/assert, one signed claim
#   inserts of 100           pgbench, one 100-row INSERT          POST /v1/assert/batch of 100
#   one pair's rows, 1M      pgbench, SELECT of one (subject,     GET /v1/query, recency lens, over
#                            predicate) by its index, newest first 1,000,000 assertions
#   round trip, no data      pgbench, SELECT 1                    GET /v1/health
#
# Both sides on the same data shape (subjects x 10 predicates x 10 claims; a 32-byte id as the
# primary key, as a claim's content hash is StemeDB's), durable commits (PostgreSQL's fsync and
# synchronous_commit on, as StemeDB's group-committed WAL), and the server's CPU per request from
# /proc (every process of the cluster; every thread of the daemon) beside the throughput.
# PostgreSQL's cluster is a throwaway one in the scratch directory, on a Unix socket only.

pg_port=18199

# The newest installed PostgreSQL's bin directory.
pg_bindir() {
  local dirs
  dirs=$(printf '%s\n' /usr/lib/postgresql/*/bin | grep -v '[*]' | sort -V | tail -1)
  [ -n "$dirs" ] || { echo "bench.sh postgres: no PostgreSQL (./scripts/setup.sh --postgres installs it)" >&2; return 1; }
  echo "$dirs"
}

# PostgreSQL refuses to run as root: as root, its programs run as the postgres user.
as_postgres() {
  local program=$1
  shift
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$pg_bin/$program" "$@"
  else
    "$pg_bin/$program" "$@"
  fi
}

pg_start() {
  pg_bin=$(pg_bindir)
  pg_data=$scratch/pg/data
  pg_socket=$scratch/pg/socket
  mkdir -p "$pg_data" "$pg_socket"
  chmod 755 "$scratch" "$scratch/pg"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$scratch/pg"
  as_postgres initdb -D "$pg_data" -A trust -U postgres --no-sync >"$scratch/pg/initdb.log"
  # Durable as StemeDB is (fsync, synchronous_commit); memory for a 1M-row table; nothing else
  # changed from Debian's defaults.
  as_postgres pg_ctl -D "$pg_data" -l "$scratch/pg/server.log" -w -o \
    "-k $pg_socket -p $pg_port -c listen_addresses= -c fsync=on -c synchronous_commit=on -c max_connections=200 -c shared_buffers=512MB" \
    start >/dev/null
  pg_pid=$(head -1 "$pg_data/postmaster.pid")
}

pg_stop() {
  [ -n "${pg_data:-}" ] || return 0
  as_postgres pg_ctl -D "$pg_data" -m fast -w stop >/dev/null || true
  pg_data=""
}

psql_run() {
  as_postgres psql -h "$pg_socket" -p "$pg_port" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 \
    -c "SET client_min_messages = warning" "$@"
}

pg_reset_table() {
  psql_run -c "DROP TABLE IF EXISTS claims" -c "CREATE TABLE claims (
    id bytea PRIMARY KEY, subject text NOT NULL, predicate text NOT NULL, object text NOT NULL,
    confidence double precision NOT NULL, ts bigint NOT NULL)" \
    -c "CREATE INDEX claims_pair ON claims (subject, predicate, ts)" -c "CHECKPOINT"
}

# Clock ticks of CPU used by the whole cluster: the postmaster, its live children, and (in the
# postmaster's cutime and cstime) the children that have exited, such as a finished run's
# backends.
pg_cpu_ticks() {
  local total
  total=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$pg_pid/stat")
  for child in $(ps -o pid= --ppid "$pg_pid"); do
    total=$((total + $(awk '{print $14 + $15}' "/proc/$child/stat" 2>/dev/null || echo 0)))
  done
  echo "$total"
}

# pgbench_run CLIENTS SECONDS SCRIPT: prints "transactions/s p99_ms" (p99 from pgbench's
# per-transaction log).
pgbench_run() {
  local clients=$1 seconds=$2 script=$3 logdir
  logdir=$scratch/pg/log-$RANDOM
  mkdir -p "$logdir"
  [ "$(id -u)" = 0 ] && chown postgres: "$logdir"
  local out
  out=$(cd "$logdir" && as_postgres pgbench -h "$pg_socket" -p "$pg_port" -U postgres -n -M prepared \
    -c "$clients" -j "$(nproc)" -T "$seconds" -f "$script" -l --log-prefix="$logdir/tx" postgres 2>&1)
  local tps p99
  tps=$(awk '/^tps = / {printf "%.0f", $3}' <<<"$out")
  p99=$(cat "$logdir"/tx* | awk '{print $3 / 1000}' | sort -g | awk '{v[NR] = $1} END {i = int(NR * 0.99); if (i < 1) i = 1; printf "%.2f", v[i]}')
  rm -rf "$logdir"
  echo "$tps $p99"
}

pg_scripts() {
  cat >"$scratch/pg/insert_one.sql" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO claims VALUES (sha256(('one/' || :n || '/' || clock_timestamp())::bytea), 's/' || (:n % 10000), 'p' || (:n % 10), 'value ' || :n, 0.8, :n);
SQL
  cat >"$scratch/pg/insert_hundred.sql" <<'SQL'
\set n random(1, 1000000000)
INSERT INTO claims SELECT sha256(('hundred/' || :n || '/' || g || '/' || clock_timestamp())::bytea), 's/' || ((:n + g) % 10000), 'p' || (g % 10), 'value ' || g, 0.8, :n FROM generate_series(1, 100) g;
SQL
  cat >"$scratch/pg/read_pair.sql" <<'SQL'
\set s random(0, :subjects - 1)
\set p random(0, 9)
SELECT id, object, confidence, ts FROM claims WHERE subject = 's/' || :s AND predicate = 'p' || :p ORDER BY ts DESC;
SQL
  echo 'SELECT 1;' >"$scratch/pg/round_trip.sql"
  chmod 644 "$scratch"/pg/*.sql
}

# One row of the table: job, clients, both sides' rate and p99, the ratio, both sides' CPU.
pg_row() {
  local job=$1 clients=$2 pg_rate=$3 pg_p99=$4 pg_cpu=$5 s_rate=$6 s_p99=$7 s_cpu=$8  # a 9th (ingest's share of the ceiling) is left out
  say "| $job | $clients | $pg_rate | $pg_p99 | $pg_cpu | $s_rate | $s_p99 | $s_cpu | $(awk -v a="$s_rate" -v b="$pg_rate" 'BEGIN {printf "%.2fx", (b > 0) ? a / b : 0}') |"
}

# StemeDB's ingest at CLIENTS connections, BATCH claims a request, on a fresh daemon: prints
# "claims/s p99_ms cpu_us_per_claim share_of_ceiling". SKIP=1 in the environment:
# signatures.skip_unsafe on (the engine's cost without the signature check; development only, so
# auth is off too). Batches measure the Ed25519 ceiling (2 s) just before: the share of it they
# reach is issue 13's target, and this machine's speed drifts too much between runs to reuse one.
stemedb_ingest() {
  local clients=$1 batch=$2 n=$3 data out t0 t1 skip=false auth=() ceiling_s=0.1
  [ "$batch" -gt 1 ] && ceiling_s=2
  data=$scratch/pg-vs-ingest
  [ "${SKIP:-0}" = 1 ] && skip=true && auth=(--auth-mode off)
  STEMEDB_UNSAFE_SKIP_SIGNATURES=$skip start_daemon "$port" "$data" "${no_limits[@]}" "${auth[@]}"
  wait_idle
  t0=$(cpu_ticks)
  out=$("$bin/stemedb-bench" ingest --server "http://127.0.0.1:$port" --connections "$clients" --assertions "$n" \
    --batch "$batch" --ceiling-seconds "$ceiling_s")
  t1=$(cpu_ticks)
  stop_daemon
  rm -rf "$data"
  awk -F'|' -v cpu="$(per_request "$t0" "$t1" "$n")" '/^\| (single|batch)/ {gsub(/ /, "", $3); gsub(/ /, "", $4); gsub(/ /, "", $6); print $3, $6, cpu, $4}' <<<"$out"
}

# PostgreSQL's side of an insert job: prints "rows/s p99_ms cpu_us_per_row".
pg_ingest() {
  local clients=$1 seconds=$2 script=$3 rows_per_tx=$4 t0 t1 result
  pg_reset_table
  t0=$(pg_cpu_ticks)
  result=$(pgbench_run "$clients" "$seconds" "$script")
  t1=$(pg_cpu_ticks)
  local tps=${result% *} p99=${result#* }
  local rows=$((tps * rows_per_tx))
  echo "$rows $p99 $(per_request "$t0" "$t1" "$(awk -v r="$rows" -v s="$seconds" 'BEGIN {printf "%d", r * s}')")"
}

bench_postgres() {
  say "## postgres"
  local seconds=10 single_n=100000 batch_n=300000 subjects=10000 levels=(8 16 64)
  [ "$quick" = 1 ] && seconds=1 && single_n=2000 && batch_n=5000 && subjects=100
  pg_start
  trap 'pg_stop; cleanup' EXIT
  pg_scripts
  say "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') (fsync on, synchronous_commit on, shared_buffers 512MB, pgbench -M prepared over the Unix socket) against stemedb-api (defaults, rate limiting off)"
  say ""
  say "| job | clients | PostgreSQL rows/s | p99 ms | CPU us/row | StemeDB claims/s | p99 ms | CPU us/claim | StemeDB / PostgreSQL |"
  say "|---|---|---|---|---|---|---|---|---|"
  local c pg s shares=""
  for c in "${levels[@]}"; do
    pg=$(pg_ingest "$c" "$seconds" "$scratch/pg/insert_one.sql" 1)
    s=$(stemedb_ingest "$c" 1 "$single_n")
    # shellcheck disable=SC2086  # the two results are three words each
    pg_row "single durable insert" "$c" $pg $s
  done
  for c in "${levels[@]}"; do
    pg=$(pg_ingest "$c" "$seconds" "$scratch/pg/insert_one.sql" 1)
    s=$(SKIP=1 stemedb_ingest "$c" 1 "$single_n")
    # shellcheck disable=SC2086
    pg_row "single insert, no signature check (skip_unsafe)" "$c" $pg $s
  done
  for c in "${levels[@]}"; do
    pg=$(pg_ingest "$c" "$seconds" "$scratch/pg/insert_hundred.sql" 100)
    s=$(stemedb_ingest "$c" 100 "$batch_n")
    shares="${shares:+$shares, }${s##* } at $c clients"
    # shellcheck disable=SC2086
    pg_row "insert of 100" "$c" $pg $s
  done
  bench_postgres_reads "$subjects" "$seconds" "${levels[@]}"
  pg_stop
  say ""
  say "Batches of 100, share of the Ed25519 ceiling measured just before each: $shares"
  say ""
}

# The read job: both sides loaded with subjects x 10 predicates x 10 claims (1,000,000 at the
# default 10,000 subjects), then random pairs read at each client count.
bench_postgres_reads() {
  local subjects=$1 seconds=$2 c
  shift 2
  pg_reset_table
  psql_run -c "INSERT INTO claims SELECT sha256(('load/' || g)::bytea), 's/' || (g / 100), 'p' || ((g / 10) % 10), 'value ' || (g % 10), 0.5, g FROM generate_series(0, $((subjects * 100 - 1))) g" \
    -c "VACUUM ANALYZE claims" -c "CHECKPOINT"
  sed -i "s/:subjects - 1/$((subjects - 1))/" "$scratch/pg/read_pair.sql"
  local data=$scratch/pg-vs-query
  start_daemon "$port" "$data" "${no_limits[@]}"
  "$bin/stemedb-bench" load --server "http://127.0.0.1:$port" --subjects "$subjects" --vote-every 0 >/dev/null 2>&1
  wait_idle
  # Both sides warmed before the first measured row, neither counted: PostgreSQL's rows are in
  # shared_buffers from the load, StemeDB's candidate cache starts empty, and 30 s of random
  # pairs touch about 95% of them (the first run's 8-client row measured a cold cache instead).
  local warm_s=30
  [ "$quick" = 1 ] && warm_s=1
  pgbench_run 16 "$warm_s" "$scratch/pg/read_pair.sql" >/dev/null
  "$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --subjects "$subjects" --connections 16 \
    --seconds "$warm_s" --warmup-seconds 0 --lens recency >/dev/null
  for c in "$@"; do
    # shellcheck disable=SC2046  # two results of three words each
    pg_row "one pair's rows at $((subjects * 100)) rows" "$c" \
      $(pg_read "$c" "$seconds" "$scratch/pg/read_pair.sql") \
      $(stemedb_read "$c" "$seconds" recency --subjects "$subjects" --lens recency)
  done
  # The floor under every read: a request that touches no data (PostgreSQL's prepared SELECT 1,
  # StemeDB's GET /v1/health, answered on the I/O thread), so the read rows' CPU splits into the
  # transport's share and the engine's.
  for c in "$@"; do
    # shellcheck disable=SC2046
    pg_row "round trip, no data (SELECT 1 / GET /v1/health)" "$c" \
      $(pg_read "$c" "$seconds" "$scratch/pg/round_trip.sql") \
      $(stemedb_read "$c" "$seconds" /v1/health --path /v1/health)
  done
  stop_daemon
}

# pg_read CLIENTS SECONDS SCRIPT: PostgreSQL's side of a read row, "queries/s p99_ms cpu_us".
pg_read() {
  local t0 t1 result
  t0=$(pg_cpu_ticks)
  result=$(pgbench_run "$1" "$2" "$3")
  t1=$(pg_cpu_ticks)
  echo "$result $(per_request "$t0" "$t1" "$((${result% *} * $2))")"
}

# stemedb_read CLIENTS SECONDS ROW [QUERY_FLAGS...]: StemeDB's side of a read row from
# `stemedb-bench query` (ROW: the first cell of its table row), "queries/s p99_ms cpu_us".
stemedb_read() {
  local clients=$1 seconds=$2 row=$3 t0 t1 out
  shift 3
  t0=$(cpu_ticks)
  out=$("$bin/stemedb-bench" query --server "http://127.0.0.1:$port" --connections "$clients" \
    --seconds "$seconds" --warmup-seconds 1 "$@")
  t1=$(cpu_ticks)
  # The CPU window includes the 1 s warm-up, whose queries are not counted: the figure errs
  # high for StemeDB by at most a tenth.
  awk -F'|' -v row="$row" -v t0="$t0" -v t1="$t1" -v hz="$(getconf CLK_TCK)" '
    { cell = $2; gsub(/ /, "", cell) }
    cell == row { split($8, a, " x "); gsub(/ /, "", $3); gsub(/ /, "", $5)
                  printf "%s %s %.1f\n", $3, $5, (t1 - t0) / hz * 1e6 / a[2] }' <<<"$out"
}

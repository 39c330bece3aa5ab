#!/usr/bin/env bash
# Disaster-recovery drill: back up a live stemedb-api, wipe a scratch copy, restore the backup
# into it, start a scratch daemon on it and check that every assertion id and every count came
# back. Prints a pass/fail report with the time of each step.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"
readonly FEED_PAGE=1000  # GET /v1/feed returns at most 1000 assertions a page

usage() {
  cat <<EOF
Usage: $PROG --scratch-dir DIR [OPTIONS]

Runs the path a real recovery takes, against a live daemon, without touching it beyond one
online backup:

  backup   backup.sh against --url, to --target (default file://DIR/archives); with
           --from-latest, the newest backup already in that target instead
  verify   backup.sh --verify on the archive
  wipe     delete DIR/data, the scratch copy standing in for the lost node
  restore  restore.sh into DIR/data (with --wal-archive: plus the archived WAL after the backup)
  start    a scratch stemedb-api on DIR/data (loopback, a free port, no config file, no
           STEMEDB_* environment), until /v1/ready answers 200
  counts   its assertions, votes, epochs and sources equal the backup's metadata.json (with
           --wal-archive: at least those, since the archive adds later writes)
  ids      every assertion id the live daemon's feed lists up to the restored node's last seq
           is in the scratch node's feed, in the same order, and GET /v1/assertions/ID
           answers 200 on the scratch node for each

then stops the scratch daemon. A step that fails marks the drill FAIL and skips the rest.

Options:
  --scratch-dir DIR      working area for the drill (required); DIR/data is deleted
  --url URL              the live daemon (env STEMEDB_URL; default http://127.0.0.1:18180)
  --api-key-file FILE    its admin API key (default: env STEMEDB_API_KEY, else
                         env STEMEDB_API_KEY_FILE, else $DEFAULT_API_KEY_FILE)
  --checkpoint-dir DIR   passed to backup.sh (where the live daemon writes its checkpoint)
  --target TARGET        where the backup goes (default file://DIR/archives)
  --from-latest TARGET   take no backup: drill with the newest stemedb-backup-*.tar.gz in TARGET
                         (last night's backup, as a real recovery would)
  --wal-archive TARGET   passed to restore.sh: add the WAL archived after the backup (with
                         --from-latest this is the failover path of a warm standby)
  --endpoint-url URL     S3 endpoint for a non-AWS S3 (env AWS_ENDPOINT_URL)
  --keep                 leave DIR/data in place after the drill (the scratch daemon is stopped)
  --start-timeout-s N    how long the scratch daemon may take to become ready (default 300)
  -h, --help             this help

Needs what backup.sh and restore.sh need, and stemedb-api (PATH or STEMEDB_BIN_DIR).

Exit codes: 0 PASS, 1 FAIL (the report says which step), 2 usage error.
EOF
}

scratch=""
api_key_file=""
checkpoint_args=()
target=""
wal_archive=""
from_latest=""
keep=false
start_timeout_s=300

while [ $# -gt 0 ]; do
  case $1 in
    --scratch-dir) need_value "$@"; scratch=$2; shift 2 ;;
    --url) need_value "$@"; API_URL=$2; shift 2 ;;
    --api-key-file) need_value "$@"; api_key_file=$2; shift 2 ;;
    --checkpoint-dir) need_value "$@"; checkpoint_args=(--checkpoint-dir "$2"); shift 2 ;;
    --target) need_value "$@"; target=$2; shift 2 ;;
    --wal-archive) need_value "$@"; wal_archive=$2; shift 2 ;;
    --from-latest) need_value "$@"; from_latest=$2; shift 2 ;;
    --endpoint-url) need_value "$@"; S3_ENDPOINT_URL=$2; shift 2 ;;
    --keep) keep=true; shift ;;
    --start-timeout-s) need_value "$@"; start_timeout_s=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
[ -n "$scratch" ] || usage_error "--scratch-dir is required"
need_seconds --start-timeout-s "$start_timeout_s"
API_URL=${API_URL%/}
require_commands curl jq
mkdir -p -- "$scratch" || die "cannot create $scratch"
scratch=$(realpath -- "$scratch")
if [ -n "$from_latest" ] && [ -n "$target" ]; then usage_error "give --target or --from-latest, not both"; fi
[ -n "$target" ] || target=${from_latest:-file://$scratch/archives}
load_api_key "$api_key_file"
live_key=$API_KEY
api_binary=$(stemedb_tool stemedb-api)
export S3_ENDPOINT_URL
work=""
make_temp_dir work "$scratch"

# ---- the report

report=()
drill_result=PASS
drill_started=$(now_s)
record() { report+=("$(printf '  %-8s %-5s %8s  %s' "$1" "$2" "$3" "$4")"); }
print_report() {
  printf 'StemeDB DR drill: %s, backup to %s\n' "$API_URL" "$target"
  printf '  %-8s %-5s %8s  %s\n' step result seconds detail
  local line
  for line in "${report[@]}"; do printf '%s\n' "$line"; done
  printf '  %-8s %-5s %8s\n' total "$drill_result" "$(elapsed_s "$drill_started")"
  printf 'RESULT: %s\n' "$drill_result"
}
# step NAME FUNCTION: runs FUNCTION (which sets DETAIL) unless an earlier step failed.
DETAIL=""
step() {
  local name=$1 fn=$2 started
  if [ "$drill_result" = FAIL ]; then
    record "$name" SKIP - "skipped after a failure"
    return
  fi
  started=$(now_s)
  DETAIL=""
  # Progress and errors go to stderr as usual, and to a file the report quotes from.
  if "$fn" 2> >(tee -a "$work/errors" >&2); then
    record "$name" PASS "$(elapsed_s "$started")" "$DETAIL"
  else
    drill_result=FAIL
    record "$name" FAIL "$(elapsed_s "$started")" "${DETAIL:-$(tail -n 3 "$work/errors" | tr '\n' ' ')}"
  fi
}

# ---- the steps

archive=""
meta=""
scratch_pid=""
scratch_url=""
scratch_key=""

do_backup() {
  if [ -n "$from_latest" ]; then
    parse_target "$from_latest"
    local name
    name=$(latest_backup_name)
    [ -n "$name" ] || { DETAIL="no stemedb-backup-*.tar.gz in $from_latest"; return 1; }
    archive=$(target_url "$name")
    DETAIL="newest existing backup: $archive"
    return 0
  fi
  local out
  out=$(STEMEDB_API_KEY=$live_key "$SCRIPTS_DIR/backup.sh" --url "$API_URL" \
    "${checkpoint_args[@]}" --target "$target" --work-dir "$work") || return 1
  archive=$(jq -r .archive <<<"$out")
  DETAIL="$archive ($(jq -r .assertions <<<"$out") assertions, WAL to seq $(jq -r .wal_to_seq <<<"$out"))"
}

do_verify() {
  local out
  out=$("$SCRIPTS_DIR/backup.sh" --verify "$archive" --work-dir "$work" 2>&1) || {
    DETAIL=$(tail -n 1 <<<"$out")
    return 1
  }
  DETAIL="manifest, metadata and every WAL segment check out"
}

do_wipe() {
  rm -rf -- "$scratch/data"
  [ ! -e "$scratch/data" ] || return 1
  DETAIL="$scratch/data deleted"
}

do_restore() {
  local extra=()
  [ -z "$wal_archive" ] || extra=(--wal-archive "$wal_archive")
  "$SCRIPTS_DIR/restore.sh" "$archive" --data-dir "$scratch/data" "${extra[@]}" || return 1
  meta=$scratch/data/restored-from.json
  DETAIL="into $scratch/data${wal_archive:+ plus the archived WAL from $wal_archive}"
}

stop_scratch() {
  [ -n "$scratch_pid" ] || return 0
  kill -TERM "$scratch_pid" 2>/dev/null || true
  local i
  for ((i = 0; i < 600; i++)); do
    kill -0 "$scratch_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$scratch_pid" 2>/dev/null || true
  wait "$scratch_pid" 2>/dev/null || true
  scratch_pid=""
}
on_exit stop_scratch

do_start() {
  : >"$scratch/empty.toml"
  local unset_env=() v
  for v in "${!STEMEDB_@}"; do unset_env+=(-u "$v"); done
  env "${unset_env[@]}" "$api_binary" --config "$scratch/empty.toml" --bind 127.0.0.1:0 \
    --data-dir "$scratch/data" --wal-dir "$scratch/data/wal" --rate-limit-enabled false \
    --storage-cache-mb 64 --storage-memory-tier-mb 64 >"$scratch/daemon.log" 2>&1 &
  scratch_pid=$!
  printf '%s\n' "$scratch_pid" >"$scratch/daemon.pid"
  local deadline=$((SECONDS + start_timeout_s)) port=""
  while [ -z "$port" ]; do
    port=$(grep -oE 'listening on [0-9.]+:[0-9]+' "$scratch/daemon.log" | head -n 1 | sed 's/.*://' || true)
    [ -n "$port" ] && break
    if ! kill -0 "$scratch_pid" 2>/dev/null; then
      DETAIL="the scratch daemon exited: $(tail -n 2 "$scratch/daemon.log" | tr '\n' ' ')"
      return 1
    fi
    [ "$SECONDS" -lt "$deadline" ] || { DETAIL="the scratch daemon did not listen in ${start_timeout_s} s"; return 1; }
    sleep 0.1
  done
  scratch_url=http://127.0.0.1:$port
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "$scratch_url/v1/ready")" = 200 ]; do
    [ "$SECONDS" -lt "$deadline" ] || { DETAIL="the scratch daemon was not ready in ${start_timeout_s} s"; return 1; }
    sleep 0.1
  done
  scratch_key=$(tr -d '[:space:]' <"$scratch/data/root.key")
  DETAIL="scratch daemon pid $scratch_pid ready on $scratch_url"
}

do_counts() {
  local stats want got kind line=""
  stats=$(API_KEY=$scratch_key api_json GET "$scratch_url/v1/admin/storage/stats") || return 1
  for kind in assertions votes epochs sources; do
    want=$(jq -r ".counts.$kind" "$meta")
    got=$(jq -r ".$kind" <<<"$stats")
    line+="$kind $got/$want "
    if [ -z "$wal_archive" ] && [ "$got" != "$want" ]; then
      DETAIL="$kind: restored $got, the backup holds $want"
      return 1
    fi
    if [ -n "$wal_archive" ] && [ "$got" -lt "$want" ]; then
      DETAIL="$kind: restored $got, fewer than the $want of the backup"
      return 1
    fi
  done
  DETAIL="${line% } (restored/backup)"
}

# feed_ids URL KEY MAX_SEQ OUT: "seq id" of every assertion with seq <= MAX_SEQ, in log order.
feed_ids() {
  local url=$1 key=$2 max_seq=$3 out=$4 after=0 page next
  : >"$out"
  page=$(mktemp)
  while :; do
    API_KEY=$key api_json GET "$url/v1/feed?after=$after&limit=$FEED_PAGE" >"$page" || return 1
    jq -r --argjson max "$max_seq" '.assertions[] | select(.seq <= $max) | "\(.seq) \(.id)"' "$page" >>"$out"
    next=$(jq -r .next_after "$page")
    if [ "$next" = "$after" ] || [ "$next" -ge "$max_seq" ]; then break; fi
    after=$next
  done
  rm -f "$page"
}

do_ids() {
  local node last_seq
  node=$(API_KEY=$scratch_key api_json GET "$scratch_url/v1/admin/node") || return 1
  last_seq=$(jq -r .wal.last_seq <<<"$node")
  feed_ids "$API_URL" "$live_key" "$last_seq" "$work/live.ids" || return 1
  feed_ids "$scratch_url" "$scratch_key" "$last_seq" "$work/restored.ids" || return 1
  local expected
  expected=$(wc -l <"$work/live.ids")
  if ! cmp -s "$work/live.ids" "$work/restored.ids"; then
    DETAIL="the feeds differ up to seq $last_seq: $(diff "$work/live.ids" "$work/restored.ids" | grep -c '^[<>]') line(s), first: $(diff "$work/live.ids" "$work/restored.ids" | grep -m 1 '^[<>]')"
    return 1
  fi
  # One curl for all the GETs (a keep-alive connection): one "STATUS ID" line each.
  awk -v u="$scratch_url" '{ printf "url = \"%s/v1/assertions/%s\"\noutput = \"/dev/null\"\n", u, $2 }' \
    "$work/live.ids" >"$work/get.cfg"
  local missing=0
  if [ "$expected" -gt 0 ]; then
    curl -sS -K "$work/get.cfg" -w '%{http_code} %{url_effective}\n' >"$work/get.out" || true
    missing=$(awk '$1 != 200' "$work/get.out" | wc -l)
    local answered
    answered=$(wc -l <"$work/get.out")
    if [ "$missing" -gt 0 ] || [ "$answered" -ne "$expected" ]; then
      DETAIL="$missing of $expected assertions missing on the restored node (first: $(awk '$1 != 200 { print; exit }' "$work/get.out"))"
      return 1
    fi
  fi
  DETAIL="$expected of $expected assertion ids present (live feed up to seq $last_seq)"
}

step backup do_backup
step verify do_verify
step wipe do_wipe
step restore do_restore
step start do_start
step counts do_counts
step ids do_ids
stop_scratch
if [ "$keep" = false ]; then rm -rf -- "$scratch/data"; fi
print_report
[ "$drill_result" = PASS ] || exit "$EXIT_FAILURE"

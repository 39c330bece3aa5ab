#!/usr/bin/env bash
# Ships sealed WAL segments to an archive (file:// or s3://), each with a .sha256 sidecar, and
# checks every copy. Idempotent, and safe to run twice at once (a lock serialises runs).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"

readonly SEGMENT_HEADER_BYTES=40  # docs/wal-format.md: a segment holding no record is this long

usage() {
  cat <<EOF
Usage: $PROG --target TARGET [OPTIONS]

Copies every sealed WAL segment not yet archived to TARGET as segment.NNN.wal plus
segment.NNN.wal.sha256. A segment is sealed once a later one exists (the daemon seals and
fsyncs a segment before it creates the next); the one being written is never shipped. Each
segment is checked with stemedb-wal-verify before it leaves, and each copy is read back and
compared by SHA-256 (a file:// copy is also verified with stemedb-wal-verify).

Unless --no-rotate, the active segment is first sealed through POST /v1/admin/wal/rotate when
it holds any record, so each run ships everything acknowledged before it: run every 5 minutes,
the archive is at most 5 minutes behind.

Runs are serialised by flock on STATE_DIR/lock: a second run waits for the first, then finds
nothing left to ship. STATE_DIR/segment.NNN.wal.archived records what was shipped where (checksum, size, mtime).
A segment already in TARGET with the same SHA-256 is recorded and skipped; one with a different
SHA-256 stops the run: another node (or a node restored from a backup) archives to the same
place, and each timeline needs its own prefix.

With --prune, segments that are archived and wholly below what the daemon has made durable in
RocksDB (wal.applied_offset of GET /v1/admin/node) are then deleted from the WAL directory:
the daemon never reads them again (a restart replays from that offset) and never deletes a
segment itself. The segment holding the last applied record is always kept, and so is every
segment a backup's checkpoint would copy. The daemon's own segment list and the
stemedb_wal_segments and stemedb_wal_disk_usage_bytes metrics count them until it restarts;
stemedb_wal_disk_free_bytes shows the space at once.

Options:
  --target TARGET        file:///DIR or s3://BUCKET/PREFIX (env STEMEDB_WAL_ARCHIVE_TARGET)
  --wal-dir DIR          the daemon's WAL directory (default: env STEMEDB_WAL_DIR, else
                         \${STEMEDB_DATA_DIR:-/var/lib/stemedb}/wal)
  --state-dir DIR        bookkeeping and the lock (default: the WAL directory's parent
                         /wal-archive, e.g. /var/lib/stemedb/wal-archive)
  --no-rotate            do not ask the daemon to seal the active segment
  --prune                then delete the archived segments below the applied offset (above)
  --url URL              the daemon, for the rotation (env STEMEDB_URL; default
                         http://127.0.0.1:18180)
  --api-key-file FILE    admin API key file for the rotation (default: env STEMEDB_API_KEY,
                         else env STEMEDB_API_KEY_FILE, else $DEFAULT_API_KEY_FILE)
  --lock-timeout-s N     how long to wait for a run in progress (default 600)
  --endpoint-url URL     S3 endpoint for a non-AWS S3 (env AWS_ENDPOINT_URL)
  -h, --help             this help

Needs: sha256sum, flock, stemedb-wal-verify (PATH or STEMEDB_BIN_DIR); curl and jq for the
rotation and --prune; the aws CLI for s3://.

Exit codes: 0 everything sealed is archived, 1 a segment failed (or the rotation failed; the
sealed segments were still shipped), 2 usage error.
EOF
}

target=${STEMEDB_WAL_ARCHIVE_TARGET:-}
wal_dir=${STEMEDB_WAL_DIR:-${STEMEDB_DATA_DIR:-/var/lib/stemedb}/wal}
state_dir=""
rotate=true
prune=false
api_key_file=""
lock_timeout_s=600

while [ $# -gt 0 ]; do
  case $1 in
    --target) need_value "$@"; target=$2; shift 2 ;;
    --wal-dir) need_value "$@"; wal_dir=$2; shift 2 ;;
    --state-dir) need_value "$@"; state_dir=$2; shift 2 ;;
    --no-rotate) rotate=false; shift ;;
    --prune) prune=true; shift ;;
    --url) need_value "$@"; API_URL=$2; shift 2 ;;
    --api-key-file) need_value "$@"; api_key_file=$2; shift 2 ;;
    --lock-timeout-s) need_value "$@"; lock_timeout_s=$2; shift 2 ;;
    --endpoint-url) need_value "$@"; S3_ENDPOINT_URL=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
[ -n "$target" ] || usage_error "--target is required (file:///DIR or s3://BUCKET/PREFIX)"
need_seconds --lock-timeout-s "$lock_timeout_s"
API_URL=${API_URL%/}
parse_target "$target"
require_commands sha256sum flock
[ -d "$wal_dir" ] || die "WAL directory $wal_dir does not exist"
wal_dir=$(realpath -- "$wal_dir")
[ -n "$state_dir" ] || state_dir=$(dirname "$wal_dir")/wal-archive
mkdir -p -- "$state_dir" || die "cannot create the state directory $state_dir"

exec {lock_fd}>>"$state_dir/lock" || die "cannot open $state_dir/lock"
if ! flock --exclusive --timeout "$lock_timeout_s" "$lock_fd"; then
  die "another $PROG has held $state_dir/lock for over $lock_timeout_s s"
fi

failures=0
started=$(now_s)

# The active segment is sealed only by a rotation; skip it when it holds no record (an idle
# node would otherwise gain an empty segment every run).
rotate_active() {
  local active
  active=$(find "$wal_dir" -maxdepth 1 -type f -printf '%f\n' | sorted_segments | tail -n 1)
  [ -n "$active" ] || return 0
  if [ "$(stat -c %s "$wal_dir/$active")" -le "$SEGMENT_HEADER_BYTES" ]; then return 0; fi
  require_commands curl jq
  load_api_key "$api_key_file"
  local reply status
  reply=$(mktemp)
  if ! status=$(api_request POST "$API_URL/v1/admin/wal/rotate" "$reply"); then
    warn "cannot reach stemedb-api at $API_URL to seal $active; shipping what is sealed"
    failures=$((failures + 1))
  elif [ "$status" != 200 ]; then
    warn "POST /v1/admin/wal/rotate answered HTTP $status: $(jq -r '.error.message // empty' "$reply" 2>/dev/null)"
    failures=$((failures + 1))
  else
    log "sealed $(jq -r .sealed "$reply")"
  fi
  rm -f "$reply"
}

# The state file of a shipped segment: "SHA256 SIZE MTIME TARGET_URL". A sealed segment never
# changes, so size and mtime recognise it without reading it again.
marker_line() { printf '%s %s %s\n' "$2" "$(stat -c '%s %Y' "$wal_dir/$1")" "$(target_url "$1")"; }
already_archived() {
  local marker=$state_dir/$1.archived
  [ -f "$marker" ] || return 1
  local sha
  sha=$(awk '{ print $1 }' "$marker")
  [ "$(cat "$marker")" = "$(marker_line "$1" "$sha")" ]
}
mark_archived() {
  marker_line "$1" "$2" >"$state_dir/$1.archived.tmp"
  mv -f -- "$state_dir/$1.archived.tmp" "$state_dir/$1.archived"
}

check=""
make_temp_dir check

# ship NAME: copy, read back, compare, record. Returns 1 (after saying why) on any failure.
ship() {
  local name=$1 src=$wal_dir/$1 sha remote_sha
  rm -rf -- "${check:?}"/*
  sha=$(sha256_of "$src")
  (verify_segment "$src") || return 1
  if target_get "$name.sha256" "$check/sidecar"; then
    remote_sha=$(awk 'NR == 1 { print $1 }' "$check/sidecar")
    if [ "$remote_sha" != "$sha" ]; then
      warn "$(target_url "$name") already exists with SHA-256 $remote_sha, but $src has $sha: another node archives to the same target; give each timeline its own prefix"
      return 1
    fi
    log "$name is already in the archive; recorded"
  else
    printf '%s  %s\n' "$sha" "$name" >"$check/$name.sha256"
    (target_put "$src" "$name") || return 1
    target_get "$name" "$check/copy" || {
      warn "cannot read back $(target_url "$name")"
      return 1
    }
    if [ "$(sha256_of "$check/copy")" != "$sha" ]; then
      warn "the copy $(target_url "$name") does not match $src"
      return 1
    fi
    (verify_segment "$check/copy") || return 1
    # The sidecar last: its presence means the segment beside it is complete and checked.
    (target_put "$check/$name.sha256" "$name.sha256") || return 1
    log "archived $name ($(stat -c %s "$src") bytes, sha256 $sha) to $(target_url "$name")"
  fi
  mark_archived "$name" "$sha"
}

# prune_archived: deletes sealed, archived segments that end below the durable applied offset.
pruned=0
prune_archived() {
  require_commands curl jq
  load_api_key "$api_key_file"
  local node applied name end
  node=$(api_json GET "$API_URL/v1/admin/node") || return 1
  applied=$(jq -r '.wal.applied_offset' <<<"$node")
  while read -r name end; do
    [ -f "$wal_dir/$name" ] || continue
    [ "$end" -lt "$applied" ] || continue
    if ! already_archived "$name"; then
      warn "$name lies below the applied offset $applied but is not archived; kept"
      continue
    fi
    rm -f -- "$wal_dir/$name" || return 1
    log "pruned $name (archived, ends at offset $end, below the applied offset $applied)"
    pruned=$((pruned + 1))
  done < <(jq -r '.wal.segments[] | select(.sealed) | "\(.name) \(.end_offset)"' <<<"$node")
}

if [ "$rotate" = true ]; then rotate_active; fi

segments=$(find "$wal_dir" -maxdepth 1 -type f -printf '%f\n' | sorted_segments)
sealed=$(printf '%s\n' "$segments" | sed '$d')
shipped=0
skipped=0
ship_failed=false
while IFS= read -r name; do
  [ -n "$name" ] || continue
  if already_archived "$name"; then
    skipped=$((skipped + 1))
    continue
  fi
  if ship "$name"; then
    shipped=$((shipped + 1))
  else
    failures=$((failures + 1))
    ship_failed=true
    warn "$name was not archived; stopping (the archive must have no gaps)"
    break
  fi
done <<<"$sealed"

# Only after every sealed segment was shipped (a failed rotation does not matter here).
if [ "$prune" = true ] && [ "$ship_failed" = false ]; then
  prune_archived || failures=$((failures + 1))
fi

log "$shipped segment(s) archived, $skipped already archived, $pruned pruned, active $(printf '%s\n' "$segments" | tail -n 1) left for a later run ($(elapsed_s "$started") s)"
[ "$failures" -eq 0 ] || exit "$EXIT_FAILURE"

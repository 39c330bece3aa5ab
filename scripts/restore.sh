#!/usr/bin/env bash
# Restores a backup made by backup.sh into a data directory stemedb-api starts from, optionally
# followed by WAL segments that wal-archive.sh shipped after the backup (a warm standby).
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $PROG ARCHIVE --data-dir DIR [OPTIONS]
       $PROG --latest TARGET --data-dir DIR [OPTIONS]

Verifies a backup archive (its .sha256 sidecar, the manifest, metadata.json, every WAL segment),
then lays it out as a data directory:

  DIR/rocksdb/               the RocksDB checkpoint
  DIR/wal/segment.NNN.wal    the backup's WAL range (or in --wal-dir)
  DIR/restored-from.json     the archive's metadata.json, for the record

Started on DIR, stemedb-api recovers the WAL and replays it on top of the checkpoint. API keys
made with /v1/admin/keys come back with the data; the root key does not (it is not in the
archive): the daemon writes a new one to DIR/root.key unless STEMEDB_ROOT_API_KEY is set.

ARCHIVE is a path, file:///PATH or s3://BUCKET/KEY of a NAME.tar.gz written by backup.sh.

Options:
  --data-dir DIR         the data directory to fill (required). It must be empty or absent
                         unless --force
  --latest TARGET        restore the newest stemedb-backup-*.tar.gz in TARGET (file:///DIR or
                         s3://BUCKET/PREFIX) instead of naming an ARCHIVE
  --wal-dir DIR          where the WAL goes when the daemon runs with a separate wal.dir
                         (default DIR/wal)
  --wal-archive TARGET   then add the archived segments that follow the backup's last one
                         (file:///DIR or s3://BUCKET/PREFIX written by wal-archive.sh), each
                         checked against its .sha256 and with stemedb-wal-verify, in order,
                         stopping at the first one missing
  --force                delete what DIR (and --wal-dir) holds first. Never allowed while a
                         daemon holds the WAL directory's lock
  --owner USER[:GROUP]   chown the restored files (e.g. stemedb:stemedb when run as root)
  --endpoint-url URL     S3 endpoint for a non-AWS S3 (env AWS_ENDPOINT_URL)
  -h, --help             this help

Needs: tar, gzip, jq, sha256sum, flock, stemedb-wal-verify (PATH or STEMEDB_BIN_DIR), and the aws
CLI for s3://.

Exit codes: 0 restored, 1 failed (nothing of the target was deleted unless --force was given),
2 usage error.
Example:
  systemctl stop stemedb-api
  $PROG --latest file:///var/backups/stemedb --data-dir /var/lib/stemedb \\
      --wal-archive file:///var/backups/stemedb/wal --owner stemedb:stemedb --force
  systemctl start stemedb-api
EOF
}

archive=""
latest_from=""
data_dir=""
wal_dir=""
wal_archive=""
force=false
owner=""

while [ $# -gt 0 ]; do
  case $1 in
    --data-dir) need_value "$@"; data_dir=$2; shift 2 ;;
    --latest) need_value "$@"; latest_from=$2; shift 2 ;;
    --wal-dir) need_value "$@"; wal_dir=$2; shift 2 ;;
    --wal-archive) need_value "$@"; wal_archive=$2; shift 2 ;;
    --force) force=true; shift ;;
    --owner) need_value "$@"; owner=$2; shift 2 ;;
    --endpoint-url) need_value "$@"; S3_ENDPOINT_URL=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      [ -z "$archive" ] || usage_error "one ARCHIVE only (got '$archive' and '$1')"
      archive=$1
      shift
      ;;
  esac
done
[ -n "$data_dir" ] || usage_error "--data-dir is required"
if [ -n "$archive" ] && [ -n "$latest_from" ]; then usage_error "give ARCHIVE or --latest, not both"; fi
[ -n "$archive" ] || [ -n "$latest_from" ] || usage_error "name an ARCHIVE or give --latest TARGET"
require_commands tar gzip jq sha256sum flock
data_dir=$(realpath -m -- "$data_dir")
[ -n "$wal_dir" ] || wal_dir=$data_dir/wal
wal_dir=$(realpath -m -- "$wal_dir")
started=$(now_s)

# ---- the target must be safe to fill

# refuse_if_locked DIR: a running daemon holds flock on DIR/LOCK.
refuse_if_locked() {
  local lock=$1/LOCK
  [ -e "$lock" ] || return 0
  flock --nonblock --exclusive "$lock" true 2>/dev/null ||
    die "$lock is held: a stemedb-api is running on $1 (pid $(head -c 32 "$lock" 2>/dev/null | tr -d '\n')); stop it first"
}
is_empty_dir() { [ ! -e "$1" ] || [ -z "$(find "$1" -mindepth 1 -maxdepth 1 -print -quit)" ]; }

refuse_if_locked "$wal_dir"
for dir in "$data_dir" "$wal_dir"; do
  [ ! -e "$dir" ] || [ -d "$dir" ] || die "$dir exists and is not a directory"
  if ! is_empty_dir "$dir" && [ "$force" = false ]; then
    die "$dir is not empty; restore into an empty directory, or give --force to delete what it holds"
  fi
done
mkdir -p -- "$data_dir" "$wal_dir" || die "cannot create $data_dir"
# Unpack next to the data directory: the same file system, so moving into place is a rename.
work=""
make_temp_dir work "$(dirname "$data_dir")"

# ---- fetch and verify

if [ -n "$latest_from" ]; then
  parse_target "$latest_from"
  name=$(latest_backup_name)
  [ -n "$name" ] || die "no stemedb-backup-*.tar.gz in $latest_from"
  archive=$(target_url "$name")
  log "newest backup in $latest_from: $name"
fi
case $archive in
  s3://*)
    parse_target "${archive%/*}"
    base=${archive##*/}
    target_get "$base" "$work/$base" || die "cannot download $archive"
    target_get "$base.sha256" "$work/$base.sha256" || warn "no $base.sha256 next to $archive"
    local_archive=$work/$base
    ;;
  file://*) local_archive=${archive#file://} ;;
  *) local_archive=$archive ;;
esac
mkdir "$work/unpacked"
top=$(extract_archive "$local_archive" "$work/unpacked")
summary=$(verify_backup_tree "$top")
log "verified $archive: $summary"

# ---- lay it out

if [ "$force" = true ]; then
  for dir in "$data_dir" "$wal_dir"; do
    if ! is_empty_dir "$dir"; then
      log "--force: deleting what $dir holds"
      find "$dir" -mindepth 1 -maxdepth 1 ! -path "$work" ! -path "$wal_dir" -exec rm -rf -- {} +
    fi
  done
fi
mv -- "$top/data/rocksdb" "$data_dir/rocksdb" || die "cannot move the RocksDB checkpoint into $data_dir"
find "$top/data/wal" -mindepth 1 -maxdepth 1 -name 'segment.*.wal' -exec mv -t "$wal_dir" -- {} + ||
  die "cannot move the WAL segments into $wal_dir"
cp -- "$top/metadata.json" "$data_dir/restored-from.json"

# ---- archived segments after the backup's last one

last_segment=$(jq -r '.wal.segments[-1].name' "$top/metadata.json")
added=0
if [ -n "$wal_archive" ]; then
  parse_target "$wal_archive"
  next=$(($(segment_seq "$last_segment") + 1))
  archived=$(target_list | sorted_segments)
  while IFS= read -r segment; do
    [ -n "$segment" ] || continue
    seq=$(segment_seq "$segment")
    [ "$seq" -ge "$next" ] || continue
    if [ "$seq" -gt "$next" ]; then
      warn "the WAL archive has no segment $next; stopping there (later segments cannot be replayed past the gap)"
      break
    fi
    target_get "$segment" "$work/$segment" || die "cannot fetch $segment from $wal_archive"
    target_get "$segment.sha256" "$work/$segment.sha256" || die "$wal_archive has no $segment.sha256"
    check_sidecar "$work/$segment" "$work/$segment.sha256"
    verify_segment "$work/$segment"
    mv -- "$work/$segment" "$wal_dir/$segment"
    added=$((added + 1))
    last_segment=$segment
    next=$((seq + 1))
  done <<<"$archived"
  log "added $added archived segment(s) from $wal_archive; the WAL now ends with $last_segment"
fi

out=$("$(stemedb_tool stemedb-wal-verify)" --dir "$wal_dir" 2>&1) || die "the restored WAL in $wal_dir does not verify: $out"
# tar and mv leave the files in the page cache: make them durable before a daemon relies on them.
sync -f "$data_dir/restored-from.json" || die "cannot sync the file system of $data_dir"
sync -f "$wal_dir" || die "cannot sync the file system of $wal_dir"
if [ -n "$owner" ]; then
  chown -R -- "$owner" "$data_dir" "$wal_dir" || die "chown -R $owner failed"
fi
log "restored $(jq -r .name "$top/metadata.json") into $data_dir (WAL in $wal_dir, $added archived segment(s) added) in $(elapsed_s "$started") s"
log "start stemedb-api with --data-dir $data_dir: it replays the WAL from offset $(jq -r .wal.applied_offset "$top/metadata.json")"

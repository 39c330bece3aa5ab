#!/usr/bin/env bash
# Online backup of a running stemedb-api: a checkpoint plus the WAL range on top of it, packed
# into one archive with metadata.json and a SHA-256 manifest, verified, then shipped to a
# file:// directory or an S3 bucket. `backup.sh --verify ARCHIVE` checks an archive.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $PROG [OPTIONS] --target TARGET
       $PROG --verify ARCHIVE [--endpoint-url URL]

Takes an online backup of a running stemedb-api while writes continue. The daemon makes a
consistent checkpoint (POST /v1/admin/checkpoint: a RocksDB checkpoint, then a WAL rotation, then
copies of the sealed segments the checkpoint needs); every write acknowledged before the request
is in it. The script packs it as NAME.tar.gz:

  NAME/metadata.json     format, stemedb version, time, counts (assertions, votes, epochs,
                         sources), the WAL range (offsets, last seq, segments)
  NAME/manifest.sha256   the SHA-256 of every other file (sha256sum format)
  NAME/data/             rocksdb/, wal/segment.NNN.wal, checkpoint.json: restore.sh lays these
                         out as a data directory

verifies it (as --verify does), copies it and NAME.tar.gz.sha256 to TARGET, and prints one JSON
line on stdout: {"archive": URL, "name", "assertions", "wal_to_seq", ...}.

Options:
  --target TARGET        file:///DIR or s3://BUCKET/PREFIX (env STEMEDB_BACKUP_TARGET)
  --url URL              the daemon (env STEMEDB_URL; default http://127.0.0.1:18180)
  --api-key-file FILE    admin API key file (default: env STEMEDB_API_KEY, else
                         env STEMEDB_API_KEY_FILE, else $DEFAULT_API_KEY_FILE)
  --checkpoint-dir DIR   where the daemon writes the checkpoint: a directory on the daemon's
                         host that it may write (default /var/lib/stemedb/backups; env
                         STEMEDB_CHECKPOINT_DIR). Removed after packing unless --keep-checkpoint
  --work-dir DIR         where the archive is packed and checked (default \$TMPDIR or /tmp)
  --endpoint-url URL     S3 endpoint for a non-AWS S3 (env AWS_ENDPOINT_URL)
  --name NAME            archive name (default stemedb-backup-YYYYMMDDTHHMMSSZ)
  --keep-checkpoint      leave the daemon's checkpoint directory in place
  --verify ARCHIVE       check ARCHIVE (a path, file:///PATH or s3://BUCKET/KEY) and exit:
                         its .sha256 sidecar when present, the manifest (no file missing,
                         changed or unlisted), metadata.json, and every WAL segment with
                         stemedb-wal-verify (on its own and as one chain)
  -h, --help             this help

Needs: curl, jq, tar, gzip, sha256sum, stemedb-wal-verify (PATH or STEMEDB_BIN_DIR), and the aws
CLI for s3:// targets. The admin key travels in X-API-Key, never on a command line.

Exit codes: 0 backed up (or verified), 1 failed (the message says why), 2 usage error.
Example:
  STEMEDB_API_KEY=\$(sudo cat /var/lib/stemedb/root.key) $PROG --target file:///var/backups/stemedb
EOF
}

target=${STEMEDB_BACKUP_TARGET:-}
api_key_file=""
checkpoint_parent=${STEMEDB_CHECKPOINT_DIR:-/var/lib/stemedb/backups}
work_parent=${TMPDIR:-/tmp}
name=""
keep_checkpoint=false
verify_archive=""

while [ $# -gt 0 ]; do
  case $1 in
    --target) need_value "$@"; target=$2; shift 2 ;;
    --url) need_value "$@"; API_URL=$2; shift 2 ;;
    --api-key-file) need_value "$@"; api_key_file=$2; shift 2 ;;
    --checkpoint-dir) need_value "$@"; checkpoint_parent=$2; shift 2 ;;
    --work-dir) need_value "$@"; work_parent=$2; shift 2 ;;
    --endpoint-url) need_value "$@"; S3_ENDPOINT_URL=$2; shift 2 ;;
    --name) need_value "$@"; name=$2; shift 2 ;;
    --keep-checkpoint) keep_checkpoint=true; shift ;;
    --verify) need_value "$@"; verify_archive=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
API_URL=${API_URL%/}
require_commands curl jq tar gzip sha256sum

# fetch_archive URL DIR: a local path of the archive (downloaded into DIR when remote).
fetch_archive() {
  local url=$1 dir=$2
  case $url in
    s3://*)
      parse_target "${url%/*}"
      local base=${url##*/}
      target_get "$base" "$dir/$base" || die "cannot download $url"
      target_get "$base.sha256" "$dir/$base.sha256" || warn "no $base.sha256 next to $url"
      printf '%s\n' "$dir/$base"
      ;;
    file://*) printf '%s\n' "${url#file://}" ;;
    *) printf '%s\n' "$url" ;;
  esac
}

# verify ARCHIVE_PATH: sets SUMMARY to a one-line description; dies on the first problem.
verify() {
  local scratch top
  make_temp_dir scratch "$work_parent"
  top=$(extract_archive "$1" "$scratch")
  SUMMARY=$(verify_backup_tree "$top")
  rm -rf -- "$scratch"
}

if [ -n "$verify_archive" ]; then
  download=""
  make_temp_dir download "$work_parent"
  local_copy=$(fetch_archive "$verify_archive" "$download")
  verify "$local_copy"
  log "OK: $verify_archive verified: $SUMMARY"
  exit 0
fi

[ -n "$target" ] || usage_error "--target is required (file:///DIR or s3://BUCKET/PREFIX)"
parse_target "$target"
[ "${checkpoint_parent:0:1}" = / ] || usage_error "--checkpoint-dir must be an absolute path"
load_api_key "$api_key_file"
[ -n "$name" ] || name=stemedb-backup-$(date -u +%Y%m%dT%H%M%SZ)
[[ $name =~ ^[A-Za-z0-9._-]+$ ]] || usage_error "--name may hold only letters, digits, '.', '_' and '-'"

started=$(now_s)
mkdir -p -- "$checkpoint_parent" || die "cannot create $checkpoint_parent"
checkpoint_dir=$checkpoint_parent/$name
[ ! -e "$checkpoint_dir" ] || die "$checkpoint_dir already exists (a backup named $name is in progress or was kept)"

log "asking $API_URL for a checkpoint in $checkpoint_dir"
checkpoint=$(api_json POST "$API_URL/v1/admin/checkpoint" "$(jq -cn --arg d "$checkpoint_dir" '{dir: $d}')")
if [ "$keep_checkpoint" = false ]; then on_exit "rm -rf -- $(printf '%q' "$checkpoint_dir")"; fi
[ -f "$checkpoint_dir/checkpoint.json" ] ||
  die "the daemon reports a checkpoint in $checkpoint_dir but this host cannot see it: run $PROG on the daemon's host"

# Stage NAME/ with the metadata, the manifest and data -> the checkpoint (tar follows the link).
work=""
make_temp_dir work "$work_parent"
stage=$work/$name
mkdir -p "$stage"
ln -s "$checkpoint_dir" "$stage/data"
jq -n --arg name "$name" --arg format "$ARCHIVE_FORMAT" --argjson version "$ARCHIVE_FORMAT_VERSION" \
  --arg created_at "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg url "$API_URL" --arg host "$(hostname)" \
  --argjson cp "$checkpoint" '{
    format: $format, format_version: $version, name: $name, created_at: $created_at,
    created_at_ms: $cp.created_at_ms, stemedb_version: $cp.stemedb_version,
    source: {url: $url, host: $host},
    assertions_count: $cp.assertions_count,
    counts: {assertions: $cp.assertions_count, votes: $cp.votes_count, epochs: $cp.epochs_count,
             sources: $cp.sources_count},
    wal: {from_offset: $cp.wal_from_offset, to_offset: $cp.wal_to_offset, to_seq: $cp.wal_to_seq,
          applied_offset: $cp.applied_offset, applied_seq: $cp.applied_seq,
          segments: $cp.segments},
    checkpoint: $cp
  }' >"$stage/metadata.json"
(cd "$stage" && find -L . -type f -printf '%P\n' | LC_ALL=C sort | tr '\n' '\0' | xargs -0 sha256sum --) \
  >"$work/manifest.sha256" || die "cannot checksum $checkpoint_dir"
mv "$work/manifest.sha256" "$stage/manifest.sha256"

archive=$work/$name.tar.gz
tar -czhf "$archive" -C "$work" "$name" || die "cannot write $archive"
(cd "$work" && sha256sum -- "$name.tar.gz") >"$archive.sha256"
verify "$archive"
log "packed and verified: $SUMMARY"

target_put "$archive" "$name.tar.gz"
target_put "$archive.sha256" "$name.tar.gz.sha256"
if [ "$TARGET_KIND" = file ]; then check_sidecar "$TARGET_BASE/$name.tar.gz" "$archive.sha256"; fi
url=$(target_url "$name.tar.gz")
log "backup $name written to $url in $(elapsed_s "$started") s ($(stat -c %s "$archive") bytes)"
jq -cn --arg archive "$url" --arg name "$name" --argjson bytes "$(stat -c %s "$archive")" \
  --slurpfile meta "$stage/metadata.json" '{archive: $archive, name: $name, bytes: $bytes,
    assertions: $meta[0].counts.assertions, counts: $meta[0].counts, wal_to_seq: $meta[0].wal.to_seq,
    wal_to_offset: $meta[0].wal.to_offset, created_at: $meta[0].created_at}'

#!/usr/bin/env bash
# Makes the data directory of a new standby from a live primary, as pg_basebackup does for
# PostgreSQL: the primary takes a checkpoint (POST /v1/admin/checkpoint) while writes go on, the
# checkpoint is copied into the new data directory, and the standby, once started with
# replication.role = standby, streams from the checkpoint's WAL end.
set -euo pipefail
# shellcheck source=scripts/lib/common.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib/common.sh"

usage() {
  cat <<EOF
Usage: $PROG [OPTIONS] --data-dir DIR

Clones a running primary into DIR, the data directory of a new standby:

  1. POST /v1/admin/checkpoint on the primary: a consistent RocksDB checkpoint plus the sealed
     WAL segments on top of it, in --checkpoint-dir on the primary's host;
  2. copies it into DIR (cp on the same host, rsync over ssh with --from-host);
  3. removes the checkpoint from the primary (unless --keep-checkpoint) and prints one JSON line:
     {"data_dir", "wal_to_offset", "wal_to_seq", "assertions", "seconds"}.

Start the standby on DIR with replication.role = standby and replication.primary_url set: it
streams from wal_to_offset on. Its WAL begins at the checkpoint's first segment, not at offset 0,
so the primary need not keep every segment since its start.

Options:
  --data-dir DIR         the new standby's data directory; must not exist or be empty
  --url URL              the primary (env STEMEDB_URL; default http://127.0.0.1:18180)
  --api-key-file FILE    an admin API key of the primary (default: env STEMEDB_API_KEY, else
                         env STEMEDB_API_KEY_FILE, else $DEFAULT_API_KEY_FILE)
  --checkpoint-dir DIR   where the primary writes the checkpoint, on its host (default
                         /var/lib/stemedb/backups; env STEMEDB_CHECKPOINT_DIR)
  --from-host HOST       the primary's host for rsync over ssh ([user@]host), when the standby
                         runs elsewhere; default: the checkpoint is on this host
  --keep-checkpoint      leave the checkpoint on the primary's host
  -h, --help             this help

Needs: curl, jq, and rsync + ssh with --from-host. Exit codes: 0 cloned, 1 failed, 2 usage error.
Example:
  STEMEDB_API_KEY=\$(sudo cat /var/lib/stemedb/root.key) $PROG --url http://primary:18180 \\
    --from-host primary --data-dir /var/lib/stemedb
EOF
}

data_dir=""
api_key_file=""
checkpoint_parent=${STEMEDB_CHECKPOINT_DIR:-/var/lib/stemedb/backups}
from_host=""
keep_checkpoint=false
while [ $# -gt 0 ]; do
  case $1 in
    --data-dir) need_value "$@"; data_dir=$2; shift 2 ;;
    --url) need_value "$@"; API_URL=$2; shift 2 ;;
    --api-key-file) need_value "$@"; api_key_file=$2; shift 2 ;;
    --checkpoint-dir) need_value "$@"; checkpoint_parent=$2; shift 2 ;;
    --from-host) need_value "$@"; from_host=$2; shift 2 ;;
    --keep-checkpoint) keep_checkpoint=true; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done
API_URL=${API_URL%/}
require_commands curl jq
[ -z "$from_host" ] || require_commands rsync ssh
[ -n "$data_dir" ] || usage_error "--data-dir is required"
[ "${checkpoint_parent:0:1}" = / ] || usage_error "--checkpoint-dir must be an absolute path"
if [ -e "$data_dir" ] && [ -n "$(ls -A -- "$data_dir")" ]; then
  die "$data_dir is not empty: a standby is cloned into an empty data directory (move the old one aside)"
fi
load_api_key "$api_key_file"

started=$(now_s)
checkpoint_dir=$checkpoint_parent/standby-clone-$(date -u +%Y%m%dT%H%M%SZ)-$$
[ -n "$from_host" ] || mkdir -p -- "$checkpoint_parent" || die "cannot create $checkpoint_parent"
log "asking $API_URL for a checkpoint in $checkpoint_dir"
checkpoint=$(api_json POST "$API_URL/v1/admin/checkpoint" "$(jq -cn --arg d "$checkpoint_dir" '{dir: $d}')")

remove_checkpoint() {
  if [ -n "$from_host" ]; then
    ssh -- "$from_host" rm -rf -- "$(printf '%q' "$checkpoint_dir")" || warn "could not remove $from_host:$checkpoint_dir"
  else
    rm -rf -- "$checkpoint_dir" || warn "could not remove $checkpoint_dir"
  fi
}
[ "$keep_checkpoint" = true ] || on_exit remove_checkpoint

mkdir -p -- "$data_dir" || die "cannot create $data_dir"
if [ -n "$from_host" ]; then
  rsync -a -- "$from_host:$checkpoint_dir/rocksdb" "$from_host:$checkpoint_dir/wal" "$data_dir/" ||
    die "cannot copy $from_host:$checkpoint_dir into $data_dir"
else
  [ -f "$checkpoint_dir/checkpoint.json" ] ||
    die "the primary reports a checkpoint in $checkpoint_dir but this host cannot see it: pass --from-host"
  cp -a -- "$checkpoint_dir/rocksdb" "$checkpoint_dir/wal" "$data_dir/" || die "cannot copy $checkpoint_dir into $data_dir"
fi
log "cloned into $data_dir; start the standby there with replication.role = standby"
jq -cn --arg dir "$data_dir" --argjson cp "$checkpoint" --arg s "$(elapsed_s "$started")" '{
  data_dir: $dir, wal_to_offset: $cp.wal_to_offset, wal_to_seq: $cp.wal_to_seq,
  assertions: $cp.assertions_count, seconds: ($s | tonumber)
}'

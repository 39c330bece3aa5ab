# shellcheck shell=bash
# Shared by backup.sh, restore.sh, wal-archive.sh and dr-drill.sh (sourced, never run): messages
# and exit codes, clean-up on exit, finding the StemeDB tools, the admin API key and API calls,
# archive targets (file://DIR or s3://BUCKET/PREFIX through `aws s3`), and checking a backup
# archive. Installed next to the scripts as lib/common.sh.
#
# Exit codes of every script: 0 success, 1 failure (the message says what failed), 2 usage error.

PROG=${PROG:-$(basename "$0")}
# The directory of the scripts (this file is its lib/common.sh).
# shellcheck disable=SC2034  # used by the scripts that source this file
SCRIPTS_DIR=$(dirname "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")")
readonly EXIT_FAILURE=1
readonly EXIT_USAGE=2
# The root key file of a systemd install (<data_dir>/root.key).
readonly DEFAULT_API_KEY_FILE=/var/lib/stemedb/root.key

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() {
  printf '%s: error: %s\n' "$PROG" "$*" >&2
  exit "$EXIT_FAILURE"
}
usage_error() {
  printf '%s: %s (see %s --help)\n' "$PROG" "$*" "$PROG" >&2
  exit "$EXIT_USAGE"
}
# need_value OPTION "$@": the option's value, or a usage error when it is missing.
need_value() {
  if [ $# -lt 2 ] || [ -z "$2" ]; then usage_error "$1 needs a value"; fi
}

# need_seconds OPTION VALUE: a usage error unless VALUE is a whole number of seconds.
need_seconds() {
  [[ $2 =~ ^[0-9]+$ ]] || usage_error "$1 takes a whole number of seconds, got '$2'"
}

# ---- clean-up: commands run on exit (last registered first), however the script ends.
_CLEANUPS=()
on_exit() { _CLEANUPS+=("$1"); }
_run_cleanups() {
  local i
  for ((i = ${#_CLEANUPS[@]} - 1; i >= 0; i--)); do eval "${_CLEANUPS[i]}" || true; done
}
trap _run_cleanups EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# make_temp_dir VAR [PARENT]: sets VAR to a new private directory, removed on exit. (It sets a
# variable rather than printing: in a $(...) subshell the clean-up would be forgotten.)
make_temp_dir() {
  local parent=${2:-${TMPDIR:-/tmp}} made
  made=$(mktemp -d "$parent/.stemedb-${PROG%.sh}.XXXXXX") || die "cannot create a temporary directory in $parent"
  on_exit "rm -rf -- $(printf '%q' "$made")"
  printf -v "$1" '%s' "$made"
}

now_s() { printf '%s\n' "$EPOCHREALTIME"; }
# elapsed_s START: seconds since START (from now_s), with two decimals.
elapsed_s() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }

require_commands() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 || die "$c is not installed (Debian: apt-get install $(debian_package_of "$c"))"
  done
}
debian_package_of() {
  case $1 in
    sha256sum | mktemp | sync | stat) echo coreutils ;;
    flock) echo util-linux ;;
    aws) echo awscli ;;
    *) echo "$1" ;;
  esac
}

# stemedb_tool NAME: the path of a StemeDB binary: $STEMEDB_BIN_DIR/NAME, else NAME on PATH.
stemedb_tool() {
  local name=$1
  if [ -n "${STEMEDB_BIN_DIR:-}" ]; then
    [ -x "$STEMEDB_BIN_DIR/$name" ] || die "$name not found in STEMEDB_BIN_DIR=$STEMEDB_BIN_DIR"
    printf '%s\n' "$STEMEDB_BIN_DIR/$name"
    return
  fi
  command -v "$name" 2>/dev/null || die "$name not found on PATH (set STEMEDB_BIN_DIR to the directory holding it)"
}

# ---- the HTTP API

API_URL=${STEMEDB_URL:-http://127.0.0.1:18180}
API_KEY=""
API_TIMEOUT_S=${STEMEDB_API_TIMEOUT_S:-600}

# load_api_key [FILE]: the admin key from STEMEDB_API_KEY, else FILE, else the default root key
# file. The key never appears on a command line (curl reads it from its standard input).
load_api_key() {
  local file=${1:-${STEMEDB_API_KEY_FILE:-}}
  if [ -n "${STEMEDB_API_KEY:-}" ]; then
    API_KEY=$STEMEDB_API_KEY
  else
    [ -n "$file" ] || file=$DEFAULT_API_KEY_FILE
    [ -r "$file" ] || die "no admin API key: set STEMEDB_API_KEY or pass --api-key-file FILE ($file is not readable; the daemon writes its root key to <data_dir>/root.key)"
    API_KEY=$(tr -d '[:space:]' <"$file")
    [ -n "$API_KEY" ] || die "the API key file $file is empty"
  fi
  [[ $API_KEY =~ ^[A-Za-z0-9._~+/=-]+$ ]] || die "the admin API key holds characters an API key never has"
}

# api_request [--key KEY] METHOD URL BODY_OUT [JSON]: prints the HTTP status; the response body
# goes to BODY_OUT. Fails (status 1) only when nothing answers.
api_request() {
  local key=$API_KEY
  if [ "$1" = --key ]; then
    key=$2
    shift 2
  fi
  local method=$1 url=$2 out=$3 data=${4-}
  local args=(-sS -X "$method" -o "$out" -w '%{http_code}' --max-time "$API_TIMEOUT_S")
  [ -z "$data" ] || args+=(-H 'Content-Type: application/json' --data-binary "$data")
  local header=""
  [ -z "$key" ] || header="header = \"X-API-Key: $key\""
  curl -K - "${args[@]}" "$url" <<<"$header" || {
    log "no answer from $url"
    return 1
  }
}

# api_json METHOD URL [JSON]: the response body when the status is 2xx; otherwise dies with the
# server's error message.
api_json() {
  local tmp status
  tmp=$(mktemp) || die "mktemp failed"
  status=$(api_request "$1" "$2" "$tmp" "${3-}") || {
    rm -f "$tmp"
    die "stemedb-api does not answer at ${2%%/v1/*} (is it running? is --url right?)"
  }
  if [ "${status:0:1}" != 2 ]; then
    local message
    message=$(jq -r '.error | "\(.code): \(.message)"' "$tmp" 2>/dev/null || head -c 500 "$tmp")
    rm -f "$tmp"
    die "$1 ${2#"$API_URL"} answered HTTP $status: $message"
  fi
  cat "$tmp"
  rm -f "$tmp"
}

# ---- archive targets: file://DIR (a local or mounted directory) or s3://BUCKET/PREFIX (the aws
# CLI, any S3 endpoint with --endpoint-url or AWS_ENDPOINT_URL).

TARGET_KIND=""
TARGET_BASE=""
S3_ENDPOINT_URL=${AWS_ENDPOINT_URL:-}

# parse_target URL: sets TARGET_KIND and TARGET_BASE (no trailing slash).
parse_target() {
  local url=$1
  case $url in
    file://?*)
      TARGET_KIND="file"
      TARGET_BASE=${url#file://}
      [ "${TARGET_BASE:0:1}" = / ] || usage_error "a file:// target needs an absolute path, got $url"
      ;;
    s3://?*)
      TARGET_KIND="s3"
      TARGET_BASE=$url
      require_commands aws
      ;;
    *) usage_error "target must be file:///DIR or s3://BUCKET/PREFIX, got '$url'" ;;
  esac
  while [ "${TARGET_BASE%/}" != "$TARGET_BASE" ] && [ "$TARGET_BASE" != / ]; do TARGET_BASE=${TARGET_BASE%/}; done
}

_aws_s3() {
  local endpoint=()
  [ -z "$S3_ENDPOINT_URL" ] || endpoint=(--endpoint-url "$S3_ENDPOINT_URL")
  aws "${endpoint[@]}" s3 "$@"
}

# target_url NAME: where NAME lives in the target.
target_url() {
  if [ "$TARGET_KIND" = file ]; then printf 'file://%s/%s\n' "$TARGET_BASE" "$1"; else printf '%s/%s\n' "$TARGET_BASE" "$1"; fi
}

# target_put LOCAL NAME: copies LOCAL to the target as NAME. A file:// copy is written as
# NAME.partial, synced, then renamed, so a reader never sees half a file.
target_put() {
  local src=$1 name=$2
  if [ "$TARGET_KIND" = file ]; then
    mkdir -p -- "$TARGET_BASE" || die "cannot create $TARGET_BASE"
    local dst=$TARGET_BASE/$name
    cp -- "$src" "$dst.partial" || die "cannot copy $src to $dst.partial"
    sync -- "$dst.partial" || die "cannot sync $dst.partial"
    mv -f -- "$dst.partial" "$dst" || die "cannot rename $dst.partial"
    sync -- "$TARGET_BASE" || die "cannot sync $TARGET_BASE"
  else
    _aws_s3 cp --only-show-errors -- "$src" "$TARGET_BASE/$name" || die "aws s3 cp $src $TARGET_BASE/$name failed"
  fi
}

# target_get NAME LOCAL: copies the target's NAME to LOCAL; status 1 when it is not there.
target_get() {
  local name=$1 dst=$2
  if [ "$TARGET_KIND" = file ]; then
    [ -f "$TARGET_BASE/$name" ] || return 1
    cp -- "$TARGET_BASE/$name" "$dst" || die "cannot copy $TARGET_BASE/$name"
  else
    _aws_s3 cp --only-show-errors -- "$TARGET_BASE/$name" "$dst" 2>/dev/null || return 1
  fi
}

# target_list: the names directly under the target, one a line (nothing when it is empty).
target_list() {
  if [ "$TARGET_KIND" = file ]; then
    [ -d "$TARGET_BASE" ] || return 0
    find "$TARGET_BASE" -mindepth 1 -maxdepth 1 -type f -printf '%f\n'
  else
    # `aws s3 ls` lines: "DATE TIME SIZE NAME" (or "PRE NAME/" for a prefix); exit 1 when empty.
    { _aws_s3 ls "$TARGET_BASE/" || true; } | awk '$1 != "PRE" && NF >= 4 { print $4 }'
  fi
}

# latest_backup_name: the newest stemedb-backup-*.tar.gz in the parsed target (names sort by
# time), or nothing.
latest_backup_name() {
  target_list | grep -E '^stemedb-backup-.*\.tar\.gz$' | LC_ALL=C sort | tail -n 1 || true
}

# ---- checksums

sha256_of() { sha256sum -- "$1" | awk '{ print $1 }'; }

# check_sidecar FILE SIDECAR: SIDECAR is "HASH  NAME" (sha256sum's format) for FILE.
check_sidecar() {
  local file=$1 sidecar=$2 want got
  want=$(awk 'NR == 1 { print $1 }' "$sidecar")
  [[ $want =~ ^[0-9a-f]{64}$ ]] || die "$sidecar does not hold a SHA-256 checksum"
  got=$(sha256_of "$file")
  [ "$want" = "$got" ] || die "checksum mismatch for $file: expected $want (from $(basename "$sidecar")), got $got"
}

# ---- WAL segments

# segment_seq NAME: the sequence number of segment.NNN.wal (decimal, leading zeros dropped).
segment_seq() {
  local n=${1#segment.}
  n=${n%.wal}
  printf '%d\n' "$((10#$n))"
}
is_segment_name() { [[ $1 =~ ^segment\.[0-9]{3,}\.wal$ ]]; }

# sorted_segments: reads names on stdin, prints the segment names among them in log order.
sorted_segments() {
  local name
  while IFS= read -r name; do
    if is_segment_name "$name"; then printf '%s %s\n' "$(segment_seq "$name")" "$name"; fi
  done | sort -n | awk '{ print $2 }'
}

# verify_segment FILE: stemedb-wal-verify --file, quiet unless it fails.
verify_segment() {
  local out
  out=$("$(stemedb_tool stemedb-wal-verify)" --file "$1" 2>&1) || die "stemedb-wal-verify --file $1 failed: $out"
}

# ---- backup archives: NAME.tar.gz holding NAME/metadata.json, NAME/manifest.sha256 (every
# other file with its SHA-256) and NAME/data/ (rocksdb/, wal/, checkpoint.json).

readonly ARCHIVE_FORMAT=stemedb-backup
readonly ARCHIVE_FORMAT_VERSION=1

# extract_archive ARCHIVE DIR: unpacks ARCHIVE into DIR and prints the path of its one top
# directory, after checking the archive's sidecar checksum when ARCHIVE.sha256 exists.
extract_archive() {
  local archive=$1 dir=$2 top
  [ -f "$archive" ] || die "$archive does not exist"
  if [ -f "$archive.sha256" ]; then check_sidecar "$archive" "$archive.sha256"; fi
  tar -xzf "$archive" -C "$dir" --no-same-owner || die "$archive is not a readable .tar.gz archive"
  top=$(find "$dir" -mindepth 1 -maxdepth 1)
  if [ -z "$top" ] || [ "$(printf '%s\n' "$top" | wc -l)" -ne 1 ] || [ ! -d "$top" ]; then
    die "$archive must hold exactly one top directory"
  fi
  printf '%s\n' "$top"
}

# verify_backup_tree DIR: the manifest matches every file (none missing, none extra), the
# metadata is one this script understands, and every WAL segment verifies on its own and as
# a chain. Prints a one-line summary.
verify_backup_tree() {
  local dir=$1 meta=$1/metadata.json manifest=$1/manifest.sha256
  [ -f "$meta" ] || die "$(basename "$dir"): metadata.json is missing"
  [ -f "$manifest" ] || die "$(basename "$dir"): manifest.sha256 is missing"
  jq -e --arg f "$ARCHIVE_FORMAT" '.format == $f' "$meta" >/dev/null 2>&1 ||
    die "$(basename "$dir")/metadata.json is not a $ARCHIVE_FORMAT metadata file"
  local version
  version=$(jq -r '.format_version' "$meta")
  [ "$version" = "$ARCHIVE_FORMAT_VERSION" ] || die "archive format version $version; this script reads version $ARCHIVE_FORMAT_VERSION"

  local failed
  if ! failed=$(cd "$dir" && sha256sum --check --strict --quiet manifest.sha256 2>&1); then
    die "manifest check failed: $failed"
  fi
  local listed present
  listed=$(awk '{ sub(/^[0-9a-f]+  /, ""); print }' "$manifest" | sort)
  present=$(cd "$dir" && find . -type f ! -name manifest.sha256 -printf '%P\n' | sort)
  if [ "$listed" != "$present" ]; then
    die "files not in the manifest: $(comm -13 <(printf '%s\n' "$listed") <(printf '%s\n' "$present") | tr '\n' ' ')"
  fi
  [ -f "$dir/data/rocksdb/CURRENT" ] || die "data/rocksdb/CURRENT is missing: not a RocksDB checkpoint"

  local segment count=0
  while IFS= read -r segment; do
    [ -f "$dir/data/wal/$segment" ] || die "WAL segment $segment named in metadata.json is missing"
    verify_segment "$dir/data/wal/$segment"
    count=$((count + 1))
  done < <(jq -r '.wal.segments[].name' "$meta")
  [ "$count" -gt 0 ] || die "metadata.json names no WAL segment"
  local out
  out=$("$(stemedb_tool stemedb-wal-verify)" --dir "$dir/data/wal" 2>&1) || die "the WAL segments do not form one log: $out"
  jq -r --argjson n "$count" '"\(.name): \(.counts.assertions) assertions, \(.counts.votes) votes, \(.counts.epochs) epochs, \(.counts.sources) sources; WAL offsets \(.wal.from_offset)..\(.wal.to_offset) (to seq \(.wal.to_seq), \($n) segments)"' "$meta"
}

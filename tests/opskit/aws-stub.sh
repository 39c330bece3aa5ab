#!/usr/bin/env bash
# A stand-in for the aws CLI in tests (there is no S3 here): appends its arguments, one call a
# line, to $AWS_STUB_LOG, and keeps "S3" objects as files: s3://BUCKET/KEY is
# $AWS_STUB_ROOT/BUCKET/KEY. Knows `[--endpoint-url URL] s3 cp SRC DST` (either side s3://, DST
# may be - for stdout) and `s3 ls s3://BUCKET/PREFIX/`, enough for scripts/*.sh.
set -euo pipefail
printf '%s\n' "$*" >>"${AWS_STUB_LOG:?}"
root=${AWS_STUB_ROOT:?}
if [ "${1:-}" = --endpoint-url ]; then shift 2; fi
[ "${1:-}" = s3 ] || { echo "aws stub: only 's3' commands" >&2; exit 2; }
command=${2:-}
shift 2
args=()
for a in "$@"; do
  case $a in --only-show-errors | --) ;; *) args+=("$a") ;; esac
done
file_of() { printf '%s/%s' "$root" "${1#s3://}"; }
case $command in
  cp)
    src=${args[0]}
    dst=${args[1]}
    if [[ $src == s3://* ]]; then
      f=$(file_of "$src")
      [ -f "$f" ] || { echo "download failed: $src An error occurred (404) when calling the HeadObject operation: Not Found" >&2; exit 1; }
      if [ "$dst" = - ]; then cat -- "$f"; else cp -- "$f" "$dst"; fi
    else
      f=$(file_of "$dst")
      mkdir -p -- "$(dirname "$f")"
      cp -- "$src" "$f"
    fi
    ;;
  ls)
    d=$(file_of "${args[0]}")
    found=false
    for f in "$d"/*; do
      [ -f "$f" ] || continue
      found=true
      printf '2026-01-01 00:00:00 %10d %s\n' "$(stat -c %s "$f")" "$(basename "$f")"
    done
    [ "$found" = true ] || exit 1
    ;;
  *) echo "aws stub: s3 $command is not supported" >&2; exit 2 ;;
esac

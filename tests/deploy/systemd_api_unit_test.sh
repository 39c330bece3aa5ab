#!/usr/bin/env bash
# The contract of stemedb-api.service beyond syntax:
# - `systemd-analyze security --offline=yes` scores it 3.0 or lower;
# - TimeoutStopSec exceeds the drain grace (server.shutdown_grace_s of the shipped api.toml)
#   with room for the store to close, so systemd never SIGKILLs a clean shutdown;
# - ExecStart reads the config file the docs install, whose data and WAL directories are
#   inside the unit's writable state directory.
#
# Usage: systemd_api_unit_test.sh UNIT_FILE STEMEDB_API_BINARY API_TOML
set -euo pipefail

unit=$1 api=$2 config=$3
max_score=3.0
close_margin_s=10
status=0

score_line=$(systemd-analyze security --offline=yes "$unit" 2>&1 | grep "Overall exposure level") || {
  systemd-analyze security --offline=yes "$unit" || true
  echo "FAIL: no exposure level in systemd-analyze security output"
  exit 1
}
score=$(sed -E 's/.*: ([0-9]+\.[0-9]+) .*/\1/' <<<"$score_line")
if awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s <= m) }'; then
  echo "ok   security exposure $score (at most $max_score)"
else
  systemd-analyze security --offline=yes "$unit" | grep '✗' || true
  echo "FAIL security exposure $score is above $max_score"
  status=1
fi

effective=$("$api" --check-config --config "$config")
value_of() {  # value_of KEY: the value of KEY in the effective configuration
  sed -nE "s/^$1 = \"?([^\" ]*)\"?.*/\1/p" <<<"$effective" | head -n 1
}
grace_s=$(value_of shutdown_grace_s)
stop_s=$(sed -nE 's/^TimeoutStopSec=([0-9]+)s?$/\1/p' "$unit")
if [ -n "$grace_s" ] && [ -n "$stop_s" ] && [ "$stop_s" -ge $((grace_s + close_margin_s)) ]; then
  echo "ok   TimeoutStopSec=${stop_s}s >= shutdown_grace_s ${grace_s}s + ${close_margin_s}s"
else
  echo "FAIL TimeoutStopSec='${stop_s}' must be at least shutdown_grace_s '${grace_s}' + ${close_margin_s} s"
  status=1
fi

if grep -qx 'ExecStart=/usr/bin/stemedb-api --config /etc/stemedb/api.toml' "$unit"; then
  echo "ok   ExecStart reads /etc/stemedb/api.toml"
else
  echo "FAIL ExecStart must be /usr/bin/stemedb-api --config /etc/stemedb/api.toml (docs/operations/deployment.md)"
  status=1
fi
for key in data_dir dir; do
  path=$(value_of "$key")
  [ -z "$path" ] && continue  # wal.dir empty: inside data_dir
  if [[ $path == /var/lib/stemedb || $path == /var/lib/stemedb/* ]]; then
    echo "ok   $key $path is in the unit's StateDirectory"
  else
    echo "FAIL $key $path is outside /var/lib/stemedb, which is all the unit may write"
    status=1
  fi
done
exit "$status"

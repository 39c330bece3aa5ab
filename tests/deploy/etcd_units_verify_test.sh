#!/usr/bin/env bash
# `systemd-analyze verify` on deploy/etcd/stemedb-etcd@.service, one instance per example
# environment file (etcd-1.env -> stemedb-etcd@1.service), the way systemd_verify_test.sh checks
# StemeDB's own units: in a temporary root laid out as the host will be, where every ExecStart=
# path must be an executable file. Any output (a warning, an unknown key) fails. Also:
# - `systemd-analyze security --offline=yes` scores the unit 3.0 or lower, as stemedb-api.service;
# - the unit's User= exists: Debian's etcd-server package creates it (with /usr/bin/etcd), as
#   the unit's comments say; StemeDB ships no sysusers.d entry for it.
#
# The unit is not installed by `cmake --install` (deploy/etcd/ is copied by hand, see
# docs/operations/deployment.md), so the root holds just the unit, the host's targets and, at the
# ExecStart= path, an empty executable standing in for the binary. That the binary really is at
# that path is checked on this host: a unit naming a path the installed etcd-server package does
# not provide fails; without the package the test is skipped (exit 77).
#
# Usage: etcd_units_verify_test.sh DEPLOY_ETCD_DIR
set -euo pipefail
# shellcheck source=tests/deploy/verify_unit.sh
source "$(dirname "$0")/verify_unit.sh"

dir=${1:?usage: etcd_units_verify_test.sh DEPLOY_ETCD_DIR}
template=stemedb-etcd@.service
max_score=3.0
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: run scripts/setup.sh" >&2; exit 1; }
[ -f "$dir/$template" ] || { echo "FAIL $dir/$template does not exist"; exit 1; }

binary=$(sed -nE 's/^ExecStart=[-@:+!]*([^ ]+).*/\1/p' "$dir/$template")
if [ -z "$binary" ]; then
  echo "FAIL $template has no ExecStart="
  exit 1
fi
if [ ! -x "$binary" ]; then
  if dpkg-query -W -f='${Status}' etcd-server 2>/dev/null | grep -q "install ok installed"; then
    echo "FAIL ExecStart= runs $binary, which Debian's etcd-server (installed here) does not provide"
    exit 1
  fi
  echo "SKIP: $binary is not on this host (Debian's etcd-server package; scripts/setup.sh installs it)"
  exit 77
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/stemedb-etcd-units-XXXXXX")
trap 'rm -rf "$root"' EXIT
unit_dir="$root/usr/lib/systemd/system"
mkdir -p "$unit_dir" "$root$(dirname "$binary")"
install -m 0755 /dev/null "$root$binary"
cp "$dir/$template" "$unit_dir/"
# The targets the unit names (network-online.target, multi-user.target) come from the host's
# systemd.
for target in /usr/lib/systemd/system/*.target; do
  cp -L "$target" "$unit_dir/"
done

status=0
instances=()
for env in "$dir"/etcd-*.env; do
  [ -e "$env" ] || continue
  n=$(basename "$env" .env)
  instances+=("${n#etcd-}")
done
if [ ${#instances[@]} -ne 3 ]; then
  echo "FAIL want three member files etcd-1.env..etcd-3.env in $dir, found ${#instances[@]}"
  status=1
fi
for i in "${instances[@]}"; do
  unit="stemedb-etcd@$i.service"
  verify_unit "$root" "$unit" || status=1
done

user=$(sed -nE 's/^User=(.+)$/\1/p' "$dir/$template")
if [ -n "$user" ] && getent passwd "$user" >/dev/null; then
  echo "ok   User=$user exists (made by the package that installed $binary)"
else
  echo "FAIL User='$user' is not a user of this host, which has $binary"
  status=1
fi

# systemd-analyze security reads the file by its name: give it an instance's.
cp "$dir/$template" "$root/stemedb-etcd@1.service"
score_line=$(systemd-analyze security --offline=yes "$root/stemedb-etcd@1.service" 2>&1 \
  | grep "Overall exposure level") || score_line=""
score=$(sed -E 's/.*: ([0-9]+\.[0-9]+) .*/\1/' <<<"$score_line")
if [ -n "$score" ] && awk -v s="$score" -v m="$max_score" 'BEGIN { exit !(s <= m) }'; then
  echo "ok   security exposure $score (at most $max_score)"
else
  systemd-analyze security --offline=yes "$root/stemedb-etcd@1.service" | grep '✗' || true
  echo "FAIL security exposure '$score' is above $max_score (or was not reported)"
  status=1
fi
exit "$status"

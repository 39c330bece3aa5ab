#!/usr/bin/env bash
# `systemd-analyze verify` on StemeDB's units as `cmake --install` lays them out: the project is
# installed with DESTDIR into a temporary root (prefix /usr), and each unit is verified against
# that root, so every ExecStart= path must be a file the install really puts there. Any output
# (a warning, an unknown key) fails the test, as does a timer without its service.
#
# With --users, also applies the installed sysusers.d and tmpfiles.d files to that root with
# the real tools: the stemedb user and group exist, and /var/backups/stemedb is made for them
# (the tmpfiles part needs root, to chown).
#
# Usage: systemd_verify_test.sh --cmake CMAKE --build BUILD_DIR --source SOURCE_DIR [--users]
#            [--requires-script NAME]... UNIT...
# --requires-script: the units need scripts/NAME, which another branch may not have added
# yet; without it the test is skipped (exit 77) rather than failed.
set -euo pipefail
# shellcheck source=tests/deploy/verify_unit.sh
source "$(dirname "$0")/verify_unit.sh"

cmake=cmake build_dir="" source_dir="" units=() required_scripts=() check_users=no
while [ $# -gt 0 ]; do
  case $1 in
    --cmake) cmake=$2; shift 2 ;;
    --build) build_dir=$2; shift 2 ;;
    --source) source_dir=$2; shift 2 ;;
    --requires-script) required_scripts+=("$2"); shift 2 ;;
    --users) check_users=yes; shift ;;
    *) units+=("$1"); shift ;;
  esac
done
if [ -z "$build_dir" ] || [ -z "$source_dir" ] || [ ${#units[@]} -eq 0 ]; then
  echo "usage: $0 --cmake CMAKE --build BUILD_DIR --source SOURCE_DIR [--requires-script NAME]... UNIT..." >&2
  exit 2
fi
command -v systemd-analyze >/dev/null || { echo "systemd-analyze missing: run scripts/setup.sh" >&2; exit 1; }

for script in ${required_scripts[@]+"${required_scripts[@]}"}; do
  if [ ! -f "$source_dir/scripts/$script" ]; then
    echo "SKIP: scripts/$script is not in this tree yet; its units cannot be verified"
    exit 77
  fi
done

root=$(mktemp -d "${TMPDIR:-/tmp}/stemedb-units-XXXXXX")
trap 'rm -rf "$root"' EXIT

if ! DESTDIR="$root" "$cmake" --install "$build_dir" --prefix /usr >"$root/install.log" 2>&1; then
  cat "$root/install.log"
  echo "FAIL: cmake --install"
  exit 1
fi
unit_dir="$root/usr/lib/systemd/system"
# The targets the units name (multi-user.target, timers.target, network-online.target, ...)
# come from the host's systemd.
for target in /usr/lib/systemd/system/*.target; do
  [ -e "$unit_dir/$(basename "$target")" ] || cp -L "$target" "$unit_dir/"
done

status=0
if [ "$check_users" = yes ]; then
  mkdir -p "$root/etc"  # sysusers writes the root's /etc/passwd and /etc/group
  if out=$(systemd-sysusers --root="$root" 2>&1) && grep -q '^stemedb:x:[0-9]*:[0-9]*:.*:/var/lib/stemedb:/usr/sbin/nologin$' "$root/etc/passwd" \
     && grep -q '^stemedb:x:' "$root/etc/group"; then
    echo "ok   sysusers.d/stemedb.conf creates user and group stemedb"
  else
    echo "FAIL sysusers.d/stemedb.conf: $out"
    status=1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    echo "note tmpfiles.d/stemedb.conf not applied: needs root to chown"
  elif out=$(systemd-tmpfiles --root="$root" --create stemedb.conf 2>&1) && [ -z "$out" ]; then
    uid=$(awk -F: '$1 == "stemedb" { print $3 }' "$root/etc/passwd")
    for dir in /var/backups/stemedb /var/backups/stemedb/wal; do
      if [ "$(stat -c '%u %a' "$root$dir" 2>/dev/null)" = "$uid 750" ]; then
        echo "ok   tmpfiles.d/stemedb.conf makes $dir (stemedb, 0750)"
      else
        echo "FAIL tmpfiles.d/stemedb.conf: $dir is '$(stat -c '%u %a' "$root$dir" 2>&1)', want '$uid 750'"
        status=1
      fi
    done
  else
    echo "FAIL tmpfiles.d/stemedb.conf: $out"
    status=1
  fi
fi
for unit in "${units[@]}"; do
  if [ ! -f "$unit_dir/$unit" ]; then
    echo "FAIL $unit: cmake --install did not install it"
    status=1
    continue
  fi
  verify_unit "$root" "$unit" || status=1
  if [[ $unit == *.timer ]] && [ ! -f "$unit_dir/${unit%.timer}.service" ]; then
    echo "FAIL $unit: no ${unit%.timer}.service to start"
    status=1
  fi
done
exit "$status"

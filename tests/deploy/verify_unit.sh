# shellcheck shell=bash
# Sourced by the systemd verify tests: `verify_unit ROOT UNIT` runs systemd-analyze verify on
# UNIT inside ROOT, prints ok or FAIL with its output, and returns 1 on FAIL.
verify_unit() {
  local out
  if out=$(systemd-analyze verify --root="$1" "$2" 2>&1) && [ -z "$out" ]; then
    echo "ok   $2"
  else
    echo "FAIL $2"
    echo "$out"
    return 1
  fi
}

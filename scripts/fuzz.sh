#!/usr/bin/env bash
# The libFuzzer targets of tests/fuzz (docs/fuzzing.md), outside CI.
#
#   scripts/fuzz.sh TARGET SECONDS [FLAG...]  a campaign: fuzz TARGET for SECONDS from its seeds and
#                                             any earlier campaign's corpus; extra FLAGs go to
#                                             libFuzzer. Work in build/fuzz/campaigns/TARGET/:
#                                             corpus/ (grows), artifacts/ (crashes), log
#   scripts/fuzz.sh --merge TARGET [BYTES]    minimise seeds + the campaign's inputs of at most
#                                             BYTES (default 512) with -merge=1 into
#                                             tests/fuzz/corpus/TARGET (review, then commit): the
#                                             small inputs carry most new coverage, the repo
#                                             stays lean
#   scripts/fuzz.sh --replay [TARGET...]      run every seed once (all targets by default)
#   scripts/fuzz.sh --seeds                   regenerate the seeds of the protocol vectors and the
#                                             rejection tables (needs the release build's
#                                             integration_test and daemon)
#   scripts/fuzz.sh --list                    the targets
#
# Builds what it runs with the `fuzz` preset (clang, ASan+UBSan) first, unless
# STEMEDB_FUZZ_NO_BUILD=1 (campaigns queued while the build tree is being rebuilt). A campaign's exit code is
# libFuzzer's: 0, or non-zero with the crashing input in artifacts/ (reproduce it with
# build/fuzz/tests/fuzz/fuzz_TARGET FILE).
set -euo pipefail
cd "$(dirname "$0")/.."

PROG=fuzz.sh
BUILD=build/fuzz
FUZZ_DIR=tests/fuzz

die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }
usage() { sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

targets() {
  local f
  for f in "$FUZZ_DIR"/*_fuzz.cpp; do basename "$f" _fuzz.cpp; done
}

check_target() {
  [ -f "$FUZZ_DIR/$1_fuzz.cpp" ] || die "no target '$1' (scripts/fuzz.sh --list)"
}

build() {
  [ "${STEMEDB_FUZZ_NO_BUILD:-0}" = 1 ] && return 0
  ./scripts/setup.sh
  export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$(nproc)" --target "${@/#/fuzz_}"
}

# The target's libFuzzer flags: its options file, and its dictionary when it has one.
flags() {
  grep '^-' "$FUZZ_DIR/options/$1.options"
  [ -f "$FUZZ_DIR/dict/$1.dict" ] && echo "-dict=$FUZZ_DIR/dict/$1.dict"
  return 0
}

campaign() {
  local target=$1 seconds=$2; shift 2
  check_target "$target"
  [[ $seconds =~ ^[0-9]+$ ]] || die "SECONDS must be a whole number, got '$seconds'"
  build "$target"
  local work=$BUILD/campaigns/$target
  mkdir -p "$work/corpus" "$work/artifacts"
  local -a opts
  mapfile -t opts < <(flags "$target")
  echo "$PROG: fuzzing $target for $seconds s; log in $work/log" >&2
  local rc=0
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$BUILD/$FUZZ_DIR/fuzz_$target" "${opts[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "$FUZZ_DIR/corpus/$target" \
    >"$work/log" 2>&1 || rc=$?
  grep -E '^#[0-9]+ +(DONE|INITED)|^stat::|ERROR|SUMMARY' "$work/log" >&2 || true
  return "$rc"
}

merge() {
  local target=$1 bytes=${2:-512}
  check_target "$target"
  [[ $bytes =~ ^[0-9]+$ ]] || die "BYTES must be a whole number, got '$bytes'"
  build "$target"
  local work=$BUILD/campaigns/$target seeds=$FUZZ_DIR/corpus/$target
  local merged=$work/merged small=$work/small
  rm -rf "$merged" "$small" && mkdir -p "$merged" "$small" "$work/corpus"
  find "$work/corpus" -type f -size -"$((bytes + 1))"c -exec cp {} "$small/" \;
  local -a opts
  mapfile -t opts < <(flags "$target")
  # The seeds first, so every seed that adds coverage keeps its name.
  "$BUILD/$FUZZ_DIR/fuzz_$target" "${opts[@]}" -merge=1 "$merged" "$seeds" "$small" \
    >"$work/merge.log" 2>&1 || die "merge failed: $work/merge.log"
  local name
  # Named seeds (seed-*) and regression inputs stay whatever the merge says; the rest is replaced.
  for name in "$seeds"/*; do
    case $(basename "$name") in seed-* | crash-* | timeout-* | oom-* | leak-*) ;; *) rm -f "$name" ;; esac
  done
  for name in "$merged"/*; do
    [ -e "$seeds/$(basename "$name")" ] || cp "$name" "$seeds/"
  done
  echo "$PROG: $seeds: $(find "$seeds" -type f | wc -l) files, $(du -sk "$seeds" | cut -f1) KiB" >&2
}

replay() {
  local -a list=("$@")
  [ ${#list[@]} -gt 0 ] || mapfile -t list < <(targets)
  local t
  for t in "${list[@]}"; do check_target "$t"; done
  build "${list[@]}"
  for t in "${list[@]}"; do
    local -a opts
    mapfile -t opts < <(flags "$t")
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$BUILD/$FUZZ_DIR/fuzz_$t" "${opts[@]}" -runs=0 "$FUZZ_DIR/corpus/$t" 2>&1 |
      grep -E '^#[0-9]+ +DONE|ERROR' || die "replay of $t failed"
  done
}

seeds() {
  local release=build/release seed_dir
  [ -x "$release/tests/integration_test" ] ||
    die "build the release integration suite first: cmake --preset release && cmake --build --preset release --target integration_test stemedb-api"
  seed_dir=$(mktemp -d)
  STEMEDB_FUZZ_SEED_DIR=$seed_dir "$release/tests/integration_test" \
    --gtest_filter='AssertRejectionTest.*:RecordRejectionTest.*' >/dev/null
  "$FUZZ_DIR/make_seeds.py" --rejections "$seed_dir"
  rm -rf "$seed_dir"
}

case "${1:-}" in
  "" | -h | --help) usage ;;
  --list) targets ;;
  --merge) { [ $# -eq 2 ] || [ $# -eq 3 ]; } || usage; merge "$2" "${3:-512}" ;;
  --replay) shift; replay "$@" ;;
  --seeds) seeds ;;
  -*) usage ;;
  *) [ $# -ge 2 ] || usage; campaign "$@" ;;
esac

#!/usr/bin/env bash
# tools/bots-port.sh -- BOTS programs (bsc-pm/bots, omp-tasks/) ported to ws
# by changing `omp` to `ws` on their task and taskwait lines only, built
# with the plugin (wscc) and checked with BOTS's own verification (-c) at
# 1, 2, 3 and 8 workers.  Real recursive programs through the plugin's
# calling convention (clang-plugin/Convention.h): clones, positions, takes.
# `#pragma omp parallel` and `single` stay (ignored without -fopenmp).
#
#   fib       -n 30             recursion, one task per call and a taskwait
#   sort      -n 4194304        cilksort: merge tasks in a divide and conquer
#   strassen  -n 1024           seven tasks per level, a taskwait
#   fft       -n 1048576        fft's many recursive helpers
#
# (uts has tools/bots-uts.sh, which also checks the lost-write warning;
# health, nqueens, floorplan and knapsack use OpenMP locks, threadprivate or
# critical sections, which a task-lines-only port does not carry over.)
#
# BOTS is GPL code of its own: it is never copied into this repository.  It
# is exported into a scratch directory from a checkout or from the git
# directory of one (default: $BOTS_SRC, else the mirror that the session's
# fetch tool keeps; elsewhere: git clone https://github.com/bsc-pm/bots).
#
# Usage: tools/bots-port.sh [BOTS_DIR] [--build DIR] [--work DIR]
#          [--apps LIST] [--workers LIST]
# Prints one line per app and worker count; exit status 0 when every run
# verified.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/bots-export.sh
. "$here/tools/bots-export.sh"
src=${BOTS_SRC:-/work/.mirror/bsc-pm+bots/repo}
build=$here/build
work=""
apps=fib,sort,strassen,fft
workers=1,2,3,8
while [ $# -gt 0 ]; do
  case $1 in
  --build) build=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  --apps) apps=$2; shift 2 ;;
  --workers) workers=$2; shift 2 ;;
  -h | --help) bots_usage "$0"; exit 0 ;;
  -*) echo "bots-port.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  *) src=$1; shift ;;
  esac
done
bots_setup bots-port common omp-tasks

args_of() {
  case $1 in
  fib) echo "-n 30" ;;
  sort) echo "-n 4194304" ;;
  strassen) echo "-n 1024" ;;
  fft) echo "-n 1048576" ;;
  *) echo "bots-port.sh: no arguments known for $1" >&2; return 1 ;;
  esac
}

mkdir -p shim
echo '/* empty: the ws port of BOTS runs without OpenMP */' >shim/omp.h
info=(-DCDATE='"-"' -DCC='"wscc"' -DLD='"wscc"' -DCMESSAGE='"ws port"'
      -DLDFLAGS='""' -DCFLAGS='"-O2"')
fails=0
for app in ${apps//,/ }; do
  args=$(args_of "$app")
  d=port-$app
  mkdir -p "$d" && cp "omp-tasks/$app"/* "$d"/
  sed -E -i 's/^([[:space:]]*)#pragma omp (task|taskwait)\b/\1#pragma ws \2/' \
    "$d/$app.c"
  objs=()
  for f in common/bots_main.c common/bots_common.c "$d/$app.c"; do
    o=$d/$(basename "$f" .c).o
    "$wscc" -O2 -Ishim -Icommon -I"$d" -w "${info[@]}" -c "$f" -o "$o"
    objs+=("$o")
  done
  "$wscc" "${objs[@]}" -lm -o "$d/$app"
  for w in ${workers//,/ }; do
    # shellcheck disable=SC2086 # args are words
    out=$(WS_NUM_WORKERS=$w timeout 300 "$d/$app" $args -c 2>&1 || true)
    verdict=$(echo "$out" | grep -E '^ *Verification' | tr -s ' ' | sed 's/^ //')
    time=$(echo "$out" | sed -n 's/^ *Time Program *= *\([0-9.]*\).*/\1/p')
    echo "$app @$w workers: ${verdict:-no verification line}, ${time:-?} s"
    echo "$verdict" | grep -q '= successful' || fails=$((fails + 1))
  done
done
[ "$fails" = 0 ] && echo "bots-port: every run verified" || echo "bots-port: $fails runs failed"
exit $((fails > 0))

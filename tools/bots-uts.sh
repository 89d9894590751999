#!/usr/bin/env bash
# tools/bots-uts.sh -- issue 16's acceptance check: the Barcelona OpenMP
# Tasks Suite's uts (bsc-pm/bots, omp-tasks/uts), ported to ws by changing
# `omp` to `ws` on its task lines only, built with the plugin (wscc).
#
#   1. the port: `#pragma omp task...` and `#pragma omp taskwait` become
#      `#pragma ws ...`; `#pragma omp parallel` and `single` stay (ignored
#      without -fopenmp); exactly three lines change;
#   2. the plugin warns (ws-lost-write) on the root task's `num_nodes`,
#      which OpenMP shared through the enclosing `parallel` region and ws
#      makes the task's own copy: the line and column are checked;
#   3. that build runs and BOTS's own check (-c) fails: the write is lost;
#   4. with `shared(num_nodes)` added to the root task, it builds without
#      the warning and verifies (-c) at 1, 2 and 3 workers.
#
# BOTS is GPL code of its own: it is never copied into this repository.  It
# is exported into a scratch directory from a checkout or from the git
# directory of one (default: $BOTS_SRC, else the mirror that the session's
# fetch tool keeps; elsewhere: git clone https://github.com/bsc-pm/bots).
#
# Usage: tools/bots-uts.sh [BOTS_DIR] [--build DIR] [--work DIR]
#          [--input tiny|test|small|...] [--workers LIST]
# Exit status 0 when every check passed.  Takes about 10 s on two cores
# (the `test` input: 4.1 million nodes).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tools/bots-export.sh
. "$here/tools/bots-export.sh"
src=${BOTS_SRC:-/work/.mirror/bsc-pm+bots/repo}
build=$here/build
work=""
input=test
workers=1,2,3
while [ $# -gt 0 ]; do
  case $1 in
  --build) build=$2; shift 2 ;;
  --work) work=$2; shift 2 ;;
  --input) input=$2; shift 2 ;;
  --workers) workers=$2; shift 2 ;;
  -h | --help) bots_usage "$0"; exit 0 ;;
  -*) echo "bots-uts.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  *) src=$1; shift ;;
  esac
done
bots_setup bots-uts common omp-tasks/uts inputs/uts

fails=0
check() { # check NAME CONDITION-STATUS
  if [ "$2" = 0 ]; then echo "  ok    $1"; else echo "  FAIL  $1"; fails=$((fails + 1)); fi
}

# omp-tasks-app.h includes <omp.h>; the port runs without OpenMP (BOTS's
# bots_main.h then defines omp_get_max_threads() as 1 itself).
mkdir -p shim
echo '/* empty: the ws port of BOTS runs without OpenMP */' >shim/omp.h
flags=(-O2 -Ishim -Icommon -Iomp-tasks/uts)
info=(-DCDATE='"-"' -DCC='"wscc"' -DLD='"wscc"' -DCMESSAGE='"ws port"'
      -DLDFLAGS='""' -DCFLAGS='"-O2"')
for f in common/bots_main.c common/bots_common.c omp-tasks/uts/brg_sha1.c; do
  "$wscc" "${flags[@]}" -w "${info[@]}" -c "$f" -o "$(basename "$f" .c).o"
done

# 1. The port: omp -> ws on the task lines only.
uts=omp-tasks/uts/uts.c
cp "$uts" uts.orig.c
sed -E -i 's/^([[:space:]]*)#pragma omp (task|taskwait)\b/\1#pragma ws \2/' "$uts"
changed=$(diff uts.orig.c "$uts" | grep -c '^>' || true)
echo "1. port: $changed lines changed"
diff uts.orig.c "$uts" | sed 's/^/     /' || true
check "exactly the three task lines changed" "$([ "$changed" = 3 ]; echo $?)"
root=$(grep -n '#pragma ws task untied *$' "$uts" | cut -d: -f1)
[ -n "$root" ] || { echo "bots-uts.sh: no root task line in $uts" >&2; exit 1; }

# 2. The warning on the root task's num_nodes (on the statement's line, at
#    the column of `num_nodes`).
echo "2. build as ported: $wscc ${flags[*]} -Wall -c $uts"
"$wscc" "${flags[@]}" -Wall -c "$uts" -o uts.o 2>warnings.txt
sed 's/^/     /' warnings.txt
col=$(($(sed -n "$((root + 1))p" "$uts" | grep -bo num_nodes | head -1 | cut -d: -f1) + 1))
grep -q "uts.c:$((root + 1)):$col: warning: the task assigns 'num_nodes'.*\[ws-lost-write\]" warnings.txt
check "ws-lost-write on num_nodes at uts.c:$((root + 1)):$col" $?

# 3. As ported, the result is lost: BOTS's check fails.
"$wscc" uts.o bots_main.o bots_common.o brg_sha1.o -lm -o uts-lost
out=$(WS_NUM_WORKERS=2 ./uts-lost -f "inputs/uts/$input.input" -c 2>&1 || true)
echo "3. run as ported (2 workers): $(echo "$out" | grep -E '^Verification' | tr -s ' ')"
echo "$out" | grep -q '^Verification *= *UNSUCCESSFUL'
check "the lost write shows: verification fails" $?

# 4. shared(num_nodes) on the root task: no warning, and it verifies.
sed -i "${root}s/\$/ shared(num_nodes)/" "$uts"
echo "4. with shared(num_nodes): $(sed -n "${root}p" "$uts" | sed 's/^ *//')"
"$wscc" "${flags[@]}" -Wall -Werror -c "$uts" -o uts.o
check "builds with -Wall -Werror (no warning)" $?
"$wscc" uts.o bots_main.o bots_common.o brg_sha1.o -lm -o uts-shared
for w in ${workers//,/ }; do
  out=$(WS_NUM_WORKERS=$w ./uts-shared -f "inputs/uts/$input.input" -c 2>&1 || true)
  size=$(echo "$out" | grep -E '^Tree size' | tr -s ' ' | cut -d= -f2)
  time=$(echo "$out" | grep -E '^Time Program' | tr -s ' ' | cut -d= -f2)
  echo "$out" | grep -q '^Verification *= *successful'
  check "verifies at $w workers (tree size$size,$time)" $?
done

if [ "$fails" = 0 ]; then
  echo "bots-uts: all checks passed"
else
  echo "bots-uts: $fails checks failed"
  exit 1
fi

#!/usr/bin/env bash
# env.sh CLANG INCLUDE_DIR LIB_DIR SRC OUTDIR
# The OMP_* variables libws-omp reads: good values take effect; a bad value
# gets exactly one line on stderr naming the variable, and the default.
set -euo pipefail
clang=$1 include_dir=$2 lib_dir=$3 src=$4 out=$5
mkdir -p "$out"
"$clang" -O1 -fopenmp -I"$include_dir" -c "$src" -o "$out/env.o"
"$clang" "$out/env.o" -o "$out/env" -L"$lib_dir" -Wl,-rpath,"$lib_dir" \
  -lws-omp
procs=$(nproc)
fail=0
# expect STDOUT-PATTERN STDERR-PATTERN (empty: no stderr) ENV...
expect() {
  local want_out=$1 want_err=$2
  shift 2
  local got_out got_err
  got_out=$(env -u OMP_NUM_THREADS -u OMP_SCHEDULE "$@" timeout 60 \
    "$out/env" 2>"$out/stderr")
  got_err=$(cat "$out/stderr")
  if [ "$got_out" != "$want_out" ]; then
    echo "env: with $*: stdout '$got_out', expected '$want_out'" >&2
    fail=1
  fi
  if [ -z "$want_err" ]; then
    if [ -n "$got_err" ]; then
      echo "env: with $*: unexpected stderr '$got_err'" >&2
      fail=1
    fi
  elif [ "$(wc -l <"$out/stderr")" != 1 ] || [[ "$got_err" != $want_err ]]; then
    echo "env: with $*: stderr '$got_err', expected one line like" \
      "'$want_err'" >&2
    fail=1
  fi
}
expect "max_threads 3 procs $procs team 3 schedule 1,0 priority 0" "" \
  OMP_NUM_THREADS=3
expect "max_threads 3 procs $procs team 3 schedule 1,0 priority 0" "" \
  OMP_NUM_THREADS=3,2
expect "max_threads $procs procs $procs team $procs schedule 1,0 priority 0" \
  "ws-omp: OMP_NUM_THREADS=abc: expected a positive integer*; using $procs" \
  OMP_NUM_THREADS=abc
expect "max_threads 2 procs $procs team 2 schedule 3,4 priority 7" "" \
  OMP_NUM_THREADS=2 OMP_SCHEDULE=guided,4 OMP_MAX_TASK_PRIORITY=7
expect "max_threads 2 procs $procs team 2 schedule 2,0 priority 0" "" \
  OMP_NUM_THREADS=2 OMP_SCHEDULE=nonmonotonic:dynamic
expect "max_threads 2 procs $procs team 2 schedule 1,0 priority 0" \
  "ws-omp: OMP_SCHEDULE=fast: expected static, dynamic, guided or auto*" \
  OMP_NUM_THREADS=2 OMP_SCHEDULE=fast
expect "max_threads 2 procs $procs team 2 schedule 1,0 priority 0" \
  "ws-omp: OMP_MAX_TASK_PRIORITY=-1: expected a non-negative integer; using 0" \
  OMP_NUM_THREADS=2 OMP_MAX_TASK_PRIORITY=-1
expect "max_threads 2 procs $procs team 2 schedule 1,0 priority 0" \
  "ws-omp: OMP_WAIT_POLICY=lazy: expected active or passive; using active" \
  OMP_NUM_THREADS=2 OMP_WAIT_POLICY=lazy
expect "max_threads 2 procs $procs team 2 schedule 1,0 priority 0" "" \
  OMP_NUM_THREADS=2 OMP_STACKSIZE=32M
expect "max_threads 2 procs $procs team 2 schedule 1,0 priority 0" \
  "ws-omp: OMP_STACKSIZE=12Q: expected a size of at least 64K*; using 16M" \
  OMP_NUM_THREADS=2 OMP_STACKSIZE=12Q
expect "max_threads 2 procs $procs team 2 schedule 1,0 priority 0" \
  "ws-omp: OMP_CANCELLATION=maybe: expected true or false; using false" \
  OMP_NUM_THREADS=2 OMP_CANCELLATION=maybe
expect "max_threads 3 procs $procs team 1 schedule 1,0 priority 0" "" \
  OMP_NUM_THREADS=3 OMP_MAX_ACTIVE_LEVELS=0
expect "max_threads 3 procs $procs team 3 schedule 1,0 priority 0" "" \
  OMP_NUM_THREADS=3 OMP_MAX_ACTIVE_LEVELS=4 OMP_NESTED=true
expect "max_threads 3 procs $procs team 3 schedule 1,0 priority 0" \
  "ws-omp: OMP_MAX_ACTIVE_LEVELS=-2: expected a non-negative integer; using 1" \
  OMP_NUM_THREADS=3 OMP_MAX_ACTIVE_LEVELS=-2
expect "max_threads 3 procs $procs team 3 schedule 1,0 priority 0" \
  "ws-omp: OMP_NESTED=yes: expected true or false; using false" \
  OMP_NUM_THREADS=3 OMP_NESTED=yes
# WS_STATS=1: one row per OpenMP thread (omp0, omp1, omp2), then, if the
# barrier's keeper ran tasks, ext, then total.
rows=$(env WS_STATS=1 OMP_NUM_THREADS=3 timeout 60 "$out/env" 2>&1 >/dev/null |
  awk 'NR > 2 { printf "%s ", $1 }')
if [[ "$rows" != "omp0 omp1 omp2 total " && "$rows" != "omp0 omp1 omp2 ext total " ]]; then
  echo "env: WS_STATS=1 at 3 threads: rows '$rows', expected omp0 omp1 omp2 [ext] total" >&2
  fail=1
fi
[ $fail = 0 ] && echo "env: OMP_* values and their one-line errors as expected"
exit $fail

#!/usr/bin/env bash
# unsupported.sh CLANG INCLUDE_DIR LIB_DIR SRC OUTDIR WHAT [ENV...]
# SRC uses something libws-omp does not implement yet (WHAT: how the line
# names it): run with ENV, the program must exit with status 2 after printing
# exactly the line "ws-omp: WHAT is not supported yet", and nothing else.
set -euo pipefail
clang=$1 include_dir=$2 lib_dir=$3 src=$4 out=$5 what=$6
shift 6
mkdir -p "$out"
"$clang" -O1 -fopenmp -I"$include_dir" -c "$src" -o "$out/prog.o"
"$clang" "$out/prog.o" -o "$out/prog" -L"$lib_dir" -Wl,-rpath,"$lib_dir" \
  -lws-omp
status=0
env OMP_NUM_THREADS=2 "$@" timeout 60 "$out/prog" >"$out/stdout" \
  2>"$out/stderr" || status=$?
want="ws-omp: $what is not supported yet"
if [ "$status" != 2 ] || [ "$(cat "$out/stderr")" != "$want" ] ||
  [ -s "$out/stdout" ]; then
  echo "unsupported: expected status 2 and only the line '$want';" >&2
  echo "got status $status, stderr:" >&2
  cat "$out/stderr" >&2
  echo "stdout:" >&2
  cat "$out/stdout" >&2
  exit 1
fi
echo "unsupported: one line naming $what, status 2"

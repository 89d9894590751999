#!/usr/bin/env bash
# unsupported.sh CLANG INCLUDE_DIR LIB_DIR SRC OUTDIR
# SRC calls an entry point libws-omp does not implement (__kmpc_cancel):
# the program must exit with status 2 after printing exactly one line that
# names it, and print nothing else.
set -euo pipefail
clang=$1 include_dir=$2 lib_dir=$3 src=$4 out=$5
mkdir -p "$out"
"$clang" -O1 -fopenmp -I"$include_dir" -c "$src" -o "$out/prog.o"
"$clang" "$out/prog.o" -o "$out/prog" -L"$lib_dir" -Wl,-rpath,"$lib_dir" \
  -lws-omp
status=0
OMP_NUM_THREADS=2 timeout 60 "$out/prog" >"$out/stdout" 2>"$out/stderr" ||
  status=$?
want="ws-omp: __kmpc_cancel is not supported yet"
if [ "$status" != 2 ] || [ "$(cat "$out/stderr")" != "$want" ] ||
  [ -s "$out/stdout" ]; then
  echo "unsupported: expected status 2 and only the line '$want';" >&2
  echo "got status $status, stderr:" >&2
  cat "$out/stderr" >&2
  echo "stdout:" >&2
  cat "$out/stdout" >&2
  exit 1
fi
echo "unsupported: one line naming __kmpc_cancel, status 2"

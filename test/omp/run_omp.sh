#!/usr/bin/env bash
# run_omp.sh CLANG INCLUDE_DIR LIB_DIR SRC OUTDIR [CFLAGS...]
# Builds the OpenMP program SRC twice: serially (plain clang, the pragmas
# ignored; omp_* calls are guarded by _OPENMP in the sources) and with
# `clang -fopenmp` against libws-omp: compiled with -fopenmp and our omp.h,
# linked without -fopenmp (which would add libomp) to -lws-omp (and -lws, for
# the tests that read ws statistics).  Checks with
# ldd that the binary loads libws-omp and no other OpenMP runtime, then that
# it prints exactly what the serial build prints at 1, 2, 3 and 8 threads
# (OMP_NUM_THREADS), and once more with the smallest ws pool and another
# runtime schedule.
set -euo pipefail
clang=$1 include_dir=$2 lib_dir=$3 src=$4 out=$5
shift 5 # the rest: extra flags for the -fopenmp compile
name=$(basename "$src" .c)
mkdir -p "$out"
cflags=(-std=gnu11 -O1 -Wall -Wextra -Werror)
"$clang" "${cflags[@]}" -Wno-unknown-pragmas -Wno-unused-parameter \
  "$src" -o "$out/$name.serial"
"$clang" "${cflags[@]}" -fopenmp -I"$include_dir" -I"$include_dir/../../include" \
  "$@" -c "$src" -o "$out/$name.o"
"$clang" "$out/$name.o" -o "$out/$name.omp" -L"$lib_dir" \
  -Wl,-rpath,"$lib_dir" -lws-omp -lws
libs=$(ldd "$out/$name.omp")
if ! grep -q "libws-omp.so" <<<"$libs"; then
  echo "$name: the binary does not load libws-omp:" >&2
  echo "$libs" >&2
  exit 1
fi
if grep -Eq "lib(omp|iomp5|gomp)\.so" <<<"$libs"; then
  echo "$name: the binary loads another OpenMP runtime:" >&2
  echo "$libs" >&2
  exit 1
fi
if ! "$out/$name.serial" >"$out/$name.expected"; then
  echo "$name: the serial build failed:" >&2
  cat "$out/$name.expected" >&2
  exit 1
fi
if [ ! -s "$out/$name.expected" ]; then
  echo "$name: the serial build printed nothing" >&2
  exit 1
fi
check() { # label, then the environment assignments
  local label=$1
  shift
  local status=0
  env "$@" timeout 60 "$out/$name.omp" >"$out/$name.got.$label" || status=$?
  if [ "$status" != 0 ]; then
    echo "$name: exit status $status with $*" >&2
    cat "$out/$name.got.$label" >&2
    exit 1
  fi
  if ! cmp -s "$out/$name.expected" "$out/$name.got.$label"; then
    echo "$name: output differs with $*" >&2
    diff "$out/$name.expected" "$out/$name.got.$label" >&2 || true
    exit 1
  fi
}
for threads in 1 2 3 8; do
  check "$threads" OMP_NUM_THREADS=$threads
done
check small OMP_NUM_THREADS=3 WS_NUM_WORKERS=1 OMP_SCHEDULE=dynamic,3
echo "$name: identical to the serial build at 1, 2, 3 and 8 threads"

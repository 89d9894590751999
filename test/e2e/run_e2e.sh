#!/usr/bin/env bash
# run_e2e.sh WSCC CLANG SRC OUTDIR [WS_REWRITE GCC INCLUDE_DIR LIB_DIR]
# Builds SRC with wscc (the ws plugin and libws) and with plain clang (serial
# elision: the pragmas are ignored), and checks that the ws build prints
# exactly what the serial build prints at 1, 2, 3 and 8 workers.  Given the
# optional arguments, also builds the output of ws-rewrite with GCC and
# checks it the same way (and compiles it with Clang, -Werror, as well).
set -euo pipefail
wscc=$1 clang=$2 src=$3 out=$4
rewrite=${5:-} gcc=${6:-} include_dir=${7:-} lib_dir=${8:-}
name=$(basename "$src" .c)
mkdir -p "$out"
# A program that calls libws itself (handles, capabilities) links it in its
# serial build too: WS_E2E_INCLUDE and WS_E2E_LIBDIR (set by CMake) say where.
serial_libws=()
if grep -q '^#include <ws.h>' "$src"; then
  serial_libws=(-I"$WS_E2E_INCLUDE" -L"$WS_E2E_LIBDIR"
    -Wl,-rpath,"$WS_E2E_LIBDIR" -lws -pthread)
fi
"$clang" -std=gnu11 -O1 -Wall -Wextra -Werror -Wno-unknown-pragmas \
  "$src" -o "$out/$name.serial" "${serial_libws[@]}"
"$wscc" -std=gnu11 -O1 -Wall -Wextra -Werror "$src" -o "$out/$name.ws"
"$out/$name.serial" >"$out/$name.expected"
if [ ! -s "$out/$name.expected" ]; then
  echo "$name: the serial build printed nothing" >&2
  exit 1
fi
for workers in 1 2 3 8; do
  WS_NUM_WORKERS=$workers timeout 60 "$out/$name.ws" >"$out/$name.got.$workers"
  if ! cmp -s "$out/$name.expected" "$out/$name.got.$workers"; then
    echo "$name: output differs at WS_NUM_WORKERS=$workers" >&2
    diff "$out/$name.expected" "$out/$name.got.$workers" >&2 || true
    exit 1
  fi
done
echo "$name: identical to the serial build at 1, 2, 3 and 8 workers"

if [ -n "$rewrite" ]; then
  "$rewrite" "$src" -- -std=gnu11 -I"$include_dir" >"$out/$name.rewritten.c"
  "$gcc" -std=gnu11 -O1 -Wall -Wextra -Werror -I"$include_dir" \
    "$out/$name.rewritten.c" -o "$out/$name.gcc" \
    -L"$lib_dir" -Wl,-rpath,"$lib_dir" -lws -pthread
  # The same text is warning-free for Clang 19 too (not only via the plugin).
  "$clang" -std=gnu11 -O1 -Wall -Wextra -Werror -I"$include_dir" -fsyntax-only \
    "$out/$name.rewritten.c"
  for workers in 1 3; do
    WS_NUM_WORKERS=$workers timeout 60 "$out/$name.gcc" >"$out/$name.gcc.$workers"
    if ! cmp -s "$out/$name.expected" "$out/$name.gcc.$workers"; then
      echo "$name: ws-rewrite + gcc output differs at $workers workers" >&2
      diff "$out/$name.expected" "$out/$name.gcc.$workers" >&2 || true
      exit 1
    fi
  done
  echo "$name: ws-rewrite + gcc build identical too"
fi

#!/usr/bin/env bash
# bench/issue19.sh [--before DIR] [--build DIR] -- issue 19's two goals
# (handles and capabilities), reported, never timed tests.
#
#  1. A task with no handle and no capability costs what it cost before the
#     feature: instructions per task of the plugin-built fib kernel
#     (kernels/fib.c, no cut-off) at 1 worker, counted by callgrind at two
#     sizes (22 and 25; the difference divided by the difference in tasks,
#     the serial build's subtracted, as runner.py does), for the build DIR
#     (default: build) and, with --before, for a build of ws from before the
#     feature; also whether the two plugins rewrite fib.c identically.  A
#     before-build, made outside the repository:
#       git archive 93f4a33 | tar -x -C /tmp/ws-before   # parent of 09f0e0f
#       cmake -S /tmp/ws-before -B /tmp/ws-before/build -G Ninja \
#         -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang-19 \
#         -DCMAKE_CXX_COMPILER=clang++-19 -DWS_BUILD_TESTS=OFF
#       cmake --build /tmp/ws-before/build --target ws ws-plugin ws-rewrite
#  2. Waiting on one handle among 10 000 queued tasks returns when that task
#     is done: handle_rank.c's completion rank at 1 and 2 workers.
# Instruction counts do not depend on the machine's load; handle_rank's
# wait_us does (its ranks hardly).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
after=$root/build before=
while [ $# -gt 0 ]; do
  case $1 in
  --before) before=$2; shift 2 ;;
  --build) after=$2; shift 2 ;;
  *) echo "usage: $0 [--before DIR] [--build DIR]" >&2; exit 2 ;;
  esac
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
CFLAGS=(-O2 -g -std=gnu11 -Wall -Wextra -I"$here")
fibtasks() { # 2 * (fib(n+1) - 1)
  python3 -c "a,b=0,1
for _ in range($1+1): a,b=b,a+b
print(2*(a-1))"
}
instr() { # instr EXE N -> instructions of the whole run, 1 worker
  WS_NUM_WORKERS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$1" "$2" 2>&1 >/dev/null | sed -n 's/.*Collected *: *\([0-9]*\).*/\1/p'
}
per_task() { # per_task EXE -> instructions per task (gross)
  local a b
  a=$(instr "$1" 22) b=$(instr "$1" 25)
  python3 -c "print(($b - $a) / ($(fibtasks 25) - $(fibtasks 22)))"
}

clang-19 "${CFLAGS[@]}" -Wno-unknown-pragmas "$here/kernels/fib.c" \
  -o "$out/fib.seq" -lpthread
seq=$(per_task "$out/fib.seq")
echo "fib instructions per task at 1 worker (callgrind, sizes 22/25, seq subtracted):"
for which in after before; do
  b=${!which}
  [ -n "$b" ] || continue
  clang-19 "${CFLAGS[@]}" -I"$b/include" -fplugin="$b/lib/ws-plugin.so" \
    "$here/kernels/fib.c" -o "$out/fib.$which" -L"$b/lib" \
    -Wl,-rpath,"$b/lib" -lws -lpthread
  # (without the fallback #include of ws.h, whose path names the build)
  "$b/bin/ws-rewrite" "$here/kernels/fib.c" -- -std=gnu11 -I"$here" \
    -I"$b/include" | grep -v '^#include "' >"$out/fib.$which.rewritten.c"
  python3 -c "print('  %-6s %7.1f   (%s)' % ('$which', $(per_task "$out/fib.$which") - $seq, '$b'))"
done
if [ -n "$before" ]; then
  if cmp -s "$out/fib.after.rewritten.c" "$out/fib.before.rewritten.c"; then
    echo "  the two plugins rewrite kernels/fib.c identically"
  else
    echo "  the rewrites of kernels/fib.c differ:"
    diff "$out/fib.before.rewritten.c" "$out/fib.after.rewritten.c" | head -20
  fi
fi

echo "handle among 10 000 tasks (handle_rank.c):"
"$after/bin/wscc" "${CFLAGS[@]}" "$here/handle_rank.c" -o "$out/handle_rank"
for w in 1 2; do
  WS_NUM_WORKERS=$w "$out/handle_rank" 10000
done

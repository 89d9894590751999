#!/usr/bin/env bash
# Builds ws (scripts/setup.sh: packages + build/) and runs every example with
# WS_STATS=1, so each run ends with the per-worker statistics table.
#   scripts/demo.sh                  all workers of the machine
#   WS_NUM_WORKERS=4 scripts/demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"

examples=(fib nqueens mergesort priority)
for ex in "${examples[@]}"; do
  echo
  echo "=== examples/$ex.c"
  WS_STATS=1 "$root/build/examples/$ex"
done

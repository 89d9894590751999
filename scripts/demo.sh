#!/usr/bin/env bash
# Builds ws (scripts/setup.sh: packages + build/) and runs every example with
# WS_STATS=1, so each run ends with the per-worker statistics table.
#   scripts/demo.sh                  all workers of the machine
#   WS_NUM_WORKERS=4 scripts/demo.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"

# name and arguments of each example (the loop examples at demo size)
examples=("fib" "nqueens" "mergesort" "priority" "dot 20000000" "stencil 2048 10")
for ex in "${examples[@]}"; do
  read -r name args <<<"$ex"
  echo
  echo "=== examples/$name.c $args"
  # shellcheck disable=SC2086
  WS_STATS=1 "$root/build/examples/$name" $args
done

#!/usr/bin/env bash
# run_sanitized.sh CLANG SRC BINARY
# BINARY is SRC built with the plugin against a sanitizer build of libws
# (test/e2e/CMakeLists.txt): it must print what the serial build of SRC
# prints, at 2 and 8 workers, with no report from the sanitizer (which
# makes it exit non-zero: halt_on_error).
set -euo pipefail
clang=$1 src=$2 bin=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$clang" -std=gnu11 -O1 -Wno-unknown-pragmas "$src" -o "$tmp/serial"
"$tmp/serial" >"$tmp/expected"
for workers in 2 8; do
  WS_NUM_WORKERS=$workers timeout 500 "$bin" >"$tmp/got"
  if ! cmp -s "$tmp/expected" "$tmp/got"; then
    echo "$(basename "$bin"): output differs at WS_NUM_WORKERS=$workers" >&2
    diff "$tmp/expected" "$tmp/got" >&2 || true
    exit 1
  fi
done
echo "$(basename "$bin"): identical to the serial build at 2 and 8 workers"

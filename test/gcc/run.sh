#!/usr/bin/env bash
# run.sh SOURCE_DIR BUILD_DIR GCC [GXX [GENERATOR]]
# Configures a second build tree of ws with GCC (no plugin, no sanitizer
# builds), -Wall -Wextra -Werror, builds libws (every runtime source) and
# the runtime tests there, and runs them.  Any warning fails the build and
# so this test.  Only those targets are built (ctest -N lists them: each
# runtime test is named as its program), to keep the test short; the rest
# of the tree builds with GCC too, but is not this test's business.  The
# tree is kept between runs, so a re-run rebuilds only what changed.
# Builds and tests with WS_GCC_JOBS jobs (default 2).
set -euo pipefail
src=$1 bin=$2 gcc=$3 gxx=${4:-} gen=${5:-Ninja}
jobs=${WS_GCC_JOBS:-2}
echo "gcc-runtime: $("$gcc" --version | head -1), tree $bin"
args=(-G "$gen" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$gcc"
      -DWS_BUILD_PLUGIN=OFF -DWS_WERROR=ON -DWS_SANITIZER_TESTS=OFF)
[ -n "$gxx" ] && args+=(-DCMAKE_CXX_COMPILER="$gxx")
mkdir -p "$bin"
if ! cmake -S "$src" -B "$bin" "${args[@]}" >"$bin/configure.log" 2>&1; then
  cat "$bin/configure.log"
  exit 1
fi
cd "$bin"
tests=$(ctest -N -L runtime | sed -n 's/^ *Test *#[0-9]*: *//p')
if [ -z "$tests" ]; then
  echo "gcc-runtime: no runtime tests registered in $bin" >&2
  exit 1
fi
# shellcheck disable=SC2086 # one target per word
cmake --build . -j"$jobs" --target ws ws_static $tests
ctest --output-on-failure -j"$jobs" -L runtime --timeout 300

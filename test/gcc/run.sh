#!/usr/bin/env bash
# run.sh SOURCE_DIR BUILD_DIR GCC [GXX [GENERATOR]]
# Configures a second build tree of ws with GCC (libws and its runtime tests
# only: no plugin), -Wall -Wextra -Werror, builds it and runs its runtime
# tests (plain and ASan+UBSan; GCC's TSan cannot model libws's fences, see
# runtime/CMakeLists.txt).  Any warning fails the build and so this test.
# The tree is kept between runs, so a re-run rebuilds only what changed.
# Builds and tests with WS_GCC_JOBS jobs (default 2).
set -euo pipefail
src=$1 bin=$2 gcc=$3 gxx=${4:-} gen=${5:-Ninja}
jobs=${WS_GCC_JOBS:-2}
echo "gcc-runtime: $("$gcc" --version | head -1), tree $bin"
args=(-G "$gen" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$gcc"
      -DWS_BUILD_PLUGIN=OFF -DWS_WERROR=ON -DWS_SANITIZER_TESTS=ON)
[ -n "$gxx" ] && args+=(-DCMAKE_CXX_COMPILER="$gxx")
mkdir -p "$bin"
if ! cmake -S "$src" -B "$bin" "${args[@]}" >"$bin/configure.log" 2>&1; then
  cat "$bin/configure.log"
  exit 1
fi
cmake --build "$bin" -j"$jobs"
cd "$bin"
ctest --output-on-failure -j"$jobs" -L runtime --timeout 300

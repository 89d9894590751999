#!/usr/bin/env bash
# Installs what ws needs on Debian 12 (idempotent) and builds it into build/.
#   scripts/setup.sh            packages + Release build
#   WS_SETUP_BENCH=1 ...        also the benchmark peers (libomp-19, oneTBB, BOTS's tools)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# pkg-config, dpkg-dev (dpkg-shlibdeps, for cpack -G DEB) and groff-base (the
# manual pages' check): the installed-tree tests, test/install.
# openmpi-bin, libopenmpi-dev: libws-mpi (distributed tasks) and its mpirun
# tests, test/mpi.  libclang-rt-19-dev: clang-19's libFuzzer and sanitizer
# runtimes, for the fuzzer of the plugin's rewrite, test/fuzz.
pkgs=(clang-19 libclang-19-dev llvm-19-dev llvm-19-tools libffi-dev cmake
      ninja-build python3 gcc clang-format pkg-config dpkg-dev groff-base
      openmpi-bin libopenmpi-dev libclang-rt-19-dev)
if [ "${WS_SETUP_BENCH:-0}" = 1 ]; then
  # libomp-19-dev replaces libomp-14-dev (the two packages conflict).
  # make, git: bench/bots.sh (BOTS's own makefiles, its checkout exported).
  pkgs+=(libomp-19-dev libtbb-dev valgrind make git)
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
    missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cmake -S "$root" -B "$root/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19 \
  ${WS_CMAKE_ARGS:-} >/dev/null
cmake --build "$root/build"

#!/usr/bin/env bash
# bench/run.sh -- the ws benchmark suite: builds every variant of every
# kernel, runs them paired, prints ONE table and writes it to
# bench/results/latest.md (never run in CI).  Method: docs/performance.md and
# the design note bench.md.
#
# Usage: bench/run.sh [options]
#   --quick              short smoke run (small sizes, 1 run, workers 1,2)
#   --kernels a,b        kernels to run (default all): fib nqueens uts
#                        mergesort flat stencil dot priority idle wake
#                        lacefib lacequeens (fib and nqueens in Lace's shape)
#   --variants a,b       variants (default all that build): seq ws ws-api
#                        omp-gcc omp-clang tbb lace  (seq is always included)
#   --runs N             runs per point, median reported (default 5)
#   --stat median|min    the statistic of a point (default median); min
#                        for a machine whose runs fall into a fast and a
#                        slow mode (its ratios are then of the minima)
#   --workers 1,2,4      worker counts of the timing kernels (default 1,2,4;
#                        idle always uses 2,8 and wake 2)
#   --cap S              seconds after which a run is killed and the point
#                        reported as ">S" and not retried (default 6)
#   --size K="args"      override a kernel's arguments, e.g. --size fib=35
#   --wsbuild DIR        where libws and the plugin are built
#                        (default build-bench; built with cmake --build if
#                        missing, configured Release if not configured)
#   --out DIR            where the variants are built (default bench/build)
#   --no-build           use the binaries already in --out
#   --no-callgrind       skip the valgrind instruction counts
#   --results FILE       where the table goes (default bench/results/latest.md)
#   --lace-src DIR       a Lace source tree (default: $LACE_SRC); with it, Lace's
#                        own fib and queens programs are built from it and run
#                        beside lacefib and lacequeens as the `lace` variant;
#                        without it those rows are skipped (bench/README.md)
#
# Needs clang-19, gcc, libomp-19-dev, libtbb-dev, valgrind, python3
# (scripts/setup.sh with WS_SETUP_BENCH=1 installs them).  Exit status is
# non-zero if any variant's checksum differs from the serial one.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/runner.py" "$@"

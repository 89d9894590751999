#!/usr/bin/env bash
# bench/mpi.sh -- issue 15's goals for distributed tasks (libws-mpi): builds
# bench/mpi/dist.c twice (with libws-mpi, and without MPI: a distributed task
# an ordinary one), runs a UTS-like tree, fib with a cut-off and nqueens at
# 1, 2 and 4 ranks of one worker each and without MPI, and an idle rank
# during rank 0's serial code, and prints ONE table with the goals (also
# written to bench/results/mpi.md).  Never run in CI.
#
# Usage: bench/mpi.sh [options]
#   --runs N          runs per point, median reported (default 5); the
#                     variants of one kernel alternate within a run
#   --quick           smoke run: small sizes, 1 run, a 1 s serial phase
#   --kernels a,b     of uts,fib,nqueens (default all); idle always runs
#   --size K=N        a kernel's size (uts: depth limit, default 13, 3.1 M
#                     nodes; fib: n, default 42; nqueens: n, default 13;
#                     idle: serial phase in tenths of a second, default 30)
#   --wsbuild DIR     a build of libws with libws-mpi (default build-bench if
#                     it has lib/libws-mpi.so, else build)
#   --out DIR         where the two programs are built (default bench/build/mpi)
#   --cap S           seconds after which a run is killed (default 60)
#   --ranks 1[,2][,4] the rank counts run (default 1,2,4; the idle phase
#                     runs at those of 2 and 4 given): --ranks 1 measures
#                     only the one-rank overhead against the build without
#                     MPI, cheap enough for many runs
#   --results FILE    where the table goes (default bench/results/mpi.md),
#                     and every run's figures (FILE.json, .md replaced)
#
# Needs clang-19, Open MPI (mpirun) and python3.  Exit status non-zero if
# any run gives a wrong result.  Method and reading: docs/performance.md,
# "Distributed tasks".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
exec python3 "$here/mpi/run.py" "$@"

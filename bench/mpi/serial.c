/*
 * serial.c -- the serial kernels of bench/mpi/dist.c (uts_serial,
 * fib_serial, nq_serial from test/mpi/dist_serial.h), compiled once and
 * linked first into both programs the bench compares (with libws-mpi and
 * without MPI): the code where the time goes is then the same bytes at the
 * same addresses in both (run.py compiles it with -falign-functions=4096:
 * the PLT before .text is longer in the MPI build), and the one-rank
 * overhead the bench reports is the runtime's, not a change of code
 * alignment.
 */
#define DIST_MIX_ROUNDS 64 /* as bench/mpi/dist.c */
#define DIST_SERIAL_DEFINE
#include "../../test/mpi/dist_serial.h"

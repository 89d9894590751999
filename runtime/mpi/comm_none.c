/*
 * comm_none.c -- the communication side of libws-mpi when it is built
 * without MPI (the ws_mpi_local library the tests use to check that a
 * distributed program gives the same result on one process): there is no
 * launcher to join, so every program is one rank and every distributed task
 * an ordinary task.
 */
#include "mpi_internal.h"

#include <stdlib.h>

int ws_mpi__comm_start(void) { return 0; }

void ws_mpi__post_result(int origin, uint64_t token, const void *bytes,
                         uint32_t size) {
  /* Unreachable: no task comes from another rank. */
  (void)origin;
  (void)token;
  (void)bytes;
  (void)size;
  abort();
}

void ws_mpi__comm_finish(int status) { (void)status; }

void ws_mpi__comm_nudge(void) {}

void ws_mpi__comm_hungry(long queued) { (void)queued; }

int ws_mpi__serve(void) { return 0; }

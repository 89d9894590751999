/*
 * plain.c -- a libws program that does not use libws-mpi.  Under mpirun it
 * runs as independent copies, and libws says so once on stderr (the test
 * mpi-plain-hint counts the line).
 */
#include "ws.h"

#include <stdio.h>

static void add(void *captures) {
  int *p;
  __builtin_memcpy(&p, captures, sizeof p);
  __atomic_fetch_add(p, 1, __ATOMIC_RELAXED);
}

int main(void) {
  int n = 0, *p = &n;
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 100; i++)
    ws_spawn(&f, add, &p, sizeof p, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  printf("plain %d\n", n);
  return n == 100 ? 0 : 1;
}

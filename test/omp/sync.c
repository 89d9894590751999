/* Team constructs: barrier (every write before it visible after it, many
 * times over), single (each executed once; with nowait; copyprivate),
 * master and masked, critical (named and unnamed), flush, atomic. */
#include <string.h>

#include "omp_test.h"

#define MAXT 64
#define ROUNDS 300

int main(void) {
  int n = expected_threads();

  /* Barrier: in each round every thread writes its slot, then reads all. */
  int slot[MAXT];
  int barrier_bad = 0;
#pragma omp parallel
  {
    int id = omp_get_thread_num(), nt = omp_get_num_threads();
    for (int r = 1; r <= ROUNDS; r++) {
      slot[id] = r * (id + 1);
#pragma omp barrier
      for (int j = 0; j < nt; j++)
        if (slot[j] != r * (j + 1)) {
#pragma omp atomic
          barrier_bad++;
        }
#pragma omp barrier
    }
  }
  CHECK("barrier", barrier_bad == 0);

  /* single: each of ROUNDS constructs runs once; nowait ones too. */
  int singles = 0, nowaits = 0;
#pragma omp parallel
  {
    for (int r = 0; r < ROUNDS; r++) {
#pragma omp single
      singles++;
#pragma omp single nowait
      {
#pragma omp atomic
        nowaits++;
      }
    }
  }
  printf("single ran %d times, single nowait %d times\n", singles, nowaits);

  /* single's end is a barrier: the value is visible to all after it. */
  int shared_val = 0, seen_bad = 0;
#pragma omp parallel
  {
    for (int r = 1; r <= ROUNDS; r++) {
#pragma omp single
      shared_val = r;
      if (shared_val != r) {
#pragma omp atomic
        seen_bad++;
      }
#pragma omp barrier
    }
  }
  CHECK("single then barrier", seen_bad == 0);

  /* copyprivate: one thread's private value broadcast to all. */
  int cp_bad = 0;
#pragma omp parallel
  {
    for (int r = 1; r <= 50; r++) {
      long mine = -1;
#pragma omp single copyprivate(mine)
      mine = 1000 + r;
      if (mine != 1000 + r) {
#pragma omp atomic
        cp_bad++;
      }
    }
  }
  CHECK("copyprivate", cp_bad == 0);

  /* master and masked. */
  int master_runs = 0, master_tid = -1, masked_runs = 0, masked_tid = -1;
#pragma omp parallel
  {
#pragma omp master
    {
      master_runs++;
      master_tid = omp_get_thread_num();
    }
#pragma omp masked filter(1)
    {
      masked_runs++;
      masked_tid = omp_get_thread_num();
    }
  }
  CHECK("master", master_runs == 1 && master_tid == 0);
  /* (Serially the pragma is ignored and thread 0 runs the block.) */
  CHECK("masked filter(1)",
        masked_runs == OMPV(n > 1, 1) && masked_tid == OMPV(n > 1 ? 1 : -1, 0));

  /* critical: a non-atomic read-modify-write, named and unnamed. */
  long c1 = 0, c2 = 0;
#pragma omp parallel
  {
    for (int i = 0; i < 5000; i++) {
#pragma omp critical(first)
      c1 = c1 + 1;
#pragma omp critical
      c2 = c2 + 2;
    }
  }
  printf("critical: %ld and %ld per thread\n", c1 / n, c2 / n);

  /* flush: a flag handed from thread 0 to the last thread (a message). */
  int flag = 0, data = 0, got = -1;
#pragma omp parallel
  {
    int id = omp_get_thread_num(), last = omp_get_num_threads() - 1;
    if (id == 0) {
      data = 42;
#pragma omp flush
#pragma omp atomic write
      flag = 1;
    }
    if (id == last) {
      int f = 0;
      while (!f) {
#pragma omp atomic read
        f = flag;
      }
#pragma omp flush
      got = data;
    }
  }
  printf("flush: %d\n", got);

  /* atomic update from every thread. */
  long hits = 0;
#pragma omp parallel
  for (int i = 0; i < 10000; i++) {
#pragma omp atomic
    hits++;
  }
  printf("atomic: %ld per thread\n", hits / n);
  return failures != 0;
}

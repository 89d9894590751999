/* Parallel regions: team size (OMP_NUM_THREADS, num_threads, if,
 * omp_set_num_threads), distinct thread numbers, nested regions run as a team
 * of one, levels and ancestors, many regions in a row (the parked team
 * reused), more than 16 captured variables, `parallel if(false)`, and the
 * region's end waiting for the tasks its threads created. */
#include <string.h>
#include <unistd.h>

#include "omp_test.h"

#define MAXT 64

static int nested_probe(int *size, int *level, int *active, int *anc) {
  int ok = 1;
#pragma omp parallel num_threads(4)
  {
    *size = omp_get_num_threads();
    *level = omp_get_level();
    *active = omp_get_active_level();
    *anc = omp_get_ancestor_thread_num(1);
    ok = omp_get_thread_num() == 0;
  }
  return ok;
}

int main(void) {
  int n = expected_threads();

  /* Team size and thread numbers 0..n-1, each once. */
  int seen[MAXT];
  memset(seen, 0, sizeof seen);
  int size = 0, in_par = 0, level = -1;
#pragma omp parallel
  {
    int id = omp_get_thread_num();
    if (id >= 0 && id < MAXT) {
#pragma omp atomic
      seen[id]++;
    }
    if (id == 0) {
      size = omp_get_num_threads();
      in_par = omp_in_parallel();
      level = omp_get_level();
    }
  }
  int distinct = 1;
  for (int i = 0; i < MAXT; i++)
    distinct &= seen[i] == (i < n);
  CHECK("team size", size == n);
  CHECK("thread numbers", distinct);
  CHECK("in_parallel and level",
        in_par == OMPV(n > 1, 0) && level == OMPV(1, 0));

  /* num_threads(3), and if(false). */
  int s3 = 0, s_if = 0, lvl_if = -1;
#pragma omp parallel num_threads(3)
  {
    if (omp_get_thread_num() == 0)
      s3 = omp_get_num_threads();
  }
  volatile int zero = 0;
  (void)zero;
#pragma omp parallel if (zero)
  {
    s_if = omp_get_num_threads();
    lvl_if = omp_get_level();
  }
  CHECK("num_threads(3)", s3 == OMPV(3, 1));
  CHECK("if(false)", s_if == 1 && lvl_if == OMPV(1, 0));

  /* omp_set_num_threads, then back. */
  int s2 = 0;
  omp_set_num_threads(2);
#pragma omp parallel
  {
    if (omp_get_thread_num() == 0)
      s2 = omp_get_num_threads();
  }
  omp_set_num_threads(n);
  CHECK("omp_set_num_threads(2)",
        s2 == OMPV(2, 1) && omp_get_max_threads() == OMPV(n, 1));

  /* Nested: a team of one at level 2, ancestors known. */
  int nest_ok = 1;
#pragma omp parallel num_threads(2)
  {
    int nsize, nlevel, nactive, anc;
    int ok = nested_probe(&nsize, &nlevel, &nactive, &anc);
    ok &= nsize == 1 && nlevel == OMPV(2, 0) &&
          nactive == OMPV(omp_get_num_threads() > 1 ? 1 : 0, 0) &&
          anc == OMPV(omp_get_thread_num(), -1);
    if (!ok) {
#pragma omp atomic write
      nest_ok = 0;
    }
  }
  CHECK("nested regions", nest_ok);

  /* One active level, reported consistently: asking for more gives 1,
   * nesting is never enabled, and 0 active levels make every region a team
   * of one (inactive: level 1, active level 0, not in parallel). */
  CHECK("supported active levels", omp_get_supported_active_levels() == 1 &&
                                       omp_get_max_active_levels() == 1);
  omp_set_max_active_levels(5);
  CHECK("max active levels capped", omp_get_max_active_levels() == 1);
  omp_set_nested(1);
  CHECK("nesting never enabled",
        omp_get_nested() == 0 && omp_get_max_active_levels() == 1);
  omp_set_max_active_levels(0);
  int z_size = -1, z_level = -1, z_active = -1, z_in = -1;
#pragma omp parallel num_threads(3)
  {
    z_size = omp_get_num_threads();
    z_level = omp_get_level();
    z_active = omp_get_active_level();
    z_in = omp_in_parallel();
  }
  CHECK("max active levels 0: a team of one",
        omp_get_max_active_levels() == OMPV(0, 1) && z_size == 1 &&
            z_level == OMPV(1, 0) && z_active == 0 && z_in == 0);
  omp_set_nested(0); /* at most 1: stays 0 */
  CHECK("omp_set_nested(0) keeps 0", omp_get_max_active_levels() == OMPV(0, 1));
  omp_set_max_active_levels(1);
  int a_size = -1;
#pragma omp parallel num_threads(3)
  {
    if (omp_get_thread_num() == 0)
      a_size = omp_get_num_threads();
  }
  CHECK("max active levels 1 again", a_size == OMPV(3, 1));

  /* Many regions in a row: the sum of thread numbers each time. */
  long bad = 0;
  for (int r = 0; r < 2000; r++) {
    int sum = 0;
#pragma omp parallel reduction(+ : sum)
    sum += omp_get_thread_num() + 1;
    if (sum != n * (n + 1) / 2)
      bad++;
  }
  CHECK("2000 regions", bad == 0);

  /* More than 16 captured variables (the libffi path). */
  int a0 = 0, a1 = 1, a2 = 2, a3 = 3, a4 = 4, a5 = 5, a6 = 6, a7 = 7, a8 = 8,
      a9 = 9, a10 = 10, a11 = 11, a12 = 12, a13 = 13, a14 = 14, a15 = 15,
      a16 = 16, a17 = 17, a18 = 18, a19 = 19;
  long total = 0;
#pragma omp parallel reduction(+ : total)
  {
    total += a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11 + a12 +
             a13 + a14 + a15 + a16 + a17 + a18 + a19;
#pragma omp barrier
#pragma omp master
    {
      a0 = 100;
      a19 = 119;
    }
  }
  printf("20 captures: %ld per thread, a0 %d, a19 %d\n", total / n, a0, a19);

  /* The region's end waits for every task its threads created. */
  int done = 0;
#pragma omp parallel
  {
    for (int i = 0; i < 20; i++) {
#pragma omp task
      {
        usleep(200);
#pragma omp atomic
        done++;
      }
    }
  }
  printf("tasks finished at the region's end: %d per thread\n", done / n);
  return failures != 0;
}

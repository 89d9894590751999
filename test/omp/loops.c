/* Worksharing loops: static (blocks and chunks), dynamic and guided with
 * chunk sizes, runtime (OMP_SCHEDULE set by the program's environment or
 * omp_set_schedule), over int, unsigned, long and unsigned long iteration
 * variables, with negative steps, nowait, lastprivate, collapse, ordered,
 * reductions, and sections.  Each iteration is checked to run exactly
 * once. */
#include <string.h>

#include "omp_test.h"

#define N 1000
static int hits[N];

static int once_each(int n) {
  int ok = 1;
  for (int i = 0; i < n; i++)
    ok &= hits[i] == 1;
  memset(hits, 0, sizeof hits);
  return ok;
}

#define HIT(i)                                                                 \
  do {                                                                         \
    _Pragma("omp atomic") hits[i]++;                                           \
  } while (0)

static long orphaned_sum(int n) {
  long t = 0;
#pragma omp for schedule(guided, 2)
  for (int i = 0; i < n; i++)
    t += i;
  return t;
}

int main(void) {
#pragma omp parallel
  {
#pragma omp for schedule(static)
    for (int i = 0; i < N; i++)
      HIT(i);
  }
  CHECK("static", once_each(N));

#pragma omp parallel
  {
#pragma omp for schedule(static, 7)
    for (unsigned i = 0; i < N; i++)
      HIT(i);
  }
  CHECK("static,7 unsigned", once_each(N));

#pragma omp parallel
  {
#pragma omp for schedule(dynamic, 3)
    for (long i = N - 1; i >= 0; i -= 2)
      HIT(i);
  }
  int odd_ok = 1;
  for (int i = 0; i < N; i++)
    odd_ok &= hits[i] == (i % 2 == 1);
  memset(hits, 0, sizeof hits);
  CHECK("dynamic,3 long step -2", odd_ok);

#pragma omp parallel
  {
#pragma omp for schedule(guided, 4)
    for (unsigned long i = 5; i < N; i++)
      HIT(i);
  }
  for (int i = 0; i < 5; i++)
    hits[i] = 1;
  CHECK("guided,4 unsigned long", once_each(N));

#pragma omp parallel
  {
#pragma omp for schedule(dynamic) nowait
    for (int i = 0; i < N / 2; i++)
      HIT(i);
#pragma omp for schedule(guided) nowait
    for (int i = N / 2; i < N; i++)
      HIT(i);
  }
  CHECK("dynamic and guided nowait", once_each(N));

  /* Many dynamic loops in a row with nowait: threads run ahead. */
  long sum = 0;
#pragma omp parallel reduction(+ : sum)
  for (int r = 0; r < 200; r++) {
#pragma omp for schedule(dynamic, 5) nowait
    for (int i = 0; i < 100; i++)
      sum += i;
  }
  printf("200 nowait dynamic loops: %ld\n", sum);

  /* runtime: whatever OMP_SCHEDULE says, then omp_set_schedule. */
#pragma omp parallel
  {
#pragma omp for schedule(runtime)
    for (int i = 0; i < N; i++)
      HIT(i);
  }
  CHECK("runtime", once_each(N));
#ifdef _OPENMP
  omp_set_schedule(omp_sched_dynamic, 2);
#endif
#pragma omp parallel
  {
#pragma omp for schedule(runtime)
    for (int i = 0; i < N; i++)
      HIT(i);
  }
  CHECK("runtime (dynamic,2)", once_each(N));

  /* lastprivate and collapse. */
  int last = -1;
#pragma omp parallel for lastprivate(last) schedule(static, 3)
  for (int i = 0; i < 100; i++)
    last = i * 2;
  printf("lastprivate: %d\n", last);
  long grid = 0;
#pragma omp parallel for collapse(2) reduction(+ : grid) schedule(dynamic, 5)
  for (int i = 0; i < 40; i++)
    for (int j = 0; j < 25; j++)
      grid += i * 25 + j;
  printf("collapse(2): %ld\n", grid);

  /* Reductions: +, *, max, min, on several variables at once. */
  long s = 0;
  double prod = 1;
  int mx = -1, mn = N;
#pragma omp parallel for reduction(+ : s) reduction(* : prod)                  \
    reduction(max : mx) reduction(min : mn)
  for (int i = 1; i <= 20; i++) {
    s += i;
    prod *= 1.5;
    mx = i > mx ? i : mx;
    mn = i < mn ? i : mn;
  }
  printf("reductions: %ld %.4f %d %d\n", s, prod, mx, mn);

  /* ordered: the ordered parts run in iteration order. */
  int seq[200], pos = 0;
#pragma omp parallel for ordered schedule(dynamic, 3)
  for (int i = 0; i < 200; i++) {
    int v = i * i;
    if (i % 7 != 0) { /* some iterations skip their ordered region */
#pragma omp ordered
      seq[pos++] = v;
    }
  }
  int in_order = 1, k = 0;
  for (int i = 0; i < 200; i++)
    if (i % 7 != 0)
      in_order &= seq[k++] == i * i;
  CHECK("ordered", in_order && k == pos);

  /* sections: each once. */
  int sec[3] = {0, 0, 0};
#pragma omp parallel
  {
#pragma omp sections
    {
#pragma omp section
      sec[0]++;
#pragma omp section
      sec[1]++;
#pragma omp section
      sec[2]++;
    }
  }
  CHECK("sections", sec[0] == 1 && sec[1] == 1 && sec[2] == 1);

  /* An orphaned loop: a function called inside the region. */
  long orphan = 0;
#pragma omp parallel reduction(+ : orphan)
  orphan += orphaned_sum(100);
  printf("orphaned loop: %ld\n", orphan);
  return failures != 0;
}

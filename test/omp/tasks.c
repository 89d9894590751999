/* Explicit tasks: a recursive task tree (fib) created by one thread (the
 * single pattern) and by every thread, taskwait on children only,
 * if(false), final with omp_in_final, untied tasks with scheduling points
 * in a loop, mergeable, priority, taskgroup waiting for descendants,
 * taskyield, tasks outside any parallel region, and a barrier waiting for
 * the tasks created before it. */
#include <unistd.h>

#include "omp_test.h"
#ifdef _OPENMP
#include <ws.h> /* the tiers the tasks ran at */
#endif

static long fib_seq(int n) {
  return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2);
}

static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
#pragma omp task shared(x) if (n > 8)
  x = fib(n - 1);
#pragma omp task shared(y) if (n > 8)
  y = fib(n - 2);
#pragma omp taskwait
  return x + y;
}

/* final(n < 12): below, every task is included and omp_in_final says so. */
static int final_bad;
static long fib_final(int n) {
  if (n < 2)
    return n;
  long x, y;
#pragma omp task shared(x) final(n < 12)
  {
    if (n < 12 && !omp_in_final() && OMPV(1, 0)) {
#pragma omp atomic
      final_bad++;
    }
    x = fib_final(n - 1);
  }
#pragma omp task shared(y) final(n < 12) mergeable
  y = fib_final(n - 2);
#pragma omp taskwait
  return x + y;
}

/* Untied tasks whose body has scheduling points in a loop. */
static long untied_sum(int n) {
  long total = 0;
#pragma omp task untied shared(total)
  {
    for (int i = 0; i < n; i++) {
      long part = 0;
#pragma omp task shared(part)
      part = fib_seq(10) + i;
#pragma omp taskwait
      total += part;
    }
  }
#pragma omp taskwait
  return total;
}

/* A taskgroup waits for descendants: grandchildren set the flags. */
static void grandchildren(int *flags, int n) {
  for (int i = 0; i < n; i++) {
#pragma omp task firstprivate(i)
    {
#pragma omp task firstprivate(i)
      {
        usleep(100);
        flags[i] = 1;
      }
    }
  }
}

int main(void) {
  long want = fib_seq(24);

  /* omp_in_explicit_task: not in the initial task nor in an implicit
   * task, yes in a task (deferred or included). */
  int in_initial = omp_in_explicit_task(), in_implicit = -1, in_task = -1;
#pragma omp parallel
#pragma omp single
  {
    in_implicit = omp_in_explicit_task();
#pragma omp task shared(in_task)
    in_task = omp_in_explicit_task();
  }
  CHECK("omp_in_explicit_task",
        in_initial == 0 && in_implicit == 0 && in_task == OMPV(1, 0));

  long r1 = 0;
#pragma omp parallel
  {
#pragma omp single
    r1 = fib(24);
  }
  CHECK("fib from single", r1 == want);

  long per[64] = {0};
  int nt = 1;
#pragma omp parallel
  {
    per[omp_get_thread_num()] = fib(18);
#pragma omp single
    nt = omp_get_num_threads();
  }
  int all_ok = 1;
  for (int i = 0; i < nt; i++)
    all_ok &= per[i] == fib_seq(18);
  CHECK("fib from every thread", all_ok);

  long r2 = 0;
#pragma omp parallel
#pragma omp single
  r2 = fib_final(22);
  CHECK("final", r2 == fib_seq(22) && final_bad == 0);

  long r3 = 0;
#pragma omp parallel
#pragma omp single
  r3 = untied_sum(50);
  printf("untied: %ld\n", r3);

  /* if(false): runs at once, before the encountering code goes on. */
  int order[4], pos = 0;
#pragma omp parallel
#pragma omp single
  {
#pragma omp task if (0) shared(order, pos)
    order[pos++] = 1;
    order[pos++] = 2;
  }
  CHECK("if(false) runs at once", pos == 2 && order[0] == 1 && order[1] == 2);

  /* priority: every task runs once whatever its priority. */
  int ran[100] = {0};
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < 100; i++) {
#pragma omp task priority(i % 4) firstprivate(i)
    ran[i]++;
  }
  int once = 1;
  for (int i = 0; i < 100; i++)
    once &= ran[i] == 1;
  CHECK("priority", once);
  /* priority(p > 0) is ws's high tier (OMP_MAX_TASK_PRIORITY unset); in a
   * team of one, tasks run at once and never reach ws. */
  int high_ok = 1;
#ifdef _OPENMP
  ws_stats st;
  ws_stats_get(&st, NULL, 0);
  high_ok = st.executed[WS_TIER_HIGH] == (uint64_t)(nt > 1 ? 75 : 0) &&
            st.executed[WS_TIER_CRITICAL] == 0;
#endif
  CHECK("priority(p > 0) runs at ws's high tier", high_ok);

  /* taskgroup: all descendants have finished at its end. */
  int flags[64] = {0}, group_ok = 1;
#pragma omp parallel
#pragma omp single
  {
#pragma omp taskgroup
    grandchildren(flags, 64);
    for (int i = 0; i < 64; i++)
      group_ok &= flags[i];
  }
  CHECK("taskgroup waits for descendants", group_ok);

  /* taskyield inside tasks. */
  int yields = 0;
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < 50; i++) {
#pragma omp task
    {
#pragma omp taskyield
#pragma omp atomic
      yields++;
    }
  }
  printf("taskyield: %d\n", yields);

  /* Tasks outside any parallel region. */
  long r4 = fib(20);
  CHECK("tasks outside a region", r4 == fib_seq(20));

  /* A barrier waits for the tasks created before it (by any thread). */
  int before = 0, bar_bad = 0;
#pragma omp parallel
  {
#pragma omp task
    {
      usleep(300);
#pragma omp atomic
      before++;
    }
#pragma omp barrier
    int b;
#pragma omp atomic read
    b = before;
    if (b != omp_get_num_threads()) {
#pragma omp atomic
      bar_bad++;
    }
  }
  CHECK("barrier waits for tasks", bar_bad == 0);
  return failures != 0;
}

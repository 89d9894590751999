/* Tasks run by team members: inside a task, omp_get_thread_num() is the
 * number of the member running it and threadprivate variables are that
 * member's copies (the threadprivate counter each member accumulates from
 * the tasks it ran must equal the count the tasks recorded under its
 * number); a lock held across a taskwait while other tasks want it; parallel
 * regions nested in a region and in tasks (inactive nesting: teams of one,
 * with their levels); members waiting at a barrier run the team's tasks (one
 * task per member, made by the single thread, that wait for each other).
 * Built twice by ctest: with thread-local storage and through the runtime
 * (-fnoopenmp-use-tls). */
#include "omp_test.h"
#include <sched.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define MAXT 64
#define NTASKS 4000

static long tp_count;
static int tp_last = -1;
#pragma omp threadprivate(tp_count, tp_last)

static long hits[MAXT];
static long bad_tid;

static long work(long i) {
  long x = i;
  for (int k = 0; k < 200; k++)
    x = (x * 1103515245 + 12345) & 0x7fffffff;
  return x & 7;
}

/* A task tree: leaves record who ran them. */
static long tree(int depth, long id) {
  if (depth == 0) {
    int me = omp_get_thread_num();
    if (me < 0 || me >= omp_get_num_threads() || me >= MAXT) {
#pragma omp atomic
      bad_tid++;
      return work(id);
    }
#pragma omp atomic
    hits[me]++;
    tp_count++;
    tp_last = me;
    return work(id);
  }
  long a = 0, b = 0;
#pragma omp task shared(a)
  a = tree(depth - 1, 2 * id);
#pragma omp task shared(b)
  b = tree(depth - 1, 2 * id + 1);
#pragma omp taskwait
  return a + b;
}

static omp_lock_t lock;
static long guarded;

/* Each task takes the lock, creates children and waits for them while it
 * holds it; the children and the other tasks want the same lock after. */
static void locked_task(int i) {
  omp_set_lock(&lock);
  long part[4] = {0, 0, 0, 0};
  for (int c = 0; c < 4; c++) {
#pragma omp task shared(part) firstprivate(c)
    part[c] = work(i * 4 + c);
  }
#pragma omp taskwait
  guarded += part[0] + part[1] + part[2] + part[3];
  omp_unset_lock(&lock);
}

int main(void) {
  long sum = 0;
  for (int t = 0; t < MAXT; t++)
    hits[t] = 0;
#pragma omp parallel
#pragma omp single
  sum = tree(12, 1);
  printf("tree sum %ld\n", sum);
  CHECK("thread numbers in tasks within the team", bad_tid == 0);

  long total = 0, mismatched = 0;
#pragma omp parallel reduction(+ : total, mismatched)
  {
    int me = omp_get_thread_num();
    total += tp_count;
    mismatched += tp_count != hits[me];
    mismatched += tp_count > 0 && tp_last != me;
  }
  printf("leaves counted %ld\n", total);
  CHECK("threadprivate copies in tasks are the running member's",
        mismatched == 0);

  /* Tasks from every member, each run by some member. */
  long many = 0;
#pragma omp parallel reduction(+ : many)
  {
    for (int i = 0; i < NTASKS / 8; i++) {
#pragma omp task
      {
        int me = omp_get_thread_num();
        if (me < 0 || me >= omp_get_num_threads()) {
#pragma omp atomic
          bad_tid++;
        }
      }
    }
    many += NTASKS / 8;
  }
  printf("tasks from every member %ld\n", many / OMPV(expected_threads(), 1));
  CHECK("thread numbers in tasks from every member", bad_tid == 0);

  omp_init_lock(&lock);
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < 200; i++) {
#pragma omp task firstprivate(i)
    locked_task(i);
  }
  omp_destroy_lock(&lock);
  printf("lock held across taskwait: %ld\n", guarded);

  /* critical around a taskwait, tasks from every member. */
  long crit = 0;
#pragma omp parallel
  for (int i = 0; i < 50; i++) {
#pragma omp task firstprivate(i) shared(crit)
    {
#pragma omp critical(taskthreads)
      {
        long part = 0;
#pragma omp task shared(part) firstprivate(i)
        part = work(i);
#pragma omp taskwait
        crit += part;
      }
    }
  }
  printf("critical across taskwait: %ld per thread\n",
         crit / OMPV(expected_threads(), 1));

  /* Nested regions: inside a region, and inside tasks. */
  int inner_size = 0, inner_level = 0, inner_bad = 0;
  long inner_sum = 0;
#pragma omp parallel reduction(+ : inner_bad, inner_sum)
  {
    int outer = omp_get_thread_num();
    (void)outer;
    /* Active only when the outer team is a team of one (inactive). */
    int want = omp_get_num_threads() == 1 ? 3 : 1;
    (void)want;
#pragma omp parallel num_threads(3) reduction(+ : inner_sum)
    {
      if (omp_get_num_threads() != OMPV(want, 1) ||
          omp_get_level() != OMPV(2, 0) ||
          omp_get_ancestor_thread_num(1) != OMPV(outer, -1))
        inner_bad++;
#pragma omp for
      for (int i = 0; i < 100; i++)
        inner_sum += i;
    }
#pragma omp single
    {
      inner_size = omp_get_team_size(omp_get_level());
      inner_level = omp_get_level();
    }
  }
  printf("nested in a region: sum %ld per thread\n",
         inner_sum / OMPV(expected_threads(), 1));
  CHECK("nested in a region: inactive, teams of one", inner_bad == 0);
  CHECK("outer team size",
        inner_size == OMPV(expected_threads(), 1) && inner_level == OMPV(1, 0));

  long task_inner = 0;
  int task_inner_bad = 0;
#pragma omp parallel
#pragma omp single
  for (int k = 0; k < 16; k++) {
#pragma omp task firstprivate(k) shared(task_inner, task_inner_bad)
    {
      long s = 0;
      int outer = omp_get_thread_num();
      (void)outer;
#pragma omp parallel reduction(+ : s)
      {
        if (omp_get_num_threads() != 1 ||
            omp_get_ancestor_thread_num(1) != OMPV(outer, -1))
#pragma omp atomic
          task_inner_bad++;
#pragma omp for
        for (int i = 0; i < 1000; i++)
          s += i % (k + 1);
#pragma omp task shared(s)
        {
#pragma omp atomic
          s += 1;
        }
      }
#pragma omp atomic
      task_inner += s;
    }
  }
  printf("nested in tasks: %ld\n", task_inner);
  CHECK("nested in tasks: teams of one", task_inner_bad == 0);

  /* One task per member, all made by the single thread, each waiting
   * (yielding, 5 s at most) until every one has started: they all meet only
   * if the members waiting at the single's barrier run the team's tasks
   * (a barrier that only slept leaves them all to the single thread, one
   * after the other). */
  int arrived = 0, met = 0;
#pragma omp parallel shared(arrived, met)
  {
    int n = omp_get_num_threads();
#pragma omp single
    for (int k = 0; k < n; k++) {
#pragma omp task shared(arrived, met) firstprivate(n)
      {
        __atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
        double t0 = now_s();
        while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) < n &&
               now_s() - t0 < 5)
          sched_yield();
        if (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) >= n)
          __atomic_add_fetch(&met, 1, __ATOMIC_SEQ_CST);
      }
    }
  }
  CHECK("members at a barrier run the team's tasks",
        met == OMPV(expected_threads(), 1));
  return failures != 0;
}

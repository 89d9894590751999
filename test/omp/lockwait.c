/*
 * lockwait.c -- a task that takes a lock (or enters a critical section)
 * AFTER creating its children, then waits for them while it holds it.
 * OpenMP's task scheduling constraint says the waiting thread may run only
 * the waiting task's descendants there; a runtime that runs any queued task
 * instead may pick, on the lock holder's thread, an unrelated task that
 * wants the same lock: a deadlock (a simple lock is not recursive; a
 * critical section is not either).
 *
 * The shape, per round: the master queues U tasks (unrelated: they want
 * the lock) and then T.  T creates a child C with a priority, so that an
 * idle member steals C before any U; once C runs elsewhere, T takes the
 * lock and waits.  With C away and T's thread idle in the wait, the U tasks
 * are there for the taking.  A U task that finds the lock held by a task
 * suspended on its own thread counts a violation and skips the lock (taking
 * it would hang the program); C lingers until a violation happens or a few
 * milliseconds have passed.  Every U task then takes the lock and counts.
 * At one thread every task is included (run at its creation), so nothing
 * waits with a lock held; at 2 threads and more, a runtime without the
 * constraint fails nearly every round.
 */
#include "omp_test.h"

#include <stdatomic.h>
#include <time.h>

#define ROUNDS 20
#define UNRELATED 64

static omp_lock_t lock;
/* The thread whose task holds the lock (or the critical section) while it
 * waits, -1: none. */
static _Atomic int holder = -1;
static _Atomic int child_started;
static _Atomic long violations;
static long counted; /* under the lock */
static _Atomic long dep_children;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* 1 if the lock holder is a task suspended on this thread. */
static int held_here(void) {
  return atomic_load(&holder) == omp_get_thread_num();
}

static void spin(double seconds) {
  double until = now() + seconds;
  while (now() < until)
    ;
}

static void unrelated(int use_critical) {
  /* Some work first: the U tasks must outlast the creation of T and its
   * child, or the idle members would have run them all by then. */
  spin(50e-6);
  if (held_here()) {
    atomic_fetch_add(&violations, 1);
    return;
  }
  if (use_critical) {
#pragma omp critical(lockwait)
    counted++;
  } else {
    omp_set_lock(&lock);
    counted++;
    omp_unset_lock(&lock);
  }
}

static void child(void) {
  atomic_store(&child_started, 1);
  /* Long enough for the waiter to look for work; bounded. */
  double until = now() + 0.005;
  while (now() < until && atomic_load(&violations) == 0)
    ;
}

static void waiter(int use_critical) {
  static int dep;
  (void)dep; /* (unused serially) */
  atomic_store(&child_started, 0);
  /* A child with a dependence too: queued apart from plain tasks, it must
   * still be found and run by the waiter. */
#pragma omp task depend(inout : dep)
  atomic_fetch_add(&dep_children, 1);
#pragma omp task priority(1)
  child();
  /* Let an idle member take the child first (bounded: at one thread it ran
   * already). */
  double until = now() + 1.0;
  while (!atomic_load(&child_started) && now() < until)
    ;
  if (use_critical) {
#pragma omp critical(lockwait)
    {
      atomic_store(&holder, omp_get_thread_num());
#pragma omp taskwait
      atomic_store(&holder, -1);
    }
  } else {
    omp_set_lock(&lock);
    atomic_store(&holder, omp_get_thread_num());
#pragma omp taskwait
    atomic_store(&holder, -1);
    omp_unset_lock(&lock);
  }
}

static void rounds(int use_critical) {
  atomic_store(&violations, 0);
  atomic_store(&dep_children, 0);
  counted = 0;
  for (int r = 0; r < ROUNDS; r++) {
#pragma omp parallel
#pragma omp master
    {
      /* A dependence puts them in ws's deque of descriptors, where a
       * waiting thread's search looks (an item each: none waits). */
      static char items[UNRELATED];
      (void)items; /* (unused serially) */
      for (int i = 0; i < UNRELATED; i++) {
#pragma omp task depend(inout : items[i])
        unrelated(use_critical);
      }
#pragma omp task
      waiter(use_critical);
    }
  }
  printf("%s across taskwait, children made before it was taken: "
         "%ld unrelated tasks counted, %ld run by the holder's thread, "
         "%ld children with a dependence\n",
         use_critical ? "critical" : "lock", counted,
         (long)atomic_load(&violations), (long)atomic_load(&dep_children));
}

int main(void) {
  omp_init_lock(&lock);
  rounds(0);
  rounds(1);
  omp_destroy_lock(&lock);
  return 0;
}

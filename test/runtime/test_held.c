/*
 * test_held.c -- completions of stolen tasks that a worker holds back (one
 * atomic per batch of one frame's children) must reach their frame before
 * the worker leaves the runtime.
 *
 * An application thread E (not a worker) spawns many tiny tasks into its
 * frame and waits; the first task it runs itself holds it until worker 0
 * has stolen and run some.  Meanwhile main (worker 0) waits for a child that
 * keeps
 * running until worker 0 has run some of E's tasks during that wait; then
 * main returns from ws_wait and spins, outside the runtime, until E reports
 * that its wait returned.  If worker 0 still held E's completions, E's wait
 * could not return while main spins: the test fails at its deadline instead
 * of hanging.  A second part runs a producer/consumer loop (tiny tasks from
 * one external thread, stolen in batches) many times and checks every task
 * ran exactly once and every wait saw all of them.
 */
#include "test_util.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <ws.h>

static atomic_int e_ran_on_w0;
static atomic_long e_ran;
static atomic_int e_done;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void e_task(void *p) {
  (void)p;
  atomic_fetch_add(&e_ran, 1);
  if (ws_worker_id() == 0) {
    atomic_fetch_add(&e_ran_on_w0, 1);
    return;
  }
  /* E runs its own tasks when it waits: the first one it runs holds it
   * until worker 0 has stolen and run some (or a deadline passes). */
  double deadline = now_s() + 10;
  while (atomic_load(&e_ran_on_w0) < 50 && now_s() < deadline)
    ;
}

#define E_TASKS 20000

static atomic_int child_started;

static void *e_thread(void *arg) {
  (void)arg;
  /* Spawn only once worker 1 is busy with main's child: then worker 0,
   * waiting for that child, is the one that runs E's tasks. */
  double deadline = now_s() + 10;
  while (!atomic_load(&child_started) && now_s() < deadline)
    ;
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < E_TASKS; i++)
    ws_spawn(&f, e_task, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  atomic_store(&e_done, 1);
  return NULL;
}

/* main's child: runs on worker 1 until worker 0 has run some of E's tasks
 * while waiting for it (or a deadline passes: then the scenario was not
 * reached, which the checks below report). */
static void main_child(void *p) {
  (void)p;
  atomic_store(&child_started, 1);
  double deadline = now_s() + 10;
  while (atomic_load(&e_ran_on_w0) < 50 && now_s() < deadline)
    ;
}

static void part_return_with_held(void) {
  pthread_t e;
  pthread_create(&e, NULL, e_thread, NULL);
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, main_child, NULL, 0, WS_TIER_NORMAL, NULL);
  /* Let worker 1 steal the child, so that our wait runs E's tasks. */
  double deadline = now_s() + 10;
  while (!atomic_load(&child_started) && now_s() < deadline)
    ;
  ws_wait(&f);
  CHECK(atomic_load(&e_ran_on_w0) >= 1,
        "worker 0 ran none of E's tasks while waiting (%d)",
        atomic_load(&e_ran_on_w0));
  /* Outside the runtime now: E must finish without worker 0's help. */
  deadline = now_s() + 20;
  while (!atomic_load(&e_done) && now_s() < deadline)
    ;
  CHECK(atomic_load(&e_done), "E's wait did not return while worker 0 was "
                              "outside the runtime (held completions)");
  ws_yield(); /* (after a failure: enter the runtime so that E can finish) */
  pthread_join(e, NULL);
  CHECK(atomic_load(&e_ran) == E_TASKS, "E ran %ld tasks, want %d",
        atomic_load(&e_ran), E_TASKS);
}

/* ---- Producer/consumer rounds ------------------------------------------ */

static void mark(void *p) {
  atomic_uchar *slot = *(atomic_uchar **)p;
  atomic_fetch_add(slot, 1);
}

typedef struct producer_args {
  long n;
  int rounds;
  long bad;
} producer_args;

static void *producer(void *arg) {
  producer_args *a = arg;
  atomic_uchar *seen = calloc((size_t)a->n, 1);
  for (int r = 0; r < a->rounds; r++) {
    ws_frame f = WS_FRAME_INIT;
    for (long i = 0; i < a->n; i++) {
      atomic_uchar *slot = &seen[i];
      ws_spawn(&f, mark, &slot, sizeof slot, WS_TIER_NORMAL, NULL);
    }
    ws_wait(&f);
    /* Every task has completed, each exactly once, when the wait returns. */
    for (long i = 0; i < a->n; i++)
      if (atomic_exchange(&seen[i], 0) != 1)
        a->bad++;
  }
  free(seen);
  return NULL;
}

static void part_producer_consumer(void) {
  producer_args a = {ws_test_scaled(200000, 20000), 5, 0};
  pthread_t th;
  pthread_create(&th, NULL, producer, &a);
  pthread_join(th, NULL);
  CHECK(a.bad == 0, "%ld tasks not run exactly once before the wait returned",
        a.bad);
  /* The same from worker 0 (thieves hold completions of main's frame). */
  producer(&a);
  CHECK(a.bad == 0, "worker 0 as producer: %ld tasks not run exactly once",
        a.bad);
}

int main(void) {
  if (ws_init(2) != WS_OK) {
    fprintf(stderr, "ws_init(2) failed\n");
    return 1;
  }
  part_return_with_held();
  part_producer_consumer();
  ws_shutdown();
  return ws_test_finish("test_held");
}

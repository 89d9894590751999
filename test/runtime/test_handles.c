/*
 * test_handles.c -- handles (ws.h, "Handles"), at 1, 2 and 8 workers:
 *  - states: NONE before a spawn, PENDING while queued (1 worker: nobody
 *    else can start it) or held by depend, RUNNING while the body runs,
 *    DONE after, CANCELLED when a cancelled taskgroup skips it;
 *  - ws_handle_wait from the spawner and from another thread (which never
 *    spawned), several waiters on one handle, the body's writes visible;
 *  - the wait takes a pending task itself: waiting for the oldest of
 *    10 000 queued tasks finishes it first at 1 worker;
 *  - after the frame has ended the handle keeps its final state and the
 *    wait returns at once;
 *  - with if(false), final, depend (held), ws_spawn_last, timeouts;
 *  - a stress of 10^5 tasks with a handle each, waited for one by one in
 *    a scrambled order or by the frame, every body run exactly once.
 */
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

static ws_task_opts opts_h(ws_handle *h) {
  ws_task_opts o;
  memset(&o, 0, sizeof o);
  o.tier = WS_TIER_NORMAL;
  o.handle = h;
  return o;
}

static void ms_sleep(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- States ------------------------------------------------------------- */

static atomic_int g_started, g_release;
static int g_value;

static void blocker(void *p) {
  (void)p;
  atomic_store(&g_started, 1);
  while (!atomic_load(&g_release))
    sched_yield();
  g_value = 42;
}

static void states(int workers) {
  ws_handle h = WS_HANDLE_INIT;
  CHECK(ws_handle_state(&h) == WS_HANDLE_NONE, "fresh: %d",
        ws_handle_state(&h));
  CHECK(ws_handle_wait(&h) == WS_EINVAL, "wait on a fresh handle");
  CHECK(ws_handle_state(NULL) == WS_EINVAL && ws_handle_wait(NULL) == WS_EINVAL,
        "NULL handle");
  ws_frame f = WS_FRAME_INIT;
  atomic_store(&g_started, 0);
  atomic_store(&g_release, workers == 1);
  g_value = 0;
  ws_task_opts o = opts_h(&h);
  CHECK(ws_spawn_ex(&f, blocker, NULL, 0, &o) == WS_OK, "spawn");
  if (workers == 1) {
    /* Nobody but this thread can start it. */
    ms_sleep(5);
    CHECK(ws_handle_state(&h) == WS_HANDLE_PENDING, "1 worker: state %d",
          ws_handle_state(&h));
  } else {
    while (!atomic_load(&g_started))
      sched_yield();
    CHECK(ws_handle_state(&h) == WS_HANDLE_RUNNING, "%d workers: state %d",
          workers, ws_handle_state(&h));
    atomic_store(&g_release, 1);
  }
  CHECK(ws_handle_wait(&h) == WS_OK, "wait");
  CHECK(ws_handle_state(&h) == WS_HANDLE_DONE, "after wait: %d",
        ws_handle_state(&h));
  CHECK(g_value == 42, "the body's write is visible after the wait");
  ws_wait(&f);
  CHECK(ws_handle_state(&h) == WS_HANDLE_DONE, "after the frame");
}

/* ---- Another thread waits -------------------------------------------- */

typedef struct {
  ws_handle *h;
  int rc;
  int seen;
} waiter_arg;

static void *waiter(void *p) {
  waiter_arg *a = p;
  a->rc = ws_handle_wait(a->h);
  a->seen = g_value;
  return NULL;
}

static void other_threads(void) {
  ws_handle h = WS_HANDLE_INIT;
  ws_frame f = WS_FRAME_INIT;
  atomic_store(&g_started, 0);
  atomic_store(&g_release, 0);
  g_value = 0;
  ws_task_opts o = opts_h(&h);
  ws_spawn_ex(&f, blocker, NULL, 0, &o);
  enum { N = 3 };
  pthread_t t[N];
  waiter_arg a[N];
  for (int i = 0; i < N; i++) {
    a[i] = (waiter_arg){&h, -1, 0};
    pthread_create(&t[i], NULL, waiter, &a[i]);
  }
  ms_sleep(20); /* the waiters sleep on the handle (or run the body) */
  atomic_store(&g_release, 1);
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    CHECK(a[i].rc == WS_OK && a[i].seen == 42, "waiter %d: rc %d seen %d", i,
          a[i].rc, a[i].seen);
  }
  ws_wait(&f);
}

/* ---- The wait takes its task first --------------------------------------- */

static atomic_long g_done;
static long g_rank;

static void count_task(void *p) {
  (void)p;
  atomic_fetch_add(&g_done, 1);
}

static void ranked_task(void *p) {
  (void)p;
  g_rank = atomic_fetch_add(&g_done, 1) + 1;
}

static void rank(int workers) {
  enum { N = 10000 };
  ws_frame f = WS_FRAME_INIT;
  ws_handle h = WS_HANDLE_INIT;
  atomic_store(&g_done, 0);
  g_rank = 0;
  ws_task_opts o = opts_h(&h);
  /* Low tier: its deques queue up to 65536, so at 1 worker all 10 000 are
   * queued (a normal deque runs spawns beyond 4096 at once). */
  o.tier = WS_TIER_LOW;
  ws_spawn_ex(&f, ranked_task, NULL, 0, &o); /* the oldest */
  for (int i = 1; i < N; i++)
    ws_spawn(&f, count_task, NULL, 0, WS_TIER_LOW, NULL);
  CHECK(ws_handle_wait(&h) == WS_OK, "wait");
  long r = g_rank;
  ws_wait(&f);
  CHECK(atomic_load(&g_done) == N, "all ran: %ld", atomic_load(&g_done));
  /* At 1 worker the waiter runs it at once: first (the goal of issue 19;
   * without taking the body it would be last, after 9 999 newer tasks).
   * With thieves, one may have started it and be descheduled while the
   * waiter runs others (more workers than cores): only reported. */
  if (workers == 1)
    CHECK(r == 1, "rank %ld at 1 worker", r);
  else
    CHECK(r >= 1 && r <= N, "rank %ld at %d workers", r, workers);
  fprintf(stderr, "  rank of the awaited task among %d: %ld (%d workers)\n", N,
          r, workers);
}

/* ---- After the frame has ended ------------------------------------------ */

static void set_flag(void *p) { *(int *)*(int **)p = 1; }

static void spawn_two(ws_handle *done, ws_handle *cancelled, int *flags) {
  ws_frame f = WS_FRAME_INIT;
  int *p0 = &flags[0], *p1 = &flags[1];
  ws_task_opts o = opts_h(done);
  ws_spawn_ex(&f, set_flag, &p0, sizeof p0, &o);
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  ws_cancel(&g); /* before the spawn: it is skipped for sure */
  o = opts_h(cancelled);
  ws_spawn_ex(&g, set_flag, &p1, sizeof p1, &o);
  CHECK(ws_wait(&g) == WS_ECANCELED, "cancelled group");
  ws_wait(&f); /* the implicit wait at the end of the function */
}

static void after_frame(void) {
  ws_handle a = WS_HANDLE_INIT, b = WS_HANDLE_INIT;
  int flags[2] = {0, 0};
  spawn_two(&a, &b, flags);
  CHECK(ws_handle_state(&a) == WS_HANDLE_DONE, "a: %d", ws_handle_state(&a));
  CHECK(ws_handle_state(&b) == WS_HANDLE_CANCELLED, "b: %d",
        ws_handle_state(&b));
  CHECK(ws_handle_wait(&a) == WS_OK, "wait a after the frame");
  CHECK(ws_handle_wait(&b) == WS_ECANCELED, "wait b after the frame");
  CHECK(flags[0] == 1 && flags[1] == 0, "flags %d %d", flags[0], flags[1]);
  /* A handle may be reused once its frame has ended. */
  ws_frame f = WS_FRAME_INIT;
  flags[0] = 0;
  int *p0 = &flags[0];
  ws_task_opts o = opts_h(&a);
  ws_spawn_ex(&f, set_flag, &p0, sizeof p0, &o);
  CHECK(ws_handle_wait(&a) == WS_OK && flags[0] == 1, "reused");
  ws_wait(&f);
}

/* ---- Cancellation while queued ----------------------------------------- */

static void cancel_queued(int workers) {
  enum { N = 200 };
  static ws_handle h[N];
  static int ran[N];
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  for (int i = 0; i < N; i++) {
    h[i] = (ws_handle)WS_HANDLE_INIT;
    ran[i] = 0;
    int *p = &ran[i];
    ws_task_opts o = opts_h(&h[i]);
    ws_spawn_ex(&g, set_flag, &p, sizeof p, &o);
  }
  ws_cancel(&g);
  /* A waiter on a task of the cancelled group gets WS_ECANCELED unless
   * the task had started already. */
  int rc = ws_handle_wait(&h[N - 1]);
  CHECK(rc == WS_ECANCELED || (rc == WS_OK && ran[N - 1]), "rc %d", rc);
  ws_wait(&g);
  int cancelled = 0;
  for (int i = 0; i < N; i++) {
    int s = ws_handle_state(&h[i]);
    CHECK((s == WS_HANDLE_DONE && ran[i]) ||
              (s == WS_HANDLE_CANCELLED && !ran[i]),
          "task %d: state %d ran %d", i, s, ran[i]);
    cancelled += s == WS_HANDLE_CANCELLED;
  }
  if (workers == 1)
    CHECK(cancelled == N, "1 worker: %d of %d cancelled", cancelled, N);
}

/* ---- if(false), final, spawn_last, depend, timeout ---------------------- */

static ws_handle g_inner;
static int g_inner_ran;

static void final_body(void *p) {
  (void)p;
  ws_frame f = WS_FRAME_INIT;
  int *q = &g_inner_ran;
  ws_task_opts o = opts_h(&g_inner);
  ws_spawn_ex(&f, set_flag, &q, sizeof q, &o);
  /* Inside a final task every spawn runs inline: done already. */
  CHECK(ws_handle_state(&g_inner) == WS_HANDLE_DONE && g_inner_ran,
        "final: inner state %d", ws_handle_state(&g_inner));
  ws_wait(&f);
}

static void timed_body(void *p) {
  (void)p;
  while (!ws_cancelled())
    sched_yield();
}

static void blocks_until_released(void *p) {
  (void)p;
  while (!atomic_load(&g_release))
    sched_yield();
}

static void variants(int workers) {
  ws_frame f = WS_FRAME_INIT;
  int ran = 0, *p = &ran;
  ws_handle h = WS_HANDLE_INIT;
  ws_task_opts o = opts_h(&h);
  o.flags = WS_TASK_UNDEFERRED;
  ws_spawn_ex(&f, set_flag, &p, sizeof p, &o);
  CHECK(ws_handle_state(&h) == WS_HANDLE_DONE && ran, "if(false): %d",
        ws_handle_state(&h));

  ws_handle hf = WS_HANDLE_INIT;
  g_inner = (ws_handle)WS_HANDLE_INIT;
  g_inner_ran = 0;
  o = opts_h(&hf);
  o.flags = WS_TASK_FINAL;
  ws_spawn_ex(&f, final_body, NULL, 0, &o);
  CHECK(ws_handle_wait(&hf) == WS_OK, "final task");

  /* Handles next to a ws_spawn_last direct run. */
  ws_handle hs[4];
  int r4[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++) {
    hs[i] = (ws_handle)WS_HANDLE_INIT;
    int *q = &r4[i];
    o = opts_h(&hs[i]);
    ws_spawn_ex(&f, set_flag, &q, sizeof q, &o);
  }
  int last = 0, *ql = &last;
  ws_spawn_last(&f, set_flag, &ql, sizeof ql, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&f) == WS_OK, "wait");
  for (int i = 0; i < 4; i++)
    CHECK(ws_handle_state(&hs[i]) == WS_HANDLE_DONE && r4[i], "spawn_last %d",
          i);
  CHECK(last, "the last task ran");

  /* depend: a reader held behind a writer is PENDING, then DONE. */
  static int x;
  ws_dep wdep = {&x, sizeof x, WS_DEP_OUT}, rdep = {&x, sizeof x, WS_DEP_IN};
  atomic_store(&g_release, 0);
  ws_task_opts ow;
  memset(&ow, 0, sizeof ow);
  ow.tier = WS_TIER_NORMAL;
  ow.deps = &wdep;
  ow.num_deps = 1;
  ws_spawn_ex(&f, blocks_until_released, NULL, 0, &ow);
  ws_handle hd = WS_HANDLE_INIT;
  int rd = 0, *qd = &rd;
  o = opts_h(&hd);
  o.deps = &rdep;
  o.num_deps = 1;
  ws_spawn_ex(&f, set_flag, &qd, sizeof qd, &o);
  ms_sleep(2);
  CHECK(ws_handle_state(&hd) == WS_HANDLE_PENDING, "held: %d",
        ws_handle_state(&hd));
  atomic_store(&g_release, 1);
  CHECK(ws_handle_wait(&hd) == WS_OK && rd, "held task waited for");
  ws_wait(&f);

  /* A cancelled group's held task: CANCELLED. */
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  atomic_store(&g_release, 0);
  ws_spawn_ex(&g, blocks_until_released, NULL, 0, &ow);
  ws_handle hc = WS_HANDLE_INIT;
  int rc_ran = 0, *qc = &rc_ran;
  o = opts_h(&hc);
  o.deps = &rdep;
  o.num_deps = 1;
  ws_spawn_ex(&g, set_flag, &qc, sizeof qc, &o);
  ws_cancel(&g);
  atomic_store(&g_release, 1);
  ws_wait(&g);
  CHECK(ws_handle_state(&hc) == WS_HANDLE_CANCELLED && !rc_ran,
        "held and cancelled: %d ran %d", ws_handle_state(&hc), rc_ran);

  /* A timed task runs past its timeout, sees the cancellation, ends: DONE. */
  ws_handle ht = WS_HANDLE_INIT;
  o = opts_h(&ht);
  o.timeout_ms = 5;
  ws_spawn_ex(&f, timed_body, NULL, 0, &o);
  CHECK(ws_handle_wait(&ht) == WS_OK, "timed task");
  CHECK(ws_handle_state(&ht) == WS_HANDLE_DONE, "timed: %d",
        ws_handle_state(&ht));
  ws_wait(&f);
  (void)workers;
}

/* ---- Stress ------------------------------------------------------------- */

static unsigned char *g_runs;

static void stress_body(void *p) {
  long i;
  memcpy(&i, p, sizeof i);
  g_runs[i]++;
}

static void stress(int workers) {
  long n = ws_test_scaled(100000, 10000);
  ws_handle *h = malloc(sizeof *h * (size_t)n);
  g_runs = calloc((size_t)n, 1);
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < n; i++) {
    h[i] = (ws_handle)WS_HANDLE_INIT;
    ws_task_opts o = opts_h(&h[i]);
    o.tier = (int)(i % 3);
    ws_spawn_ex(&f, stress_body, &i, sizeof i, &o);
    /* Now and then wait for an earlier one, in a scrambled order. */
    if (i % 7 == 3) {
      long j = (i * 7919) % (i + 1);
      CHECK(ws_handle_wait(&h[j]) == WS_OK, "wait %ld", j);
      CHECK(g_runs[j] == 1, "task %ld ran %d times when waited for", j,
            g_runs[j]);
    }
  }
  CHECK(ws_wait(&f) == WS_OK, "frame");
  long bad = 0;
  for (long i = 0; i < n; i++)
    bad += ws_handle_state(&h[i]) != WS_HANDLE_DONE || g_runs[i] != 1;
  CHECK(bad == 0, "%ld of %ld tasks not DONE exactly once at %d workers", bad,
        n, workers);
  free(h);
  free(g_runs);
}

int main(void) {
  int counts[] = {1, 2, 8};
  for (int k = 0; k < 3; k++) {
    int workers = counts[k];
    CHECK(ws_init(workers) == WS_OK, "ws_init(%d)", workers);
    states(workers);
    other_threads();
    rank(workers);
    after_frame();
    cancel_queued(workers);
    variants(workers);
    stress(workers);
    CHECK(ws_shutdown() == WS_OK, "shutdown");
  }
  return ws_test_finish("test_handles");
}

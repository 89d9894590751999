/*
 * test_spawn_last.c -- ws_spawn_last, the last spawn before a wait:
 *  - on a worker with nothing of a higher tier queued it runs the task before
 *    it returns (the fast path exists), on a private copy of the captures;
 *  - a queued task of a higher tier still starts first (the spawn is
 *    queued), one of the same tier after it (as the wait would order them);
 *  - it counts as spawned and executed, or cancelled in a cancelled
 *    taskgroup (the body never runs); inside a final task it runs inline;
 *  - big captures, out-of-range tiers, argument errors, non-worker threads;
 *  - many spawns (every 32nd decision is a periodic one: queued instead);
 *  - a recursive fib mixing ws_spawn and ws_spawn_last on more workers than
 *    cores: right result, every task once;
 *  - the same direct run serves ws_spawn into a deque full at its limit:
 *    exactly the spawns past the limit run at once, each once, on its own
 *    copy of the captures, and are skipped in a cancelled taskgroup.
 */
#include "test_util.h"
#include "worker.h" /* WS__DEQUE_LIMIT */
#include "ws.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

static ws_stats totals(void) {
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  return s;
}

/* ---- Order of starts ---------------------------------------------------- */

static _Atomic int g_next;
static int g_order[8];

static void record(void *p) {
  g_order[atomic_fetch_add(&g_next, 1)] = *(int *)p;
}

/* Every 32nd scheduling decision is a periodic one, for which a last spawn
 * is queued instead (test_many); two in a row never are.  So a check that
 * the task ran at once gets two tries. */
static void test_runs_at_once(void) {
  ws_stats s0 = totals();
  int direct = 0, tries = 0;
  while (!direct && tries < 2) {
    ws_frame f = WS_FRAME_INIT;
    atomic_store(&g_next, 0);
    int id = 1;
    CHECK(ws_spawn_last(&f, record, &id, sizeof id, WS_TIER_NORMAL, NULL) ==
              WS_OK,
          "spawn_last");
    direct = atomic_load(&g_next) == 1;
    CHECK(ws_wait_pending(&f) == WS_OK, "wait");
    CHECK(atomic_load(&g_next) == 1, "ran once");
    tries++;
  }
  CHECK(direct, "the task ran before ws_spawn_last returned");
  ws_stats s1 = totals();
  CHECK(s1.spawned - s0.spawned == (uint64_t)tries, "spawned %llu",
        (unsigned long long)(s1.spawned - s0.spawned));
  CHECK(s1.executed[WS_TIER_NORMAL] - s0.executed[WS_TIER_NORMAL] ==
            (uint64_t)tries,
        "executed");
  CHECK(s1.inline_runs == s0.inline_runs, "not an inline run (if/final)");
}

static void test_higher_tier_first(void) {
  ws_frame f = WS_FRAME_INIT;
  atomic_store(&g_next, 0);
  int high = 1, normal = 2;
  ws_spawn(&f, record, &high, sizeof high, WS_TIER_HIGH, NULL);
  ws_spawn_last(&f, record, &normal, sizeof normal, WS_TIER_NORMAL, NULL);
  CHECK(atomic_load(&g_next) == 0, "ran ahead of a queued high task");
  ws_wait(&f);
  CHECK(atomic_load(&g_next) == 2 && g_order[0] == 1 && g_order[1] == 2,
        "order %d %d (want high, then normal)", g_order[0], g_order[1]);
}

static void test_same_tier_after(void) {
  int direct = 0;
  for (int tries = 0; !direct && tries < 2; tries++) { /* see above */
    ws_frame f = WS_FRAME_INIT;
    atomic_store(&g_next, 0);
    int first = 1, last = 2;
    ws_spawn(&f, record, &first, sizeof first, WS_TIER_NORMAL, NULL);
    ws_spawn_last(&f, record, &last, sizeof last, WS_TIER_NORMAL, NULL);
    direct = atomic_load(&g_next) == 1 && g_order[0] == 2;
    ws_wait(&f);
    /* Queued or not, the last spawn starts first (LIFO). */
    CHECK(atomic_load(&g_next) == 2 && g_order[0] == 2 && g_order[1] == 1,
          "order %d %d", g_order[0], g_order[1]);
  }
  CHECK(direct, "the last spawn runs at once, as the wait's LIFO pop would");
}

/* ---- Captures, cancellation, final ------------------------------------- */

typedef struct big {
  int v[64]; /* 256 bytes: more than WS_INLINE_CAPTURE */
} big;

static void scribble(void *p) {
  int *v = p;
  v[0] += 100; /* a private copy: the spawner's bytes stay as they were */
  atomic_fetch_add(&g_next, 1);
}

static void test_captures(void) {
  ws_frame f = WS_FRAME_INIT;
  atomic_store(&g_next, 0);
  int small = 5;
  ws_spawn_last(&f, scribble, &small, sizeof small, WS_TIER_NORMAL, NULL);
  ws_wait_pending(&f);
  CHECK(small == 5, "small captures copied (%d)", small);
  big b = {{7}};
  ws_spawn_last(&f, scribble, &b, sizeof b, WS_TIER_NORMAL, NULL);
  ws_wait_pending(&f);
  CHECK(b.v[0] == 7, "big captures copied (%d)", b.v[0]);
  CHECK(atomic_load(&g_next) == 2, "both ran");
}

static _Atomic int g_ran;
static void mark(void *p) {
  (void)p;
  atomic_fetch_add(&g_ran, 1);
}

static void test_cancelled(void) {
  ws_stats s0 = totals();
  ws_frame g = WS_FRAME_INIT;
  atomic_store(&g_ran, 0);
  ws_taskgroup_begin(&g);
  ws_cancel(&g);
  CHECK(ws_spawn_last(&g, mark, NULL, 0, WS_TIER_NORMAL, NULL) == WS_OK,
        "spawn_last into a cancelled group");
  CHECK(ws_wait(&g) == WS_ECANCELED, "the group reports its cancellation");
  ws_stats s1 = totals();
  CHECK(atomic_load(&g_ran) == 0, "a cancelled task's body never runs");
  CHECK(s1.cancelled - s0.cancelled == 1 && s1.spawned - s0.spawned == 1,
        "counted as spawned and cancelled");
}

static void final_body(void *p) {
  (void)p;
  ws_frame f = WS_FRAME_INIT;
  ws_spawn_last(&f, mark, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(atomic_load(&g_ran) == 1, "inside final: ran at once");
  ws_wait_pending(&f);
}

static void test_final(void) {
  ws_stats s0 = totals();
  atomic_store(&g_ran, 0);
  ws_frame f = WS_FRAME_INIT;
  ws_task_opts o = {.tier = WS_TIER_NORMAL, .flags = WS_TASK_FINAL};
  ws_spawn_ex(&f, final_body, NULL, 0, &o);
  ws_wait(&f);
  ws_stats s1 = totals();
  CHECK(s1.inline_runs - s0.inline_runs == 1,
        "inside a final task it is an inline run (%llu)",
        (unsigned long long)(s1.inline_runs - s0.inline_runs));
}

static void test_arguments(void) {
  ws_frame f = WS_FRAME_INIT;
  int x = 0;
  CHECK(ws_spawn_last(NULL, mark, NULL, 0, 1, NULL) == WS_EINVAL, "NULL frame");
  CHECK(ws_spawn_last(&f, NULL, NULL, 0, 1, NULL) == WS_EINVAL, "NULL fn");
  CHECK(ws_spawn_last(&f, mark, NULL, sizeof x, 1, NULL) == WS_EINVAL,
        "size without captures");
  ws_stats s0 = totals();
  atomic_store(&g_ran, 0);
  ws_spawn_last(&f, mark, NULL, 0, 99, NULL); /* clamped to critical */
  ws_spawn_last(&f, mark, NULL, 0, -5, NULL); /* clamped to low */
  ws_wait_pending(&f);
  ws_stats s1 = totals();
  CHECK(atomic_load(&g_ran) == 2, "both ran");
  CHECK(s1.executed[WS_TIER_CRITICAL] - s0.executed[WS_TIER_CRITICAL] == 1 &&
            s1.executed[WS_TIER_LOW] - s0.executed[WS_TIER_LOW] == 1,
        "tiers clamped");
}

/* Every 32nd scheduling decision is a periodic one, which the wait makes: a
 * long run of last spawns queues those, and still runs every task once. */
static void test_many(void) {
  ws_stats s0 = totals();
  atomic_store(&g_ran, 0);
  int n = 1000;
  for (int i = 0; i < n; i++) {
    ws_frame f = WS_FRAME_INIT;
    ws_spawn_last(&f, mark, NULL, 0, WS_TIER_NORMAL, NULL);
    ws_wait_pending(&f);
  }
  ws_stats s1 = totals();
  CHECK(atomic_load(&g_ran) == n, "ran %d of %d", atomic_load(&g_ran), n);
  CHECK(s1.spawned - s0.spawned == (uint64_t)n &&
            s1.executed[WS_TIER_NORMAL] - s0.executed[WS_TIER_NORMAL] ==
                (uint64_t)n,
        "counted");
}

/* ---- A thread that is not a worker --------------------------------------
 * (with a pool of more than one worker: worker 0, the main thread, is in
 * pthread_join and cannot run the queued task). */

static void *external_main(void *arg) {
  (void)arg;
  ws_frame f = WS_FRAME_INIT;
  ws_spawn_last(&f, mark, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  return NULL;
}

static void test_external(void) {
  atomic_store(&g_ran, 0);
  pthread_t th;
  pthread_create(&th, NULL, external_main, NULL);
  pthread_join(th, NULL);
  CHECK(atomic_load(&g_ran) == 1, "an external thread's task ran");
}

/* ---- fib on more workers than cores -------------------------------------- */

typedef struct fib_args {
  int n;
  long *out;
} fib_args;

static void fib_task(void *p);

static long fib(int n) {
  if (n < 2)
    return n;
  long x = 0, y = 0;
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n - 1, &x}, b = {n - 2, &y};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_spawn_last(&f, fib_task, &b, sizeof b, WS_TIER_NORMAL, NULL);
  ws_wait_pending(&f);
  return x + y;
}

static void fib_task(void *p) {
  fib_args *a = p;
  *a->out = fib(a->n);
}

static long fib_serial(int n) {
  return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

static void test_fib(void) {
  int n = (int)ws_test_scaled(27, 18);
  ws_stats_reset();
  long r = fib(n);
  CHECK(r == fib_serial(n), "fib(%d) = %ld", n, r);
  ws_stats s = totals();
  uint64_t ex = 0;
  for (int t = 0; t < WS_NUM_TIERS; t++)
    ex += s.executed[t];
  /* fib(n) spawns 2 (fib(n+1) - 1) tasks. */
  uint64_t want = 2 * (uint64_t)(fib_serial(n + 1) - 1);
  CHECK(s.spawned == want && ex == want && s.cancelled == 0,
        "spawned %llu executed %llu, want %llu each",
        (unsigned long long)s.spawned, (unsigned long long)ex,
        (unsigned long long)want);
}

/* ---- ws_spawn into a full deque ------------------------------------------ */

#define FULL_EXTRA 3000
static unsigned char g_seen[WS__DEQUE_LIMIT + FULL_EXTRA];

static void seen(void *p) {
  int i = *(int *)p;
  g_seen[i]++;
  atomic_fetch_add(&g_ran, 1);
}

static void test_full_deque(void) {
  int n = WS__DEQUE_LIMIT + FULL_EXTRA;
  memset(g_seen, 0, sizeof g_seen);
  atomic_store(&g_ran, 0);
  ws_stats s0 = totals();
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < n; i++)
    ws_spawn(&f, seen, &i, sizeof i, WS_TIER_NORMAL, NULL);
  CHECK(atomic_load(&g_ran) == FULL_EXTRA,
        "%d ran at their spawn, want the %d past the limit",
        atomic_load(&g_ran), FULL_EXTRA);
  ws_wait(&f);
  ws_stats s1 = totals();
  int once = 1;
  for (int i = 0; i < n; i++)
    once &= g_seen[i] == 1;
  CHECK(once && atomic_load(&g_ran) == n, "every task once, with its own i");
  CHECK(s1.inline_runs - s0.inline_runs == FULL_EXTRA &&
            s1.spawned - s0.spawned == (uint64_t)n &&
            s1.executed[WS_TIER_NORMAL] - s0.executed[WS_TIER_NORMAL] ==
                (uint64_t)n,
        "counted: inline %llu spawned %llu",
        (unsigned long long)(s1.inline_runs - s0.inline_runs),
        (unsigned long long)(s1.spawned - s0.spawned));

  /* In a cancelled taskgroup, queued and refused spawns alike are skipped. */
  ws_frame g = WS_FRAME_INIT;
  atomic_store(&g_ran, 0);
  ws_taskgroup_begin(&g);
  ws_cancel(&g);
  for (int i = 0; i < n; i++)
    ws_spawn(&g, seen, &i, sizeof i, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&g) == WS_ECANCELED, "cancelled");
  ws_stats s2 = totals();
  CHECK(atomic_load(&g_ran) == 0 && s2.cancelled - s1.cancelled == (uint64_t)n,
        "ran %d, cancelled %llu of %d", atomic_load(&g_ran),
        (unsigned long long)(s2.cancelled - s1.cancelled), n);
}

int main(void) {
  CHECK(ws_init(1) == WS_OK, "init 1");
  test_runs_at_once();
  test_higher_tier_first();
  test_same_tier_after();
  test_captures();
  test_cancelled();
  test_final();
  test_arguments();
  test_many();
  test_full_deque();
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  CHECK(ws_init(4) == WS_OK, "init 4");
  test_fib();
  test_external();
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  return ws_test_finish("test_spawn_last");
}

/*
 * test_tiers.c -- priority tiers, aging and starvation, all rank-based:
 *  1. one worker: whenever a task starts, no task of a higher tier is
 *     queued (random tiers, nested spawns, nesting below the runtime's
 *     limit of 512 tasks on one stack);
 *  2. aging: with WS_STARVATION_MS=5 a low task queued behind 200 normal
 *     tasks (1 ms each) is promoted (promotions > 0) and starts before the
 *     last normal one, which strict priority would not allow; the same for
 *     and (one worker) an application thread runs its own low task in its
 *     wait while worker 0 holds a queue of normal ones and does not wait;
 *  3. saturation: 3 workers busy with a long queue of low tasks; a high (and
 *     then a critical) task spawned by worker 0 -- and one spawned by an
 *     application thread -- starts among the next few tasks to start;
 *  4. a deque that was full and has been drained queues again: a high task
 *     spawned after it is not run at its spawn (it waits for a sibling
 *     spawned after it, which would never come).
 */
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

/* ---- 1. strict order on one worker ----------------------------------------
 */

static int g_queued[WS_NUM_TIERS]; /* one worker: plain ints are enough */
static long g_violations, g_started;
static uint64_t g_rng = 0x1234567;

static int rand_tier(void) {
  g_rng ^= g_rng << 13;
  g_rng ^= g_rng >> 7;
  g_rng ^= g_rng << 17;
  return (int)(g_rng % 4);
}

typedef struct {
  int tier, depth;
} order_args;

static void order_task(void *p) {
  order_args *a = p;
  g_queued[a->tier]--;
  g_started++;
  for (int t = a->tier + 1; t < WS_NUM_TIERS; t++)
    if (g_queued[t] > 0 && g_violations++ < 5)
      fprintf(stderr, "tier %d task started while %d tier-%d tasks queued\n",
              a->tier, g_queued[t], t);
  if (a->depth < 2) {
    ws_frame f = WS_FRAME_INIT;
    for (int k = 0; k < 3; k++) {
      order_args c = {rand_tier(), a->depth + 1};
      g_queued[c.tier]++;
      ws_spawn(&f, order_task, &c, sizeof c, c.tier, NULL);
    }
    ws_wait(&f);
  }
}

static void test_order(void) {
  setenv("WS_STARVATION_MS", "1000000", 1); /* no aging here */
  CHECK(ws_init(1) == WS_OK, "init");
  ws_frame f = WS_FRAME_INIT;
  /* Waiting tasks run queued ones nested on the stack; strict order holds
   * up to 512 nested tasks (deeper waits run only their own children). */
  for (int i = 0; i < 150; i++) {
    order_args a = {rand_tier(), 0};
    g_queued[a.tier]++;
    ws_spawn(&f, order_task, &a, sizeof a, a.tier, NULL);
  }
  ws_wait(&f);
  CHECK(g_violations == 0, "%ld tier-order violations", g_violations);
  CHECK(g_started == 150 + 150 * 3 + 150 * 9, "started %ld", g_started);
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  CHECK(s.executed[0] > 0 && s.executed[1] > 0 && s.executed[2] > 0 &&
            s.executed[3] > 0,
        "every tier ran");
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- 2. aging -------------------------------------------------------------
 */

static long g_rank, g_low_rank = -1;

static void sleep_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void normal_task(void *p) {
  (void)p;
  g_rank++;
  sleep_ms(1);
}

static void low_task(void *p) {
  (void)p;
  g_low_rank = g_rank++;
}

static void test_aging(void) {
  setenv("WS_STARVATION_MS", "5", 1);
  CHECK(ws_init(1) == WS_OK, "init");
  ws_stats_reset();
  ws_frame f = WS_FRAME_INIT;
  int normals = 200;
  ws_spawn(&f, low_task, NULL, 0, WS_TIER_LOW, NULL);
  for (int i = 0; i < normals; i++)
    ws_spawn(&f, normal_task, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  CHECK(s.promotions > 0, "no promotion");
  CHECK(g_low_rank >= 0 && g_low_rank < normals,
        "low task started at rank %ld of %d (strict order: %d)", g_low_rank,
        normals + 1, normals);
  fprintf(stderr,
          "aging: low task started at rank %ld of %d, %llu promotions\n",
          g_low_rank, normals + 1, (unsigned long long)s.promotions);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  unsetenv("WS_STARVATION_MS");
}

/* One worker, and worker 0 (this thread) holds 300 queued normal tasks
 * without waiting: an application thread that spawns a low task and waits
 * for it runs it itself -- its wait needs neither worker 0 nor any pool
 * thread (with the first design, where other threads' tasks went to a
 * queue that only workers served, this join never returned). */
static _Atomic int g_app_done;

static void *app_low(void *arg) {
  (void)arg;
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, low_task, NULL, 0, WS_TIER_LOW, NULL);
  ws_wait(&f);
  atomic_store(&g_app_done, 1);
  return NULL;
}

static void test_app_thread_one_worker(void) {
  CHECK(ws_init(1) == WS_OK, "init");
  g_rank = 0;
  g_low_rank = -1;
  ws_frame f = WS_FRAME_INIT;
  int normals = 300;
  for (int i = 0; i < normals; i++)
    ws_spawn(&f, normal_task, NULL, 0, WS_TIER_NORMAL, NULL);
  pthread_t th;
  pthread_create(&th, NULL, app_low, NULL);
  pthread_join(th, NULL); /* before worker 0 runs anything */
  CHECK(atomic_load(&g_app_done) == 1, "the thread's wait returned");
  CHECK(g_low_rank == 0, "the thread's low task started at rank %ld, want 0",
        g_low_rank);
  ws_wait(&f);
  CHECK(g_rank == normals + 1, "ran %ld of %d", g_rank, normals + 1);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- 3. saturation ----------------------------------------------------------
 */

static _Atomic long g_starts;
static _Atomic long g_hi_rank;
static _Atomic uint64_t g_sink;

static void busy_low(void *p) {
  (void)p;
  atomic_fetch_add(&g_starts, 1);
  uint64_t x = 1;
  /* ~0.1-0.5 ms of work, not time; the relaxed load keeps the compiler from
   * folding the loop into a closed form. */
  for (int i = 0; i < 100000; i++)
    x = x * 6364136223846793005ull +
        atomic_load_explicit(&g_sink, memory_order_relaxed) + 1;
  atomic_store_explicit(&g_sink, x, memory_order_relaxed);
}

static void hi_task(void *p) {
  (void)p;
  atomic_store(&g_hi_rank, atomic_fetch_add(&g_starts, 1));
}

typedef struct {
  int tier;
  long rank_at_spawn;
} inject_args;

static void *injector(void *p) {
  inject_args *a = p;
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, hi_task, NULL, 0, a->tier, NULL);
  /* Read after the spawn returned: the task is queued by then (reading it
   * before could count starts that happened while this thread was off the
   * CPU before the task was even queued). */
  a->rank_at_spawn = atomic_load(&g_starts);
  ws_wait(&f);
  return NULL;
}

static void saturation(int tier, int from_thread) {
  const int workers = 3, lows = 400;
  ws_frame f = WS_FRAME_INIT;
  atomic_store(&g_starts, 0);
  atomic_store(&g_hi_rank, -1);
  for (int i = 0; i < lows; i++)
    ws_spawn(&f, busy_low, NULL, 0, WS_TIER_LOW, NULL);
  /* Worker 0 (this thread) does not run tasks until it waits: the two pool
   * workers are saturated. */
  while (atomic_load(&g_starts) < 20)
    sched_yield();
  long at;
  if (from_thread) {
    inject_args a = {tier, 0};
    pthread_t th;
    pthread_create(&th, NULL, injector, &a);
    pthread_join(th, NULL); /* the injector waits for its task */
    at = a.rank_at_spawn;
  } else {
    ws_frame hf = WS_FRAME_INIT;
    ws_spawn(&hf, hi_task, NULL, 0, tier, NULL);
    at = atomic_load(&g_starts); /* after: see injector() */
    while (atomic_load(&g_hi_rank) < 0)
      sched_yield();
    ws_wait(&hf);
  }
  long rank = atomic_load(&g_hi_rank);
  ws_wait(&f);
  CHECK(rank >= 0 && rank - at <= 2 * workers,
        "tier %d task (%s) spawned at rank %ld started at rank %ld", tier,
        from_thread ? "app thread" : "worker 0", at, rank);
  CHECK(atomic_load(&g_starts) == lows + 1, "starts %ld",
        atomic_load(&g_starts));
  fprintf(stderr, "saturation: tier %d (%s) spawned at %ld, started at %ld\n",
          tier, from_thread ? "app thread" : "worker 0", at, rank);
}

static void test_saturation(void) {
  CHECK(ws_init(3) == WS_OK, "init");
  saturation(WS_TIER_HIGH, 0);
  saturation(WS_TIER_CRITICAL, 0);
  saturation(WS_TIER_HIGH, 1);
  saturation(WS_TIER_CRITICAL, 1);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- 4. a drained deque queues again -------------------------------------
 * One worker fills its high deque to its limit: the spawn after that finds
 * it full and runs the task at once, and the next few spawns refuse without
 * a look at the deque (its full_skip).  After the wait has drained it, a
 * task is queued again: `first` waits for `second`, spawned after it, which
 * the wait runs first (newest first).  Run at its spawn instead, `first`
 * would wait in vain (2 s: the failure). */
static _Atomic int g_second_ran;
static _Atomic int g_first_saw;
static void nothing(void *p) { (void)p; }
static void second(void *p) {
  (void)p;
  atomic_store(&g_second_ran, 1);
}
static void first(void *p) {
  (void)p;
  struct timespec t0, t;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  do {
    if (atomic_load(&g_second_ran)) {
      atomic_store(&g_first_saw, 1);
      return;
    }
    clock_gettime(CLOCK_MONOTONIC, &t);
  } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 <
           2000);
}

static void test_drained_queues_again(void) {
  CHECK(ws_init(1) == WS_OK, "init");
  ws_task_opts high = {.tier = WS_TIER_HIGH};
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 5000; i++) /* more than the deque's limit (4096) */
    ws_spawn_ex(&f, nothing, NULL, 0, &high);
  ws_wait(&f);
  atomic_store(&g_second_ran, 0);
  atomic_store(&g_first_saw, 0);
  ws_spawn_ex(&f, first, NULL, 0, &high);
  ws_spawn_ex(&f, second, NULL, 0, &high);
  ws_wait(&f);
  CHECK(atomic_load(&g_first_saw) == 1,
        "a task spawned after the deque was drained ran at its spawn, "
        "before its later sibling");
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

int main(void) {
  test_drained_queues_again();
  test_order();
  test_aging();
  test_app_thread_one_worker();
  test_saturation();
  return ws_test_finish("test_tiers");
}

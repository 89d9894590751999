/*
 * test_stats.c -- statistics and pool lifetime:
 *  - the counters add up: executed == spawned, per worker sums == total;
 *  - two workers with enough work steal (stolen > 0, attempts >= stolen);
 *  - init/shutdown cycles with different worker counts, lazy start with
 *    WS_NUM_WORKERS, ws_shutdown refused from a task and from another
 *    thread, ws_stats_reset, ws_stats_get with no pool, ws_stats_print.
 */
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

static _Atomic long g_count;

typedef struct {
  int n;
} fib_args;

static void fib_task(void *p) {
  int n = ((fib_args *)p)->n;
  atomic_fetch_add_explicit(&g_count, 1, memory_order_relaxed);
  if (n < 2)
    return;
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n - 1}, b = {n - 2};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_spawn(&f, fib_task, &b, sizeof b, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
}

/* Tasks in fib_task(n): T(n) = 1 + T(n-1) + T(n-2), T(0) = T(1) = 1. */
static long tasks_of(int n) {
  return n < 2 ? 1 : 1 + tasks_of(n - 1) + tasks_of(n - 2);
}

static int g_shutdown_rc;
static void try_shutdown(void *p) {
  (void)p;
  g_shutdown_rc = ws_shutdown();
}
static void *shutdown_thread(void *p) {
  *(int *)p = ws_shutdown();
  return NULL;
}

static void run_cycle(int workers, int n) {
  CHECK(ws_init(workers) == WS_OK, "init %d", workers);
  CHECK(ws_num_workers() == workers, "workers %d != %d", ws_num_workers(),
        workers);
  ws_stats_reset();
  atomic_store(&g_count, 0);
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  long want = tasks_of(n);
  /* With more than one worker something must be stolen.  A loaded machine
   * may keep the other workers off the CPU for one whole tree, so repeat
   * the tree (up to 200 times) until some work was stolen. */
  int rounds = 1;
  ws_stats peek;
  while (workers >= 2 && rounds < 200 &&
         (ws_stats_get(&peek, NULL, 0), peek.stolen == 0)) {
    ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
    ws_wait(&f);
    rounds++;
  }
  want *= rounds;
  ws_stats per[64], total;
  int got = ws_stats_get(&total, per, 64);
  CHECK(got == workers, "stats for %d workers", got);
  uint64_t spawned = 0, executed = 0, stolen = 0;
  for (int i = 0; i < got && i < 64; i++) {
    spawned += per[i].spawned;
    for (int t = 0; t < WS_NUM_TIERS; t++)
      executed += per[i].executed[t];
    stolen += per[i].stolen;
    CHECK(per[i].steal_attempts >= per[i].steal_failures, "attempts");
  }
  CHECK(atomic_load(&g_count) == want, "ran %ld of %ld", atomic_load(&g_count),
        want);
  CHECK(spawned == (uint64_t)want && executed == spawned,
        "%d workers: spawned %llu executed %llu want %ld", workers,
        (unsigned long long)spawned, (unsigned long long)executed, want);
  CHECK(total.spawned == spawned && total.stolen == stolen, "total = sum");
  CHECK(total.executed[WS_TIER_NORMAL] == executed, "all normal");
  if (workers >= 2)
    CHECK(stolen > 0, "%d workers and %ld tasks (%d trees), but nothing stolen",
          workers, want, rounds);
  else
    CHECK(stolen == 0 && total.steal_attempts == 0, "one worker steals");
  /* ws_shutdown is refused inside a task and from another thread. */
  ws_spawn(&f, try_shutdown, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  CHECK(g_shutdown_rc == WS_EBUSY, "shutdown from a task: %d", g_shutdown_rc);
  int rc = 0;
  pthread_t th;
  pthread_create(&th, NULL, shutdown_thread, &rc);
  pthread_join(th, NULL);
  CHECK(rc == WS_EBUSY, "shutdown from another thread: %d", rc);
  ws_stats_reset();
  ws_stats_get(&total, NULL, 0);
  CHECK(total.spawned == 0 && total.executed[WS_TIER_NORMAL] == 0,
        "reset: spawned %llu", (unsigned long long)total.spawned);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  CHECK(ws_stats_get(&total, NULL, 0) == 0, "no pool after shutdown");
  CHECK(ws_shutdown() == WS_OK, "second shutdown");
}

int main(void) {
  int n = (int)ws_test_scaled(25, 18);
  int cycles[] = {1, 3, 2, 4, 1, 2};
  for (int i = 0; i < 6; i++)
    run_cycle(cycles[i], n);
  /* Lazy start: the first spawn starts WS_NUM_WORKERS workers. */
  setenv("WS_NUM_WORKERS", "3", 1);
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {10};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  CHECK(ws_num_workers() == 3, "lazy start with %d workers", ws_num_workers());
  CHECK(ws_worker_id() == 0, "the spawning thread became worker 0");
  FILE *out = tmpfile();
  ws_stats_print(out);
  rewind(out);
  char line[512] = "";
  CHECK(fgets(line, sizeof line, out) && strstr(line, "3 workers"),
        "table header: %s", line);
  fclose(out);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  return ws_test_finish("test_stats");
}

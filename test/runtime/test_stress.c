/*
 * test_stress.c -- random spawn trees through the whole scheduler.
 *
 * Each task reserves ids for its children from a shared counter until the
 * budget (10^7 tasks per worker count; smaller under sanitizers) runs out,
 * spawns them with random tiers (some with captures larger than the inline
 * area, some into a taskgroup, some with a checkpoint), and waits.  Every
 * task checks its captures (a checksum of its id) and counts its run in a
 * per-id counter: every reserved id must run exactly once, and the
 * statistics must agree (executed == spawned).  Runs at 1, 2, 4 and 16
 * workers (16 > the cores of the CI machine), then with the passive and
 * active idle policies.
 *     test_stress [budget]
 */
#include "test_util.h"
#include "ws.h"

#include <stdatomic.h>
#include <stdint.h>

typedef struct {
  long id;
  uint64_t check;
  int depth;
} node_small;

typedef struct {
  long id;
  uint64_t check;
  int depth;
  uint64_t fill[30]; /* 256 bytes: heap captures */
} node_big;

static _Atomic unsigned char *g_runs;
static _Atomic long g_next, g_bad_captures;
static long g_budget;

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}

#define MAX_DEPTH 40 /* tree depth (and task nesting) bound */

static void node(long id, int depth);

static void node_small_fn(void *p) {
  node_small *a = p;
  if (a->check != mix((uint64_t)a->id))
    atomic_fetch_add(&g_bad_captures, 1);
  node(a->id, a->depth);
}

static void node_big_fn(void *p) {
  node_big *a = p;
  int ok = a->check == mix((uint64_t)a->id);
  for (int i = 0; i < 30; i++)
    ok &= a->fill[i] == mix((uint64_t)a->id + (uint64_t)i + 1);
  if (!ok)
    atomic_fetch_add(&g_bad_captures, 1);
  node(a->id, a->depth);
}

static void node(long id, int depth) {
  if (id < 0 || id >= g_budget) {
    atomic_fetch_add(&g_bad_captures, 1);
    return;
  }
  atomic_fetch_add_explicit(&g_runs[id], 1, memory_order_relaxed);
  uint64_t h = mix((uint64_t)id ^ 0x5bd1e995u);
  /* 0..4 children, mean 2: the tree grows until the budget runs out. */
  int kids = id == 0 ? 4 : depth >= MAX_DEPTH ? 0 : (int)(h % 5);
  ws_frame f = WS_FRAME_INIT, g = WS_FRAME_INIT;
  int use_group = ((h >> 8) & 63) == 0;
  if (use_group)
    ws_taskgroup_begin(&g);
  for (int k = 0; k < kids; k++) {
    long cid = atomic_fetch_add_explicit(&g_next, 1, memory_order_relaxed);
    if (cid >= g_budget)
      break;
    int tier = (int)((h >> (16 + 2 * k)) & 3);
    ws_frame *into = use_group && (k & 1) ? &g : &f;
    if (((h >> (32 + k)) & 15) == 0) {
      node_big a = {cid, mix((uint64_t)cid), depth + 1, {0}};
      for (int i = 0; i < 30; i++)
        a.fill[i] = mix((uint64_t)cid + (uint64_t)i + 1);
      ws_spawn(into, node_big_fn, &a, sizeof a, tier, NULL);
    } else {
      node_small a = {cid, mix((uint64_t)cid), depth + 1};
      ws_spawn(into, node_small_fn, &a, sizeof a, tier, NULL);
    }
  }
  if (((h >> 48) & 31) == 0)
    ws_yield();
  ws_wait(&f);
  if (use_group)
    ws_wait(&g);
}

static void run(int workers, long budget) {
  CHECK(ws_init(workers) == WS_OK, "ws_init(%d)", workers);
  CHECK(ws_num_workers() == workers, "workers %d", ws_num_workers());
  g_budget = budget;
  atomic_store(&g_next, 1);
  atomic_store(&g_bad_captures, 0);
  g_runs = calloc((size_t)budget, 1);
  ws_stats_reset();
  ws_frame root = WS_FRAME_INIT;
  node_small a = {0, mix(0), 0};
  ws_spawn(&root, node_small_fn, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_wait(&root);
  long reserved = atomic_load(&g_next);
  if (reserved > budget)
    reserved = budget;
  long bad = 0;
  for (long i = 0; i < budget; i++) {
    int want = i < reserved ? 1 : 0;
    if (atomic_load(&g_runs[i]) != want && bad++ < 5)
      fprintf(stderr, "task %ld ran %d times (want %d)\n", i,
              (int)atomic_load(&g_runs[i]), want);
  }
  CHECK(bad == 0, "%ld tasks did not run exactly once", bad);
  CHECK(atomic_load(&g_bad_captures) == 0, "%ld tasks saw bad captures",
        atomic_load(&g_bad_captures));
  ws_stats total;
  ws_stats_get(&total, NULL, 0);
  uint64_t executed = total.executed[0] + total.executed[1] +
                      total.executed[2] + total.executed[3];
  CHECK(total.spawned == (uint64_t)reserved, "spawned %llu != %ld",
        (unsigned long long)total.spawned, reserved);
  CHECK(executed == total.spawned, "executed %llu != spawned %llu",
        (unsigned long long)executed, (unsigned long long)total.spawned);
  CHECK(total.cancelled == 0, "cancelled %llu",
        (unsigned long long)total.cancelled);
  fprintf(stderr,
          "%2d workers: %ld tasks, stolen %llu (batches %llu), parks %llu, "
          "inline %llu\n",
          workers, reserved, (unsigned long long)total.stolen,
          (unsigned long long)total.batch_steals,
          (unsigned long long)total.parks,
          (unsigned long long)total.inline_runs);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  free((void *)g_runs);
}

int main(int argc, char **argv) {
  long budget = argc > 1 ? atol(argv[1]) : ws_test_scaled(10000000, 300000);
  int counts[] = {1, 2, 4, 16};
  for (int i = 0; i < 4; i++)
    run(counts[i], budget);
  /* The other idle policies: passive parks almost at once (wake-ups on
   * every path), active never parks. */
  setenv("WS_WAIT_POLICY", "passive", 1);
  run(4, budget / 4);
  setenv("WS_WAIT_POLICY", "active", 1);
  run(3, budget / 4);
  unsetenv("WS_WAIT_POLICY");
  return ws_test_finish("test_stress");
}

/*
 * test_loop_cancel.c -- ws_parallel_for inside a taskgroup that its own body
 * cancels.  Whatever the timing:
 *   - no iteration runs twice, and a leaf runs whole or not at all;
 *   - the reduction result equals the number of iterations that did run
 *     (skipped pieces contribute the identity, nothing else);
 *   - the loop returns WS_ECANCELED exactly when some iteration did not run.
 * On one worker (no thief) the outcome is exact: only the leaf that cancels
 * runs.  A loop in a taskgroup nobody cancels returns WS_OK.
 */
#include "ws.h"

#include "test_util.h"

#include <stdatomic.h>
#include <stdlib.h>

enum { TRIPS = 20000, GRAIN = 10 };

typedef struct cancel_loop {
  ws_frame *group;
  uint64_t cancel_at; /* iteration whose leaf cancels; UINT64_MAX: never */
  atomic_uchar seen[TRIPS];
  int schedule;
  int rc;
  long long result;
} cancel_loop;

static void ll_init(void *p) { *(long long *)p = 0; }
static void ll_add(void *into, const void *from) {
  *(long long *)into += *(const long long *)from;
}

static void body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  cancel_loop *c = cap;
  for (uint64_t i = lo; i < hi; i++) {
    if (i == c->cancel_at)
      ws_cancel(c->group);
    atomic_fetch_add_explicit(&c->seen[i], 1, memory_order_relaxed);
    ++*(long long *)part;
  }
}

static void loop_task(void *cap) {
  cancel_loop *c = *(cancel_loop **)cap;
  ws_loop l = {.trips = TRIPS,
               .grainsize = GRAIN,
               .schedule = c->schedule,
               .body = body,
               .captures = c,
               .red_size = sizeof(long long),
               .red_init = ll_init,
               .red_combine = ll_add};
  c->rc = ws_parallel_for(&l, &c->result);
}

static void run(int workers, uint64_t cancel_at, int schedule) {
  cancel_loop *c = calloc(1, sizeof *c);
  if (!c) {
    CHECK(0, "out of memory");
    return;
  }
  ws_frame group = WS_FRAME_INIT;
  c->group = &group;
  c->cancel_at = cancel_at;
  c->schedule = schedule;
  ws_taskgroup_begin(&group);
  ws_spawn(&group, loop_task, &c, sizeof c, WS_TIER_NORMAL, NULL);
  int wrc = ws_wait(&group);

  long long ran = 0;
  int twice = 0;
  for (uint64_t i = 0; i < TRIPS; i++) {
    int n = atomic_load(&c->seen[i]);
    ran += n;
    twice |= n > 1;
  }
  /* Leaves are GRAIN-sized ranges starting at multiples of GRAIN. */
  int partial_leaf = 0;
  for (uint64_t f = 0; f < TRIPS; f += GRAIN)
    for (uint64_t i = f + 1; i < f + GRAIN; i++)
      partial_leaf |= atomic_load(&c->seen[i]) != atomic_load(&c->seen[f]);

  CHECK(!twice, "an iteration ran twice");
  CHECK(!partial_leaf, "a leaf ran in part");
  CHECK(c->result == ran, "result %lld, but %lld iterations ran", c->result,
        ran);
  CHECK((c->rc == WS_ECANCELED) == (ran < TRIPS),
        "rc %d with %lld of %d iterations run", c->rc, ran, TRIPS);
  if (cancel_at == UINT64_MAX) {
    CHECK(c->rc == WS_OK && ran == TRIPS && wrc == WS_OK,
          "uncancelled loop: rc %d, wait %d, %lld iterations", c->rc, wrc, ran);
  } else {
    CHECK(wrc == WS_ECANCELED, "taskgroup wait returned %d", wrc);
    /* One worker runs leaf 0 first (it is the bottom of the caller's own
     * descent, and static runs it itself), so nothing else can start. */
    if (workers == 1 && cancel_at == 0)
      CHECK(ran == GRAIN && c->rc == WS_ECANCELED,
            "one worker: %lld iterations ran, want the cancelling leaf only",
            ran);
  }
  free(c);
}

int main(void) {
  const int worker_counts[] = {1, 2};
  for (int w = 0; w < 2; w++) {
    ws_shutdown();
    CHECK(ws_init(worker_counts[w]) == WS_OK, "init");
    for (int rep = 0; rep < 3; rep++)
      for (int s = WS_SCHEDULE_AUTO; s <= WS_SCHEDULE_STATIC; s++) {
        run(worker_counts[w], 0, s);
        run(worker_counts[w], TRIPS / 2 + 3, s);
        run(worker_counts[w], UINT64_MAX, s);
      }
  }
  ws_shutdown();
  return ws_test_finish("test_loop_cancel");
}

/*
 * test_loop_alloc.c -- ws_parallel_for with partials too large for the
 * splitting frame's stack, when their allocation fails: every iteration
 * still runs exactly once and every partial is combined (the result stays
 * correct; only bit-reproducibility may be lost, so the checks here are on
 * integers).  Uses the loop module's test hook ws__loop_set_alloc.
 */
#include "ws.h"

#include "test_util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Test hook in runtime/loop.c (not part of the public API). */
void ws__loop_set_alloc(void *(*alloc)(size_t));

static atomic_long alloc_calls;
static void *fail_always(size_t n) {
  (void)n;
  atomic_fetch_add(&alloc_calls, 1);
  return NULL;
}
static void *fail_every_other(size_t n) {
  return atomic_fetch_add(&alloc_calls, 1) % 2 ? NULL : malloc(n);
}

/* A histogram partial of 64 counters (512 bytes). */
#define BINS 64
typedef struct hist {
  long long bin[BINS];
  long long iterations;
} hist;

typedef struct state {
  atomic_uchar *seen;
} state;

static void hist_init(void *p) { memset(p, 0, sizeof(hist)); }
static void hist_combine(void *into, const void *from) {
  hist *a = into;
  const hist *b = from;
  for (int k = 0; k < BINS; k++)
    a->bin[k] += b->bin[k];
  a->iterations += b->iterations;
}
static void hist_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  state *s = cap;
  hist *h = part;
  for (uint64_t i = lo; i < hi; i++) {
    atomic_fetch_add_explicit(&s->seen[i], 1, memory_order_relaxed);
    h->bin[(i * 2654435761u) % BINS] += (long long)i;
    h->iterations++;
  }
}

static void run(void *(*alloc)(size_t), uint64_t trips, uint64_t grain,
                int schedule, const char *what) {
  state s = {calloc(trips, sizeof *s.seen)};
  if (!s.seen) {
    CHECK(0, "out of memory");
    return;
  }
  hist want;
  hist_init(&want);
  hist_body(0, trips, &s, &want);
  memset(s.seen, 0, trips);

  atomic_store(&alloc_calls, 0);
  ws__loop_set_alloc(alloc);
  ws_loop l = {.trips = trips,
               .grainsize = grain,
               .schedule = schedule,
               .body = hist_body,
               .captures = &s,
               .red_size = sizeof(hist),
               .red_init = hist_init,
               .red_combine = hist_combine};
  hist got;
  int rc = ws_parallel_for(&l, &got);
  ws__loop_set_alloc(NULL);

  CHECK(rc == WS_OK, "%s: rc %d", what, rc);
  CHECK(memcmp(&got, &want, sizeof got) == 0,
        "%s: result differs (%lld iterations, want %lld)", what, got.iterations,
        want.iterations);
  for (uint64_t i = 0; i < trips; i++)
    if (atomic_load(&s.seen[i]) != 1) {
      CHECK(0, "%s: iteration %llu ran %d times", what, (unsigned long long)i,
            (int)atomic_load(&s.seen[i]));
      break;
    }
  if (alloc != NULL)
    CHECK(atomic_load(&alloc_calls) > 0, "%s: the allocator was not used",
          what);
  free(s.seen);
}

int main(void) {
  const int schedules[] = {WS_SCHEDULE_AUTO, WS_SCHEDULE_STATIC};
  for (int k = 0; k < 2; k++) {
    run(NULL, 50000, 100, schedules[k], "malloc");
    run(fail_always, 50000, 100, schedules[k], "failing allocator");
    run(fail_every_other, 50000, 100, schedules[k], "flaky allocator");
    run(fail_every_other, 50000, 1, schedules[k], "flaky allocator, grain 1");
  }
  ws_shutdown();
  return ws_test_finish("test_loop_alloc");
}

/*
 * test_loop.c -- ws_parallel_for without reductions: every schedule, grain
 * and num_tasks setting covers every iteration exactly once; the leaf sizes
 * honour grainsize and num_tasks; a trips == UINT64_MAX loop tiles [0, trips)
 * exactly; nested loops inside tasks and inside loop bodies; error codes.
 *
 * Usage: test_loop [small]   ("small", or a sanitizer build, shrinks sizes)
 */
#include "ws.h"

#include "test_util.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Coverage: per-iteration counters ------------------------------------ */

typedef struct coverage {
  atomic_uchar *count;          /* per iteration */
  atomic_uint_fast64_t calls;   /* body calls */
  atomic_uint_fast64_t min_len; /* shortest range a body call got */
  atomic_uint_fast64_t max_len;
} coverage;

static void coverage_body(uint64_t lo, uint64_t hi, void *captures,
                          void *partial) {
  coverage *c = captures;
  if (partial != NULL || lo >= hi) {
    atomic_fetch_add(&c->calls, UINT64_C(1) << 40); /* flags a bad call */
    return;
  }
  for (uint64_t i = lo; i < hi; i++)
    atomic_fetch_add_explicit(&c->count[i], 1, memory_order_relaxed);
  atomic_fetch_add(&c->calls, 1);
  uint64_t len = hi - lo, cur = atomic_load(&c->min_len);
  while (len < cur && !atomic_compare_exchange_weak(&c->min_len, &cur, len))
    ;
  cur = atomic_load(&c->max_len);
  while (len > cur && !atomic_compare_exchange_weak(&c->max_len, &cur, len))
    ;
}

static const char *schedule_name(int s) {
  return s == WS_SCHEDULE_STATIC    ? "static"
         : s == WS_SCHEDULE_DYNAMIC ? "dynamic"
                                    : "auto";
}

static void check_coverage(uint64_t trips, uint64_t grain, uint64_t num_tasks,
                           int schedule) {
  coverage c;
  c.count = calloc(trips ? trips : 1, sizeof *c.count);
  if (!c.count) {
    CHECK(0, "out of memory");
    return;
  }
  atomic_init(&c.calls, 0);
  atomic_init(&c.min_len, UINT64_MAX);
  atomic_init(&c.max_len, 0);
  ws_loop loop = {.trips = trips,
                  .grainsize = grain,
                  .num_tasks = num_tasks,
                  .schedule = schedule,
                  .tier = WS_TIER_NORMAL,
                  .body = coverage_body,
                  .captures = &c};
  int rc = ws_parallel_for(&loop, NULL);
  const char *s = schedule_name(schedule);
  CHECK(rc == WS_OK, "rc %d trips %llu grain %llu tasks %llu %s", rc,
        (unsigned long long)trips, (unsigned long long)grain,
        (unsigned long long)num_tasks, s);
  uint64_t bad = 0;
  for (uint64_t i = 0; i < trips; i++)
    if (atomic_load_explicit(&c.count[i], memory_order_relaxed) != 1 &&
        bad++ == 0)
      CHECK(0, "iteration %llu ran %d times (trips %llu grain %llu %s)",
            (unsigned long long)i, (int)atomic_load(&c.count[i]),
            (unsigned long long)trips, (unsigned long long)grain, s);
  uint64_t calls = atomic_load(&c.calls);
  uint64_t min_len = atomic_load(&c.min_len), max_len = atomic_load(&c.max_len);
  if (trips == 0) {
    CHECK(calls == 0, "%llu body calls for trips 0", (unsigned long long)calls);
  } else {
    CHECK(calls >= 1 && calls <= trips, "%llu body calls for trips %llu",
          (unsigned long long)calls, (unsigned long long)trips);
    /* Leaves are as equal as possible: sizes differ by at most one. */
    CHECK(max_len - min_len <= 1, "leaf sizes %llu..%llu",
          (unsigned long long)min_len, (unsigned long long)max_len);
  }
  if (trips > 0 && grain > 0) {
    if (trips >= grain)
      CHECK(min_len >= grain && max_len < 2 * grain,
            "grain %llu: leaf sizes %llu..%llu (trips %llu %s)",
            (unsigned long long)grain, (unsigned long long)min_len,
            (unsigned long long)max_len, (unsigned long long)trips, s);
    else
      CHECK(calls == 1, "trips < grain but %llu calls",
            (unsigned long long)calls);
  } else if (trips > 0 && num_tasks > 0) {
    uint64_t want = num_tasks < trips ? num_tasks : trips;
    CHECK(calls == want, "num_tasks %llu trips %llu: %llu calls",
          (unsigned long long)num_tasks, (unsigned long long)trips,
          (unsigned long long)calls);
  }
  free(c.count);
}

static void test_coverage(int small) {
  const uint64_t trip_counts[] = {0, 1, 2, 3, 1000, small ? 100003 : 1000007};
  const uint64_t grains[] = {0, 1, 2, 7, 1000, 5000};
  const uint64_t task_counts[] = {1, 2, 3, 64, 1000, 2000};
  const int schedules[] = {WS_SCHEDULE_AUTO, WS_SCHEDULE_DYNAMIC,
                           WS_SCHEDULE_STATIC};
  for (size_t t = 0; t < sizeof trip_counts / sizeof *trip_counts; t++)
    for (size_t s = 0; s < 3; s++) {
      for (size_t g = 0; g < sizeof grains / sizeof *grains; g++)
        check_coverage(trip_counts[t], grains[g], 0, schedules[s]);
      for (size_t n = 0; n < sizeof task_counts / sizeof *task_counts; n++)
        check_coverage(trip_counts[t], 0, task_counts[n], schedules[s]);
    }
  /* Both clauses: grainsize wins. */
  check_coverage(1000, 100, 3, WS_SCHEDULE_AUTO);
}

/* ---- Huge trip counts: record only the ranges ---------------------------- */

#define MAX_RANGES 512
typedef struct ranges {
  atomic_int n;
  uint64_t lo[MAX_RANGES], hi[MAX_RANGES];
} ranges;

static void ranges_body(uint64_t lo, uint64_t hi, void *captures,
                        void *partial) {
  (void)partial;
  ranges *r = captures;
  int k = atomic_fetch_add(&r->n, 1);
  if (k < MAX_RANGES) {
    r->lo[k] = lo;
    r->hi[k] = hi;
  }
}

static int cmp_u64_pair(const void *a, const void *b) {
  const uint64_t *x = a, *y = b;
  return x[0] < y[0] ? -1 : x[0] > y[0];
}

static void check_tiling(uint64_t trips, uint64_t grain, uint64_t num_tasks,
                         int schedule, int want_min, int want_max) {
  static ranges r;
  atomic_init(&r.n, 0);
  ws_loop loop = {.trips = trips,
                  .grainsize = grain,
                  .num_tasks = num_tasks,
                  .schedule = schedule,
                  .body = ranges_body,
                  .captures = &r};
  CHECK(ws_parallel_for(&loop, NULL) == WS_OK, "huge loop failed");
  int n = atomic_load(&r.n);
  CHECK(n >= want_min && n <= want_max && n <= MAX_RANGES,
        "trips %llu grain %llu: %d ranges, want %d..%d",
        (unsigned long long)trips, (unsigned long long)grain, n, want_min,
        want_max);
  if (n > MAX_RANGES)
    return;
  uint64_t pairs[MAX_RANGES][2];
  for (int k = 0; k < n; k++) {
    pairs[k][0] = r.lo[k];
    pairs[k][1] = r.hi[k];
  }
  qsort(pairs, (size_t)n, sizeof pairs[0], cmp_u64_pair);
  uint64_t next = 0;
  for (int k = 0; k < n; k++) {
    CHECK(pairs[k][0] == next && pairs[k][1] > pairs[k][0],
          "range %d [%llu, %llu) does not start at %llu", k,
          (unsigned long long)pairs[k][0], (unsigned long long)pairs[k][1],
          (unsigned long long)next);
    if (grain)
      CHECK(pairs[k][1] - pairs[k][0] >= grain, "range shorter than grain");
    next = pairs[k][1];
  }
  CHECK(next == trips, "ranges end at %llu, not %llu", (unsigned long long)next,
        (unsigned long long)trips);
}

static void test_huge(void) {
  const int schedules[] = {WS_SCHEDULE_AUTO, WS_SCHEDULE_STATIC};
  for (int s = 0; s < 2; s++) {
    check_tiling(UINT64_MAX, UINT64_MAX / 100, 0, schedules[s], 100, 100);
    check_tiling(UINT64_MAX, UINT64_MAX / 3 + 1, 0, schedules[s], 2, 2);
    check_tiling(UINT64_MAX, UINT64_MAX, 0, schedules[s], 1, 1);
    check_tiling(UINT64_MAX, 0, 100, schedules[s], 100, 100);
    check_tiling(UINT64_MAX - 1, 0, 257, schedules[s], 257, 257);
    check_tiling(UINT64_MAX, 0, 0, schedules[s], 1, MAX_RANGES);
    check_tiling((UINT64_C(1) << 63) + 12345, (UINT64_C(1) << 57) - 3, 0,
                 schedules[s], 64, 64);
  }
}

/* ---- Nested loops ----------------------------------------------------------
 */

typedef struct grid {
  atomic_uchar *cell; /* rows * cols */
  uint64_t rows, cols;
  int schedule;
} grid;

typedef struct grid_row {
  grid *g;
  uint64_t row;
} grid_row;

static void grid_cols_body(uint64_t lo, uint64_t hi, void *captures,
                           void *partial) {
  (void)partial;
  const grid_row *r = captures;
  for (uint64_t c = lo; c < hi; c++)
    atomic_fetch_add_explicit(&r->g->cell[r->row * r->g->cols + c], 1,
                              memory_order_relaxed);
}

static void grid_rows_body(uint64_t lo, uint64_t hi, void *captures,
                           void *partial) {
  (void)partial;
  grid *g = captures;
  for (uint64_t row = lo; row < hi; row++) {
    grid_row r = {g, row};
    ws_loop inner = {.trips = g->cols,
                     .grainsize = 3,
                     .schedule = g->schedule,
                     .body = grid_cols_body,
                     .captures = &r};
    int rc = ws_parallel_for(&inner, NULL);
    if (rc != WS_OK)
      atomic_fetch_add(&g->cell[row * g->cols], 100); /* reported below */
  }
}

static void run_grid(grid *g) {
  memset(g->cell, 0, g->rows * g->cols);
  ws_loop outer = {.trips = g->rows,
                   .grainsize = 1,
                   .schedule = g->schedule,
                   .body = grid_rows_body,
                   .captures = g};
  CHECK(ws_parallel_for(&outer, NULL) == WS_OK, "outer loop failed");
}

static int grid_ok(grid *g) {
  for (uint64_t i = 0; i < g->rows * g->cols; i++)
    if (atomic_load(&g->cell[i]) != 1)
      return 0;
  return 1;
}

/* A task that runs a grid of its own (nested loop inside a task). */
static void grid_task(void *captures) {
  grid *g = *(grid **)captures;
  run_grid(g);
}

static void test_nested(void) {
  enum { ROWS = 37, COLS = 101, TASKS = 6 };
  static atomic_uchar cells[TASKS + 1][ROWS * COLS];
  grid grids[TASKS + 1];
  for (int k = 0; k <= TASKS; k++)
    grids[k] = (grid){cells[k], ROWS, COLS,
                      k % 2 ? WS_SCHEDULE_STATIC : WS_SCHEDULE_AUTO};

  /* Inside a loop body. */
  run_grid(&grids[TASKS]);
  CHECK(grid_ok(&grids[TASKS]), "nested loop inside a loop body");

  /* Inside tasks, side by side. */
  ws_frame f = WS_FRAME_INIT;
  for (int k = 0; k < TASKS; k++) {
    grid *g = &grids[k];
    CHECK(ws_spawn(&f, grid_task, &g, sizeof g, WS_TIER_NORMAL, NULL) == WS_OK,
          "spawn");
  }
  CHECK(ws_wait(&f) == WS_OK, "wait");
  for (int k = 0; k < TASKS; k++)
    CHECK(grid_ok(&grids[k]), "nested loop inside task %d", k);
}

/* ---- Error codes ------------------------------------------------------------
 */

static void count_body(uint64_t lo, uint64_t hi, void *captures,
                       void *partial) {
  (void)partial;
  atomic_fetch_add((atomic_uint_fast64_t *)captures, hi - lo);
}
static void long_init(void *p) { *(long *)p = 0; }
static void long_add(void *into, const void *from) {
  *(long *)into += *(const long *)from;
}

static void test_errors(void) {
  atomic_uint_fast64_t ran;
  atomic_init(&ran, 0);
  long result = 42;
  CHECK(ws_parallel_for(NULL, NULL) == WS_EINVAL, "NULL loop");
  CHECK(ws_parallel_for(NULL, &result) == WS_EINVAL, "NULL loop");

  ws_loop l = {.trips = 10, .captures = &ran};
  CHECK(ws_parallel_for(&l, NULL) == WS_EINVAL, "NULL body");

  l.body = count_body;
  l.red_size = sizeof(long);
  CHECK(ws_parallel_for(&l, &result) == WS_EINVAL, "no red_init/combine");
  l.red_init = long_init;
  CHECK(ws_parallel_for(&l, &result) == WS_EINVAL, "no red_combine");
  l.red_init = NULL;
  l.red_combine = long_add;
  CHECK(ws_parallel_for(&l, &result) == WS_EINVAL, "no red_init");
  l.red_init = long_init;
  CHECK(ws_parallel_for(&l, NULL) == WS_EINVAL, "NULL result");
  l.schedule = 7;
  CHECK(ws_parallel_for(&l, &result) == WS_EINVAL, "bad schedule");
  l.schedule = -1;
  CHECK(ws_parallel_for(&l, &result) == WS_EINVAL, "bad schedule");
  CHECK(atomic_load(&ran) == 0, "a rejected loop ran its body");
  CHECK(result == 42, "a rejected loop wrote its result");

  /* Out-of-range tiers are clamped by ws_spawn, not rejected. */
  l.schedule = WS_SCHEDULE_AUTO;
  l.tier = 99;
  l.grainsize = 1;
  CHECK(ws_parallel_for(&l, &result) == WS_OK, "tier 99");
  CHECK(atomic_load(&ran) == 10, "tier 99 ran %llu iterations",
        (unsigned long long)atomic_load(&ran));

  /* trips == 0: result is the identity, no body call. */
  l.trips = 0;
  result = 42;
  CHECK(ws_parallel_for(&l, &result) == WS_OK && result == 0,
        "trips 0 with a reduction gives %ld", result);
  CHECK(atomic_load(&ran) == 10, "trips 0 ran the body");
}

int main(int argc, char **argv) {
  int small = ws_test_small() || (argc > 1 && strcmp(argv[1], "small") == 0);
  test_errors();
  test_coverage(small);
  test_huge();
  test_nested();
  printf("test_loop: %d workers\n", ws_num_workers());
  return ws_test_finish("test_loop");
}

/*
 * test_loop_reduce.c -- ws_parallel_for reductions.
 *
 *  - every operator of the pragma language (+ * - & | ^ && || min max) on
 *    int, unsigned, long long, float and double, with red_init/red_combine
 *    written the way the plugin generates them, against the serial loop
 *    (exact for integers; floats are compared bit for bit with a serial
 *    emulation of the fixed tree, and loosely with the serial loop);
 *  - combine order: a non-commutative "range concatenation" reduction must
 *    always see the left (lower) range first, up to trips == UINT64_MAX;
 *  - determinism: floating-point sums (small and large partials, static and
 *    dynamic, chosen and default grain) are bit-identical on 1, 2, 3 and 8
 *    workers and equal to the emulated tree;
 *  - nested reductions inside tasks and inside loop bodies.
 *
 * Usage: test_loop_reduce [small]
 */
#include "ws.h"

#include "test_util.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The documented leaf count and a serial emulation of the tree -------- */

#define REDUCTION_DEFAULT_LEAVES 256 /* docs/parallel-for.md */

static uint64_t expected_leaves(const ws_loop *l) {
  uint64_t n = l->grainsize   ? l->trips / l->grainsize
               : l->num_tasks ? l->num_tasks
                              : REDUCTION_DEFAULT_LEAVES;
  if (n == 0)
    n = 1;
  return n < l->trips ? n : l->trips;
}

static uint64_t start_of(uint64_t trips, uint64_t leaves, uint64_t k) {
  uint64_t base = trips / leaves, extra = trips % leaves;
  return k * base + (k < extra ? k : extra);
}

/* Node [first, end) of the tree over `leaves` leaves, computed serially. */
static void emulate_node(const ws_loop *l, uint64_t leaves, uint64_t first,
                         uint64_t end, void *out) {
  if (end - first == 1) {
    l->red_init(out);
    l->body(start_of(l->trips, leaves, first), start_of(l->trips, leaves, end),
            l->captures, out);
    return;
  }
  uint64_t mid = first + (end - first) / 2;
  void *right = malloc(l->red_size);
  if (!right) {
    CHECK(0, "out of memory");
    return;
  }
  emulate_node(l, leaves, first, mid, out);
  emulate_node(l, leaves, mid, end, right);
  l->red_combine(out, right);
  free(right);
}

static void emulate(const ws_loop *l, void *out) {
  if (l->trips == 0)
    l->red_init(out);
  else
    emulate_node(l, expected_leaves(l), 0, expected_leaves(l), out);
}

/* ---- Every operator on every type ------------------------------------------
 */

/* Values per iteration, chosen so that each operator's result depends on
 * many iterations and (for * on signed types) never overflows. */
#define V_ADD(T, i) ((T)((i)*7919 % 201) - (T)100)
#define V_ADDU(T, i) ((T)((i)*2654435761u))
#define V_ADDF(T, i) ((T)1 + (T)((i) % 1000) / (T)1024)
#define V_MUL(T, i) ((T)((i) % 1500 == 7 ? 3 : (i) % 2001 == 5 ? -1 : 1))
#define V_MULU(T, i) ((T)(2 * (i) + 1))
#define V_MULF(T, i) ((T)1 + (T)((int)((i) % 7) - 3) / (T)4096)
#define V_AND(T, i) ((i) % 97 == 0 ? (T) ~((T)1 << ((i) % 23)) : (T) ~(T)0)
#define V_OR(T, i) ((i) % 89 == 0 ? (T)((T)1 << ((i) % 29)) : (T)0)
#define V_XOR(T, i) ((T)((i)*40503u & 0x7fffffffu))
#define V_LAND(T, i) ((T)((i) != 5000))
#define V_LOR(T, i) ((T)((i) == 5000))
#define V_MIN(T, i) ((T)((i)*7919 % 10007) - (T)(i % 2 ? 5000 : 0))
#define V_MINF(T, i) ((T)((int)((i)*7919 % 10007) - 5000) / (T)3)

#define ACC_ADD(x, v) (*(x) += (v))
#define ACC_SUB(x, v) (*(x) -= (v))
#define ACC_MUL(x, v) (*(x) *= (v))
#define ACC_AND(x, v) (*(x) &= (v))
#define ACC_OR(x, v) (*(x) |= (v))
#define ACC_XOR(x, v) (*(x) ^= (v))
#define ACC_LAND(x, v) (*(x) = *(x) && (v))
#define ACC_LOR(x, v) (*(x) = *(x) || (v))
#define ACC_MIN(x, v) ((v) < *(x) ? (void)(*(x) = (v)) : (void)0)
#define ACC_MAX(x, v) ((v) > *(x) ? (void)(*(x) = (v)) : (void)0)
/* OpenMP's `-` reduction combines partials with `+`. */
#define COMB_SUB ACC_ADD

/* kind: 0 exact (integers; float min/max/&&/||), 1 float (bit-equal to the
 * emulated tree, close to the serial loop). */
#define RED_CASE(NAME, T, IDENT, VAL, ACC, COMB, KIND)                         \
  static void NAME##_init(void *p) { *(T *)p = (IDENT); }                      \
  static void NAME##_combine(void *into, const void *from) {                   \
    COMB((T *)into, *(const T *)from);                                         \
  }                                                                            \
  static void NAME##_body(uint64_t lo, uint64_t hi, void *cap, void *part) {   \
    (void)cap;                                                                 \
    T *x = part;                                                               \
    for (uint64_t i = lo; i < hi; i++)                                         \
      ACC(x, VAL(T, i));                                                       \
  }                                                                            \
  static void NAME##_check(const ws_loop *cfg) {                               \
    ws_loop l = *cfg;                                                          \
    l.body = NAME##_body;                                                      \
    l.red_size = sizeof(T);                                                    \
    l.red_init = NAME##_init;                                                  \
    l.red_combine = NAME##_combine;                                            \
    T serial = (IDENT), got, tree;                                             \
    for (uint64_t i = 0; i < l.trips; i++)                                     \
      ACC(&serial, VAL(T, i));                                                 \
    memset(&got, 0x5a, sizeof got);                                            \
    int rc = ws_parallel_for(&l, &got);                                        \
    emulate(&l, &tree);                                                        \
    CHECK(rc == WS_OK, #NAME " rc %d", rc);                                    \
    CHECK(memcmp(&got, &tree, sizeof(T)) == 0,                                 \
          #NAME " trips %llu grain %llu tasks %llu: %.17g, tree %.17g",        \
          (unsigned long long)l.trips, (unsigned long long)l.grainsize,        \
          (unsigned long long)l.num_tasks, (double)got, (double)tree);         \
    if ((KIND) == 0)                                                           \
      CHECK(got == serial, #NAME " trips %llu: %.17g, serial %.17g",           \
            (unsigned long long)l.trips, (double)got, (double)serial);         \
    else                                                                       \
      CHECK(fabs((double)got - (double)serial) <=                              \
                1e-4 * fabs((double)serial) + 1e-6,                            \
            #NAME " trips %llu: %.17g, serial %.17g",                          \
            (unsigned long long)l.trips, (double)got, (double)serial);         \
  }

#define INT_CASES(P, T, TMIN, TMAX)                                            \
  RED_CASE(P##_add, T, 0, V_ADD, ACC_ADD, ACC_ADD, 0)                          \
  RED_CASE(P##_mul, T, 1, V_MUL, ACC_MUL, ACC_MUL, 0)                          \
  RED_CASE(P##_sub, T, 0, V_ADD, ACC_SUB, COMB_SUB, 0)                         \
  RED_CASE(P##_and, T, (T) ~(T)0, V_AND, ACC_AND, ACC_AND, 0)                  \
  RED_CASE(P##_or, T, 0, V_OR, ACC_OR, ACC_OR, 0)                              \
  RED_CASE(P##_xor, T, 0, V_XOR, ACC_XOR, ACC_XOR, 0)                          \
  RED_CASE(P##_land, T, 1, V_LAND, ACC_LAND, ACC_LAND, 0)                      \
  RED_CASE(P##_lor, T, 0, V_LOR, ACC_LOR, ACC_LOR, 0)                          \
  RED_CASE(P##_min, T, TMAX, V_MIN, ACC_MIN, ACC_MIN, 0)                       \
  RED_CASE(P##_max, T, TMIN, V_MIN, ACC_MAX, ACC_MAX, 0)

#define UINT_CASES(P, T, TMAX)                                                 \
  RED_CASE(P##_add, T, 0, V_ADDU, ACC_ADD, ACC_ADD, 0)                         \
  RED_CASE(P##_mul, T, 1, V_MULU, ACC_MUL, ACC_MUL, 0)                         \
  RED_CASE(P##_sub, T, 0, V_ADDU, ACC_SUB, COMB_SUB, 0)                        \
  RED_CASE(P##_and, T, (T) ~(T)0, V_AND, ACC_AND, ACC_AND, 0)                  \
  RED_CASE(P##_or, T, 0, V_OR, ACC_OR, ACC_OR, 0)                              \
  RED_CASE(P##_xor, T, 0, V_XOR, ACC_XOR, ACC_XOR, 0)                          \
  RED_CASE(P##_land, T, 1, V_LAND, ACC_LAND, ACC_LAND, 0)                      \
  RED_CASE(P##_lor, T, 0, V_LOR, ACC_LOR, ACC_LOR, 0)                          \
  RED_CASE(P##_min, T, TMAX, V_ADDU, ACC_MIN, ACC_MIN, 0)                      \
  RED_CASE(P##_max, T, 0, V_ADDU, ACC_MAX, ACC_MAX, 0)

#define FLOAT_CASES(P, T)                                                      \
  RED_CASE(P##_add, T, 0, V_ADDF, ACC_ADD, ACC_ADD, 1)                         \
  RED_CASE(P##_mul, T, 1, V_MULF, ACC_MUL, ACC_MUL, 1)                         \
  RED_CASE(P##_sub, T, 0, V_ADDF, ACC_SUB, COMB_SUB, 1)                        \
  RED_CASE(P##_land, T, 1, V_LAND, ACC_LAND, ACC_LAND, 0)                      \
  RED_CASE(P##_lor, T, 0, V_LOR, ACC_LOR, ACC_LOR, 0)                          \
  RED_CASE(P##_min, T, INFINITY, V_MINF, ACC_MIN, ACC_MIN, 0)                  \
  RED_CASE(P##_max, T, -INFINITY, V_MINF, ACC_MAX, ACC_MAX, 0)

INT_CASES(i32, int, INT_MIN, INT_MAX)
INT_CASES(i64, long long, LLONG_MIN, LLONG_MAX)
UINT_CASES(u32, unsigned, UINT_MAX)
FLOAT_CASES(f32, float)
FLOAT_CASES(f64, double)

typedef void (*case_fn)(const ws_loop *);
#define INT_LIST(P)                                                            \
  P##_add_check, P##_mul_check, P##_sub_check, P##_and_check, P##_or_check,    \
      P##_xor_check, P##_land_check, P##_lor_check, P##_min_check,             \
      P##_max_check
#define FLOAT_LIST(P)                                                          \
  P##_add_check, P##_mul_check, P##_sub_check, P##_land_check, P##_lor_check,  \
      P##_min_check, P##_max_check

static const case_fn all_cases[] = {INT_LIST(i32), INT_LIST(i64), INT_LIST(u32),
                                    FLOAT_LIST(f32), FLOAT_LIST(f64)};

static void test_operators(void) {
  const ws_loop configs[] = {
      {.trips = 0},
      {.trips = 1},
      {.trips = 2, .grainsize = 1},
      {.trips = 3, .num_tasks = 3, .schedule = WS_SCHEDULE_STATIC},
      {.trips = 1000},
      {.trips = 1000, .grainsize = 1, .schedule = WS_SCHEDULE_STATIC},
      {.trips = 10007, .grainsize = 7},
      {.trips = 10007, .schedule = WS_SCHEDULE_STATIC},
      {.trips = 10007, .num_tasks = 33, .schedule = WS_SCHEDULE_DYNAMIC},
      {.trips = 10007, .grainsize = 100, .schedule = WS_SCHEDULE_STATIC},
  };
  for (size_t c = 0; c < sizeof configs / sizeof *configs; c++)
    for (size_t k = 0; k < sizeof all_cases / sizeof *all_cases; k++)
      all_cases[k](&configs[c]);
}

/* ---- Combine order: left is always the lower range -------------------------
 */

typedef struct span {
  uint64_t lo, hi;
  int empty, ok;
} span;

static void span_init(void *p) { *(span *)p = (span){0, 0, 1, 1}; }
static void span_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  span *s = part;
  if (s->empty)
    *s = (span){lo, hi, 0, s->ok};
  else if (s->hi == lo)
    s->hi = hi;
  else
    s->ok = 0;
}
static void span_combine(void *into, const void *from) {
  span *a = into;
  const span *b = from;
  if (b->empty) {
    a->ok &= b->ok;
  } else if (a->empty) {
    *a = (span){b->lo, b->hi, 0, a->ok && b->ok};
  } else {
    a->ok = a->ok && b->ok && a->hi == b->lo;
    a->hi = b->hi;
  }
}

static void test_order(int small) {
  const ws_loop configs[] = {
      {.trips = UINT64_MAX, .grainsize = UINT64_MAX / 100},
      {.trips = UINT64_MAX, .num_tasks = 1000, .schedule = WS_SCHEDULE_STATIC},
      {.trips = UINT64_MAX - 2, .num_tasks = 77},
      {.trips = small ? 20011 : 200003, .grainsize = 1},
      {.trips = small ? 20011 : 200003,
       .grainsize = 1,
       .schedule = WS_SCHEDULE_STATIC},
      {.trips = 5},
  };
  for (size_t c = 0; c < sizeof configs / sizeof *configs; c++) {
    ws_loop l = configs[c];
    l.body = span_body;
    l.red_size = sizeof(span);
    l.red_init = span_init;
    l.red_combine = span_combine;
    span s;
    CHECK(ws_parallel_for(&l, &s) == WS_OK, "span loop");
    CHECK(s.ok && !s.empty && s.lo == 0 && s.hi == l.trips,
          "config %zu: span [%llu, %llu) ok %d, want [0, %llu)", c,
          (unsigned long long)s.lo, (unsigned long long)s.hi, s.ok,
          (unsigned long long)l.trips);
  }
}

/* ---- Determinism across worker counts --------------------------------------
 */

/* Values of very different magnitudes, so that the summation order shows. */
static double det_value(uint64_t i) {
  double scale = i % 3 == 0 ? 1e8 : i % 3 == 1 ? 1.0 : 1e-6;
  return scale * (1.0 + (double)(i % 97) / 97.0) / (double)(1 + i % 13);
}

static void dsum_init(void *p) { *(double *)p = 0.0; }
static void dsum_combine(void *into, const void *from) {
  *(double *)into += *(const double *)from;
}
static void dsum_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  double s = *(double *)part;
  for (uint64_t i = lo; i < hi; i++)
    s += det_value(i);
  *(double *)part = s;
}

static void fsum_init(void *p) { *(float *)p = 0.0f; }
static void fsum_combine(void *into, const void *from) {
  *(float *)into += *(const float *)from;
}
static void fsum_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  for (uint64_t i = lo; i < hi; i++)
    *(float *)part += (float)det_value(i);
}

/* A partial larger than the stack limit of the splitting frame (malloc
 * path): 40 bins of doubles. */
#define BINS 40
typedef struct bins {
  double bin[BINS];
} bins;
static void bins_init(void *p) { memset(p, 0, sizeof(bins)); }
static void bins_combine(void *into, const void *from) {
  for (int k = 0; k < BINS; k++)
    ((bins *)into)->bin[k] += ((const bins *)from)->bin[k];
}
static void bins_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  bins *b = part;
  for (uint64_t i = lo; i < hi; i++)
    b->bin[i % BINS] += det_value(i);
}

#define DET_CONFIGS 7
static const ws_loop det_configs[DET_CONFIGS] = {
    {.trips = 100003,
     .grainsize = 1000,
     .body = dsum_body,
     .red_size = sizeof(double),
     .red_init = dsum_init,
     .red_combine = dsum_combine},
    {.trips = 100003,
     .grainsize = 1000,
     .schedule = WS_SCHEDULE_STATIC,
     .body = dsum_body,
     .red_size = sizeof(double),
     .red_init = dsum_init,
     .red_combine = dsum_combine},
    {.trips = 100003,
     .body = dsum_body,
     .red_size = sizeof(double),
     .red_init = dsum_init,
     .red_combine = dsum_combine},
    {.trips = 100003,
     .grainsize = 37,
     .body = dsum_body,
     .red_size = sizeof(double),
     .red_init = dsum_init,
     .red_combine = dsum_combine},
    {.trips = 100003,
     .num_tasks = 61,
     .body = fsum_body,
     .red_size = sizeof(float),
     .red_init = fsum_init,
     .red_combine = fsum_combine},
    {.trips = 100003,
     .grainsize = 500,
     .body = bins_body,
     .red_size = sizeof(bins),
     .red_init = bins_init,
     .red_combine = bins_combine},
    {.trips = 100003,
     .grainsize = 500,
     .schedule = WS_SCHEDULE_STATIC,
     .body = bins_body,
     .red_size = sizeof(bins),
     .red_init = bins_init,
     .red_combine = bins_combine},
};

static void test_determinism(void) {
  const int worker_counts[] = {1, 2, 3, 8};
  static bins first[DET_CONFIGS];
  int differs_from_naive = 0;
  for (size_t w = 0; w < sizeof worker_counts / sizeof *worker_counts; w++) {
    CHECK(ws_shutdown() == WS_OK, "shutdown");
    CHECK(ws_init(worker_counts[w]) == WS_OK, "init %d", worker_counts[w]);
    CHECK(ws_num_workers() == worker_counts[w], "%d workers, want %d",
          ws_num_workers(), worker_counts[w]);
    for (int c = 0; c < DET_CONFIGS; c++) {
      const ws_loop *l = &det_configs[c];
      bins got, tree;
      memset(&got, 0, sizeof got);
      memset(&tree, 0, sizeof tree);
      CHECK(ws_parallel_for(l, &got) == WS_OK, "det loop %d", c);
      if (w == 0) {
        first[c] = got;
        emulate(l, &tree);
        CHECK(memcmp(&got, &tree, l->red_size) == 0,
              "config %d differs from the emulated tree: %.17g vs %.17g", c,
              got.bin[0], tree.bin[0]);
        if (l->body == dsum_body) {
          double naive = 0.0;
          for (uint64_t i = 0; i < l->trips; i++)
            naive += det_value(i);
          differs_from_naive |= naive != got.bin[0];
        }
      } else {
        CHECK(memcmp(&got, &first[c], l->red_size) == 0,
              "config %d on %d workers: %.17g, on 1 worker %.17g", c,
              worker_counts[w], got.bin[0], first[c].bin[0]);
      }
    }
  }
  printf("test_loop_reduce: tree sum %s the naive left-to-right sum\n",
         differs_from_naive ? "differs from" : "equals");
}

/* ---- Nested reductions --------------------------------------------------- */

static void inner_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  uint64_t row = *(const uint64_t *)cap;
  for (uint64_t c = lo; c < hi; c++)
    *(long long *)part += (long long)(row * 1000 + c);
}
static void ll_init(void *p) { *(long long *)p = 0; }
static void ll_add(void *into, const void *from) {
  *(long long *)into += *(const long long *)from;
}

enum { NEST_ROWS = 50, NEST_COLS = 300 };

static long long row_sum(uint64_t row) {
  ws_loop inner = {.trips = NEST_COLS,
                   .grainsize = 16,
                   .body = inner_body,
                   .captures = &row,
                   .red_size = sizeof(long long),
                   .red_init = ll_init,
                   .red_combine = ll_add};
  long long s = -1;
  if (ws_parallel_for(&inner, &s) != WS_OK)
    return -1;
  return s;
}

static void outer_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  for (uint64_t row = lo; row < hi; row++)
    *(long long *)part += row_sum(row);
}

static long long nested_sum(int schedule) {
  ws_loop outer = {.trips = NEST_ROWS,
                   .grainsize = 2,
                   .schedule = schedule,
                   .body = outer_body,
                   .red_size = sizeof(long long),
                   .red_init = ll_init,
                   .red_combine = ll_add};
  long long s = -1;
  if (ws_parallel_for(&outer, &s) != WS_OK)
    return -1;
  return s;
}

typedef struct nest_task {
  long long *out;
  int schedule;
} nest_task;
static void nest_task_run(void *cap) {
  const nest_task *t = cap;
  *t->out = nested_sum(t->schedule);
}

static void test_nested(void) {
  long long want = 0;
  for (uint64_t r = 0; r < NEST_ROWS; r++)
    for (uint64_t c = 0; c < NEST_COLS; c++)
      want += (long long)(r * 1000 + c);
  CHECK(nested_sum(WS_SCHEDULE_AUTO) == want, "nested in a loop body");
  CHECK(nested_sum(WS_SCHEDULE_STATIC) == want, "nested in a static body");

  enum { TASKS = 5 };
  long long out[TASKS];
  ws_frame f = WS_FRAME_INIT;
  for (int k = 0; k < TASKS; k++) {
    nest_task t = {&out[k], k % 2 ? WS_SCHEDULE_STATIC : WS_SCHEDULE_AUTO};
    ws_spawn(&f, nest_task_run, &t, sizeof t, WS_TIER_NORMAL, NULL);
  }
  ws_wait(&f);
  for (int k = 0; k < TASKS; k++)
    CHECK(out[k] == want, "nested reduction in task %d: %lld, want %lld", k,
          out[k], want);
}

int main(int argc, char **argv) {
  int small = ws_test_small() || (argc > 1 && strcmp(argv[1], "small") == 0);
  test_operators();
  test_order(small);
  test_nested();
  test_determinism();
  ws_shutdown();
  return ws_test_finish("test_loop_reduce");
}

/*
 * test_depend.c -- task dependences (ws_task_opts.deps, depend.c), at 1, 2,
 * 4 and 8 workers:
 *   - chains: inout (and out) on one variable run in spawn order;
 *   - readers between writers see the last writer's value, run concurrently
 *     with each other (2+ workers), and the next writer waits for them all;
 *   - overlapping array sections conflict, adjacent ones do not;
 *   - tasks on disjoint storage can run at the same time (2+ workers);
 *   - a large random DAG over 64 variables (in/out/inout, some sections)
 *     matches a serial replay;
 *   - taskgroup cancellation: held tasks are skipped and counted, their
 *     successors released, nothing hangs;
 *   - nested frames (tasks that spawn dependent tasks and wait);
 *   - undeferred (if(false)) and final tasks with dependences;
 *   - argument checks, large captures, a non-worker thread as spawner, a
 *     frame reused after ws_wait.
 * The data the tasks share is plain (not atomic): a missing edge is a data
 * race that the .tsan build reports, besides a wrong result.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <ws.h>

#define P 1000003L

static _Atomic int g_workers;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

static uint64_t rng_next(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return *s = x;
}

static int spawn_deps(ws_frame *f, ws_task_fn fn, const void *cap, size_t size,
                      const ws_dep *deps, int n) {
  ws_task_opts o = {.tier = WS_TIER_NORMAL, .deps = deps, .num_deps = n};
  return ws_spawn_ex(f, fn, cap, size, &o);
}

static uint64_t stat_cancelled(void) {
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  return s.cancelled;
}

/* ---- Chains ----------------------------------------------------------------
 */

typedef struct chain_cap {
  long *x;
  long *order; /* the index the next task must have */
  long *bad;
  long i;
} chain_cap;

static void chain_task(void *p) {
  chain_cap *c = p;
  if (*c->order != c->i)
    ++*c->bad;
  *c->order = c->i + 1;
  *c->x = (*c->x * 3 + c->i) % P;
}

static void part_chain(void) {
  long n = ws_test_scaled(20000, 2000);
  int kinds[] = {WS_DEP_INOUT, WS_DEP_OUT};
  for (int k = 0; k < 2; k++) {
    long x = 1, order = 0, bad = 0, want = 1;
    ws_frame f = WS_FRAME_INIT;
    for (long i = 0; i < n; i++) {
      chain_cap c = {&x, &order, &bad, i};
      /* Both words the task touches, as two items. */
      ws_dep d[2] = {{&x, sizeof x, kinds[k]},
                     {&order, sizeof order, kinds[k]}};
      CHECK(spawn_deps(&f, chain_task, &c, sizeof c, d, 2) == WS_OK, "spawn");
    }
    ws_wait(&f);
    for (long i = 0; i < n; i++)
      want = (want * 3 + i) % P;
    CHECK(x == want && bad == 0 && order == n,
          "chain (kind %d, %d workers): x %ld want %ld, %ld out of order",
          kinds[k], g_workers, x, want, bad);
  }
}

/* ---- Readers between writers -----------------------------------------------
 */

typedef struct rw_state {
  long x;
  atomic_long readers_done;
  atomic_int active, peak;
  atomic_long bad;
  int want_overlap;
  long readers; /* per round */
} rw_state;

typedef struct rw_cap {
  rw_state *s;
  long round;
} rw_cap;

static void rw_writer(void *p) {
  rw_cap *c = p;
  /* Every reader of the earlier rounds has finished. */
  if (atomic_load(&c->s->readers_done) != c->round * c->s->readers)
    atomic_fetch_add(&c->s->bad, 1);
  c->s->x = 1000 + c->round;
}

static void rw_reader(void *p) {
  rw_cap *c = p;
  rw_state *s = c->s;
  if (s->x != 1000 + c->round)
    atomic_fetch_add(&s->bad, 1);
  int a = atomic_fetch_add(&s->active, 1) + 1;
  int peak = atomic_load(&s->peak);
  while (a > peak && !atomic_compare_exchange_weak(&s->peak, &peak, a))
    ;
  /* Until two readers have been seen running at once, wait (bounded) for
   * another one to start. */
  double deadline = now_s() + 5;
  while (s->want_overlap && atomic_load(&s->peak) < 2 && now_s() < deadline)
    relax();
  atomic_fetch_sub(&s->active, 1);
  atomic_fetch_add(&s->readers_done, 1);
}

static void part_readers(void) {
  rw_state *s = calloc(1, sizeof *s);
  long rounds = ws_test_scaled(200, 30);
  s->readers = 8;
  s->want_overlap = g_workers >= 2;
  ws_frame f = WS_FRAME_INIT;
  for (long r = 0; r < rounds; r++) {
    rw_cap c = {s, r};
    ws_dep w = {&s->x, sizeof s->x, WS_DEP_OUT};
    spawn_deps(&f, rw_writer, &c, sizeof c, &w, 1);
    for (long k = 0; k < s->readers; k++) {
      ws_dep d = {&s->x, sizeof s->x, WS_DEP_IN};
      spawn_deps(&f, rw_reader, &c, sizeof c, &d, 1);
    }
  }
  ws_wait(&f);
  CHECK(atomic_load(&s->bad) == 0, "readers/writers (%d workers): %ld bad",
        g_workers, atomic_load(&s->bad));
  CHECK(atomic_load(&s->readers_done) == rounds * s->readers, "readers ran");
  if (g_workers >= 2)
    CHECK(atomic_load(&s->peak) >= 2,
          "readers of one writer never ran concurrently (%d workers)",
          g_workers);
  free(s);
}

/* ---- Array sections --------------------------------------------------------
 */

#define SEC_N 256

typedef struct sec_cap {
  long *a;
  long *res;
  int t, kind, lo, len;
  int rlo, rlen; /* a second item, `in` (rlen 0: none) */
} sec_cap;

static void sec_apply(const sec_cap *c, long *a, long *res) {
  long sum = 0;
  for (int i = c->rlo; i < c->rlo + c->rlen; i++)
    sum = (sum * 7 + a[i]) % P;
  if (c->kind == WS_DEP_IN) {
    for (int i = c->lo; i < c->lo + c->len; i++)
      sum = (sum * 7 + a[i]) % P;
    res[c->t] = sum;
  } else {
    for (int i = c->lo; i < c->lo + c->len; i++)
      a[i] = c->kind == WS_DEP_OUT ? (c->t * 31L + i + sum) % P
                                   : (a[i] * 5 + c->t + sum) % P;
    res[c->t] = sum;
  }
}

static void sec_task(void *p) {
  sec_cap *c = p;
  sec_apply(c, c->a, c->res);
}

static void part_sections(uint64_t seed) {
  int n = (int)ws_test_scaled(20000, 2000);
  long *a = calloc(SEC_N, sizeof *a), *b = calloc(SEC_N, sizeof *b);
  long *res = calloc((size_t)n, sizeof *res),
       *want = calloc((size_t)n, sizeof *want);
  sec_cap *caps = calloc((size_t)n, sizeof *caps);
  for (int i = 0; i < SEC_N; i++)
    a[i] = b[i] = i;
  ws_frame f = WS_FRAME_INIT;
  for (int t = 0; t < n; t++) {
    sec_cap *c = &caps[t];
    c->a = a;
    c->res = res;
    c->t = t;
    c->kind = 1 + (int)(rng_next(&seed) % 3);
    c->len = 1 + (int)(rng_next(&seed) % 24);
    c->lo = (int)(rng_next(&seed) % (SEC_N - (uint64_t)c->len + 1));
    if (rng_next(&seed) % 3 == 0) {
      c->rlen = 1 + (int)(rng_next(&seed) % 16);
      c->rlo = (int)(rng_next(&seed) % (SEC_N - (uint64_t)c->rlen + 1));
    }
    ws_dep d[2] = {{&a[c->lo], (size_t)c->len * sizeof *a, c->kind},
                   {&a[c->rlo], (size_t)c->rlen * sizeof *a, WS_DEP_IN}};
    CHECK(spawn_deps(&f, sec_task, c, sizeof *c, d, 2) == WS_OK, "spawn");
  }
  ws_wait(&f);
  for (int t = 0; t < n; t++)
    sec_apply(&caps[t], b, want);
  int bad = 0;
  for (int i = 0; i < SEC_N; i++)
    bad += a[i] != b[i];
  for (int t = 0; t < n; t++)
    bad += res[t] != want[t];
  CHECK(bad == 0, "sections (%d workers): %d values differ from the replay",
        g_workers, bad);
  free(a);
  free(b);
  free(res);
  free(want);
  free(caps);
}

/* ---- Disjoint storage runs in parallel -------------------------------------
 */

typedef struct meet {
  atomic_int arrived;
  atomic_int met;
  long x, y;
  long a[8];
} meet;

typedef struct meet_cap {
  meet *m;
  long *target;
} meet_cap;

/* Arrives, then waits (bounded) for the other task to arrive too. */
static void meet_task(void *p) {
  meet_cap *c = p;
  ++*c->target;
  atomic_fetch_add(&c->m->arrived, 1);
  double deadline = now_s() + 5;
  while (atomic_load(&c->m->arrived) < 2 && now_s() < deadline)
    relax();
  if (atomic_load(&c->m->arrived) >= 2)
    atomic_fetch_add(&c->m->met, 1);
}

static void bump(void *p) { ++**(long **)p; }

static void meet_pair(ws_dep d1, long *t1, ws_dep d2, long *t2,
                      const char *what) {
  meet *m = calloc(1, sizeof *m);
  ws_frame f = WS_FRAME_INIT;
  /* Earlier writers of both, so the table has history. */
  long *tp = t1;
  spawn_deps(&f, bump, &tp, sizeof tp, &d1, 1);
  tp = t2;
  spawn_deps(&f, bump, &tp, sizeof tp, &d2, 1);
  meet_cap c1 = {m, t1}, c2 = {m, t2};
  spawn_deps(&f, meet_task, &c1, sizeof c1, &d1, 1);
  spawn_deps(&f, meet_task, &c2, sizeof c2, &d2, 1);
  ws_wait(&f);
  CHECK(atomic_load(&m->met) == 2,
        "%s: tasks on disjoint storage did not run at once (%d workers)", what,
        g_workers);
  free(m);
}

static void part_parallel(void) {
  if (g_workers < 2)
    return;
  static long x, y, a[8];
  meet_pair((ws_dep){&x, sizeof x, WS_DEP_INOUT}, &x,
            (ws_dep){&y, sizeof y, WS_DEP_OUT}, &y, "x and y");
  meet_pair((ws_dep){&a[0], 4 * sizeof a[0], WS_DEP_OUT}, &a[0],
            (ws_dep){&a[4], 4 * sizeof a[0], WS_DEP_INOUT}, &a[4],
            "a[0:4] and a[4:4]");
}

/* ---- Random DAG ------------------------------------------------------------
 */

#define DAG_VARS 64

typedef struct dag_item {
  unsigned char v, n, kind; /* vars [v, v+n) */
} dag_item;

typedef struct dag_cap {
  long *vars;
  long *res;
  long t;
  int nitems;
  dag_item it[4];
} dag_cap;

static long mix(long h, long v) {
  uint64_t z = (uint64_t)h * 0x9E3779B97F4A7C15u + (uint64_t)v;
  z ^= z >> 29;
  return (long)(z % (uint64_t)P);
}

static void dag_apply(const dag_cap *c, long *vars, long *res) {
  long h = c->t;
  for (int k = 0; k < c->nitems; k++)
    if (c->it[k].kind != WS_DEP_OUT)
      for (int j = c->it[k].v; j < c->it[k].v + c->it[k].n; j++)
        h = mix(h, vars[j]);
  for (int k = 0; k < c->nitems; k++)
    if (c->it[k].kind != WS_DEP_IN)
      for (int j = c->it[k].v; j < c->it[k].v + c->it[k].n; j++)
        vars[j] = mix(h, j);
  res[c->t] = h;
}

static void dag_task(void *p) {
  dag_cap *c = p;
  dag_apply(c, c->vars, c->res);
}

static void nop(void *p) { (void)p; }

static void part_dag(uint64_t seed) {
  long n = ws_test_scaled(100000, 5000);
  long vars[DAG_VARS], replay[DAG_VARS];
  long *res = calloc((size_t)n, sizeof *res),
       *want = calloc((size_t)n, sizeof *want);
  dag_cap *caps = calloc((size_t)n, sizeof *caps);
  for (int i = 0; i < DAG_VARS; i++)
    vars[i] = replay[i] = i;
  ws_frame f = WS_FRAME_INIT;
  for (long t = 0; t < n; t++) {
    dag_cap *c = &caps[t];
    c->vars = vars;
    c->res = res;
    c->t = t;
    c->nitems = 1 + (int)(rng_next(&seed) % 4);
    ws_dep d[4];
    for (int k = 0; k < c->nitems; k++) {
      uint64_t r = rng_next(&seed);
      dag_item *it = &c->it[k];
      it->n = r % 8 == 0 ? 2 : 1; /* sometimes a section of two */
      it->v = (unsigned char)((r >> 8) % (DAG_VARS - it->n + 1));
      unsigned kr = (unsigned)(r >> 20) % 10;
      it->kind = kr < 5 ? WS_DEP_IN : kr < 7 ? WS_DEP_OUT : WS_DEP_INOUT;
      d[k] = (ws_dep){&vars[it->v], it->n * sizeof vars[0], it->kind};
    }
    ws_task_opts o = {
        .tier = (int)(rng_next(&seed) % 4), .deps = d, .num_deps = c->nitems};
    CHECK(ws_spawn_ex(&f, dag_task, c, sizeof *c, &o) == WS_OK, "spawn");
    if (t % 16 == 0) /* tasks without dependences are not ordered */
      ws_spawn(&f, nop, NULL, 0, WS_TIER_NORMAL, NULL);
  }
  ws_wait(&f);
  for (long t = 0; t < n; t++)
    dag_apply(&caps[t], replay, want);
  long bad = 0;
  for (int i = 0; i < DAG_VARS; i++)
    bad += vars[i] != replay[i];
  for (long t = 0; t < n; t++)
    bad += res[t] != want[t];
  CHECK(bad == 0, "DAG of %ld tasks (%d workers): %ld values differ", n,
        g_workers, bad);
  free(res);
  free(want);
  free(caps);
}

/* ---- Cancellation ----------------------------------------------------------
 */

typedef struct cancel_state {
  ws_frame *group;
  long x;
  atomic_long ran;
  atomic_long order_bad;
  long next; /* chain position (ordered by the dependences) */
} cancel_state;

typedef struct cancel_cap {
  cancel_state *s;
  long i;
  int cancel; /* cancels the group before returning */
} cancel_cap;

static void cancel_task(void *p) {
  cancel_cap *c = p;
  cancel_state *s = c->s;
  if (s->next != c->i)
    atomic_fetch_add(&s->order_bad, 1);
  s->next = c->i + 1;
  s->x++;
  if (c->cancel) {
    ws_cancel(s->group);
    return;
  }
  atomic_fetch_add(&s->ran, 1);
  /* A little work, so that main cancels while part of the chain waits. */
  for (volatile int k = 0; k < 2000; k++)
    ;
}

/* The first task cancels the group: every task held behind it is skipped
 * (and counted), whatever the timing.  `into_frame`: the tasks go into an
 * ordinary frame while the group is the current taskgroup. */
static void cancel_held(int into_frame) {
  cancel_state s = {0};
  ws_frame g = WS_FRAME_INIT, f = WS_FRAME_INIT;
  ws_frame *target = into_frame ? &f : &g;
  long n = ws_test_scaled(2000, 300);
  s.group = &g;
  uint64_t c0 = stat_cancelled();
  ws_taskgroup_begin(&g);
  for (long i = 0; i < n; i++) {
    cancel_cap c = {&s, i, i == 0};
    /* Alternate writers and readers of x; the readers also read `next`. */
    ws_dep d[2] = {{&s.x, sizeof s.x, i % 3 == 1 ? WS_DEP_IN : WS_DEP_INOUT},
                   {&s.next, sizeof s.next, WS_DEP_INOUT}};
    CHECK(spawn_deps(target, cancel_task, &c, sizeof c, d, 2) == WS_OK,
          "spawn");
  }
  int rc = ws_wait(&g);
  if (into_frame)
    ws_wait(&f);
  uint64_t c1 = stat_cancelled();
  CHECK(rc == WS_ECANCELED, "cancelled group: rc %d", rc);
  CHECK(atomic_load(&s.ran) == 0 && s.next == 1,
        "held tasks ran after the cancel: %ld (%d workers)",
        atomic_load(&s.ran), g_workers);
  CHECK(c1 - c0 == (uint64_t)(n - 1), "counted %llu cancelled, want %ld",
        (unsigned long long)(c1 - c0), n - 1);
}

/* main cancels the group while the chain runs: a prefix of it ran, the rest
 * is counted as cancelled. */
static void cancel_midway(void) {
  cancel_state s = {0};
  ws_frame g = WS_FRAME_INIT;
  long n = ws_test_scaled(3000, 300);
  s.group = &g;
  uint64_t c0 = stat_cancelled();
  ws_taskgroup_begin(&g);
  for (long i = 0; i < n; i++) {
    cancel_cap c = {&s, i, 0};
    ws_dep d[2] = {{&s.x, sizeof s.x, WS_DEP_INOUT},
                   {&s.next, sizeof s.next, WS_DEP_INOUT}};
    spawn_deps(&g, cancel_task, &c, sizeof c, d, 2);
    if (i == n / 2)
      ws_cancel(&g);
  }
  int rc = ws_wait(&g);
  uint64_t c1 = stat_cancelled();
  long ran = atomic_load(&s.ran);
  CHECK(atomic_load(&s.order_bad) == 0, "order");
  CHECK(s.next == ran && s.x == ran, "the tasks that ran are not a prefix");
  CHECK(ran < n && rc == WS_ECANCELED, "rc %d, ran %ld of %ld", rc, ran, n);
  CHECK((uint64_t)ran + (c1 - c0) == (uint64_t)n,
        "ran %ld + cancelled %llu != %ld (%d workers)", ran,
        (unsigned long long)(c1 - c0), n, g_workers);
}

static void part_cancel(void) {
  cancel_held(0);
  cancel_held(1);
  cancel_midway();
}

/* ---- Nested frames ---------------------------------------------------------
 */

typedef struct inner_cap {
  long *y;
  long j;
} inner_cap;

static void inner_task(void *p) {
  inner_cap *c = p;
  *c->y = (*c->y * 5 + c->j) % P;
}

typedef struct outer_cap {
  long *x;
  long i;
} outer_cap;

#define INNER 20

static void outer_task(void *p) {
  outer_cap *c = p;
  long y = c->i;
  ws_frame f = WS_FRAME_INIT;
  for (long j = 0; j < INNER; j++) {
    inner_cap ic = {&y, j};
    ws_dep d = {&y, sizeof y, WS_DEP_INOUT};
    spawn_deps(&f, inner_task, &ic, sizeof ic, &d, 1);
  }
  ws_wait(&f);
  *c->x = (*c->x * 7 + y) % P;
}

static void part_nested(void) {
  long n = ws_test_scaled(500, 60);
  long x = 3, want = 3;
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < n; i++) {
    outer_cap c = {&x, i};
    ws_dep d = {&x, sizeof x, WS_DEP_INOUT};
    spawn_deps(&f, outer_task, &c, sizeof c, &d, 1);
  }
  ws_wait(&f);
  for (long i = 0; i < n; i++) {
    long y = i;
    for (long j = 0; j < INNER; j++)
      y = (y * 5 + j) % P;
    want = (want * 7 + y) % P;
  }
  CHECK(x == want, "nested (%d workers): %ld want %ld", g_workers, x, want);
}

/* ---- Undeferred and final --------------------------------------------------
 */

typedef struct und_cap {
  long *x;
  long *seen;
  long value;
} und_cap;

static void slow_writer(void *p) {
  und_cap *c = p;
  double until = now_s() + 0.02;
  while (now_s() < until)
    relax();
  *c->x = c->value;
}

static void reader_task(void *p) {
  und_cap *c = p;
  *c->seen = *c->x;
}

static void final_body(void *p) {
  long *x = *(long **)p;
  long order = 0, bad = 0;
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < 50; i++) {
    chain_cap c = {x, &order, &bad, i};
    ws_dep d = {x, sizeof *x, WS_DEP_INOUT};
    CHECK(spawn_deps(&f, chain_task, &c, sizeof c, &d, 1) == WS_OK,
          "final spawn");
  }
  ws_wait(&f);
  if (bad)
    *x = -1;
}

static void part_undeferred(void) {
  long x = 0, seen = -1;
  ws_frame f = WS_FRAME_INIT;
  und_cap w = {&x, NULL, 42}, r = {&x, &seen, 0};
  ws_dep dw = {&x, sizeof x, WS_DEP_OUT}, dr = {&x, sizeof x, WS_DEP_IN};
  spawn_deps(&f, slow_writer, &w, sizeof w, &dw, 1);
  ws_task_opts o = {.flags = WS_TASK_UNDEFERRED, .deps = &dr, .num_deps = 1};
  CHECK(ws_spawn_ex(&f, reader_task, &r, sizeof r, &o) == WS_OK, "spawn");
  /* It ran before ws_spawn_ex returned, after the writer. */
  CHECK(seen == 42, "undeferred reader saw %ld before the wait", seen);
  /* An undeferred writer, then deferred readers. */
  und_cap w2 = {&x, NULL, 7};
  ws_task_opts o2 = {.flags = WS_TASK_UNDEFERRED, .deps = &dw, .num_deps = 1};
  ws_spawn_ex(&f, slow_writer, &w2, sizeof w2, &o2);
  CHECK(x == 7, "undeferred writer did not run at once");
  long seen2 = -1;
  und_cap r2 = {&x, &seen2, 0};
  spawn_deps(&f, reader_task, &r2, sizeof r2, &dr, 1);
  ws_wait(&f);
  CHECK(seen2 == 7, "reader after an undeferred writer saw %ld", seen2);

  /* Dependent spawns inside a final task run inline, in order. */
  long y = 0;
  long *yp = &y;
  ws_task_opts fo = {.flags = WS_TASK_FINAL};
  ws_spawn_ex(&f, final_body, &yp, sizeof yp, &fo);
  ws_wait(&f);
  long want = 0;
  for (long i = 0; i < 50; i++)
    want = (want * 3 + i) % P;
  CHECK(y == want, "final: %ld want %ld", y, want);
}

/* ---- Arguments, captures, threads, reuse -----------------------------------
 */

typedef struct big_cap {
  long *x;
  long data[40]; /* 320 bytes: beyond the inline captures */
} big_cap;

static void big_task(void *p) {
  big_cap *c = p;
  long s = 0;
  for (int i = 0; i < 40; i++)
    s += c->data[i];
  *c->x = (*c->x * 3 + s) % P;
}

static void *other_spawner(void *arg) {
  ws_frame *f = arg;
  long z = 0;
  ws_dep d = {&z, sizeof z, WS_DEP_OUT};
  long *zp = &z;
  /* The frame belongs to main. */
  return (void *)(intptr_t)spawn_deps(f, bump, &zp, sizeof zp, &d, 1);
}

static void *external_chain(void *arg) {
  long *out = arg;
  long x = 1, order = 0, bad = 0;
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < 1000; i++) {
    chain_cap c = {&x, &order, &bad, i};
    ws_dep d = {&x, sizeof x, WS_DEP_INOUT};
    ws_dep d2 = {&order, sizeof order, WS_DEP_INOUT};
    ws_dep dd[2] = {d, d2};
    spawn_deps(&f, chain_task, &c, sizeof c, dd, 2);
  }
  ws_wait(&f);
  out[0] = x;
  out[1] = bad;
  return NULL;
}

static void part_misc(void) {
  ws_frame f = WS_FRAME_INIT;
  long x = 0;
  long *xp = &x;
  ws_dep bad_kind = {&x, sizeof x, 7};
  CHECK(spawn_deps(&f, bump, &xp, sizeof xp, &bad_kind, 1) == WS_EINVAL,
        "unknown kind accepted");
  CHECK(spawn_deps(&f, bump, &xp, sizeof xp, NULL, 1) == WS_EINVAL,
        "NULL deps accepted");
  ws_dep ok = {&x, sizeof x, WS_DEP_INOUT};
  CHECK(spawn_deps(&f, bump, &xp, sizeof xp, &ok, -1) == WS_EINVAL,
        "negative count accepted");
  ws_dep empty = {&x, 0, WS_DEP_OUT};
  CHECK(spawn_deps(&f, bump, &xp, sizeof xp, &empty, 1) == WS_OK,
        "zero-length item");
  ws_wait(&f);
  CHECK(x == 1, "a task with only empty items ran %ld times", x);

  /* Large captures, with a timeout too (far away). */
  long y = 1, want = 1;
  for (int i = 0; i < 200; i++) {
    big_cap c = {&y, {0}};
    for (int k = 0; k < 40; k++)
      c.data[k] = i * 40 + k;
    ws_task_opts o = {.deps = &(ws_dep){&y, sizeof y, WS_DEP_INOUT},
                      .num_deps = 1,
                      .timeout_ms = 60000};
    ws_spawn_ex(&f, big_task, &c, sizeof c, &o);
    long s = 0;
    for (int k = 0; k < 40; k++)
      s += i * 40 + k;
    want = (want * 3 + s) % P;
  }
  ws_wait(&f);
  CHECK(y == want, "large captures: %ld want %ld", y, want);

  /* Another thread may not add dependent tasks to main's frame. */
  long z = 0;
  long *zp = &z;
  ws_dep dz = {&z, sizeof z, WS_DEP_INOUT};
  spawn_deps(&f, bump, &zp, sizeof zp, &dz, 1);
  pthread_t th;
  void *rc = NULL;
  pthread_create(&th, NULL, other_spawner, &f);
  pthread_join(th, &rc);
  CHECK((intptr_t)rc == WS_EINVAL, "spawn from a non-owner: %d",
        (int)(intptr_t)rc);
  ws_wait(&f);

  /* A thread that is not a worker owns a frame with dependences.  (With
   * one worker, main blocked in pthread_join would leave nobody to run its
   * tasks.) */
  if (g_workers >= 2) {
    long out[2] = {0, 0}, w = 1;
    pthread_create(&th, NULL, external_chain, out);
    pthread_join(th, NULL);
    for (long i = 0; i < 1000; i++)
      w = (w * 3 + i) % P;
    CHECK(out[0] == w && out[1] == 0, "external thread chain: %ld want %ld",
          out[0], w);
  }

  /* One frame, reused across waits (its table is freed and rebuilt). */
  long v = 0;
  long *vp = &v;
  for (int round = 0; round < 50; round++) {
    for (int i = 0; i < 20; i++)
      spawn_deps(&f, bump, &vp, sizeof vp,
                 &(ws_dep){&v, sizeof v, WS_DEP_INOUT}, 1);
    ws_wait(&f);
    CHECK(v == (round + 1) * 20L, "reused frame: %ld", v);
  }
}

/* A dependence that is never released hangs its frame's wait: fail with a
 * message rather than at the test's time-out. */
static const char *_Atomic g_part = "start";
static atomic_long g_progress;

static void *watchdog(void *arg) {
  (void)arg;
  long last = -1;
  for (;;) {
    struct timespec ts = {120, 0};
    nanosleep(&ts, NULL);
    long now = atomic_load(&g_progress);
    if (now == last) {
      fprintf(stderr, "test_depend: no progress for 120 s in %s (%d workers)\n",
              atomic_load(&g_part), g_workers);
      _Exit(1);
    }
    last = now;
  }
  return NULL;
}

#define RUN(part_call)                                                         \
  do {                                                                         \
    atomic_store(&g_part, #part_call);                                         \
    atomic_fetch_add(&g_progress, 1);                                          \
    part_call;                                                                 \
  } while (0)

int main(void) {
  pthread_t wd;
  pthread_create(&wd, NULL, watchdog, NULL);
  pthread_detach(wd);
  int counts[] = {1, 2, 4, 8};
  for (int k = 0; k < 4; k++) {
    ws_shutdown();
    if (ws_init(counts[k]) != WS_OK) {
      fprintf(stderr, "ws_init(%d) failed\n", counts[k]);
      return 1;
    }
    g_workers = ws_num_workers();
    double t0 = now_s();
    RUN(part_chain());
    RUN(part_readers());
    RUN(part_sections(0x1234567u + (uint64_t)k));
    RUN(part_parallel());
    RUN(part_dag(0x9876543u + (uint64_t)k));
    RUN(part_cancel());
    RUN(part_nested());
    RUN(part_undeferred());
    RUN(part_misc());
    fprintf(stderr, "test_depend: %d workers: %.2f s\n", g_workers,
            now_s() - t0);
  }
  ws_shutdown();
  return ws_test_finish("test_depend");
}

/*
 * faultprog.c -- the task program that test/faults/run_faults.py runs under
 * faultshim.so with allocations and thread creation failing.
 *
 * It uses libws through ws.h only (no plugin) and touches every place where
 * the runtime allocates: the pool and its workers (lazy start, or ws_init
 * when asked), two application threads that spawn and wait while main does
 * (each claims a worker record) and then exit, task descriptors, heap captures
 * (> WS_INLINE_CAPTURE bytes), a wide frame (thousands of queued tasks: the
 * deque grows), taskgroups and cancellation, ws_parallel_for with a small and a
 * large (heap) reduction partial, `depend` tables, ws_spawn_call (libffi) and
 * timed tasks.  Each part's result is known exactly.
 *
 * Contract checked by the driver: exit 0 with "faultprog: ok" on stdout (the
 * right result, however degraded the run), or exit non-zero with one line
 * `ws: ...` on stderr from the runtime.  A wrong result is reported here as
 * "faultprog: WRONG ..." with exit status 3, which the driver counts as a
 * failure, as it does a crash, a hang, or any other message.
 *
 * Usage: faultprog [init=W | prestart] [scale=S] [exitfaults]
 *   init=W   call ws_init(W) once armed (else the first spawn starts the
 *            pool; WS_NUM_WORKERS sets its size)
 *   prestart start the pool (WS_NUM_WORKERS) before arming: every fault
 *            then hits a running pool
 *   scale=S  multiply the sizes (default 1)
 *   exitfaults  arm the faults again (counting afresh) once the results are
 *            printed: the runtime's exit (the pool's shutdown, WS_STATS and
 *            WS_TRACE output) runs under them too
 * The faults are armed after the program's own set-up and disarmed before
 * it checks and prints (ws_fault_arm/ws_fault_disarm, looked up with dlsym:
 * without the shim the program runs normally).
 */
#define _GNU_SOURCE
#include "ws.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int wrong;

#define EXPECT(part, got, want)                                                \
  do {                                                                         \
    unsigned long long g_ = (unsigned long long)(got);                         \
    unsigned long long w_ = (unsigned long long)(want);                        \
    if (g_ != w_) {                                                            \
      fprintf(stderr, "faultprog: WRONG %s: got %llu, want %llu\n", part, g_,  \
              w_);                                                             \
      wrong = 1;                                                               \
    }                                                                          \
  } while (0)

/* API errors that the contract of ws.h does not allow here: reported after
 * the run, as a wrong result. */
static int api_rc[16];
static const char *api_name[16];
static int n_api;
static void api(const char *name, int rc, int ok1, int ok2) {
  if (rc != ok1 && rc != ok2 && n_api < 16) {
    api_name[n_api] = name;
    api_rc[n_api++] = rc;
  }
}

/* ---- fib: spawn/wait, every tier, some captures on the heap ------------- */

typedef struct fib_args {
  int n;
  long *out;
  char pad[112]; /* with the rest: > WS_INLINE_CAPTURE, heap captures */
} fib_args;

static long fib_seq(int n) {
  return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2);
}

static void fib_task(void *p);

static long fib(int n) {
  if (n < 2)
    return n;
  ws_frame f = WS_FRAME_INIT;
  long x = 0, y;
  if (n % 3 == 0) { /* big captures */
    fib_args a;
    memset(&a, 0, sizeof a);
    a.n = n - 1;
    a.out = &x;
    api("ws_spawn", ws_spawn(&f, fib_task, &a, sizeof a, n % 4, NULL), WS_OK,
        WS_OK);
  } else {
    struct {
      int n;
      long *out;
    } a = {n - 1, &x};
    api("ws_spawn", ws_spawn(&f, fib_task, &a, sizeof a, n % 4, NULL), WS_OK,
        WS_OK);
  }
  y = fib(n - 2);
  api("ws_wait", ws_wait(&f), WS_OK, WS_OK);
  return x + y;
}

static void fib_task(void *p) {
  const struct {
    int n;
    long *out;
  } *a = p;
  *a->out = fib(a->n);
}

/* ---- taskgroups: nested groups, one cancelled --------------------------- */

static atomic_long group_sum, group_ran;

static void add_task(void *p) {
  long v;
  memcpy(&v, p, sizeof v);
  atomic_fetch_add_explicit(&group_sum, v, memory_order_relaxed);
}

static void count_task(void *p) {
  (void)p;
  atomic_fetch_add_explicit(&group_ran, 1, memory_order_relaxed);
}

static void groups(int rounds, int per) {
  for (int r = 0; r < rounds; r++) {
    ws_frame g = WS_FRAME_INIT;
    ws_taskgroup_begin(&g);
    for (long i = 1; i <= per; i++)
      api("ws_spawn(group)",
          ws_spawn(&g, add_task, &i, sizeof i, (int)(i % 4), NULL), WS_OK,
          WS_OK);
    api("ws_wait(group)", ws_wait(&g), WS_OK, WS_OK);
  }
  /* A cancelled group: whatever ran, ran once; the wait says cancelled. */
  ws_frame c = WS_FRAME_INIT;
  ws_taskgroup_begin(&c);
  for (int i = 0; i < per; i++) {
    api("ws_spawn(cancel)",
        ws_spawn(&c, count_task, NULL, 0, WS_TIER_LOW, NULL), WS_OK, WS_OK);
    if (i == per / 2)
      ws_cancel(&c);
  }
  api("ws_wait(cancelled)", ws_wait(&c), WS_ECANCELED, WS_ECANCELED);
}

/* ---- application threads: each spawns and waits, then exits ------------ */

#define APP_THREADS 2
static pthread_barrier_t app_go;
static long app_result[APP_THREADS];

static void *app_thread(void *arg) {
  long i = (long)(intptr_t)arg;
  pthread_barrier_wait(&app_go); /* the faults are armed by then */
  app_result[i] = fib(14 + (int)i);
  return NULL;
}

/* ---- a wide frame: the deque grows past its first buffer ---------------- */

static atomic_long wide_sum;

static void wide_task(void *p) {
  long v;
  memcpy(&v, p, sizeof v);
  atomic_fetch_add_explicit(&wide_sum, v, memory_order_relaxed);
}

static void wide(long n) {
  ws_frame f = WS_FRAME_INIT;
  for (long i = 1; i <= n; i++)
    api("ws_spawn(wide)",
        ws_spawn(&f, wide_task, &i, sizeof i, WS_TIER_LOW, NULL), WS_OK, WS_OK);
  api("ws_wait(wide)", ws_wait(&f), WS_OK, WS_OK);
}

/* ---- parallel for: a sum (stack partial), a histogram (heap partial) ---- */

typedef struct hist {
  uint64_t bin[40]; /* 320 bytes: more than the loop's stack partial */
} hist;

static void sum_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  uint64_t *s = part;
  for (uint64_t i = lo; i < hi; i++)
    *s += i;
}
static void sum_init(void *p) { *(uint64_t *)p = 0; }
static void sum_combine(void *into, const void *from) {
  *(uint64_t *)into += *(const uint64_t *)from;
}

static void hist_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  hist *h = part;
  for (uint64_t i = lo; i < hi; i++)
    h->bin[i % 40] += i;
}
static void hist_init(void *p) { memset(p, 0, sizeof(hist)); }
static void hist_combine(void *into, const void *from) {
  hist *a = into;
  const hist *b = from;
  for (int i = 0; i < 40; i++)
    a->bin[i] += b->bin[i];
}

/* ---- depend: a chain of writers with readers between them -------------- */

typedef struct dep_args {
  uint64_t *x;
  uint64_t *seen;
  int i;
} dep_args;

static void dep_write(void *p) {
  const dep_args *a = p;
  *a->x = *a->x * 3 + (uint64_t)a->i;
}
static void dep_read(void *p) {
  const dep_args *a = p;
  a->seen[a->i] = *a->x;
}

/* ---- ws_spawn_call ----------------------------------------------------- */

static long mul_add(long a, long b, long c) { return a * b + c; }

/* ---- timed tasks (timeout.c wraps them) ------------------------------- */

static atomic_long timed_sum;
static void timed_task(void *p) {
  long v;
  memcpy(&v, p, sizeof v);
  atomic_fetch_add_explicit(&timed_sum, v, memory_order_relaxed);
}

int main(int argc, char **argv) {
  int init = -1, scale = 1, prestart = 0, exitfaults = 0;
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "init=", 5))
      init = atoi(argv[i] + 5);
    else if (!strcmp(argv[i], "prestart"))
      prestart = 1;
    else if (!strcmp(argv[i], "exitfaults"))
      exitfaults = 1;
    else if (!strncmp(argv[i], "scale=", 6))
      scale = atoi(argv[i] + 6);
    else {
      fprintf(stderr,
              "usage: faultprog [init=W | prestart] [scale=S] [exitfaults]\n");
      return 2;
    }
  }
  if (scale < 1)
    scale = 1;
  void (*arm)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "ws_fault_arm");
  void (*disarm)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, "ws_fault_disarm");
  void (*counts)(unsigned long *) =
      (void (*)(unsigned long *))dlsym(RTLD_DEFAULT, "ws_fault_counts");

  /* Set-up: everything this program allocates for itself. */
  const int fib_n = 18 + (scale > 1 ? 4 : 0);
  const int rounds = 4 * scale, per = 200;
  const uint64_t trips = 100000ull * (uint64_t)scale;
  const int chain = 60 * scale;
  const int calls = 40;
  const long wide_n = 3000L * scale;
  uint64_t *seen = calloc((size_t)chain, sizeof *seen);
  long *call_out = calloc((size_t)calls, sizeof *call_out);
  if (!seen || !call_out)
    return 2;
  /* Two application threads, made now (their pthread_create is not under
   * test) and released once the faults are armed. */
  pthread_t app[APP_THREADS];
  if (pthread_barrier_init(&app_go, NULL, APP_THREADS + 1))
    return 2;
  for (long i = 0; i < APP_THREADS; i++)
    if (pthread_create(&app[i], NULL, app_thread, (void *)(intptr_t)i))
      return 2;
  if (prestart)
    ws_num_workers(); /* starts the pool */
  printf("faultprog: start\n");
  fflush(stdout); /* its buffer exists from here on */

  if (arm)
    arm();
  /* ---- Under faults from here ---- */
  int init_rc = WS_OK;
  if (init >= 0)
    init_rc = ws_init(init); /* may fail: the spawns below must still work */

  pthread_barrier_wait(&app_go);
  long fib_got = fib(fib_n);
  for (int i = 0; i < APP_THREADS; i++)
    pthread_join(app[i], NULL);

  wide(wide_n);

  groups(rounds, per);

  ws_loop l;
  memset(&l, 0, sizeof l);
  l.trips = trips;
  l.body = sum_body;
  l.red_size = sizeof(uint64_t);
  l.red_init = sum_init;
  l.red_combine = sum_combine;
  uint64_t sum = 0;
  api("ws_parallel_for(sum)", ws_parallel_for(&l, &sum), WS_OK, WS_OK);
  l.body = hist_body;
  l.red_size = sizeof(hist);
  l.red_init = hist_init;
  l.red_combine = hist_combine;
  l.grainsize = 1000;
  hist h;
  memset(&h, 0, sizeof h);
  api("ws_parallel_for(hist)", ws_parallel_for(&l, &h), WS_OK, WS_OK);

  uint64_t x = 1;
  {
    ws_frame f = WS_FRAME_INIT;
    for (int i = 0; i < chain; i++) {
      dep_args a = {&x, seen, i};
      ws_dep w = {&x, sizeof x, WS_DEP_INOUT};
      ws_task_opts o;
      memset(&o, 0, sizeof o);
      o.tier = i % 4;
      o.deps = &w;
      o.num_deps = 1;
      api("ws_spawn_ex(dep write)",
          ws_spawn_ex(&f, dep_write, &a, sizeof a, &o), WS_OK, WS_OK);
      ws_dep r = {&x, sizeof x, WS_DEP_IN};
      o.deps = &r;
      api("ws_spawn_ex(dep read)", ws_spawn_ex(&f, dep_read, &a, sizeof a, &o),
          WS_OK, WS_OK);
    }
    api("ws_wait(dep)", ws_wait(&f), WS_OK, WS_OK);
  }

  {
    ws_frame f = WS_FRAME_INIT;
    ws_type types[3] = {WS_TYPE_LONG, WS_TYPE_LONG, WS_TYPE_LONG};
    for (int i = 0; i < calls; i++) {
      long a = i, b = i + 1, c = 7;
      void *args[3] = {&a, &b, &c};
      api("ws_spawn_call",
          ws_spawn_call(&f, (ws_call_fn)mul_add, WS_TYPE_LONG, &call_out[i], 3,
                        types, args, NULL),
          WS_OK, WS_OK);
    }
    api("ws_wait(call)", ws_wait(&f), WS_OK, WS_OK);
  }

  {
    ws_frame f = WS_FRAME_INIT;
    for (long i = 1; i <= 50; i++) {
      struct {
        long v;
        char pad[120]; /* heap captures inside the timed wrapper */
      } a;
      memset(&a, 0, sizeof a);
      a.v = i;
      ws_task_opts o;
      memset(&o, 0, sizeof o);
      o.timeout_ms = 600000;
      api("ws_spawn_ex(timed)", ws_spawn_ex(&f, timed_task, &a, sizeof a, &o),
          WS_OK, WS_OK);
    }
    api("ws_wait(timed)", ws_wait(&f), WS_OK, WS_OK);
  }

  /* ---- Faults off: check and report ---- */
  if (disarm)
    disarm();
  unsigned long c[4] = {0, 0, 0, 0};
  if (counts)
    counts(c);

  EXPECT("fib", fib_got, fib_seq(fib_n));
  for (int i = 0; i < APP_THREADS; i++)
    EXPECT("application thread fib", app_result[i], fib_seq(14 + i));
  EXPECT("wide", atomic_load(&wide_sum), wide_n * (wide_n + 1) / 2);
  EXPECT("taskgroups", atomic_load(&group_sum),
         (uint64_t)rounds * (uint64_t)per * (uint64_t)(per + 1) / 2);
  if (atomic_load(&group_ran) > per) {
    fprintf(stderr, "faultprog: WRONG cancelled group: %ld of %d tasks ran\n",
            (long)atomic_load(&group_ran), per);
    wrong = 1;
  }
  EXPECT("parallel_for(sum)", sum, trips * (trips - 1) / 2);
  for (int b = 0; b < 40; b++) {
    uint64_t want = 0;
    for (uint64_t i = (uint64_t)b; i < trips; i += 40)
      want += i;
    EXPECT("parallel_for(hist)", h.bin[b], want);
  }
  uint64_t xw = 1;
  for (int i = 0; i < chain; i++) {
    xw = xw * 3 + (uint64_t)i;
    EXPECT("depend(reader)", seen[i], xw);
  }
  EXPECT("depend(writer)", x, xw);
  for (int i = 0; i < calls; i++)
    EXPECT("ws_spawn_call", call_out[i], (long)i * (i + 1) + 7);
  EXPECT("timed", atomic_load(&timed_sum), 50 * 51 / 2);
  for (int i = 0; i < n_api; i++) {
    fprintf(stderr, "faultprog: WRONG %s returned %d (%s)\n", api_name[i],
            api_rc[i], ws_strerror(api_rc[i]));
    wrong = 1;
  }
  if (wrong)
    return 3;
  /* What the runtime did: tasks queued, and tasks run at once (no
   * descriptor, a full deque, an undeferred task). */
  ws_stats st;
  memset(&st, 0, sizeof st);
  ws_stats_get(&st, NULL, 0);
  printf("faultprog: ok init_rc=%d workers=%d spawned=%llu inline=%llu "
         "alloc_calls=%lu alloc_failed=%lu thread_calls=%lu "
         "thread_failed=%lu\n",
         init_rc, ws_num_workers(), (unsigned long long)st.spawned,
         (unsigned long long)st.inline_runs, c[0], c[1], c[2], c[3]);
  fflush(stdout);
  if (exitfaults && arm)
    arm();
  return 0;
}

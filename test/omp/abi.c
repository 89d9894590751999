/* Unit tests of libws-omp's entry points, called by hand as Clang's output
 * would call them, on cases that Clang's normalised loops never produce:
 * bounds at the ends of the 32- and 64-bit ranges, negative steps, the
 * last-iteration flag, every schedule kind and chunk size of the dispatch
 * interface; and the task descriptor (shareds, privates, part_id, priority
 * flag, depend items) filled by hand.  Built without -fopenmp; the
 * declarations are those of the interface (see omp/wso.h). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ident {
  int32_t r1, flags, r2, r3;
  const char *psource;
} ident;
static ident loc = {0, 2, 0, 0, ";abi.c;main;1;1;;"};

typedef void (*micro)(int32_t *, int32_t *, ...);
void __kmpc_fork_call(ident *, int32_t, micro, ...);
void __kmpc_push_num_threads(ident *, int32_t, int32_t);
int32_t __kmpc_global_thread_num(ident *);
void __kmpc_barrier(ident *, int32_t);
void __kmpc_for_static_init_4(ident *, int32_t, int32_t, int32_t *, int32_t *,
                              int32_t *, int32_t *, int32_t, int32_t);
void __kmpc_for_static_init_4u(ident *, int32_t, int32_t, int32_t *, uint32_t *,
                               uint32_t *, int32_t *, int32_t, int32_t);
void __kmpc_for_static_init_8(ident *, int32_t, int32_t, int32_t *, int64_t *,
                              int64_t *, int64_t *, int64_t, int64_t);
void __kmpc_for_static_fini(ident *, int32_t);
void __kmpc_dispatch_init_8u(ident *, int32_t, int32_t, uint64_t, uint64_t,
                             int64_t, int64_t);
int __kmpc_dispatch_next_8u(ident *, int32_t, int32_t *, uint64_t *, uint64_t *,
                            int64_t *);
void __kmpc_dispatch_init_4(ident *, int32_t, int32_t, int32_t, int32_t,
                            int32_t, int32_t);
int __kmpc_dispatch_next_4(ident *, int32_t, int32_t *, int32_t *, int32_t *,
                           int32_t *);
void __kmpc_dispatch_deinit(ident *, int32_t);

typedef int32_t (*task_entry)(int32_t, void *);
typedef struct kmp_task {
  void *shareds;
  task_entry routine;
  int32_t part_id;
  union {
    int32_t priority;
    task_entry destructors;
  } data1, data2;
} kmp_task;
kmp_task *__kmpc_omp_task_alloc(ident *, int32_t, int32_t, size_t, size_t,
                                task_entry);
int32_t __kmpc_omp_task(ident *, int32_t, kmp_task *);
int32_t __kmpc_omp_taskwait(ident *, int32_t);
typedef struct dep_info {
  intptr_t base_addr;
  size_t len;
  uint8_t flags;
} dep_info;
int32_t __kmpc_omp_task_with_deps(ident *, int32_t, kmp_task *, int32_t,
                                  dep_info *, int32_t, dep_info *);

static int failures;
static void check(const char *what, int ok) {
  printf("%s: %s\n", what, ok ? "ok" : "FAIL");
  failures += !ok;
}

/* ---- Static schedules: every iteration exactly once, one last flag ------ */

#define MAXN 4096
static int hits[MAXN];
static int lasts;

static void hit(int64_t i) {
  if (i >= 0 && i < MAXN)
    __atomic_fetch_add(&hits[i], 1, __ATOMIC_RELAXED);
  else
    __atomic_fetch_add(&hits[0], 1000, __ATOMIC_RELAXED); /* out of range */
}

static int exactly_once(int n) {
  int ok = lasts == 1;
  for (int i = 0; i < MAXN; i++)
    ok &= hits[i] == (i < n);
  memset(hits, 0, sizeof hits);
  lasts = 0;
  return ok;
}

/* Clang's shape: clamp the block to the loop's last iteration, then walk
 * blocks `stride` apart until past it (in 64 bits: near the top of the
 * range, Clang's own 32-bit `UB += ST` would wrap, which is why Clang
 * normalises loops to 0..n-1 before calling the runtime). */
static void static_4u(int32_t gtid, int32_t sched, uint32_t lb, uint32_t ub,
                      int32_t chunk) {
  int32_t last = 0, st = 0;
  uint32_t lo32 = lb, hi32 = ub;
  __kmpc_for_static_init_4u(&loc, gtid, sched, &last, &lo32, &hi32, &st, 1,
                            chunk);
  uint64_t lo = lo32, hi = hi32;
  for (;;) {
    if (hi > ub)
      hi = ub;
    if (lo > hi || lo < lb)
      break;
    for (uint64_t i = lo; i <= hi; i++)
      hit((int64_t)(i - lb));
    if (sched != 33)
      break;
    lo += (uint32_t)st;
    hi += (uint32_t)st;
  }
  __kmpc_for_static_fini(&loc, gtid);
  if (last)
    __atomic_fetch_add(&lasts, 1, __ATOMIC_RELAXED);
}

static void static_8_down(int32_t gtid, int32_t sched, int64_t chunk) {
  /* for (i = 300; i >= -300; i -= 7): 86 iterations */
  int32_t last = 0;
  int64_t lo = 300, hi = -300, st = 0;
  __kmpc_for_static_init_8(&loc, gtid, sched, &last, &lo, &hi, &st, -7, chunk);
  for (;;) {
    if (hi < -300)
      hi = -300;
    if (lo < hi)
      break;
    for (int64_t i = lo; i >= hi; i -= 7)
      hit((300 - i) / 7);
    if (sched != 33)
      break;
    lo += st;
    hi += st;
  }
  if (last)
    __atomic_fetch_add(&lasts, 1, __ATOMIC_RELAXED);
}

static void dispatch_8u_top(int32_t gtid, int32_t sched, int64_t chunk) {
  /* The top 1001 values of uint64_t. */
  const uint64_t lb = UINT64_MAX - 1000;
  __kmpc_dispatch_init_8u(&loc, gtid, sched, lb, UINT64_MAX, 1, chunk);
  int32_t last = 0;
  uint64_t lo, hi;
  int64_t st;
  while (__kmpc_dispatch_next_8u(&loc, gtid, &last, &lo, &hi, &st)) {
    for (uint64_t i = lo;; i++) {
      hit((int64_t)(i - lb));
      if (i == hi)
        break;
    }
    if (last)
      __atomic_fetch_add(&lasts, 1, __ATOMIC_RELAXED);
  }
  __kmpc_dispatch_deinit(&loc, gtid);
}

static void dispatch_4_down(int32_t gtid, int32_t sched, int32_t chunk) {
  /* for (i = 1000; i > -1000; i -= 3): 667 iterations */
  __kmpc_dispatch_init_4(&loc, gtid, sched, 1000, -998, -3, chunk);
  int32_t last = 0, lo, hi, st;
  while (__kmpc_dispatch_next_4(&loc, gtid, &last, &lo, &hi, &st)) {
    for (int32_t i = lo; i >= hi; i += st)
      hit((1000 - i) / 3);
    if (last)
      __atomic_fetch_add(&lasts, 1, __ATOMIC_RELAXED);
  }
  __kmpc_dispatch_deinit(&loc, gtid);
}

static int results[64];
#define RUN(name, call, n)                                                     \
  do {                                                                         \
    call;                                                                      \
    __kmpc_barrier(&loc, *gtid);                                               \
    if (*btid == 0)                                                            \
      results[r++] = exactly_once(n);                                          \
    __kmpc_barrier(&loc, *gtid);                                               \
  } while (0)

static void loops(int32_t *gtid, int32_t *btid) {
  int r = 0;
  for (int chunk = 0; chunk <= 7; chunk += 7) {
    int32_t kind = chunk ? 33 : 34;
    RUN("4u top", static_4u(*gtid, kind, UINT32_MAX - 500, UINT32_MAX, chunk),
        501);
    RUN("4u small", static_4u(*gtid, kind, 7, 9, chunk), 3);
    RUN("8 down", static_8_down(*gtid, kind, chunk), 86);
  }
  /* dynamic, guided, static, runtime, static_steal, with and without a
   * chunk, with the nonmonotonic modifier bit */
  int32_t kinds[] = {35, 36, 34, 33, 37, 44, 35 | (1 << 30)};
  for (unsigned k = 0; k < sizeof kinds / sizeof *kinds; k++)
    for (int chunk = 0; chunk <= 5; chunk += 5) {
      RUN("8u top", dispatch_8u_top(*gtid, kinds[k], chunk), 1001);
      RUN("4 down", dispatch_4_down(*gtid, kinds[k], chunk), 667);
    }
}

/* ---- Tasks by hand ---------------------------------------------------- */

typedef struct my_task {
  kmp_task t;
  int index; /* a firstprivate */
} my_task;

static int32_t bump(int32_t gtid, void *task) {
  (void)gtid;
  my_task *m = task;
  int *out = *(int **)m->t.shareds; /* shareds: one pointer */
  out[m->index] += m->index + 1;
  return 0;
}

static int32_t append(int32_t gtid, void *task) {
  (void)gtid;
  my_task *m = task;
  int **sh = m->t.shareds; /* shareds: the sequence and its length */
  int *len = sh[1];
  sh[0][(*len)++] = m->index;
  return 0;
}

static void tasks(int32_t *gtid, int32_t *btid) {
  if (*btid != 0)
    return;
  int out[200];
  memset(out, 0, sizeof out);
  for (int i = 0; i < 200; i++) {
    my_task *m =
        (my_task *)__kmpc_omp_task_alloc(&loc, *gtid, 1 | (i % 2 ? 0x20 : 0),
                                         sizeof(my_task), sizeof(int *), bump);
    *(int **)m->t.shareds = out;
    m->index = i;
    m->t.data2.priority = i % 3;
    __kmpc_omp_task(&loc, *gtid, &m->t);
  }
  __kmpc_omp_taskwait(&loc, *gtid);
  int ok = 1;
  for (int i = 0; i < 200; i++)
    ok &= out[i] == i + 1;
  results[40] = ok;
  /* A chain through one inout item: the order of creation. */
  int seq[100], len = 0;
  for (int i = 0; i < 100; i++) {
    my_task *m = (my_task *)__kmpc_omp_task_alloc(
        &loc, *gtid, 1, sizeof(my_task), 2 * sizeof(int *), append);
    ((int **)m->t.shareds)[0] = seq;
    ((int **)m->t.shareds)[1] = &len;
    m->index = i;
    dep_info d = {(intptr_t)&len, sizeof len, 3};
    __kmpc_omp_task_with_deps(&loc, *gtid, &m->t, 1, &d, 0, NULL);
  }
  __kmpc_omp_taskwait(&loc, *gtid);
  ok = len == 100;
  for (int i = 0; i < len; i++)
    ok &= seq[i] == i;
  results[41] = ok;
}

int main(void) {
  int32_t gtid = __kmpc_global_thread_num(&loc);
  for (int threads = 1; threads <= 3; threads++) {
    memset(results, 0xff, sizeof results);
    __kmpc_push_num_threads(&loc, gtid, threads);
    __kmpc_fork_call(&loc, 0, (micro)loops);
    int ok = 1;
    for (int i = 0; i < 34; i++)
      if (results[i] != 1) {
        printf("loop case %d failed\n", i);
        ok = 0;
      }
    char what[64];
    snprintf(what, sizeof what, "loops, %d threads", threads);
    check(what, ok);
    __kmpc_push_num_threads(&loc, gtid, threads);
    __kmpc_fork_call(&loc, 0, (micro)tasks);
    snprintf(what, sizeof what, "tasks by hand, %d threads", threads);
    check(what, results[40] == 1);
    snprintf(what, sizeof what, "depend chain by hand, %d threads", threads);
    check(what, results[41] == 1);
  }
  return failures != 0;
}

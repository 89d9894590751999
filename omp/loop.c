/*
 * loop.c -- worksharing loops: static schedules (__kmpc_for_static_init_*)
 * and the dynamically dispatched ones (__kmpc_dispatch_*: dynamic, guided,
 * runtime, and any schedule with `ordered`).
 *
 * Every form works on the loop normalised to iterations 0..trips-1 of
 * `lb + i * st`; the 4/4u/8/8u entry points only convert.  The arithmetic is
 * done in 128 bits so that unsigned 64-bit bounds and their differences
 * cannot overflow.
 *
 * Inside an explicit task (where OpenMP does not allow worksharing) and in a
 * team of one, a loop runs whole on the calling thread.
 */
#include <limits.h>
#include <sched.h>
#include <string.h>

#include "wso.h"

typedef __int128 wide;

static uint64_t trip_count(wide lb, wide ub, wide st) {
  if (st > 0)
    return ub < lb ? 0 : (uint64_t)((ub - lb) / st + 1);
  if (st < 0)
    return lb < ub ? 0 : (uint64_t)((lb - ub) / -st + 1);
  return 1;
}

/* The member's number and team size for worksharing. */
static int team_of(wso_task *task, int *tid) {
  if (task->implicit && task->team->nthreads > 1) {
    *tid = task->tid;
    return task->team->nthreads;
  }
  *tid = 0;
  return 1;
}

/* Static schedules.  Unchunked: one block per thread, the first trips % n
 * threads one iteration longer.  Chunked: chunks of `chunk` dealt round
 * robin; *stride is the distance from one of this thread's chunks to its
 * next.  Clang clamps the upper bound to the loop's and stops when the lower
 * bound passes it. */
static void static_init(int32_t sched, int32_t *plast, wide *plb, wide *pub,
                        wide *pst, wide incr, wide chunk) {
  wso_task *task = wso_self()->task;
  int tid, n = team_of(task, &tid);
  wide lb = *plb, ub = *pub;
  uint64_t trips = trip_count(lb, ub, incr);
  if (incr == 0)
    incr = 1;
  if (trips == 0) {
    if (plast)
      *plast = 0;
    *pst = incr;
    return;
  }
  int chunked = sched == WSO_SCH_STATIC_CHUNKED ||
                sched == WSO_DIST_STATIC_CHUNKED ||
                sched == WSO_SCH_STATIC_BALANCED_CHUNKED;
  if (chunked && sched == WSO_SCH_STATIC_BALANCED_CHUNKED) {
    /* One block per thread, rounded up to a multiple of `chunk` (simd). */
    uint64_t c = chunk > 0 ? (uint64_t)chunk : 1;
    uint64_t per = (trips + (uint64_t)n - 1) / (uint64_t)n;
    chunk = (wide)((per + c - 1) / c * c);
  }
  if (chunked && chunk > 0) {
    uint64_t c = (uint64_t)chunk;
    uint64_t nchunks = (trips + c - 1) / c;
    wide last = lb + (wide)(trips - 1) * incr;
    *plb = lb + (wide)tid * (wide)c * incr;
    *pub = *plb + (wide)(c - 1) * incr;
    /* Never past the last iteration: near the top of an unsigned range the
     * chunk's end would wrap around in the loop's own type. */
    if (incr > 0 ? *pub > last : *pub < last)
      *pub = last;
    *pst = (wide)n * (wide)c * incr;
    if (plast)
      *plast = (int32_t)((nchunks - 1) % (uint64_t)n) == tid;
    return;
  }
  uint64_t base = trips / (uint64_t)n, extra = trips % (uint64_t)n;
  uint64_t t = (uint64_t)tid;
  uint64_t start = t * base + (t < extra ? t : extra);
  uint64_t cnt = base + (t < extra);
  if (cnt == 0) {
    /* No iterations: a block that starts past the loop's end. */
    *plb = lb + (wide)trips * incr;
    *pub = *plb - incr;
    if (plast)
      *plast = 0;
  } else {
    *plb = lb + (wide)start * incr;
    *pub = lb + (wide)(start + cnt - 1) * incr;
    if (plast)
      *plast = start + cnt == trips;
  }
  *pst = (wide)trips * incr;
}

/* The four loop-variable types Clang's entry points come in: the suffix,
 * the type of the bounds, the type of the stride and chunk. */
#define WSO_LOOP_TYPES(X)                                                      \
  X(4, int32_t, int32_t)                                                       \
  X(4u, uint32_t, int32_t)                                                     \
  X(8, int64_t, int64_t)                                                       \
  X(8u, uint64_t, int64_t)

#define STATIC_INIT(suffix, T, ST)                                             \
  WSO_EXPORT void __kmpc_for_static_init_##suffix(                             \
      wso_ident *loc, int32_t gtid, int32_t sched, int32_t *plast, T *plb,     \
      T *pub, ST *pst, ST incr, ST chunk) {                                    \
    (void)loc, (void)gtid;                                                     \
    wide lb = *plb, ub = *pub, st;                                             \
    static_init(sched, plast, &lb, &ub, &st, incr, chunk);                     \
    *plb = (T)lb;                                                              \
    *pub = (T)ub;                                                              \
    *pst = (ST)st;                                                             \
  }

WSO_LOOP_TYPES(STATIC_INIT)

WSO_EXPORT void __kmpc_for_static_fini(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
}

/* ---- Dispatch -------------------------------------------------------------
 */

/* Waits (spinning, then yielding, then napping) until *w reads v. */
static void wait_for(_Atomic uint64_t *w, uint64_t v) {
  for (unsigned i = 0; atomic_load_explicit(w, memory_order_acquire) != v;
       i++) {
    if (i < 1000) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      sched_yield();
    }
  }
}

static void decode(int32_t sched, int *kind, int *ordered, uint64_t *chunk) {
  int s = (int)((uint32_t)sched & ~WSO_SCH_MODIFIERS);
  *ordered = 0;
  if (s >= WSO_NM_LOWER && s < WSO_NM_UPPER)
    s -= WSO_NM_LOWER - 32;
  if (s >= WSO_ORD_LOWER && s < WSO_ORD_UPPER) {
    *ordered = 1;
    s -= 32;
  }
  switch (s) {
  case WSO_SCH_DYNAMIC_CHUNKED:
  case WSO_SCH_STATIC_STEAL:
  case WSO_SCH_TRAPEZOIDAL:
    *kind = WSO_K_DYNAMIC;
    break;
  case WSO_SCH_GUIDED_CHUNKED:
  case WSO_SCH_GUIDED_ITERATIVE:
  case WSO_SCH_GUIDED_ANALYTICAL:
  case WSO_SCH_GUIDED_SIMD:
    *kind = WSO_K_GUIDED;
    break;
  case WSO_SCH_RUNTIME:
  case WSO_SCH_RUNTIME_SIMD:
    *kind = wso_cfg.run_kind;
    *chunk = wso_cfg.run_chunk > 0 ? (uint64_t)wso_cfg.run_chunk : 0;
    break;
  case WSO_SCH_STATIC:
  case WSO_SCH_STATIC_GREEDY:
  case WSO_SCH_STATIC_BALANCED:
  case WSO_SCH_AUTO:
  case WSO_DIST_STATIC:
    *kind = WSO_K_STATIC;
    *chunk = 0;
    break;
  default: /* static chunked and anything else: static, as given */
    *kind = WSO_K_STATIC;
    break;
  }
}

static void dispatch_init(int32_t sched, wide lb, wide ub, wide st,
                          wide chunk_in) {
  wso_task *task = wso_self()->task;
  wso_ws *w = &task->ws;
  int tid, n = team_of(task, &tid);
  int kind, ordered;
  uint64_t chunk = chunk_in > 0 ? (uint64_t)chunk_in : 0;
  decode(sched, &kind, &ordered, &chunk);
  uint64_t trips = trip_count(lb, ub, st);
  if (chunk == 0)
    chunk = kind == WSO_K_STATIC ? (trips + (uint64_t)n - 1) / (uint64_t)n : 1;
  if (chunk == 0)
    chunk = 1;
  w->lb = (int64_t)lb;
  w->st = (int64_t)(st ? st : 1);
  w->trips = trips;
  w->chunk = chunk;
  w->kind = kind;
  w->ordered = ordered;
  w->active = 1;
  w->static_next = (uint64_t)tid;
  w->cur = w->cur_end = 0;
  w->cur_ordered_done = 0;
  w->disp = NULL;
  if (n == 1)
    return;
  /* Buffer `seq % WSO_DISP_BUFS` serves loop `seq` once the team has left
   * loop `seq - WSO_DISP_BUFS`; the first member to arrive sets it up. */
  uint64_t seq = w->loop_seq++;
  wso_disp *d = &task->team->disp[seq % WSO_DISP_BUFS];
  wait_for(&d->ready_for, seq);
  uint32_t zero = 0;
  if (atomic_compare_exchange_strong_explicit(
          &d->phase, &zero, 1, memory_order_acquire, memory_order_acquire)) {
    atomic_store_explicit(&d->next, 0, memory_order_relaxed);
    atomic_store_explicit(&d->ordered_next, 0, memory_order_relaxed);
    /* Release: the members that see phase 2 see the counters reset. */
    atomic_store_explicit(&d->phase, 2, memory_order_release);
  } else {
    while (atomic_load_explicit(&d->phase, memory_order_acquire) != 2)
      sched_yield();
  }
  w->disp = d;
}

/* Claims this member's next chunk [*s, *e); 0 when the loop is exhausted. */
static int claim(wso_task *task, wso_ws *w, uint64_t *s, uint64_t *e) {
  wso_disp *d = w->disp;
  int tid, n = team_of(task, &tid);
  uint64_t trips = w->trips;
  if (!d) {
    /* A team of one: everything at once, the first time. */
    if (w->static_next != 0 || trips == 0)
      return 0;
    w->static_next = 1;
    *s = 0;
    *e = trips;
    return 1;
  }
  uint64_t start;
  switch (w->kind) {
  case WSO_K_STATIC:
    start = w->static_next * w->chunk;
    if (w->static_next >= (trips + w->chunk - 1) / w->chunk)
      return 0;
    w->static_next += (uint64_t)n;
    *s = start;
    *e = trips - start < w->chunk ? trips : start + w->chunk;
    return 1;
  case WSO_K_DYNAMIC:
    start = atomic_fetch_add_explicit(&d->next, w->chunk, memory_order_relaxed);
    if (start >= trips)
      return 0;
    *s = start;
    *e = trips - start < w->chunk ? trips : start + w->chunk;
    return 1;
  default: { /* guided: a share of what is left, at least `chunk` */
    start = atomic_load_explicit(&d->next, memory_order_relaxed);
    for (;;) {
      if (start >= trips)
        return 0;
      uint64_t left = trips - start;
      uint64_t size = left / (2 * (uint64_t)n);
      if (size < w->chunk)
        size = w->chunk;
      if (size > left)
        size = left;
      if (atomic_compare_exchange_weak_explicit(&d->next, &start, start + size,
                                                memory_order_relaxed,
                                                memory_order_relaxed)) {
        *s = start;
        *e = start + size;
        return 1;
      }
    }
  }
  }
}

/* The member is done with the loop; the last one frees its buffer for loop
 * seq + WSO_DISP_BUFS. */
static void leave(wso_task *task, wso_ws *w) {
  wso_disp *d = w->disp;
  w->active = 0;
  w->disp = NULL;
  if (!d)
    return;
  int tid, n = team_of(task, &tid);
  if (atomic_fetch_add_explicit(&d->done, 1, memory_order_acq_rel) ==
      (uint32_t)n - 1) {
    atomic_store_explicit(&d->done, 0, memory_order_relaxed);
    atomic_store_explicit(&d->phase, 0, memory_order_relaxed);
    uint64_t seq = atomic_load_explicit(&d->ready_for, memory_order_relaxed);
    /* Release: the next loop's members see the buffer reset. */
    atomic_store_explicit(&d->ready_for, seq + WSO_DISP_BUFS,
                          memory_order_release);
  }
}

static int dispatch_next(int32_t *plast, wide *plb, wide *pub, wide *pst) {
  wso_task *task = wso_self()->task;
  wso_ws *w = &task->ws;
  if (!w->active)
    return 0;
  uint64_t s, e;
  if (!claim(task, w, &s, &e)) {
    leave(task, w);
    return 0;
  }
  *plb = (wide)w->lb + (wide)s * w->st;
  *pub = (wide)w->lb + (wide)(e - 1) * w->st;
  *pst = w->st;
  if (plast)
    *plast = e == w->trips;
  w->cur = s;
  w->cur_end = e;
  w->cur_ordered_done = 0;
  return 1;
}

static void dispatch_fini(void);

#define DISPATCH(suffix, T, ST)                                                \
  WSO_EXPORT void __kmpc_dispatch_init_##suffix(wso_ident *loc, int32_t gtid,  \
                                                int32_t sched, T lb, T ub,     \
                                                ST st, ST chunk) {             \
    (void)loc, (void)gtid;                                                     \
    dispatch_init(sched, lb, ub, st, chunk);                                   \
  }                                                                            \
  WSO_EXPORT int __kmpc_dispatch_next_##suffix(                                \
      wso_ident *loc, int32_t gtid, int32_t *plast, T *plb, T *pub, ST *pst) { \
    (void)loc, (void)gtid;                                                     \
    wide lb, ub, st;                                                           \
    if (!dispatch_next(plast, &lb, &ub, &st))                                  \
      return 0;                                                                \
    *plb = (T)lb;                                                              \
    *pub = (T)ub;                                                              \
    if (pst)                                                                   \
      *pst = (ST)st;                                                           \
    return 1;                                                                  \
  }                                                                            \
  WSO_EXPORT void __kmpc_dispatch_fini_##suffix(wso_ident *loc,                \
                                                int32_t gtid) {                \
    (void)loc, (void)gtid;                                                     \
    dispatch_fini();                                                           \
  }

/* `ordered`: iterations enter their ordered region in iteration order.
 * Clang calls __kmpc_dispatch_fini_* after every iteration of an ordered
 * loop; an iteration that skipped its ordered region still takes its turn
 * there, so that later ones are not kept waiting. */
static void ordered_turn(wso_ws *w) {
  if (w->disp)
    wait_for(&w->disp->ordered_next, w->cur);
}

static void ordered_pass(wso_ws *w) {
  if (w->disp)
    /* Release: the next iteration's ordered region sees this one's. */
    atomic_store_explicit(&w->disp->ordered_next, w->cur + 1,
                          memory_order_release);
  w->cur_ordered_done = 1;
}

static void dispatch_fini(void) {
  wso_ws *w = &wso_self()->task->ws;
  if (!w->ordered)
    return;
  if (!w->cur_ordered_done) {
    ordered_turn(w);
    ordered_pass(w);
  }
  w->cur++;
  w->cur_ordered_done = 0;
}

WSO_LOOP_TYPES(DISPATCH)

/* Clang 19 calls this after the loop: the buffer was freed when the member
 * got its last "no more chunks". */
WSO_EXPORT void __kmpc_dispatch_deinit(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
}

WSO_EXPORT void __kmpc_ordered(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_ws *w = &wso_self()->task->ws;
  if (w->ordered)
    ordered_turn(w);
}

WSO_EXPORT void __kmpc_end_ordered(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_ws *w = &wso_self()->task->ws;
  if (w->ordered)
    ordered_pass(w);
}

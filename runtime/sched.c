/*
 * sched.c -- the public API of tasks: spawn, wait, taskgroups,
 * cancellation, checkpoints; plus frames, running tasks, tiers (high-tier
 * counters) and aging.  The pool's lifetime and the application threads'
 * records are in pool.c.
 */
#include "depend.h"
#include "observe.h"
#include "worker.h"

#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the frame futex sleeps on the low half of a 64-bit counter"
#endif

static inline int clamp_tier(int tier) {
  return tier < WS_TIER_LOW        ? WS_TIER_LOW
         : tier > WS_TIER_CRITICAL ? WS_TIER_CRITICAL
                                   : tier;
}

/* Statistics of a thread that may not be a worker: external threads share
 * one record, updated with read-modify-writes (their path is slow anyway). */
static void stat_any(ws__worker *w, ws__pool *p, size_t idx, uint64_t n) {
  if (w)
    ws__stat_add(&w->stats, idx, n);
  else if (p)
    /* Release: like ws__stat_add, for the quiescence check. */
    atomic_fetch_add_explicit(&p->ext.v[idx], n, memory_order_release);
}

/* ---- Frames ---------------------------------------------------------------
 */

static inline ws__frame_rt *nearest_group(ws__frame_rt *f, ws__tls *tls) {
  /* Relaxed: the flags were written by this thread (begin) or before the
   * frame was handed to it. */
  uint32_t ff = atomic_load_explicit(&f->flags, memory_order_relaxed);
  return (ff & WS__FRAME_GROUP) ? f : tls->cur_group;
}

static inline void frame_add_child(ws__frame_rt *f, uintptr_t self) {
  /* Relaxed: the owner field is compared with our own identity only. */
  if (WS__LIKELY(atomic_load_explicit(&f->owner, memory_order_relaxed) == self))
    f->local++;
  else
    /* A spawn by another thread.  Relaxed: the child's completion (+2) is
     * ordered after this by the queue that hands the child over. */
    atomic_fetch_sub_explicit(&f->remote, 2, memory_order_relaxed);
}

/* A child completed on a thread that does not own the frame. */
static __attribute__((noinline)) void frame_child_done_remote(ws__frame_rt *f) {
  /* Release: pairs with the waiter's acquire (frame_done / frame_sleep), so
   * the child's writes are visible after ws_wait.  This RMW is our last
   * access to the frame: the value it returns tells whether the owner sleeps
   * (bit 0) and whether we completed the last child (new value == 1). */
  int64_t old = atomic_fetch_add_explicit(&f->remote, 2, memory_order_release);
  if (WS__UNLIKELY((old & 1) && old + 2 == 1))
    /* The frame may already be gone (the owner can wake spuriously, see
     * count 0 and return); a futex wake on a dead address is harmless: it
     * can only cause a spurious wake-up, which every futex user tolerates. */
    ws__futex_wake(&f->remote, INT_MAX);
}

static inline __attribute__((always_inline)) void
frame_child_done(ws__frame_rt *f, uintptr_t self) {
  /* Relaxed: the owner field is compared with our own identity only. */
  if (WS__LIKELY(atomic_load_explicit(&f->owner, memory_order_relaxed) == self))
    f->local--; /* the owner thread itself: no atomic needed */
  else
    frame_child_done_remote(f);
}

void ws__frame_child_done(ws__frame_rt *f, uintptr_t self) {
  frame_child_done(f, self);
}

/* depend.c: a held task counts as a child from its spawn (see depend.h). */
void ws__frame_add_child(ws__frame_rt *f, uintptr_t self) {
  frame_add_child(f, self);
}

/* Completions a worker may hold back (see ws__worker.held_frame).  Holding
 * them is safe because the frame cannot be complete while this worker runs
 * one of its children, and it never waits, steals or sleeps while holding
 * them: before running a task of another frame, before looking beyond its
 * own deques and before any wait it flushes.  So the owner's ws_wait sees
 * every completion no later than it would see the task this worker runs. */
void ws__flush_held_slow(ws__worker *w) {
  ws__frame_rt *f = w->held_frame;
  int64_t n = w->held_done;
  w->held_frame = NULL;
  w->held_done = 0;
  /* Release: as in frame_child_done_remote, for every held child at once
   * (their writes precede this RMW in this thread).  Our last access. */
  int64_t old =
      atomic_fetch_add_explicit(&f->remote, 2 * n, memory_order_release);
  if (WS__UNLIKELY((old & 1) && old + 2 * n == 1))
    ws__futex_wake(&f->remote, INT_MAX); /* see frame_child_done_remote */
}

/* A task of `f` finished on worker w: the owner's count, or held. */
static inline __attribute__((always_inline)) void
worker_child_done(ws__worker *w, ws__frame_rt *f, uintptr_t self) {
  /* Relaxed: the owner field is compared with our own identity only. */
  if (WS__LIKELY(atomic_load_explicit(&f->owner, memory_order_relaxed) ==
                 self)) {
    f->local--;
  } else {
    if (w->held_frame != f) {
      ws__flush_held(w);
      w->held_frame = f;
    }
    w->held_done++;
  }
}

/* Owner only.  Acquire: pairs with the completers' release fetch_add. */
static inline int frame_done(ws__frame_rt *f) {
  int64_t v = atomic_load_explicit(&f->remote, memory_order_acquire);
  return (v & ~(int64_t)1) == 2 * f->local;
}

/* Owner only: sleeps until a completion changes the count (the last one
 * wakes us) or the timeout (< 0: none) passes. */
static void frame_sleep(ws__frame_rt *f, int64_t timeout_ns) {
  if (f->local) {
    /* Fold the owner's count into `remote` so that the completers can see
     * when the total reaches 0.  Relaxed: a transfer between the frame's own
     * counters; the acquire below orders what we read afterwards. */
    atomic_fetch_sub_explicit(&f->remote, 2 * f->local, memory_order_relaxed);
    f->local = 0;
  }
  /* Acquire: as in frame_done.  Setting bit 0 in the same word as the count
   * means no completer can miss it: each RMW sees the other. */
  int64_t v = atomic_fetch_or_explicit(&f->remote, 1, memory_order_acquire) | 1;
  if (v != 1)
    /* The kernel re-checks the low 32 bits: any completion since our RMW
     * changed them, so this cannot sleep through the last one. */
    ws__futex_wait(&f->remote, (uint32_t)v, timeout_ns);
  /* Relaxed: bit 0 only asks to be woken. */
  atomic_fetch_and_explicit(&f->remote, ~(int64_t)1, memory_order_relaxed);
}

int ws__task_cancelled(ws__frame_rt *frame, ws__frame_rt *group) {
  /* Relaxed: cancellation is a request; skipping one more or one fewer
   * unstarted task is fine.  The group owner reads the flag after ws_wait,
   * ordered by the completions it waited for. */
  if (frame && (atomic_load_explicit(&frame->flags, memory_order_relaxed) &
                WS__FRAME_CANCELLED))
    return 1;
  for (; group; group = group->parent)
    if (atomic_load_explicit(&group->flags, memory_order_relaxed) &
        WS__FRAME_CANCELLED)
      return 1;
  return 0;
}

/* ws__task_cancelled with the common case (no taskgroup, frame not
 * cancelled) inline. */
static inline int task_cancelled(ws__frame_rt *frame, ws__frame_rt *group) {
  /* Relaxed: see ws__task_cancelled. */
  if (WS__UNLIKELY(atomic_load_explicit(&frame->flags, memory_order_relaxed) &
                   WS__FRAME_CANCELLED))
    return 1;
  return WS__UNLIKELY(group != NULL) && ws__task_cancelled(NULL, group);
}

/* ---- Running tasks ---------------------------------------------------------
 */

/* Runs a task taken from a queue by worker w (the calling thread, whose
 * context is tls) and completes it.  Inline: ws_wait's loop runs it. */
static inline __attribute__((always_inline)) void
run_task(ws__tls *tls, ws__worker *w, ws__task *t) {
  ws__frame_rt *frame = t->frame, *group = t->group;
  int tier = t->tier;
  if (WS__UNLIKELY(w->held_frame != NULL) && w->held_frame != frame)
    ws__flush_held_slow(w); /* another frame: see ws__flush_held_slow */
  int skipped = task_cancelled(frame, group);
  if (WS__LIKELY(!skipped)) {
    ws__frame_rt *saved_frame = tls->cur_frame, *saved_group = tls->cur_group;
    uint64_t saved_seq = tls->start_seq;
    int final = t->flags & WS__TASK_FINAL;
    tls->start_seq = w->push_seq;
    tls->cur_frame = frame;
    tls->cur_group = group;
    tls->depth++;
    if (WS__UNLIKELY(final))
      tls->final_depth++;
    if (ws__tracing())
      ws__trace_run_task(w, t);
    else
      t->fn(ws__task_captures(t));
    if (WS__UNLIKELY(final))
      tls->final_depth--;
    tls->depth--;
    tls->cur_frame = saved_frame;
    tls->cur_group = saved_group;
    tls->start_seq = saved_seq;
  }
  /* Counted after the body (the quiescence check treats a counted task as
   * one that spawns nothing more) and before the completion (so a waiter
   * that returns from ws_wait reads exact counters). */
  if (WS__UNLIKELY(skipped))
    WS__STAT(w, cancelled, 1);
  else
    ws__stat_add(&w->stats, WS__STAT_IDX(executed) + (size_t)tier, 1);
  uintptr_t self = (uintptr_t)tls;
  worker_child_done(w, frame, self);
  if (WS__UNLIKELY(group != NULL) && group != frame)
    frame_child_done(group, self);
  if (WS__UNLIKELY(t->heap_captures != NULL))
    free(t->heap_captures);
  ws__task_free(&w->cache, &w->pool->depot, t);
}

void ws__run_task(ws__worker *w, ws__task *t) { run_task(&ws__tls_self, w, t); }

/* The body of a task run at once in this thread, outside any queue: the
 * thread's context says it runs as a task of `frame` (in `group`) while `fn`
 * runs on `copy`, its private captures.  Shared by run_inline and run_now;
 * `final` (0 or 1) makes its own spawns inline too.  w may be NULL (not a
 * worker: no trace). */
static inline __attribute__((always_inline)) void
run_here(ws__tls *tls, ws__worker *w, ws__frame_rt *frame, ws__frame_rt *group,
         ws_task_fn fn, void *copy, int tier, const ws_site *site, int final) {
  ws__frame_rt *saved_frame = tls->cur_frame, *saved_group = tls->cur_group;
  tls->cur_frame = frame;
  tls->cur_group = group;
  tls->depth++;
  tls->final_depth += final;
  if (w && WS__UNLIKELY(ws__tracing()))
    ws__trace_inline_task(w, fn, copy, tier, site);
  else
    fn(copy);
  tls->final_depth -= final;
  tls->depth--;
  tls->cur_frame = saved_frame;
  tls->cur_group = saved_group;
}

/* Runs a task at once in this thread: if(false), final, no memory, or a
 * deque full at its limit (not cold: a loop spawning millions of tasks runs
 * most of them here). */
static __attribute__((noinline)) int
run_inline(ws__tls *tls, ws__pool *p, ws__frame_rt *frame, ws_task_fn fn,
           const void *captures, size_t size, int tier, unsigned task_flags) {
  ws__worker *w = tls->w;
  /* The task gets a private copy of its captures, as a queued task would. */
  alignas(16) unsigned char local[WS_INLINE_CAPTURE];
  void *heap = NULL, *copy = local;
  if (size > sizeof local) {
    heap = malloc(size);
    /* No memory even for the copy: the task sees the spawner's bytes. */
    copy = heap ? heap : (void *)(uintptr_t)captures;
  }
  if (size && copy != captures)
    memcpy(copy, captures, size);
  ws__frame_rt *group = nearest_group(frame, tls);
  stat_any(w, p, WS__STAT_IDX(spawned), 1);
  stat_any(w, p, WS__STAT_IDX(inline_runs), 1);
  if (ws__task_cancelled(frame, group)) {
    stat_any(w, p, WS__STAT_IDX(cancelled), 1);
  } else {
    run_here(tls, w, frame, group, fn, copy, tier, NULL,
             (task_flags & WS__TASK_FINAL) ? 1 : 0);
    stat_any(w, p, WS__STAT_IDX(executed) + (size_t)tier, 1);
  }
  free(heap);
  return WS_OK;
}

/* ---- Aging
 * ---------------------------------------------------------------------- A task
 * queued longer than WS_STARVATION_MS moves one tier up (and its clock
 * restarts, so it climbs at most one tier per period).  Checked at most once
 * per millisecond per worker (worker.c), looking only at the oldest task of
 * each lower tier: the top of our own deques.  (A task queued by a thread
 * that is busy elsewhere is not aged by it; thieves take it as soon as their
 * own deques run dry.) */

static void hi_count_move(ws__pool *p, int from, int to) {
  /* Relaxed: hints, see ws__took. */
  if (from >= WS_TIER_HIGH)
    atomic_fetch_sub_explicit(&p->hi_queued[from - WS_TIER_HIGH], 1,
                              memory_order_relaxed);
  if (to >= WS_TIER_HIGH)
    atomic_fetch_add_explicit(&p->hi_queued[to - WS_TIER_HIGH], 1,
                              memory_order_relaxed);
}

static int starving(ws__task *t, uint64_t now, uint64_t limit) {
  /* Relaxed: t may be stale (already taken); the answer is a hint. */
  uint64_t enq = atomic_load_explicit(&t->enqueued_ms, memory_order_relaxed);
  return now >= enq && now - enq >= limit;
}

void ws__aging_check(ws__worker *w) {
  ws__pool *p = w->pool;
  uint64_t now = w->now_ms, limit = (uint64_t)p->cfg.starvation_ms;
  for (int tier = WS_TIER_HIGH; tier >= WS_TIER_LOW; tier--) {
    if (!(w->tier_mask & (1u << tier)))
      continue;
    ws__deque *d = &w->dq[tier];
    ws__task *t = ws__deque_peek_oldest(d);
    if (!t || !starving(t, now, limit))
      continue;
    int lost = 0;
    t = ws__deque_steal(d, &lost); /* the owner takes its own oldest task */
    if (!t)
      continue;
    hi_count_move(p, tier, tier + 1);
    t->tier = (uint8_t)(tier + 1);
    atomic_store_explicit(&t->enqueued_ms, now, memory_order_relaxed);
    WS__STAT(w, promotions, 1);
    if (ws__deque_push(&w->dq[tier + 1], t) != 0) {
      ws__took(p, t);
      ws__run_task(w, t);
      continue;
    }
    w->tier_mask |= 1u << (tier + 1);
  }
}

/* ---- Public API: spawn
 * ------------------------------------------------------------ */

/* memcpy for 1..WS_INLINE_CAPTURE bytes without a call for the usual few
 * words (two overlapping copies cover any size in [n, 2n]). */
static inline void copy_small(void *dst, const void *src, size_t size) {
  unsigned char *d = dst;
  const unsigned char *s = src;
  if (WS__LIKELY(size >= 8 && size <= 16)) {
    memcpy(d, s, 8);
    memcpy(d + size - 8, s + size - 8, 8);
  } else if (size > 16) {
    /* 17..WS_INLINE_CAPTURE bytes: 16-byte blocks, the last one overlapping
     * the previous (no call, no byte loop). */
    size_t i = 0;
    for (; i + 16 < size; i += 16)
      memcpy(d + i, s + i, 16);
    memcpy(d + size - 16, s + size - 16, 16);
  } else if (size >= 4) {
    memcpy(d, s, 4);
    memcpy(d + size - 4, s + size - 4, 4);
  } else {
    for (size_t i = 0; i < size; i++)
      d[i] = s[i];
  }
}

/* Fills a descriptor; 0, or -1 when the captures need memory we lack. */
static inline int task_fill(ws__task *t, ws__frame_rt *frame,
                            ws__frame_rt *group, ws_task_fn fn,
                            const void *captures, size_t size, int tier,
                            const ws_site *site, unsigned task_flags) {
  void *heap = NULL;
  if (WS__UNLIKELY(size > WS_INLINE_CAPTURE)) {
    heap = malloc(size);
    if (!heap)
      return -1;
    memcpy(heap, captures, size);
  } else if (size) {
    copy_small(t->captures, captures, size);
  }
  t->fn = fn;
  t->frame = frame;
  t->group = group;
  t->site = site;
  t->heap_captures = heap;
  t->tier = (uint8_t)tier;
  t->flags = (uint8_t)task_flags;
  return 0;
}

static inline void count_child(ws__frame_rt *frame, ws__frame_rt *group,
                               uintptr_t self) {
  frame_add_child(frame, self);
  if (WS__UNLIKELY(group != NULL) && group != frame)
    frame_add_child(group, self);
}

/* Runs a task at once on worker w, from a copy of its captures on the stack
 * (size <= WS_INLINE_CAPTURE), counted as spawned and executed or
 * cancelled: ws_spawn_last's direct call, and a spawn that a full deque
 * refuses.  No descriptor, no deque, no frame count -- the task has finished
 * before anyone could wait for it. */
static inline __attribute__((always_inline)) int
run_now(ws__tls *tls, ws__worker *w, ws__frame_rt *frame, ws_task_fn fn,
        const void *captures, size_t size, int tier, const ws_site *site) {
  ws__frame_rt *group = nearest_group(frame, tls);
  /* The task gets a private copy of its captures, as a queued one would. */
  alignas(16) unsigned char copy[WS_INLINE_CAPTURE];
  if (size)
    copy_small(copy, captures, size);
  if (WS__UNLIKELY(w->held_frame != NULL) && w->held_frame != frame)
    ws__flush_held_slow(w); /* as run_task does before another frame */
  WS__STAT(w, spawned, 1);
  if (WS__UNLIKELY(task_cancelled(frame, group))) {
    WS__STAT(w, cancelled, 1);
    return WS_OK;
  }
  /* As run_task: what the task spawns is newer than start_seq. */
  uint64_t saved_seq = tls->start_seq;
  tls->start_seq = w->push_seq;
  run_here(tls, w, frame, group, fn, copy, tier, site, 0);
  tls->start_seq = saved_seq;
  ws__stat_add(&w->stats, WS__STAT_IDX(executed) + (size_t)tier, 1);
  return WS_OK;
}

/* The hot path: a worker spawns into its own deque. */
static inline __attribute__((always_inline)) int
spawn_worker(ws__tls *tls, ws__worker *w, ws__frame_rt *frame, ws_task_fn fn,
             const void *captures, size_t size, int tier, const ws_site *site,
             unsigned task_flags) {
  ws__pool *p = w->pool;
  uintptr_t self = (uintptr_t)tls;
  /* The first spawner owns the frame.  Relaxed: see frame_add_child.  (Two
   * threads spawning at once into one fresh frame are not supported: a
   * frame belongs to one function invocation.) */
  if (WS__UNLIKELY(atomic_load_explicit(&frame->owner, memory_order_relaxed) ==
                   0))
    atomic_store_explicit(&frame->owner, self, memory_order_relaxed);
  if (WS__UNLIKELY(w->dq[tier].full_skip > 0)) {
    /* The deque was full at its limit a moment ago and refuses this push
     * without looking (see ws__deque_push): run the task now, from a copy
     * on the stack, rather than fill a descriptor only to run it -- one
     * that a thief may have freed last, whose lines would have to come
     * back from its cache (flat: a loop spawning millions of tasks). */
    w->dq[tier].full_skip--;
    if (WS__LIKELY(size <= WS_INLINE_CAPTURE && !task_flags)) {
      WS__STAT(w, inline_runs, 1);
      return run_now(tls, w, frame, fn, captures, size, tier, site);
    }
    return run_inline(tls, p, frame, fn, captures, size, tier, task_flags);
  }
  ws__task *t = ws__task_alloc(&w->cache, &p->depot);
  if (WS__UNLIKELY(!t))
    return run_inline(tls, p, frame, fn, captures, size, tier, task_flags);
  ws__frame_rt *group = nearest_group(frame, tls);
  if (WS__UNLIKELY(task_fill(t, frame, group, fn, captures, size, tier, site,
                             task_flags) != 0)) {
    ws__task_free(&w->cache, &p->depot, t);
    return run_inline(tls, p, frame, fn, captures, size, tier, task_flags);
  }
  /* Every 64 spawns (push_seq counts them), refresh the cached clock. */
  if (WS__UNLIKELY((w->push_seq & 63) == 63))
    w->now_ms = ws__now_coarse_ms();
  /* Relaxed: read by aging as a hint. */
  atomic_store_explicit(&t->enqueued_ms, w->now_ms, memory_order_relaxed);
  count_child(frame, group, self);
  t->seq = ++w->push_seq;
  WS__STAT(w, spawned, 1);
  if (WS__UNLIKELY(tier >= WS_TIER_HIGH))
    /* Relaxed: a hint (see ws__took); raised before the push so that it is
     * rarely negative. */
    atomic_fetch_add_explicit(&p->hi_queued[tier - WS_TIER_HIGH], 1,
                              memory_order_relaxed);
  if (WS__UNLIKELY(ws__deque_push(&w->dq[tier], t) != 0)) {
    /* The deque holds its limit of tasks already (a loop spawning
     * millions before it waits), or there is no memory to grow it: run the
     * task now, as libomp does with a full deque, rather than queue without
     * bound or lose it. */
    ws__took(p, t);
    WS__STAT(w, inline_runs, 1);
    ws__run_task(w, t);
    return WS_OK;
  }
  w->tier_mask |= 1u << tier;
  if (WS__UNLIKELY(ws__ec_notify(&p->ec)))
    WS__STAT(w, wakeups, 1);
  return WS_OK;
}

/* A thread without a worker record (or no pool yet) spawns: it claims a
 * record (pool.c), starting the pool if needed, and spawns as a worker.
 * Without one (no memory, or more threads at once than records) the task
 * runs at once, here: correct, and it needs nobody else. */
static __attribute__((noinline)) int
spawn_attach(ws__tls *tls, ws__frame_rt *frame, ws_task_fn fn,
             const void *captures, size_t size, int tier, const ws_site *site,
             unsigned task_flags) {
  ws__worker *w = ws__attach(tls);
  if (w)
    return spawn_worker(tls, w, frame, fn, captures, size, tier, site,
                        task_flags);
  return run_inline(tls, ws__pool_peek(), frame, fn, captures, size, tier,
                    task_flags);
}

static inline __attribute__((always_inline)) int
spawn(ws_frame *frame_, ws_task_fn fn, const void *captures, size_t size,
      int tier, const ws_site *site, unsigned flags) {
  if (WS__UNLIKELY(!frame_ || !fn || (size && !captures)))
    return WS_EINVAL;
  if (WS__UNLIKELY((unsigned)tier > WS_TIER_CRITICAL))
    tier = clamp_tier(tier);
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  ws__tls *tls = &ws__tls_self;
  unsigned task_flags = (flags & WS_TASK_FINAL) ? WS__TASK_FINAL : 0;
  if (WS__UNLIKELY(tls->final_depth > 0 || (flags & WS_TASK_UNDEFERRED)))
    return run_inline(tls, tls->w ? tls->w->pool : ws__pool_peek(), frame, fn,
                      captures, size, tier, task_flags);
  if (WS__LIKELY(tls->w != NULL))
    return spawn_worker(tls, tls->w, frame, fn, captures, size, tier, site,
                        task_flags);
  return spawn_attach(tls, frame, fn, captures, size, tier, site, task_flags);
}

int ws_spawn(ws_frame *frame, ws_task_fn fn, const void *captures, size_t size,
             int tier, const ws_site *site) {
  return spawn(frame, fn, captures, size, tier, site, 0);
}

int ws_spawn_ex(ws_frame *frame, ws_task_fn fn, const void *captures,
                size_t size, const ws_task_opts *opts) {
  if (!opts)
    return spawn(frame, fn, captures, size, WS_TIER_NORMAL, NULL, 0);
  if (WS__UNLIKELY(opts->num_deps != 0)) /* depend.c: held until ready */
    return ws__spawn_deps(frame, fn, captures, size, opts);
  if (WS__UNLIKELY(opts->timeout_ms > 0)) /* timeout.c: wraps the task */
    return ws__spawn_timed(frame, fn, captures, size, opts);
  return spawn(frame, fn, captures, size, opts->tier, opts->site, opts->flags);
}

/* ws_spawn_last's queued case, out of line so that its fast path keeps few
 * registers live (a short prologue) rather than those of the whole spawn. */
static __attribute__((noinline)) int
spawn_queued(ws_frame *frame, ws_task_fn fn, const void *captures, size_t size,
             int tier, const ws_site *site) {
  return spawn(frame, fn, captures, size, tier, site, 0);
}

/* The last spawn before a wait on the same frame.  The wait's first
 * scheduling decision would take this very task from the bottom of our deque
 * (ws__next_task's fast path) when no queued task of a higher tier is
 * visible and the decision is not a periodic one; then pushing it and
 * popping it back is all the difference, and the task runs here at once, as
 * a call: no descriptor, no deque, no frame count (it has finished before
 * anyone could wait for it).  Otherwise -- higher work queued, a periodic
 * decision due, a final task, big captures, not a worker -- it is an
 * ordinary spawn, and the wait decides. */
int ws_spawn_last(ws_frame *frame_, ws_task_fn fn, const void *captures,
                  size_t size, int tier, const ws_site *site) {
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w;
  /* Not a worker, bad arguments (spawn reports them), big captures, an
   * out-of-range tier (spawn clamps it), inside a final task. */
  if (WS__UNLIKELY(!w || !frame_ || !fn || (size && !captures) ||
                   size > WS_INLINE_CAPTURE ||
                   (unsigned)tier > WS_TIER_CRITICAL || tls->final_depth > 0))
    return spawn_queued(frame_, fn, captures, size, tier, site);
  /* Would the wait pick another task first?  The same tests as
   * ws__next_task's fast path. */
  if (WS__UNLIKELY(
          (w->tier_mask >> (tier + 1)) != 0 ||
          (tier < WS_TIER_CRITICAL && ws__higher_elsewhere(w->pool, tier))))
    return spawn_queued(frame_, fn, captures, size, tier, site);
  /* This is a scheduling decision: it counts towards the periodic one, and
   * when that is due the task is queued so that the wait makes it. */
  if (WS__UNLIKELY((++w->tick & 31) == 0)) {
    w->tick--; /* the wait's ws__next_task counts it again */
    return spawn_queued(frame_, fn, captures, size, tier, site);
  }
  return run_now(tls, w, (ws__frame_rt *)frame_, fn, captures, size, tier,
                 site);
}

/* ---- Public API: wait
 * -------------------------------------------------------------- */

/* Deeply nested waits (WS__NEST_LIMIT = 512 tasks on this thread's stack) run
 * only tasks spawned by the running task: running any queued task while
 * waiting nests it on the stack, and with tiers the popped task is not
 * always a descendant of the waiter (a higher-tier sibling of an ancestor
 * comes first), so nesting would be bounded only by the number of queued
 * tasks.  Tasks spawned by the running task are newer (seq > start_seq) than
 * anything else in our deques (tasks pushed by tasks nested in it have
 * finished), so they sit at the bottom of their tiers: a take finds them,
 * highest tier first; an older task goes back where it was. */
#define WS__NEST_LIMIT 512

static ws__task *find_own_child(ws__worker *w) {
  uint64_t start = ws__tls_self.start_seq;
  for (int tier = WS_TIER_CRITICAL; tier >= WS_TIER_LOW; tier--) {
    if (!(w->tier_mask & (1u << tier)))
      continue;
    ws__task *t = ws__deque_take(&w->dq[tier]);
    if (!t)
      continue;
    if (t->seq > start || ws__deque_push(&w->dq[tier], t) != 0) {
      /* (the push cannot fail: the slot was just freed) */
      ws__took(w->pool, t);
      return t;
    }
  }
  return NULL;
}

/* A worker waits: run tasks (own first, highest tier first; then others'),
 * spin a little, yield, then sleep on the frame with a short timeout (new
 * work elsewhere does not wake us; the last child does). */
static __attribute__((noinline)) void wait_worker_slow(ws__tls *tls,
                                                       ws__worker *w,
                                                       ws__frame_rt *frame,
                                                       int nested_deep) {
  ws__wait_policy policy = w->pool->cfg.wait_policy;
  int budget = policy == WS__WAIT_PASSIVE ? 16 : w->spin_budget;
  int rounds = 0;
  int64_t sleep_ns = 50000;
  ws__flush_held(w); /* we may spin or sleep below */
  while (!frame_done(frame)) {
    ws__task *t =
        WS__LIKELY(!nested_deep) ? ws__next_task(w) : find_own_child(w);
    if (t) {
      ws__mark_busy(w);
      run_task(tls, w, t);
      rounds = 0;
      sleep_ns = 50000;
      continue;
    }
    if (rounds == 0)
      ws__mark_idle(w);
    rounds++;
    if (rounds <= budget) {
      ws__cpu_relax();
      WS__STAT(w, spins, 1);
    } else if (rounds <= budget + 4 || policy == WS__WAIT_ACTIVE) {
      sched_yield();
      WS__STAT(w, yields, 1);
    } else {
      WS__STAT(w, parks, 1);
      uint64_t park_t0 = ws__tracing() ? ws__trace_now() : 0;
      frame_sleep(frame, sleep_ns);
      if (park_t0)
        ws__trace_park(w, park_t0);
      if (sleep_ns < 1000000)
        sleep_ns *= 2;
    }
  }
  ws__mark_busy(w);
}

/* The common case first: one task at hand (usually the child just spawned,
 * at the bottom of our deque) that completes the frame.  Anything more --
 * other tasks to run first, searching, spinning, sleeping -- is the loop of
 * wait_worker_slow.  (No loop here: a loop makes the compiler hoist set-up
 * work that the usual single task does not need.) */
static inline __attribute__((always_inline)) void
wait_worker(ws__tls *tls, ws__worker *w, ws__frame_rt *frame) {
  int nested_deep = tls->depth >= WS__NEST_LIMIT;
  if (WS__LIKELY(!nested_deep)) {
    ws__mark_busy(w);
    /* Twice, unrolled: two children per wait is the recursive divide and
     * conquer's common case (fib, mergesort, nqueens' last levels). */
    ws__task *t = ws__next_task(w);
    if (WS__LIKELY(t != NULL)) {
      run_task(tls, w, t);
      if (WS__LIKELY(frame_done(frame)))
        return;
      t = ws__next_task(w);
      if (WS__LIKELY(t != NULL)) {
        run_task(tls, w, t);
        if (WS__LIKELY(frame_done(frame)))
          return;
      }
    }
  }
  wait_worker_slow(tls, w, frame, nested_deep);
}

/* Waits until every task spawned so far into `frame` has finished; the
 * frame stays as it is (owner, flags).  WS_EINVAL from a thread that does
 * not own it. */
static inline __attribute__((always_inline)) int
wait_children(ws__tls *tls, ws__frame_rt *frame) {
  uintptr_t self = (uintptr_t)tls;
  uintptr_t owner = atomic_load_explicit(&frame->owner, memory_order_relaxed);
  if (WS__UNLIKELY(owner != 0 && owner != self))
    return WS_EINVAL; /* only the thread that spawned into it may wait */
  if (WS__LIKELY(owner == self) && !frame_done(frame)) {
    if (WS__LIKELY(tls->w != NULL)) {
      wait_worker(tls, tls->w, frame);
      /* Back to the caller, who may run for long: completions of another
       * frame (stolen tasks run while waiting) must not wait for it. */
      ws__flush_held(tls->w);
    } else {
      while (!frame_done(frame))
        frame_sleep(frame, -1);
    }
  }
  return WS_OK;
}

int ws_wait_open(ws_frame *frame_) {
  if (!frame_)
    return WS_EINVAL;
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  int rc = wait_children(&ws__tls_self, frame);
  if (rc != WS_OK)
    return rc;
  /* The count is zero again in whichever of the two counters held it:
   * fold it back into the owner's, as a fresh frame has it. */
  frame->local = 0;
  atomic_store_explicit(&frame->remote, 0, memory_order_relaxed);
  uint32_t ff = atomic_load_explicit(&frame->flags, memory_order_relaxed);
  if ((ff & WS__FRAME_GROUP) ? ws__task_cancelled(NULL, frame)
                             : (ff & WS__FRAME_CANCELLED) != 0)
    return WS_ECANCELED;
  return WS_OK;
}

int ws_wait(ws_frame *frame_) {
  if (!frame_)
    return WS_EINVAL;
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  ws__tls *tls = &ws__tls_self;
  int rc = wait_children(tls, frame);
  if (WS__UNLIKELY(rc != WS_OK))
    return rc;
  uint32_t ff = atomic_load_explicit(&frame->flags, memory_order_relaxed);
  if (WS__UNLIKELY(ff != 0)) {
    if (ff & WS__FRAME_DEPS) /* the frame is empty: free its table */
      ws__deps_frame_done(frame);
    if (ff & WS__FRAME_GROUP) {
      if (ws__task_cancelled(NULL, frame))
        rc = WS_ECANCELED;
      if (tls->cur_group == frame)
        tls->cur_group = frame->parent;
    } else if (ff & WS__FRAME_CANCELLED) {
      rc = WS_ECANCELED;
    }
  }
  /* Back to an empty frame, free to be reused by any thread.  Nothing
   * references it any more: every child's last access was its completion. */
  frame->local = 0;
  atomic_store_explicit(&frame->remote, 0, memory_order_relaxed);
  atomic_store_explicit(&frame->flags, 0, memory_order_relaxed);
  atomic_store_explicit(&frame->owner, 0, memory_order_relaxed);
  return rc;
}

/* ---- Public API: taskgroups, cancellation, checkpoints
 * -------------------------------- */

int ws_taskgroup_begin(ws_frame *group_) {
  if (!group_)
    return WS_EINVAL;
  ws__frame_rt *group = (ws__frame_rt *)group_;
  ws__tls *tls = &ws__tls_self;
  group->local = 0;
  group->parent = tls->cur_group;
  /* Relaxed: published to other threads by the pushes of its tasks. */
  atomic_store_explicit(&group->remote, 0, memory_order_relaxed);
  atomic_store_explicit(&group->flags, WS__FRAME_GROUP, memory_order_relaxed);
  atomic_store_explicit(&group->owner, (uintptr_t)tls, memory_order_relaxed);
  tls->cur_group = group;
  return WS_OK;
}

int ws_cancel(ws_frame *group) {
  if (!group)
    return WS_EINVAL;
  /* Relaxed: see ws__task_cancelled. */
  atomic_fetch_or_explicit(&((ws__frame_rt *)group)->flags, WS__FRAME_CANCELLED,
                           memory_order_relaxed);
  return WS_OK;
}

int ws_cancel_current(void) {
  return ws_cancel((ws_frame *)ws__tls_self.cur_group);
}

int ws_cancelled(void) {
  ws__tls *tls = &ws__tls_self;
  if (ws__timed_out())
    return 1;
  return ws__task_cancelled(tls->cur_frame, tls->cur_group);
}

int ws_yield(void) {
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w;
  if (w && tls->preempt_depth < WS_MAX_PREEMPT_DEPTH) {
    ws__task *t;
    while ((t = ws__find_critical(w))) {
      tls->preempt_depth++;
      WS__STAT(w, preemptions, 1);
      ws__run_task(w, t);
      tls->preempt_depth--;
    }
    ws__flush_held(w); /* back to the running task: see ws_wait */
  }
  return ws_cancelled() ? WS_ECANCELED : WS_OK;
}

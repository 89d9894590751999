/*
 * spawn.c -- spawning: the worker's hot path (a descriptor filled and
 * pushed on its own deque), the direct runs (ws_spawn_last, a full deque,
 * if(false), final, no memory), and a thread's first spawn, which claims
 * its worker record (pool.c).
 */
#include "depend.h"
#include "run.h"

#include <stdalign.h>
#include <string.h>

static inline int clamp_tier(int tier) {
  return tier < WS_TIER_LOW        ? WS_TIER_LOW
         : tier > WS_TIER_CRITICAL ? WS_TIER_CRITICAL
                                   : tier;
}

/* Statistics of a thread that may have no worker record (none could be had:
 * its spawns run inline): such threads share the pool's `ext` record,
 * updated with read-modify-writes (their path is slow anyway). */
static void stat_any(ws__worker *w, ws__pool *p, size_t idx, uint64_t n) {
  if (w)
    ws__stat_add(&w->stats, idx, n);
  else if (p)
    /* Release: like ws__stat_add, for the quiescence check. */
    atomic_fetch_add_explicit(&p->ext.v[idx], n, memory_order_release);
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
    ws__task_skipped(fn, copy); /* its handle, if any */
  } else {
    run_here(tls, w, frame, group, fn, copy, tier, NULL,
             (task_flags & WS__TASK_FINAL) ? 1 : 0);
    stat_any(w, p, WS__STAT_IDX(executed) + (size_t)tier, 1);
  }
  free(heap);
  return WS_OK;
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
    ws__task_skipped(fn, copy); /* its handle, if any */
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
  if (WS__UNLIKELY(tier >= WS_TIER_HIGH))
    ws__fast_poke(p); /* queued: owners on their fast paths, look */
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
  /* A plain task the fast path refused because its ring is full (a loop
   * spawning far more than it holds, thieves behind): the ring holds
   * thousands of stealable tasks already, so this one runs now, as a call
   * (ws_spawn_last_inline's), rather than as a descriptor queued to be run
   * here anyway (the captures are the caller's, alive for the call). */
  if (ws__fast_run_refused(frame, fn, captures, size, tier))
    return WS_OK;
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
  if (WS__UNLIKELY(opts->handle != NULL)) /* handle.c: wraps the task */
    return ws__spawn_handle(frame, fn, captures, size, opts);
  if (WS__UNLIKELY((opts->requires | opts->prefers) != 0))
    return ws__spawn_placed(frame, fn, captures, size, opts);
  return spawn(frame, fn, captures, size, opts->tier, opts->site, opts->flags);
}

/* A task with capabilities (ws_spawn_ex: opts->requires or prefers; no
 * handle, dependence or timeout left, those paths wrapped it already).  It
 * is filled like any task but queued in its placement queue (place.c), not
 * in a deque, so that only eligible workers take it.  Must it run at once
 * (if(false), final): here, when this thread may run it; otherwise queued
 * for an eligible worker on a frame of our own, which we wait for. */
int ws__spawn_placed(ws_frame *frame_, ws_task_fn fn, const void *captures,
                     size_t size, const ws_task_opts *opts) {
  if (!frame_ || !fn || (size && !captures))
    return WS_EINVAL;
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w ? tls->w : ws__attach(tls);
  ws__pool *p = w ? w->pool : ws__pool_peek();
  uint64_t req = opts->requires, pref = opts->prefers;
  if (req && ws__placed_check(p, req) != WS_OK)
    return WS_EINVAL;
  if (!p) /* no pool could start (no memory): nobody to prefer */
    return spawn(frame_, fn, captures, size, opts->tier, opts->site,
                 opts->flags);
  int tier = clamp_tier(opts->tier);
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  unsigned task_flags = (opts->flags & WS_TASK_FINAL) ? WS__TASK_FINAL : 0;
  uint64_t mine = w ? w->caps : 0;
  if (tls->final_depth > 0 || (opts->flags & WS_TASK_UNDEFERRED)) {
    if ((req & ~mine) == 0) /* ours to run, now (a preference yields) */
      return run_inline(tls, p, frame, fn, captures, size, tier, task_flags);
    /* Queue it for an eligible worker as a child of a frame of ours, in
     * the taskgroup it would have had, and wait for it. */
    ws_frame wait = WS_FRAME_INIT;
    ws_task_opts o = *opts;
    o.flags &= ~WS_TASK_UNDEFERRED;
    ws__frame_rt *saved_group = tls->cur_group;
    int saved_final = tls->final_depth;
    tls->cur_group = nearest_group(frame, tls);
    tls->final_depth = 0;
    int rc = ws__spawn_placed(&wait, fn, captures, size, &o);
    tls->cur_group = saved_group;
    tls->final_depth = saved_final;
    ws_wait(&wait);
    return rc;
  }
  int qi = ws__placed_queue(p, req, pref);
  if (qi < 0) {
    if (req)
      return WS_EINVAL;
    /* Too many kinds of preference: a plain task (any worker). */
    return spawn(frame_, fn, captures, size, tier, opts->site, opts->flags);
  }
  ws__task *t = w ? ws__task_alloc(&w->cache, &p->depot)
                  : ws__task_alloc_shared(&p->depot);
  ws__frame_rt *group = nearest_group(frame, tls);
  if (t && task_fill(t, frame, group, fn, captures, size, tier, opts->site,
                     task_flags) != 0) {
    if (w)
      ws__task_free(&w->cache, &p->depot, t);
    else
      ws__task_give_back(&p->depot, t);
    t = NULL;
  }
  if (!t) {
    /* No memory for the task: run it now if we may, as any spawn would;
     * a task we may not run cannot be kept (ws.h: WS_ENOMEM). */
    if ((req & ~mine) == 0)
      return run_inline(tls, p, frame, fn, captures, size, tier, task_flags);
    return WS_ENOMEM;
  }
  uintptr_t self = (uintptr_t)tls;
  /* The first spawner owns the frame (relaxed: see spawn_worker). */
  if (atomic_load_explicit(&frame->owner, memory_order_relaxed) == 0)
    atomic_store_explicit(&frame->owner, self, memory_order_relaxed);
  /* Relaxed: read by aging as a hint (under the queue's lock). */
  atomic_store_explicit(&t->enqueued_ms, ws__now_coarse_ms(),
                        memory_order_relaxed);
  t->placed_ns = ws__now_ns();
  /* Numbered like a push, so that a deep wait (wait.c find_own_child) can
   * tell it is the running task's child. */
  t->seq = w ? ++w->push_seq : 0;
  t->placed_by = w;
  count_child(frame, group, self);
  stat_any(w, p, WS__STAT_IDX(spawned), 1);
  ws__placed_push(p, qi, t);
  return WS_OK;
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

/*
 * wait.c -- waiting for a frame: run its tasks (own first, highest tier
 * first), then others', spin a little, yield, then sleep on the frame until
 * the last child wakes us.  Also ws__run_task, for the worker loop.
 */
#include "depend.h"
#include "run.h"

#include <sched.h>

void ws__run_task(ws__worker *w, ws__task *t) { run_task(&ws__tls_self, w, t); }

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
  /* Children with capabilities are in placement queues, not in our
   * deques: one of ours first; else any we may run.  The latter breaks
   * the nesting rule above, on purpose: a task that only this worker may
   * run (worker 0's capabilities, a capability held by one worker) has
   * nobody else to run it, and its spawner may be what we wait for.  Each
   * such task runs once, so the extra nesting is bounded by the placed
   * tasks in flight. */
  if (ws__placed_any(w->pool)) {
    ws__task *t = ws__placed_take_own(w, start);
    return t ? t : ws__placed_take(w, WS_TIER_LOW);
  }
  return NULL;
}

/* ---- Own waits (ws_wait_own) ----------------------------------------------
 *
 * The frame of this thread's innermost own wait, NULL outside any.  While
 * one is on the stack, every wait of this thread is one too (ws_wait and
 * ws_wait_open set it to their own frame for their duration; the stolen
 * fast slot's wait, fast.c, runs under the frame being joined): a task run
 * inside an own wait is a child of the waiter, and its own waits must not
 * run what its ancestor's may not either -- OpenMP's task scheduling
 * constraint (a thread suspended in a tied task runs only that task's
 * descendants).  Thread-local, read only by its thread. */
static _Thread_local ws__frame_rt *own_frame
    __attribute__((tls_model("initial-exec")));

int ws__wait_is_own(void) { return own_frame != NULL; }

/* A queued child of `frame` this worker may run, or NULL.  Its queued
 * children sit at the bottom of our deques, newest first: a task run on top
 * of the waiter waited for its own children before it returned, and an own
 * wait steals nothing.  Only what the waiter itself spawned into other
 * frames after them can be below them: the few bottom tasks of each tier
 * (WS__OWN_SCAN) are taken and looked at, and those of other frames go back
 * as they were.  Children with capabilities: one this worker spawned while
 * the waiter ran (start_seq, as find_own_child). */
#define WS__OWN_SCAN 16

static ws__task *find_child_of(ws__worker *w, ws__frame_rt *frame) {
  for (int tier = WS_TIER_CRITICAL; tier >= WS_TIER_LOW; tier--) {
    if (!(w->tier_mask & (1u << tier)))
      continue;
    ws__task *other[WS__OWN_SCAN], *t = NULL;
    int n = 0;
    while (n < WS__OWN_SCAN && (t = ws__deque_take(&w->dq[tier])) != NULL &&
           ws__task_spawned_into(t) != frame)
      other[n++] = t, t = NULL;
    /* Back in their order.  (The pushes cannot fail: their slots were just
     * freed; if one did, the task would run here rather than be lost.) */
    while (n > 0) {
      ws__task *x = other[--n];
      if (ws__deque_push(&w->dq[tier], x) != 0) {
        ws__took(w->pool, x);
        ws__run_task(w, x);
      }
    }
    if (t) {
      ws__took(w->pool, t);
      return t;
    }
  }
  if (ws__placed_any(w->pool))
    return ws__placed_take_own(w, ws__tls_self.start_seq);
  return NULL;
}

/* A worker waits: run tasks (own first, highest tier first; then others'),
 * spin a little, yield, then sleep with a short timeout (new work elsewhere
 * does not wake us; what we wait for does).  What it waits for: done(arg),
 * slept on by sleep(arg, ns) -- a frame's children, or a stolen fast slot
 * (fast.c).  With `own`, only children of that frame run (an own wait). */
static __attribute__((noinline)) void
wait_worker_slow(ws__tls *tls, ws__worker *w, int (*done)(void *),
                 void (*sleep)(void *, int64_t), void *arg, int nested_deep,
                 ws__frame_rt *own) {
  ws__wait_policy policy = w->pool->cfg.wait_policy;
  int budget = policy == WS__WAIT_PASSIVE ? 16 : w->spin_budget;
  int rounds = 0;
  int64_t sleep_ns = 50000;
  ws__flush_held(w); /* we may spin or sleep below */
  while (!done(arg)) {
    ws__task *t = NULL;
    /* A frame not done after the fast path may wait for children with
     * capabilities, which are not in our deques: run those we may first,
     * rather than nest older tasks of our deques (ancestors' siblings) on
     * the stack while the placed child waits.  One load when none. */
    if (WS__UNLIKELY(own != NULL)) {
      t = find_child_of(w, own);
    } else {
      if (ws__placed_any(w->pool) && !nested_deep) {
        unsigned mask = w->tier_mask;
        t = ws__placed_take(w, mask ? 31 - __builtin_clz(mask) : WS_TIER_LOW);
      }
      if (!t)
        t = WS__LIKELY(!nested_deep) ? ws__next_task(w) : find_own_child(w);
    }
    if (t) {
      ws__mark_busy(w);
      run_task(tls, w, t);
      rounds = 0;
      sleep_ns = 50000;
      continue;
    }
    if (rounds == 0) {
      ws__mark_idle(w);
      /* Nothing to run: completions held for another frame (a placed
       * task run above may have left some) must not wait for our sleep. */
      ws__flush_held(w);
    }
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
      sleep(arg, sleep_ns);
      if (park_t0)
        ws__trace_park(w, park_t0);
      if (sleep_ns < 1000000)
        sleep_ns *= 2;
    }
  }
  ws__mark_busy(w);
}

static int frame_done_fn(void *frame) { return frame_done(frame); }
static void frame_sleep_fn(void *frame, int64_t timeout_ns) {
  ws__frame_sleep(frame, timeout_ns);
}

void ws__wait_for(ws__tls *tls, int (*done)(void *),
                  void (*sleep)(void *, int64_t), void *arg) {
  wait_worker_slow(tls, tls->w, done, sleep, arg, tls->depth >= WS__NEST_LIMIT,
                   own_frame);
  /* Back to the caller, who may run for long -- an application thread's
   * fast path returns to its own code, and may block there (pthread_join)
   * on the very thread whose frame waits for a completion held here: the
   * completions of the tasks run while waiting must not wait for it (see
   * wait_children). */
  ws__flush_held(tls->w);
}

/* The common case first: one task at hand (usually the child just spawned,
 * at the bottom of our deque) that completes the frame.  Anything more --
 * other tasks to run first, searching, spinning, sleeping -- is the loop of
 * wait_worker_slow.  (No loop here: a loop makes the compiler hoist set-up
 * work that the usual single task does not need.) */
static inline __attribute__((always_inline)) void
wait_worker(ws__tls *tls, ws__worker *w, ws__frame_rt *frame, int own) {
  int nested_deep = tls->depth >= WS__NEST_LIMIT;
  if (WS__LIKELY(!nested_deep && !own)) {
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
  wait_worker_slow(tls, w, frame_done_fn, frame_sleep_fn, frame, nested_deep,
                   own ? frame : NULL);
}

/* Waits until every task spawned so far into `frame` has finished; the
 * frame stays as it is (owner, flags).  WS_EINVAL from a thread that does
 * not own it.  `own`: an own wait (ws_wait_own, or any wait inside one). */
static inline __attribute__((always_inline)) int
wait_children(ws__tls *tls, ws__frame_rt *frame, int own) {
  uintptr_t self = (uintptr_t)tls;
  uintptr_t owner = atomic_load_explicit(&frame->owner, memory_order_relaxed);
  if (WS__UNLIKELY(owner != 0 && owner != self))
    return WS_EINVAL; /* only the thread that spawned into it may wait */
  if (WS__UNLIKELY(frame->fast_base != 0)) /* ws_spawn_inline's children */
    ws__fast_join_slow((ws_frame *)frame);
  if (WS__LIKELY(owner == self) && !frame_done(frame)) {
    if (WS__LIKELY(tls->w != NULL)) {
      wait_worker(tls, tls->w, frame, own);
      /* Back to the caller, who may run for long: completions of another
       * frame (stolen tasks run while waiting) must not wait for it. */
      ws__flush_held(tls->w);
    } else {
      while (!frame_done(frame))
        ws__frame_sleep(frame, -1);
    }
  }
  return WS_OK;
}

/* wait_children, as an own wait when `own` or inside one: own_frame names
 * `frame` meanwhile (the fast path's join and its stolen slots' waits read
 * it there).  Out of line: the plain waits pay one thread-local load. */
static __attribute__((noinline)) int wait_children_own(ws__tls *tls,
                                                       ws__frame_rt *frame) {
  ws__frame_rt *outer = own_frame;
  own_frame = frame;
  int rc = wait_children(tls, frame, 1);
  own_frame = outer;
  return rc;
}

static inline __attribute__((always_inline)) int
wait_children_any(ws__tls *tls, ws__frame_rt *frame) {
  if (WS__UNLIKELY(own_frame != NULL))
    return wait_children_own(tls, frame);
  return wait_children(tls, frame, 0);
}

int ws_wait_open(ws_frame *frame_) {
  if (!frame_)
    return WS_EINVAL;
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  int rc = wait_children_any(&ws__tls_self, frame);
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

/* ws_wait after its children's wait: the frame's flags, then back to an
 * empty frame. */
static inline __attribute__((always_inline)) int
wait_end(ws__tls *tls, ws__frame_rt *frame, int rc) {
  uint32_t ff = atomic_load_explicit(&frame->flags, memory_order_relaxed);
  if (WS__UNLIKELY(ff != 0)) {
    if (ff & WS__FRAME_DEPS) /* the frame is empty: free its table */
      ws__deps_frame_done(frame);
    if (ff & WS__FRAME_GROUP) {
      if (ws__task_cancelled(NULL, frame))
        rc = WS_ECANCELED;
      if (tls->cur_group == frame) {
        tls->cur_group = frame->parent;
        ws__fast_sync(tls);
      }
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

/* ws_wait and ws_wait_own: `own` is a constant at each call. */
static inline __attribute__((always_inline)) int wait_frame(ws_frame *frame_,
                                                            int own) {
  if (!frame_)
    return WS_EINVAL;
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  ws__tls *tls = &ws__tls_self;
  int rc = own ? wait_children_own(tls, frame) : wait_children_any(tls, frame);
  if (WS__UNLIKELY(rc != WS_OK))
    return rc;
  return wait_end(tls, frame, rc);
}

int ws_wait(ws_frame *frame) { return wait_frame(frame, 0); }

int ws_wait_own(ws_frame *frame) { return wait_frame(frame, 1); }

/* ---- Public API: waiting for a word (ws_wait_until) -------------------- */

typedef struct word_wait {
  const uint32_t *word;
  uint32_t old;
} word_wait;

static int word_changed(void *arg) {
  const word_wait *ww = arg;
  /* Acquire: pairs with the changer's store (release or stronger), so that
   * what it wrote before is visible to our caller. */
  return __atomic_load_n(ww->word, __ATOMIC_ACQUIRE) != ww->old;
}

static void word_sleep(void *arg, int64_t timeout_ns) {
  const word_wait *ww = arg;
  /* The kernel rereads the word: a change before we sleep returns at once;
   * one after wakes us if its writer calls futex wake. */
  ws__futex_wait((void *)ww->word, ww->old, timeout_ns);
}

int ws_wait_until(const uint32_t *word, uint32_t old) {
  if (!word)
    return WS_EINVAL;
  word_wait ww = {word, old};
  ws__tls *tls = &ws__tls_self;
  if (word_changed(&ww))
    return WS_OK;
  if (tls->w) {
    ws__wait_for(tls, word_changed, word_sleep, &ww); /* flushes: above */
  } else {
    while (!word_changed(&ww))
      word_sleep(&ww, 1000000);
  }
  return WS_OK;
}

/*
 * handle.c -- handles: one task named at its spawn, whose state anyone may
 * read and whose end anyone may wait for (ws.h, "Handles").
 *
 * Shape.  ws_spawn_ex with opts->handle copies the task (function,
 * captures, frame, taskgroup) into a record of its own on the heap and
 * spawns, in its place, the wrapper ws__handle_task with a pointer to the
 * record as its captures -- queued, placed or run at once like any task, so
 * the scheduler knows nothing of handles and tasks without one pay nothing.
 * The handle holds its state word (the futex waiters sleep on), the record
 * and the task's requirement.
 *
 * Running the body.  Whoever moves the state from PENDING to RUNNING (one
 * compare-and-swap) runs the body, from the record: the wrapper, when a
 * worker gets to it, or a thread in ws_handle_wait, which so need not wait
 * for the task's turn in a queue (a waiter that wants the oldest of 10 000
 * queued tasks runs it first).  The loser does nothing: a wrapper that
 * finds its body taken simply returns.  That is why the task counts twice
 * in its frame (and taskgroup): once for the wrapper's descriptor, as any
 * spawn, and once for the body, a count that whoever ran (or skipped) the
 * body drops after the handle's final state is stored.  So the frame's wait
 * returns only after both the wrapper and the body have finished, and a
 * handle is final by then (ws.h's promise).
 *
 * Cancellation.  A wrapper that the scheduler skips (a cancelled taskgroup)
 * moves PENDING to CANCELLED (ws__handle_skipped, from run.h and spawn.c's
 * skip paths); a waiter that wins the body checks cancellation as the
 * scheduler would before running it.
 *
 * Memory order.  The spawner fills the record and the handle, then stores
 * PENDING with release; the wrapper's push publishes it all to the worker
 * that runs it.  A waiter loads the state with acquire and reads the record
 * only after winning the CAS (until then it may be freed).  The final state
 * is stored with release (pairs with ws_handle_state's and the waiters'
 * acquire: the body's writes are visible to whoever sees DONE); the body's
 * frame count drops after it, with the frame's own release.  Waiters set
 * the WAITERS bit in the state word before sleeping on it; the final store
 * is an exchange, whose old value says whether to wake anyone (the handle
 * is not read after that: it may be gone, and a wake on a dead address is
 * harmless, as in frame.c).  The wrapper itself may run after a waiter
 * made the handle final (it then only fails its CAS), which is why a
 * handle must outlive its task's frame, not just its final state (ws.h).
 */
#include "depend.h"
#include "run.h"

#include <limits.h>
#include <sched.h>
#include <stdalign.h>
#include <string.h>

typedef struct handle_rt {
  _Atomic uint32_t state; /* WS_HANDLE_* | WAITERS (the futex word) */
  uint32_t reserved;
  struct handle_rec *_Atomic rec; /* NULL: the body cannot be taken */
  _Atomic uint64_t requires;      /* the task's requirement */
  uint64_t reserved2;
} handle_rt;

_Static_assert(sizeof(handle_rt) <= sizeof(ws_handle), "ws_handle too small");

#define WAITERS 0x100u
#define STATE(v) ((v)&0xffu)

typedef struct handle_rec {
  ws_task_fn fn;
  handle_rt *h;
  ws__frame_rt *frame, *group; /* the body's counts */
  const ws_site *site;
  uint64_t requires; /* a waiter may run the body only if it holds them */
  int tier;
  int final;
  alignas(16) unsigned char captures[];
} handle_rec;

#define NEST_LIMIT 512 /* as wait.c's WS__NEST_LIMIT */

static inline handle_rt *rt(const ws_handle *h) { return (handle_rt *)h; }

/* PENDING -> `to`, keeping the WAITERS bit unless `to` is final (then the
 * waiters are woken).  1 if we made the move. */
static int move_from_pending(handle_rt *h, uint32_t to) {
  /* Relaxed: the CAS below orders what matters. */
  uint32_t v = atomic_load_explicit(&h->state, memory_order_relaxed);
  int final = to == WS_HANDLE_DONE || to == WS_HANDLE_CANCELLED;
  while (STATE(v) == WS_HANDLE_PENDING) {
    uint32_t nv = final ? to : (v & WAITERS) | to;
    /* Acq_rel: acquire for the winner's reads of the record (written
     * before the release store of PENDING); release when final. */
    if (atomic_compare_exchange_weak_explicit(
            &h->state, &v, nv, memory_order_acq_rel, memory_order_relaxed)) {
      if (final && (v & WAITERS))
        ws__futex_wake(&h->state, INT_MAX);
      return 1;
    }
  }
  return 0;
}

/* RUNNING -> final.  Our last access to the handle. */
static void finish_state(handle_rt *h, uint32_t to) {
  /* Release: the body's writes before the final state (pairs with the
   * acquire loads of ws_handle_state / ws_handle_wait). */
  uint32_t old = atomic_exchange_explicit(&h->state, to, memory_order_release);
  if (old & WAITERS)
    ws__futex_wake(&h->state, INT_MAX); /* see the file comment */
}

/* The body has run or been skipped, its handle is final: drop the body's
 * counts (last: the frame may end at once). */
static void body_done(handle_rec *r) {
  ws__frame_rt *frame = r->frame, *group = r->group;
  free(r);
  uintptr_t self = (uintptr_t)&ws__tls_self;
  ws__frame_child_done(frame, self);
  if (group && group != frame)
    ws__frame_child_done(group, self);
}

/* The wrapper's captures: the record and the handle, so that a wrapper
 * whose body a waiter took never reads the record (freed by then). */
typedef struct wrap_caps {
  handle_rec *r;
  handle_rt *h;
} wrap_caps;

void ws__handle_task(void *captures) {
  wrap_caps c;
  memcpy(&c, captures, sizeof c);
  handle_rec *r = c.r;
  handle_rt *h = c.h;
  /* The handle is alive: it must outlive the frame's wait (ws.h), which
   * waits for this wrapper. */
  if (!move_from_pending(h, WS_HANDLE_RUNNING))
    return; /* a waiter runs the body (or skipped it) and drops its count */
  /* We run in the task's context already (run_task / run_here set it for
   * the wrapper, which has the same frame, taskgroup and final flag). */
  r->fn(r->captures);
  finish_state(h, WS_HANDLE_DONE);
  body_done(r);
}

void ws__handle_skipped(void *captures) {
  wrap_caps c;
  memcpy(&c, captures, sizeof c);
  if (move_from_pending(c.h, WS_HANDLE_CANCELLED))
    body_done(c.r);
}

/* ---- depend.c's held tasks: no record, the node runs the body ---------- */

void ws__handle_pending(ws_handle *h_) {
  handle_rt *h = rt(h_);
  atomic_store_explicit(&h->rec, NULL, memory_order_relaxed);
  /* Release: the handle's fields before the state (see the file comment). */
  atomic_store_explicit(&h->state, WS_HANDLE_PENDING, memory_order_release);
}

int ws__handle_start(ws_handle *h) {
  return move_from_pending(rt(h), WS_HANDLE_RUNNING);
}

void ws__handle_finish(ws_handle *h, int state) {
  if (state == WS_HANDLE_CANCELLED)
    move_from_pending(rt(h), WS_HANDLE_CANCELLED);
  else
    finish_state(rt(h), (uint32_t)state);
}

/* ---- Spawn ------------------------------------------------------------ */

int ws__spawn_handle(ws_frame *frame_, ws_task_fn fn, const void *captures,
                     size_t size, const ws_task_opts *opts) {
  if (!frame_ || !fn || (size && !captures))
    return WS_EINVAL;
  ws__tls *tls = &ws__tls_self;
  ws_task_opts o = *opts;
  o.handle = NULL;
  handle_rt *h = rt(opts->handle);
  if (opts->requires) {
    /* Refused before anything is set up (the placed spawn would refuse it
     * too, after we had made the handle pending). */
    ws__worker *w = tls->w ? tls->w : ws__attach(tls);
    if (ws__placed_check(w ? w->pool : ws__pool_peek(), opts->requires) !=
        WS_OK)
      return WS_EINVAL;
  }
  size_t bytes = (sizeof(handle_rec) + size + 15) & ~(size_t)15;
  handle_rec *r = aligned_alloc(16, bytes);
  if (!r) {
    /* No memory for the record: run the task now (as a spawn without
     * memory does), its handle following along. */
    ws__handle_pending(opts->handle);
    o.flags |= WS_TASK_UNDEFERRED;
    move_from_pending(h, WS_HANDLE_RUNNING);
    int rc = ws_spawn_ex(frame_, fn, captures, size, &o);
    finish_state(h, WS_HANDLE_DONE);
    return rc;
  }
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  uintptr_t self = (uintptr_t)tls;
  /* The first spawner owns the frame (relaxed: see spawn.c), before the
   * body's count is added, as a spawn would. */
  if (atomic_load_explicit(&frame->owner, memory_order_relaxed) == 0)
    atomic_store_explicit(&frame->owner, self, memory_order_relaxed);
  r->fn = fn;
  r->h = h;
  r->frame = frame;
  r->group = nearest_group(frame, tls);
  r->site = opts->site;
  r->requires = opts->requires;
  r->tier = opts->tier < WS_TIER_LOW        ? WS_TIER_LOW
            : opts->tier > WS_TIER_CRITICAL ? WS_TIER_CRITICAL
                                            : opts->tier;
  r->final = (opts->flags & WS_TASK_FINAL) != 0;
  if (size)
    memcpy(r->captures, captures, size);
  /* The body's count (see the file comment). */
  ws__frame_add_child(frame, self);
  if (r->group && r->group != frame)
    ws__frame_add_child(r->group, self);
  /* Relaxed: published by the release store of the state below. */
  atomic_store_explicit(&h->rec, r, memory_order_relaxed);
  atomic_store_explicit(&h->requires, opts->requires, memory_order_relaxed);
  /* Release: the record and the handle before PENDING (a waiter that sees
   * PENDING may take the record). */
  atomic_store_explicit(&h->state, WS_HANDLE_PENDING, memory_order_release);
  wrap_caps c = {r, h};
  int rc = ws_spawn_ex(frame_, ws__handle_task, &c, sizeof c, &o);
  if (rc != WS_OK && move_from_pending(h, WS_HANDLE_CANCELLED)) {
    /* Refused (it cannot be after the check above, but keep the counts
     * right): nothing runs it. */
    body_done(r);
    atomic_store_explicit(&h->state, WS_HANDLE_NONE, memory_order_relaxed);
  }
  return rc;
}

/* ---- Public API --------------------------------------------------------- */

int ws_handle_state(const ws_handle *h) {
  if (!h)
    return WS_EINVAL;
  /* Acquire: pairs with the release of the final state. */
  return (int)STATE(atomic_load_explicit(&rt(h)->state, memory_order_acquire));
}

/* The waiter takes the pending body and runs it here, if it may: 1 if it
 * did (the handle is final now). */
static int run_body_here(ws__tls *tls, handle_rt *h) {
  /* Relaxed: written before PENDING, which we read with acquire. */
  handle_rec *r = atomic_load_explicit(&h->rec, memory_order_relaxed);
  if (!r || tls->depth >= NEST_LIMIT)
    return 0;
  /* Our capabilities (an application thread's record beyond the workers,
   * or no record, holds none): a task we may not run is never ours.
   * Relaxed: as rec. */
  uint64_t mine = tls->w ? tls->w->caps : 0;
  if ((atomic_load_explicit(&h->requires, memory_order_relaxed) & ~mine) != 0)
    return -1;
  /* The record is ours (alive, and nobody else runs the body) only once
   * this move succeeds. */
  if (!move_from_pending(h, WS_HANDLE_RUNNING))
    return 0;
  if (ws__task_cancelled(r->frame, r->group)) {
    finish_state(h, WS_HANDLE_CANCELLED);
    body_done(r);
    return 1;
  }
  ws__worker *w = tls->w;
  if (w)
    ws__flush_held(w); /* another frame's task runs here */
  run_here(tls, w, r->frame, r->group, r->fn, r->captures, r->tier, r->site,
           r->final);
  finish_state(h, WS_HANDLE_DONE);
  body_done(r);
  return 1;
}

int ws_handle_wait(ws_handle *h_) {
  if (!h_)
    return WS_EINVAL;
  handle_rt *h = rt(h_);
  ws__tls *tls = &ws__tls_self;
  int rounds = 0, may_take = 1;
  int64_t sleep_ns = 50000;
  for (;;) {
    /* Acquire: pairs with the release of the final state. */
    uint32_t v = atomic_load_explicit(&h->state, memory_order_acquire);
    uint32_t s = STATE(v);
    if (s == WS_HANDLE_NONE)
      return WS_EINVAL;
    if (s == WS_HANDLE_DONE || s == WS_HANDLE_CANCELLED)
      break;
    if (s == WS_HANDLE_PENDING && may_take) {
      int got = run_body_here(tls, h);
      if (got > 0)
        continue; /* final now */
      if (got < 0)
        may_take = 0;
    }
    ws__worker *w = tls->w;
    if (w && tls->depth < NEST_LIMIT) {
      ws__task *t = ws__find_task(w);
      if (t) {
        ws__run_task(w, t);
        rounds = 0;
        sleep_ns = 50000;
        continue;
      }
    }
    if (++rounds <= 64) {
      ws__cpu_relax();
    } else if (rounds <= 68) {
      sched_yield();
    } else {
      if (w)
        ws__flush_held(w); /* before any sleep */
      /* Ask to be woken, then sleep while the word still says so (the
       * kernel re-checks it).  Relaxed: only a request; the state is
       * re-read with acquire above. */
      if (!(v & WAITERS) && !atomic_compare_exchange_strong_explicit(
                                &h->state, &v, v | WAITERS,
                                memory_order_relaxed, memory_order_relaxed))
        continue;
      ws__futex_wait(&h->state, v | WAITERS, sleep_ns);
      if (sleep_ns < 1000000)
        sleep_ns *= 2;
    }
  }
  if (tls->w)
    ws__flush_held(tls->w); /* back to the caller: see ws_wait */
  return STATE(atomic_load_explicit(&h->state, memory_order_acquire)) ==
                 WS_HANDLE_CANCELLED
             ? WS_ECANCELED
             : WS_OK;
}

/*
 * fast.c -- the fast path's runtime side: ws_spawn_inline's deque (ws.h),
 * what its inline code calls out of line, and what thieves and the worker
 * loop do with it.
 *
 * The deque.  Each worker record owns an array of `limit` slots, one cache
 * line each, holding a task's function and captures.  It is a Chase-Lev
 * deque (Le et al., PPoPP 2013) whose indexes are spawn depths, not ring
 * positions:
 *  - the owner pushes at `bottom` (ws_spawn_inline) and pops back at its
 *    waits (ws__fast_join, inline in ws.h), newest first.  Every function
 *    and task waits before it returns (strict nesting), so a frame's fast
 *    children are the slots from its base (frame->fast_base - 1) up;
 *  - a thief takes the oldest slot not yet stolen by advancing `top` with a
 *    CAS, and runs the task in place, from the slot (ws__fast_steal).  The
 *    slot stays its until it stores `done`: the owner, popping it, finds
 *    `top` above it and waits for `done` before it moves `top` back down
 *    and reuses the slot (ws__fast_pop_contended);
 *  - so `top` only ever moves back when the owner has waited for everything
 *    at or above the new value, and it is then a plain store (no thief can
 *    be racing for an empty deque); its high half counts these moves (the
 *    epoch), so that a thief that read `top` before one and CASes after
 *    fails instead of taking a slot that was refilled since.  (An epoch
 *    wraps after 2^32 moves back; a thief would have to stall across all of
 *    them between its load and its CAS.)
 *
 * Which atomic pairs with which:
 *  - push: release store of `bottom` -- the thieves' seq_cst load of it: a
 *    thief that sees the slot counted sees its contents;
 *  - pop: seq_cst store of `bottom`, seq_cst load of `top` -- the thieves'
 *    seq_cst loads of `top` then `bottom`: the four accesses are in one total
 *    order, so either the thief sees the lowered bottom or the owner sees
 *    the advanced top (then both race for the last slot with a CAS of `top`,
 *    or the slot was the thief's already);
 *  - a thief's done: release exchange -- the owner's acquire load: the
 *    task's writes are visible when the owner moves on;
 *  - the owner's sleep on `done`: CAS 0 -> 2, futex wait -- the thief's
 *    exchange sees 2 and wakes it.
 *
 * How long queued work stays private: never.  Every slot below `bottom` is
 * visible to thieves from its push on (there is no private part), so a task
 * whose spawner runs a long leaf is stolen as soon as a worker is idle.
 */
#include "observe.h"
#include "park.h"
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__thread ws__fastq *ws__fq __attribute__((tls_model("initial-exec")));

/* Slots per record: a recursion this many spawns deep, or a loop spawning
 * this many before it waits, takes the fast path; beyond, ws_spawn's
 * deques.  512 KiB of address space, touched only as deep as it is used. */
#define WS__FAST_SLOTS 8192
/* Pops between two periodic scheduling decisions (aging, the clock). */
#define WS__FAST_TICK 32

#define EPOCH_MASK 0xffffffff00000000ull
static inline int64_t top_index(uint64_t top) { return (int64_t)(uint32_t)top; }
/* `top` moved back to index b, in the next epoch. */
static inline uint64_t top_back(uint64_t top, int64_t b) {
  return ((top & EPOCH_MASK) + (1ull << 32)) | (uint64_t)b;
}

/* The slot a stolen task's descriptor runs (its captures hold the slot's
 * address), and the frame such descriptors name: never cancelled, never
 * waited for (the slot's `done` is the completion). */
static ws__frame_rt g_fast_frame;

int ws__fastq_init(ws__fastq *q, ws__pool *p) {
  memset(q, 0, sizeof *q);
  q->buf = aligned_alloc(64, WS__FAST_SLOTS * sizeof(ws__slot));
  if (!q->buf)
    return -1;
  /* Tracing records every task: the fast path, which has no descriptor to
   * record, is off (limit 0 keeps ws__fq NULL: worker.h). */
  q->limit = ws__tracing() ? 0 : WS__FAST_SLOTS;
  q->sleepers = (const int32_t *)&p->ec.sleepers;
  q->hi_queued = (const int64_t *)p->hi_queued;
  q->tick = WS__FAST_TICK;
  q->strong_fence = !ws__asym_fence_ok || WS_TSAN;
  return 0;
}

void ws__fastq_destroy(ws__fastq *q) {
  free(q->buf);
  q->buf = NULL;
}

/* The task stolen from a slot, run by the thief: the body, its count, then
 * `done` for its owner. */
static void fast_trampoline(void *captures) {
  ws__slot *s;
  memcpy(&s, captures, sizeof s);
  s->fn(s->captures);
  ws__worker *w = ws__tls_self.w;
  ws__stat_add(&w->stats, WS__STAT_IDX(executed) + WS_TIER_NORMAL, 1);
  /* Release: pairs with the owner's acquire load of done (fast_done).  2:
   * the owner sleeps on it. */
  if (__atomic_exchange_n(&s->done, 1, __ATOMIC_RELEASE) == 2)
    ws__futex_wake(&s->done, 1);
}

ws__task *ws__fast_steal(ws__worker *w, ws__worker *v, int *lost) {
  ws__fastq *q = &v->fq;
  /* Seq_cst: see the pairing table above (pop). */
  uint64_t top = __atomic_load_n(&q->top, __ATOMIC_SEQ_CST);
  int64_t b = __atomic_load_n(&q->bottom, __ATOMIC_SEQ_CST);
  int64_t t = top_index(top);
  if (t >= b)
    return NULL;
  /* The descriptor first: once the CAS succeeds the slot is ours to run. */
  ws__task *d = ws__task_alloc(&w->cache, &w->pool->depot);
  if (!d)
    return NULL;
  if (!__atomic_compare_exchange_n(&q->top, &top, top + 1, 0, __ATOMIC_SEQ_CST,
                                   __ATOMIC_RELAXED)) {
    *lost = 1;
    ws__task_free(&w->cache, &w->pool->depot, d);
    return NULL;
  }
  ws__slot *s = &q->buf[t];
  /* Relaxed: a hint for the owner's wait (whom to help). */
  __atomic_store_n(&s->thief, w->id, __ATOMIC_RELAXED);
  d->fn = fast_trampoline;
  memcpy(d->captures, &s, sizeof s);
  d->frame = &g_fast_frame;
  d->group = NULL;
  d->site = NULL;
  d->heap_captures = NULL;
  d->tier = WS_TIER_NORMAL;
  d->flags = WS__TASK_FAST;
  d->seq = 0;
  return d;
}

int ws__fast_size_hint(ws__worker *v) {
  /* Relaxed: a hint (ws__fast_steal has the protocol). */
  int64_t b = __atomic_load_n(&v->fq.bottom, __ATOMIC_RELAXED);
  uint64_t top = __atomic_load_n(&v->fq.top, __ATOMIC_RELAXED);
  return b > top_index(top);
}

void ws__fast_wake(ws__fastq *q) {
  ws__worker *w = (ws__worker *)((char *)q - offsetof(ws__worker, fq));
  /* The inline push made its fence (ws.h); ws__ec_notify's is then a
   * compiler barrier or one more fence, harmless. */
  if (ws__ec_notify(&w->pool->ec))
    WS__STAT(w, wakeups, 1);
}

/* ---- Waiting for a stolen slot ------------------------------------------ */

static int fast_done(void *arg) {
  /* Acquire: pairs with the thief's release exchange (fast_trampoline). */
  return __atomic_load_n(&((ws__slot *)arg)->done, __ATOMIC_ACQUIRE) == 1;
}

static void fast_sleep(void *arg, int64_t timeout_ns) {
  ws__slot *s = arg;
  uint32_t expected = 0;
  /* Acquire (on failure: done is 1, read as fast_done would; success needs
   * nothing -- the futex re-checks the word, and the thief's exchange sees
   * our 2 and wakes us -- but may not be weaker than failure). */
  if (__atomic_compare_exchange_n(&s->done, &expected, 2, 0, __ATOMIC_ACQUIRE,
                                  __ATOMIC_ACQUIRE) ||
      expected == 2)
    ws__futex_wait(&s->done, 2, timeout_ns);
}

int ws__fast_pop_contended(ws__fastq *q, int64_t b, uint64_t top) {
  if (top_index(top) == b) {
    /* The last slot: race the thieves for it.  Winning also moves top to
     * the next epoch (at b, where bottom now is: empty). */
    if (__atomic_compare_exchange_n(&q->top, &top, top_back(top, b), 0,
                                    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
      return 1;
    /* A thief took it: top is now b + 1. */
  }
  /* Stolen: the slot is the thief's until it says done.  Run other work
   * meanwhile (wait.c), then take the slot back.  What that work spawns
   * goes above the slot: bottom back to b + 1, where top is (nothing to
   * steal). */
  ws__slot *s = &q->buf[b];
  __atomic_store_n(&q->bottom, b + 1, __ATOMIC_SEQ_CST);
  ws__wait_for(&ws__tls_self, fast_done, fast_sleep, s);
  /* Now top and bottom are both b + 1 again (what ran meanwhile waited for
   * its own slots).  Bottom goes down first: a thief that sees the lowered
   * top sees it too (seq_cst), never top < bottom over the old slot.
   * Then top, in the next epoch; nobody races for an empty deque. */
  __atomic_store_n(&q->bottom, b, __ATOMIC_SEQ_CST);
  top = __atomic_load_n(&q->top, __ATOMIC_RELAXED);
  __atomic_store_n(&q->top, top_back(top, b), __ATOMIC_SEQ_CST);
  return 0;
}

/* The owner pops slot b (the newest) and runs it, as the inline join does
 * (ws.h), or skips it when `frame` was cancelled; 1 if it ran here, 0 if a
 * thief ran it (waited for) or it was skipped. */
static int pop_and_run(ws__worker *w, int64_t b, ws__frame_rt *frame) {
  ws__fastq *q = &w->fq;
  /* Seq_cst: as the inline pop (ws.h). */
  __atomic_store_n(&q->bottom, b, __ATOMIC_SEQ_CST);
  uint64_t top = __atomic_load_n(&q->top, __ATOMIC_SEQ_CST);
  if (top_index(top) >= b && !ws__fast_pop_contended(q, b, top))
    return 0; /* it was stolen, and has finished */
  ws__slot *s = &q->buf[b];
  ws_task_fn fn = s->fn;
  alignas(16) unsigned char copy[WS_SLOT_CAPTURE];
  memcpy(copy, s->captures, sizeof copy);
  if (frame && ws__task_cancelled(frame, NULL)) {
    WS__STAT(w, cancelled, 1);
    return 0;
  }
  ws__fast_call(q, fn, copy);
  return 1;
}

void ws__fast_join_slow(ws_frame *frame_) {
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  if (!frame || frame->fast_base == 0)
    return;
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w;
  if (w) {
    ws__fastq *q = &w->fq;
    int64_t base = (int64_t)frame->fast_base - 1;
    /* The inline join came here at the periodic decision, or for one of
     * the other reasons below: make the decision now. */
    q->tick = 1;
    for (;;) {
      /* Relaxed: only this thread writes bottom. */
      int64_t b = __atomic_load_n(&q->bottom, __ATOMIC_RELAXED);
      if (b <= base)
        break;
      /* A task of a higher tier first, as a wait's scheduling decision
       * would choose, and every WS__FAST_TICK pops the periodic work. */
      int due = --q->tick == 0;
      if (due)
        q->tick = WS__FAST_TICK;
      if (due || ws__fast_higher(q) || (w->tier_mask >> (WS_TIER_NORMAL + 1))) {
        ws__task *t = ws__find_above(w, WS_TIER_NORMAL, due);
        if (t) {
          ws__run_task(w, t);
          continue;
        }
      }
      pop_and_run(w, b - 1, frame);
    }
  }
  /* No record (given back when the pool stopped, which ran its slots):
   * nothing is left. */
  frame->fast_base = 0;
}

/* ---- The owner outside any wait ------------------------------------------ */

int ws__fast_run_own(ws__worker *w) {
  int ran = 0;
  int64_t b;
  /* Relaxed: only this thread writes bottom. */
  while ((b = __atomic_load_n(&w->fq.bottom, __ATOMIC_RELAXED)) > 0)
    ran += pop_and_run(w, b - 1, NULL);
  return ran;
}

/*
 * tiers.c -- aging: tasks that waited too long move one tier up.
 */
#include "worker.h"

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
    if (tier + 1 >= WS_TIER_HIGH)
      ws__fast_poke(p);
  }
}

/*
 * place.c -- capabilities: which worker holds what (WS_CAPS,
 * ws_caps_define), and the placement queues that hold the tasks that
 * require or prefer some.
 *
 * Why queues of their own.  A task that only some workers may run cannot
 * sit in a work-stealing deque: every thief would have to look at each task
 * before taking it, which costs the common case (no capability) on every
 * steal.  So such tasks never enter a deque.  They go to a placement queue
 * keyed by their (requirement, preference) pair -- one FIFO per tier, under
 * a mutex -- and only the workers eligible for that queue take from it.
 * The scheduler learns that any exists from one word, the pool's
 * `placed_pending` (bit i: queue i holds tasks), which it reads only in its
 * slow path: when a worker's own deques are empty (before stealing) and at
 * its periodic decision (every 32), never in ws__next_task's fast path or
 * on a spawn.  Each worker caches which queues it may take from
 * (placed_now: it meets requirement and preference; placed_late: only the
 * requirement, so it takes a preferred task only once it has waited
 * WS__PREFER_WAIT_NS for a worker that meets the preference), so a poll is
 * a few mask operations and one lock of the chosen queue.
 *
 * Wake-ups: the eventcount wakes one sleeper, which may not be eligible, so
 * a push wakes every sleeper (ws__ec_wake_all) when any sleeps; the
 * ineligible go back to sleep.  A worker about to park re-checks the queues
 * it may take from after its heavy fence (worker.c: idle_find), and the
 * pusher orders its push before its load of `sleepers` with a fence: the
 * Dekker pair of park.h, on this slower path.
 *
 * Tiers and aging: a worker takes the highest tier among the queues it may
 * take from (ties: the queue after the one it took from last, round
 * robin), and the tasks in them age like queued tasks (ws__placed_aging,
 * from the periodic decision).  Tasks in placement queues do not count in
 * the pool's hi_queued hints: those make every worker look for high-tier
 * work in the deques, which would not find them.
 */
#include "observe.h"
#include "worker.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a preferred task waits for a worker that meets its preference
 * before another eligible worker may take it. */
#define WS__PREFER_WAIT_NS 1000000u

typedef struct ws__placed_q {
  uint64_t req, pref; /* fixed before the queue is published */
  pthread_mutex_t lock;
  /* Tiers holding tasks: written under the lock, read as a hint. */
  _Atomic unsigned tmask;
  /* Per tier, under the lock: a list from the newest (head) to the oldest
   * (tail), linked by t->next (towards older) and t->next_batch (towards
   * newer; the depot's link, unused while a task is queued). */
  ws__task *head[WS_NUM_TIERS], *tail[WS_NUM_TIERS];
} ws__placed_q;

/* List operations, under q's lock.  They keep tmask and, for queue qi,
 * the pool's placed_pending bit in step. */
static void q_mask(ws__pool *p, int qi, ws__placed_q *q) {
  unsigned old = atomic_load_explicit(&q->tmask, memory_order_relaxed), m = 0;
  for (int k = 0; k < WS_NUM_TIERS; k++)
    if (q->head[k])
      m |= 1u << k;
  if (m == old)
    return;
  /* Relaxed: hints written under the lock (the lock carries the tasks;
   * see ws__placed_push for the sleepers' side). */
  atomic_store_explicit(&q->tmask, m, memory_order_relaxed);
  if (!old)
    atomic_fetch_or_explicit(&p->placed_pending, (uint64_t)1 << qi,
                             memory_order_relaxed);
  else if (!m)
    atomic_fetch_and_explicit(&p->placed_pending, ~((uint64_t)1 << qi),
                              memory_order_relaxed);
}

static void q_push_newest(ws__placed_q *q, int tier, ws__task *t) {
  t->next = q->head[tier];
  t->next_batch = NULL;
  if (q->head[tier])
    q->head[tier]->next_batch = t;
  else
    q->tail[tier] = t;
  q->head[tier] = t;
}

static void q_push_oldest(ws__placed_q *q, int tier, ws__task *t) {
  t->next = NULL;
  t->next_batch = q->tail[tier];
  if (q->tail[tier])
    q->tail[tier]->next = t;
  else
    q->head[tier] = t;
  q->tail[tier] = t;
}

static void q_unlink(ws__placed_q *q, int tier, ws__task *t) {
  if (t->next_batch)
    t->next_batch->next = t->next;
  else
    q->head[tier] = t->next;
  if (t->next)
    t->next->next_batch = t->next_batch;
  else
    q->tail[tier] = t->next_batch;
  t->next = t->next_batch = NULL;
}

/* What refusals have named on stderr since the pool started: the
 * capabilities listed in a `ws:` line, and whether an unknown name was
 * reported.  A program that spawns an impossible task in a loop gets one
 * line per capability, not one per spawn; every refused spawn still returns
 * WS_EINVAL.  Cleared when a pool starts (ws__placed_init), whose workers
 * and names may differ.  Relaxed: they only keep lines from repeating and
 * publish nothing else. */
static _Atomic uint64_t refused_caps;
static atomic_bool refused_unknown;

static void refused_forget(void) {
  atomic_store_explicit(&refused_caps, 0, memory_order_relaxed);
  atomic_store_explicit(&refused_unknown, false, memory_order_relaxed);
}

void ws__placed_init(ws__pool *p) {
  refused_forget();
  atomic_init(&p->placed_pending, 0);
  atomic_init(&p->nplaced, 0);
  pthread_mutex_init(&p->placed_lock, NULL);
  p->placed = calloc(WS__MAX_PLACED, sizeof *p->placed);
}

void ws__placed_destroy(ws__pool *p) {
  if (p->placed) {
    int n = atomic_load_explicit(&p->nplaced, memory_order_relaxed);
    for (int i = 0; i < n; i++)
      pthread_mutex_destroy(&p->placed[i].lock);
  }
  free(p->placed);
  p->placed = NULL;
  pthread_mutex_destroy(&p->placed_lock);
}

/* The names of the bits of `caps`, "gpu,numa0" (or "#5" for a bit without
 * a name), into buf. */
static void caps_names(const ws__caps_cfg *c, uint64_t caps, char *buf,
                       size_t size) {
  size_t n = 0;
  buf[0] = '\0';
  for (int b = 0; b < 64 && n + 1 < size; b++) {
    if (!(caps & ((uint64_t)1 << b)))
      continue;
    int k = b < c->ncaps
                ? snprintf(buf + n, size - n, "%s%s", n ? "," : "", c->names[b])
                : snprintf(buf + n, size - n, "%s#%d", n ? "," : "", b);
    if (k < 0)
      break;
    n += (size_t)k;
  }
}

int ws__placed_check(ws__pool *p, uint64_t req) {
  if (p) {
    /* Records 0..started-1 have a thread (record 0: an application
     * thread's); the capabilities were fixed when the pool started. */
    for (int i = 0; i < p->started; i++)
      if ((p->workers[i]->caps & req) == req)
        return WS_OK;
  }
  if (req == ~(uint64_t)0) { /* ws_caps_named: an unknown name */
    if (!atomic_exchange_explicit(&refused_unknown, true, memory_order_relaxed))
      fprintf(stderr, "ws: a task requires a capability name that is not "
                      "defined (WS_CAPS, ws_caps_define); not spawned "
                      "(reported once)\n");
    return WS_EINVAL;
  }
  uint64_t said =
      atomic_fetch_or_explicit(&refused_caps, req, memory_order_relaxed);
  if ((req & ~said) == 0)
    return WS_EINVAL;
  char names[512];
  caps_names(p ? &p->cfg.caps : &(ws__caps_cfg){0}, req, names, sizeof names);
  fprintf(stderr,
          "ws: a task requires capabilities {%s} that no running worker "
          "holds (WS_CAPS, ws_caps_define); not spawned (reported once per "
          "capability)\n",
          names);
  return WS_EINVAL;
}

/* The index of the queue for (req, pref), created if needed; -1 (with one
 * `ws:` line) when WS__MAX_PLACED kinds exist already. */
int ws__placed_queue(ws__pool *p, uint64_t req, uint64_t pref) {
  /* Acquire: pairs with the release store below; a queue we see is
   * initialised. */
  int n = atomic_load_explicit(&p->nplaced, memory_order_acquire);
  for (int i = 0; i < n; i++)
    if (p->placed[i].req == req && p->placed[i].pref == pref)
      return i;
  pthread_mutex_lock(&p->placed_lock);
  n = atomic_load_explicit(&p->nplaced, memory_order_relaxed);
  int found = -1;
  for (int i = 0; i < n && found < 0; i++)
    if (p->placed[i].req == req && p->placed[i].pref == pref)
      found = i;
  if (found < 0 && n < WS__MAX_PLACED) {
    ws__placed_q *q = &p->placed[n];
    q->req = req;
    q->pref = pref;
    pthread_mutex_init(&q->lock, NULL);
    atomic_init(&q->tmask, 0);
    for (int t = 0; t < WS_NUM_TIERS; t++)
      q->head[t] = q->tail[t] = NULL;
    /* Release: pairs with the acquire loads of nplaced (here, and in
     * refresh): a worker that sees the count sees the queue. */
    atomic_store_explicit(&p->nplaced, n + 1, memory_order_release);
    found = n;
  }
  pthread_mutex_unlock(&p->placed_lock);
  if (found < 0)
    fprintf(stderr,
            "ws: more than %d different (requires, prefers) pairs of "
            "capabilities; task not spawned\n",
            WS__MAX_PLACED);
  return found;
}

void ws__placed_push(ws__pool *p, int qi, ws__task *t) {
  ws__placed_q *q = &p->placed[qi];
  pthread_mutex_lock(&q->lock);
  q_push_newest(q, t->tier, t);
  q_mask(p, qi, q);
  pthread_mutex_unlock(&q->lock);
  /* Seq_cst fence: our push before our load of `sleepers`; pairs with the
   * sleeper's increment of `sleepers` and heavy fence before it re-checks
   * the queues (worker.c idle_find) -- one of the two sees the other. */
  atomic_thread_fence(memory_order_seq_cst);
  if (atomic_load_explicit(&p->ec.sleepers, memory_order_relaxed) > 0)
    ws__ec_wake_all(&p->ec); /* the one woken must be eligible */
}

/* Learns the queues created since w last looked. */
static void refresh(ws__worker *w) {
  ws__pool *p = w->pool;
  /* Acquire: pairs with the release store in ws__placed_queue. */
  int n = atomic_load_explicit(&p->nplaced, memory_order_acquire);
  while (w->placed_known < n) {
    int i = w->placed_known++;
    const ws__placed_q *q = &p->placed[i];
    if ((q->req & ~w->caps) != 0)
      continue;
    if ((q->pref & ~w->caps) == 0)
      w->placed_now |= (uint64_t)1 << i;
    else
      w->placed_late |= (uint64_t)1 << i;
  }
}

/* Under q's lock: takes a task of q's highest tier >= min_tier: the newest
 * (as an owner pops its deque: in fork-join code the newest placed task is
 * what the deepest wait needs, and serving it first keeps waits from
 * nesting older work while they wait), or, `late`, the oldest if it has
 * waited long enough.  Aging keeps the oldest from starving.  NULL: none. */
static ws__task *q_take_locked(ws__pool *p, int qi, int min_tier, int late,
                               uint64_t now_ns) {
  ws__placed_q *q = &p->placed[qi];
  unsigned m = atomic_load_explicit(&q->tmask, memory_order_relaxed);
  if (!m)
    return NULL;
  int tier = 31 - __builtin_clz(m);
  if (tier < min_tier)
    return NULL;
  ws__task *t = late ? q->tail[tier] : q->head[tier];
  if (late && now_ns - t->placed_ns < WS__PREFER_WAIT_NS)
    return NULL;
  q_unlink(q, tier, t);
  q_mask(p, qi, q);
  return t;
}

static ws__task *took(ws__worker *w, int qi, ws__task *t) {
  const ws__placed_q *q = &w->pool->placed[qi];
  if (q->req)
    WS__STAT(w, required_runs, 1);
  if (q->pref) {
    if ((q->pref & ~w->caps) == 0)
      WS__STAT(w, preferred_runs, 1);
    else
      WS__STAT(w, preferred_elsewhere, 1);
  }
  return t;
}

ws__task *ws__placed_take(ws__worker *w, int min_tier) {
  ws__pool *p = w->pool;
  refresh(w);
  /* Relaxed: a hint; each queue's lock carries its tasks. */
  uint64_t pend =
      atomic_load_explicit(&p->placed_pending, memory_order_relaxed);
  uint64_t now = pend & w->placed_now, late = pend & w->placed_late;
  if (min_tier < WS_TIER_LOW)
    min_tier = WS_TIER_LOW;
  while (now) {
    /* The queue with the highest tier (ties: round robin from the tick). */
    int best = -1, best_tier = min_tier - 1;
    unsigned rot = w->tick & 63;
    uint64_t r = (now >> rot) | (rot ? now << (64 - rot) : 0);
    while (r) {
      int k = __builtin_ctzll(r);
      r &= r - 1;
      int i = (int)((k + rot) & 63);
      unsigned m =
          atomic_load_explicit(&p->placed[i].tmask, memory_order_relaxed);
      int tier = m ? 31 - __builtin_clz(m) : -1;
      if (tier > best_tier) {
        best_tier = tier;
        best = i;
      }
    }
    if (best < 0)
      break;
    pthread_mutex_lock(&p->placed[best].lock);
    ws__task *t = q_take_locked(p, best, min_tier, 0, 0);
    pthread_mutex_unlock(&p->placed[best].lock);
    if (t)
      return took(w, best, t);
    now &= ~((uint64_t)1 << best); /* emptied meanwhile */
  }
  if (late) {
    uint64_t t_ns = ws__now_ns();
    while (late) {
      int i = __builtin_ctzll(late);
      late &= late - 1;
      pthread_mutex_lock(&p->placed[i].lock);
      ws__task *t = q_take_locked(p, i, min_tier, 1, t_ns);
      pthread_mutex_unlock(&p->placed[i].lock);
      if (t)
        return took(w, i, t);
    }
  }
  return NULL;
}

ws__task *ws__placed_take_own(ws__worker *w, uint64_t start) {
  ws__pool *p = w->pool;
  refresh(w);
  uint64_t qs = atomic_load_explicit(&p->placed_pending, memory_order_relaxed) &
                (w->placed_now | w->placed_late);
  while (qs) {
    int i = __builtin_ctzll(qs);
    qs &= qs - 1;
    ws__placed_q *q = &p->placed[i];
    ws__task *found = NULL;
    pthread_mutex_lock(&q->lock);
    for (int tier = WS_TIER_CRITICAL; tier >= WS_TIER_LOW && !found; tier--) {
      for (ws__task *t = q->head[tier]; t; t = t->next) {
        if (t->placed_by != w || t->seq <= start)
          continue;
        q_unlink(q, tier, t);
        q_mask(p, i, q);
        found = t;
        break;
      }
    }
    pthread_mutex_unlock(&q->lock);
    if (found)
      return took(w, i, found);
  }
  return NULL;
}

int ws__placed_ready(ws__worker *w, int *soon) {
  refresh(w);
  /* Relaxed: read after the caller's heavy fence (idle_find). */
  uint64_t pend =
      atomic_load_explicit(&w->pool->placed_pending, memory_order_relaxed);
  if (pend & w->placed_late)
    *soon = 1;
  return (pend & w->placed_now) != 0;
}

void ws__placed_aging(ws__worker *w) {
  ws__pool *p = w->pool;
  refresh(w);
  uint64_t qs = atomic_load_explicit(&p->placed_pending, memory_order_relaxed) &
                (w->placed_now | w->placed_late);
  uint64_t now = w->now_ms, limit = (uint64_t)p->cfg.starvation_ms;
  while (qs) {
    int i = __builtin_ctzll(qs);
    qs &= qs - 1;
    ws__placed_q *q = &p->placed[i];
    pthread_mutex_lock(&q->lock);
    for (int tier = WS_TIER_HIGH; tier >= WS_TIER_LOW; tier--) {
      ws__task *t = q->tail[tier]; /* the oldest */
      if (!t)
        continue;
      /* Relaxed: written by the spawner before the push (under the lock). */
      uint64_t enq =
          atomic_load_explicit(&t->enqueued_ms, memory_order_relaxed);
      if (now < enq || now - enq < limit)
        continue;
      /* The oldest task of this tier becomes the oldest of the next. */
      q_unlink(q, tier, t);
      t->tier = (uint8_t)(tier + 1);
      atomic_store_explicit(&t->enqueued_ms, now, memory_order_relaxed);
      q_push_oldest(q, tier + 1, t);
      q_mask(p, i, q);
      WS__STAT(w, promotions, 1);
    }
    pthread_mutex_unlock(&q->lock);
  }
}

/* ---- Public API ------------------------------------------------------- */

int ws_caps_lookup(const char *names, uint64_t *caps) {
  if (!names || !caps)
    return WS_EINVAL;
  ws__caps_cfg *c = malloc(sizeof *c);
  if (!c)
    return WS_ENOMEM;
  ws__caps_current(c);
  uint64_t m = 0;
  int rc = WS_OK;
  const char *s = names;
  for (;;) {
    const char *e = strchr(s, ',');
    size_t len = e ? (size_t)(e - s) : strlen(s);
    int b = ws__caps_bit(c, s, len);
    if (b < 0) {
      rc = WS_EINVAL;
      break;
    }
    m |= (uint64_t)1 << b;
    if (!e)
      break;
    s = e + 1;
  }
  free(c);
  if (rc == WS_OK)
    *caps = m;
  return rc;
}

uint64_t ws_worker_caps(int worker) {
  ws__pool *p = ws__pool_acquire();
  uint64_t caps = 0;
  if (p && worker >= 0 &&
      worker < atomic_load_explicit(&p->nslots, memory_order_relaxed))
    caps = p->workers[worker]->caps;
  ws__pool_release();
  return caps;
}

/*
 * worker.c -- the worker loop: pop own work (highest tier first), look for
 * higher-tier work elsewhere, steal (random victims,
 * batches from large victims), and the idle policy (adaptive spin, yield,
 * park on the eventcount with a back-off timeout).
 */
#include "worker.h"
#include "observe.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

_Thread_local ws__tls ws__tls_self __attribute__((tls_model("initial-exec")));

#define SPIN_MIN 64
#define SPIN_MAX 16384
#define SPIN_INITIAL 1024
#define PARK_MIN_NS 1000000LL    /* 1 ms */
#define PARK_MAX_NS 1000000000LL /* 1000 ms */
#define STEAL_PROBES 4           /* random victims per steal round */

uint64_t ws__now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t ws__now_coarse_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int ws__worker_init(ws__worker *w, ws__pool *p, int id) {
  memset(w, 0, sizeof *w);
  w->pool = p;
  w->id = id;
  w->rng = 0x9E3779B97F4A7C15ull * (uint64_t)(id + 1) | 1;
  for (int i = 0; i < WS_NUM_TIERS; i++) {
    if (ws__deque_init(&w->dq[i], 256,
                       i == WS_TIER_LOW ? WS__DEQUE_LIMIT_LOW
                                        : WS__DEQUE_LIMIT) != 0) {
      while (i--)
        ws__deque_destroy(&w->dq[i]);
      return -1;
    }
  }
  if (ws__fastq_init(&w->fq, p) != 0) {
    for (int i = 0; i < WS_NUM_TIERS; i++)
      ws__deque_destroy(&w->dq[i]);
    return -1;
  }
  for (size_t i = 0; i < WS__NSTATS; i++)
    atomic_init(&w->stats.v[i], 0);
  /* Capabilities belong to the workers' records (0..n-1); further
   * application threads' records hold none (ws.h). */
  w->caps = id < p->n ? (uint64_t)ws__caps_of(&p->cfg.caps, id) : 0;
  w->spin_budget = SPIN_INITIAL;
  w->steal_cap = p->cfg.steal_batch;
  w->fast_cap = 1;
  w->park_ns = PARK_MIN_NS;
  w->now_ms = ws__now_coarse_ms();
  w->next_age_ms = w->now_ms + 1;
  w->mark_ns = ws__now_ns();
  return 0;
}

void ws__worker_destroy(ws__worker *w) {
  for (int i = 0; i < WS_NUM_TIERS; i++)
    ws__deque_destroy(&w->dq[i]);
  ws__fastq_destroy(&w->fq);
  ws__task_cache_destroy(&w->cache);
  free(w->near);
  w->near = NULL;
}

/* An integer from a sysfs file of CPU `cpu`, or -1. */
static int cpu_attr(int cpu, const char *what) {
  char path[128];
  snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/%s", cpu, what);
  FILE *f = fopen(path, "r");
  if (!f)
    return -1;
  int v = -1;
  if (fscanf(f, "%d", &v) != 1)
    v = -1;
  fclose(f);
  return v;
}

/* Locality for victim choice when workers are pinned: a worker's `near`
 * list holds the other workers on CPUs that share its L3 cache (or, when
 * the L3 id is unknown, its package).  steal_random tries those first. */
void ws__worker_topology(ws__pool *p) {
  if (p->ncpus <= 0 || p->n < 2)
    return;
  int *l3 = malloc(sizeof(int) * (size_t)p->n);
  int *pkg = malloc(sizeof(int) * (size_t)p->n);
  if (!l3 || !pkg)
    goto out;
  for (int i = 0; i < p->n; i++) {
    int cpu = p->cpus[i % p->ncpus];
    l3[i] = cpu_attr(cpu, "cache/index3/id");
    pkg[i] = cpu_attr(cpu, "topology/physical_package_id");
  }
  for (int i = 0; i < p->n; i++) {
    ws__worker *w = p->workers[i];
    w->near = malloc(sizeof(int) * (size_t)p->n);
    if (!w->near)
      continue;
    for (int j = 0; j < p->n; j++) {
      if (j == i)
        continue;
      int same =
          l3[i] >= 0 ? l3[j] == l3[i] : (pkg[i] >= 0 && pkg[j] == pkg[i]);
      if (same)
        w->near[w->n_near++] = j;
    }
    /* Everyone near (one cache) or nobody: plain random choice is as good. */
    if (w->n_near == 0 || w->n_near == p->n - 1) {
      free(w->near);
      w->near = NULL;
      w->n_near = 0;
    }
  }
out:
  free(l3);
  free(pkg);
}

void ws__mark_transition(ws__worker *w, int to_idle) {
  uint64_t now = ws__now_ns();
  if (to_idle)
    WS__STAT(w, busy_ns, now - w->mark_ns);
  else
    WS__STAT(w, idle_ns, now - w->mark_ns);
  w->mark_ns = now;
  w->idle = to_idle;
}

void ws__spin_adapt(ws__worker *w, int grow) {
  if (w->pool->cfg.wait_policy != WS__WAIT_ADAPTIVE)
    return;
  if (grow && w->spin_budget < SPIN_MAX)
    w->spin_budget *= 2;
  else if (!grow && w->spin_budget > SPIN_MIN)
    w->spin_budget /= 2;
}

static inline uint64_t rng_next(ws__worker *w) {
  uint64_t x = w->rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return w->rng = x;
}

/* Own deques of tier min_tier and up, highest tier first.  tier_mask may
 * have stale bits (thieves emptied a deque); those looked at are cleared
 * here. */
static ws__task *pop_own_from(ws__worker *w, int min_tier) {
  unsigned mask = w->tier_mask & ~((1u << min_tier) - 1);
  while (mask) {
    int tier = 31 - __builtin_clz(mask);
    ws__task *t = ws__deque_take(&w->dq[tier]);
    if (t) {
      ws__took(w->pool, t);
      return t;
    }
    mask &= ~(1u << tier);
    w->tier_mask &= ~(1u << tier);
  }
  return NULL;
}

static ws__task *pop_own(ws__worker *w) { return pop_own_from(w, WS_TIER_LOW); }

/* A steal from victim v that took 1 + moved tasks, moved of them queued
 * in our own deque: the statistics and the trace. */
static void count_steal(ws__worker *w, const ws__worker *v, int tier,
                        int64_t moved) {
  WS__STAT(w, stolen, (uint64_t)moved + 1);
  if (moved) {
    WS__STAT(w, batch_steals, 1);
    WS__STAT(w, batch_moved, (uint64_t)moved + 1);
  }
  if (ws__tracing())
    ws__trace_steal(w, v->id, tier, (uint64_t)moved + 1);
}

/* Steals from victim v, tiers CRITICAL down to min_tier.  When the victim
 * holds many tasks of that tier, moves up to half of them (at most
 * steal_cap) into our own deque: one task to run now, the rest queued here.
 * The batch is a series of single steals -- each one the full protocol, so
 * the owner's concurrent takes need no extra care. */
static ws__task *steal_from(ws__worker *w, ws__worker *v, int min_tier,
                            int *lost_race) {
  for (int tier = WS_TIER_CRITICAL; tier >= min_tier; tier--) {
    /* ws_spawn_inline's slots are normal tasks too, run in place, in their
     * owner's slots, a batch at a time (fast.c); before the deque of normal
     * descriptors, whose tasks are newer (a loop fills the fast deque
     * first and the descriptors' when it is full). */
    if (tier == WS_TIER_NORMAL && ws__fast_size_hint(v)) {
      WS__STAT(w, steal_attempts, 1);
      int lost = 0;
      int64_t moved = 0;
      ws__task *t = ws__fast_steal(w, v, &lost, &moved);
      *lost_race |= lost;
      if (t) {
        count_steal(w, v, tier, moved);
        return t;
      }
      WS__STAT(w, steal_failures, 1);
    }
    ws__deque *d = &v->dq[tier];
    int64_t size = ws__deque_size_hint(d);
    if (size <= 0)
      continue;
    WS__STAT(w, steal_attempts, 1);
    int lost = 0;
    ws__task *t = ws__deque_steal(d, &lost);
    *lost_race |= lost;
    if (!t) {
      WS__STAT(w, steal_failures, 1);
      continue;
    }
    int64_t want = size / 2, moved = 0;
    if (want > w->steal_cap)
      want = w->steal_cap;
    if (want >= 2) {
      for (int64_t k = 1; k < want; k++) {
        ws__task *x = ws__deque_steal(d, &lost);
        if (!x) {
          *lost_race |= lost;
          break;
        }
        x->seq = 0; /* not spawned by the task we run: see find_own_child */
        if (ws__deque_push(&w->dq[tier], x) != 0) {
          /* No memory to grow our deque: run it here rather than lose it. */
          ws__took(w->pool, x);
          ws__run_task(w, x);
          continue;
        }
        moved++;
      }
      if (moved)
        w->tier_mask |= 1u << tier;
    }
    count_steal(w, v, tier, moved);
    ws__took(w->pool, t);
    return t;
  }
  return NULL;
}

/* A few random victims.  The batch size adapts to how steals fare: a steal
 * that lost races to other thieves halves it (several thieves on one victim
 * share its work better in smaller bites); a clean one doubles it, up to
 * WS_STEAL_BATCH.  Small batches never starve a thief of tiny tasks: a
 * thief that keeps coming back (a loop spawning millions of tiny tasks from
 * one thread) keeps winning cleanly and takes big batches, so it pays the
 * steal protocol's cache misses once per probe instead of once per task. */
static ws__task *steal_random(ws__worker *w) {
  ws__pool *p = w->pool;
  /* Acquire: pairs with the release store of a claimed record (pool.c). */
  int n = atomic_load_explicit(&p->nslots, memory_order_acquire);
  if (n < 2)
    return NULL;
  int probes = n - 1 < STEAL_PROBES ? n - 1 : STEAL_PROBES;
  for (int i = 0; i < probes; i++) {
    int v;
    if (w->n_near && i < probes - 1) { /* WS_BIND=cores: same L3 first */
      /* (near lists name workers only: records below p->n <= nslots) */
      v = w->near[rng_next(w) % (uint64_t)w->n_near];
    } else {
      v = (int)(rng_next(w) % (uint64_t)(n - 1));
      if (v >= w->id)
        v++;
    }
    int lost = 0;
    ws__task *t = steal_from(w, p->workers[v], WS_TIER_LOW, &lost);
    if (t) {
      if (lost) {
        if (w->steal_cap > 1)
          w->steal_cap /= 2;
      } else if (w->steal_cap < p->cfg.steal_batch) {
        w->steal_cap *= 2;
        if (w->steal_cap > p->cfg.steal_batch)
          w->steal_cap = p->cfg.steal_batch;
        w->fast_cap = 1;
      }
      return t;
    }
  }
  return NULL;
}

/* Every victim, tiers >= min_tier: used when the pool-wide counters say
 * high/critical work is queued somewhere (rare; normal/low spawns never pay
 * for it). */
static ws__task *steal_scan(ws__worker *w, int min_tier) {
  ws__pool *p = w->pool;
  /* Acquire: as in steal_random. */
  int n = atomic_load_explicit(&p->nslots, memory_order_acquire);
  int start = (int)(rng_next(w) % (uint64_t)n);
  for (int i = 0; i < n; i++) {
    int v = (start + i) % n;
    if (v == w->id)
      continue;
    int lost = 0;
    ws__task *t = steal_from(w, p->workers[v], min_tier, &lost);
    if (t)
      return t;
  }
  return NULL;
}

/* Queued work of a tier above `best` (our own best tier) in other deques,
 * when the counters say there is some. */
static ws__task *find_higher(ws__worker *w, int best) {
  ws__pool *p = w->pool;
  /* Relaxed loads: hints; the deques themselves carry the synchronisation. */
  int min_tier = -1;
  if (best < WS_TIER_HIGH &&
      atomic_load_explicit(&p->hi_queued[0], memory_order_relaxed) > 0)
    min_tier = WS_TIER_HIGH;
  else if (atomic_load_explicit(&p->hi_queued[1], memory_order_relaxed) > 0)
    min_tier = WS_TIER_CRITICAL;
  if (WS__UNLIKELY(min_tier > best))
    return steal_scan(w, min_tier);
  return NULL;
}

/* Periodic work, every 32 scheduling decisions: refresh the cached clock
 * and, at most once per millisecond, look for starving tasks. */
static void periodic(ws__worker *w) {
  uint64_t now = ws__now_coarse_ms();
  w->now_ms = now;
  if (now >= w->next_age_ms) {
    w->next_age_ms = now + 1;
    ws__aging_check(w);
    if (ws__placed_any(w->pool))
      ws__placed_aging(w);
  }
}

ws__task *ws__find_task(ws__worker *w) {
  ++w->tick;
  return ws__find_task_ticked(w);
}

/* The body of ws__find_task once the decision counter has been advanced
 * (ws__next_task in worker.h advances it itself and comes here when its
 * fast path does not apply). */
ws__task *ws__find_task_ticked(ws__worker *w) {
  int tick = (w->tick & 31) == 0;
  if (WS__UNLIKELY(tick))
    periodic(w);
  unsigned mask = w->tier_mask;
  int best = mask ? 31 - __builtin_clz(mask) : -1;
  ws__task *t;
  if (best < WS_TIER_CRITICAL && (t = find_higher(w, best)))
    return t;
  /* Tasks with capabilities (place.c) never enter a deque: they are looked
   * for here, behind one load of the pool's placed_pending, and never in
   * ws__next_task's fast path.  At the periodic decision, one of a tier at
   * least our best (ties go to it: fewer workers may run it) comes before
   * our own tasks, so that a worker whose deques never run dry still runs
   * the tasks only it may run. */
  if (WS__UNLIKELY(tick) && ws__placed_any(w->pool)) {
    ws__flush_held(w); /* looking beyond our own deques */
    if ((t = ws__placed_take(w, best)))
      return t;
  }
  if ((t = pop_own(w)))
    return t;
  ws__flush_held(w); /* our own deques are empty: look elsewhere */
  if (ws__placed_any(w->pool) && (t = ws__placed_take(w, WS_TIER_LOW)))
    return t;
  return steal_random(w);
}

ws__task *ws__find_above(ws__worker *w, int tier, int periodic_due) {
  if (periodic_due)
    periodic(w);
  ws__task *x = pop_own_from(w, tier + 1);
  if (x)
    return x;
  ws__flush_held(w); /* looking beyond our own deques */
  return find_higher(w, tier);
}

ws__task *ws__find_critical(ws__worker *w) {
  ws__task *t = NULL;
  ws__pool *p = w->pool;
  if (w->tier_mask & (1u << WS_TIER_CRITICAL)) {
    t = ws__deque_take(&w->dq[WS_TIER_CRITICAL]);
    if (t) {
      ws__took(p, t);
      return t;
    }
    w->tier_mask &= ~(1u << WS_TIER_CRITICAL);
  }
  if (atomic_load_explicit(&p->hi_queued[1], memory_order_relaxed) <= 0)
    return NULL;
  return steal_scan(w, WS_TIER_CRITICAL);
}

int ws__any_work_of(ws__pool *p, int fast) {
  /* Relaxed: called after the eventcount's heavy fence (see park.h); a
   * record claimed after our load holds nothing yet that its first push
   * would not announce (ws__ec_notify). */
  int n = atomic_load_explicit(&p->nslots, memory_order_acquire);
  for (int i = 0; i < n; i++) {
    for (int tier = 0; tier < WS_NUM_TIERS; tier++)
      if (ws__deque_size_hint(&p->workers[i]->dq[tier]) > 0)
        return 1;
    if (fast && ws__fast_size_hint(p->workers[i]))
      return 1;
  }
  return 0;
}

int ws__any_work(ws__pool *p) { return ws__any_work_of(p, 1); }

static int stopping(ws__pool *p) {
  /* Acquire: pairs with the release store of `stop` in the shutdown. */
  return atomic_load_explicit(&p->stop, memory_order_acquire);
}

/* No work found: spin (adaptive budget), yield, then park with back-off.
 * Returns a task, or NULL when the pool stops. */
static int any_work_of(void *pool) { return ws__any_work(pool) != 0; }

static ws__task *idle_find(ws__worker *w) {
  ws__pool *p = w->pool;
  ws__wait_policy policy = p->cfg.wait_policy;
  ws__task *t = NULL;
  int timed_out = 0; /* the last park ended by its time-out */
  ws__mark_idle(w);
  ws__ec_search_begin(&p->ec);
  for (;;) {
    int budget = policy == WS__WAIT_PASSIVE ? 16 : w->spin_budget;
    int i;
    for (i = 0; i < budget && !t; i++) {
      ws__cpu_relax();
      if ((i & 7) == 7) {
        if (stopping(p))
          break;
        t = ws__find_task(w);
      }
    }
    WS__STAT(w, spins, (uint64_t)i);
    if (t) /* the spin found work: spinning pays */
      ws__spin_adapt(w, 1);
    if (t || stopping(p))
      break;
    int yields = policy == WS__WAIT_PASSIVE ? 1 : 4;
    for (int y = 0; y < yields && !t && !stopping(p); y++) {
      sched_yield();
      WS__STAT(w, yields, 1);
      t = ws__find_task(w);
    }
    if (t || stopping(p))
      break;
    if (policy == WS__WAIT_ACTIVE)
      continue;
    ws__ec_search_end(&p->ec);
    uint32_t key = ws__ec_prepare(&p->ec);
    /* After prepare's heavy fence: the queues we may take from, including
     * the placement queues (pairs with the fence of ws__placed_push). */
    int soon = 0; /* a preferred task we may take once it has waited */
    /* A worker quiet after tiny tasks (fast.c) parks though slots wait:
     * their owner runs them faster. */
    if (stopping(p) || ws__any_work_of(p, !ws__fast_quiet(w)) ||
        (ws__placed_any(p) && ws__placed_ready(w, &soon))) {
      ws__ec_cancel(&p->ec);
      ws__ec_search_begin(&p->ec);
      t = ws__find_task(w);
      if (t || stopping(p))
        break;
      continue;
    }
    WS__STAT(w, parks, 1);
    uint64_t park_t0 = ws__tracing() ? ws__trace_now() : 0;
    timed_out = !ws__ec_commit(&p->ec, key, soon ? PARK_MIN_NS : w->park_ns);
    ws__ec_search_begin(&p->ec);
    /* Relaxed: a hint (see wake_ns).  The work came `gap` after we went
     * idle (mark_ns): spin through such gaps, or stop spinning for long
     * ones. */
    uint64_t woke = atomic_load_explicit(&p->ec.wake_ns, memory_order_relaxed);
    ws__spin_adapt(w, !timed_out && woke > w->mark_ns &&
                          woke - w->mark_ns <= WS__SPIN_WORTH_NS);
    if (park_t0)
      ws__trace_park(w, park_t0);
    if (timed_out && !soon && w->park_ns < PARK_MAX_NS)
      w->park_ns = w->park_ns * 2 > PARK_MAX_NS ? PARK_MAX_NS : w->park_ns * 2;
    if (stopping(p) || (t = ws__find_task(w)))
      break;
  }
  /* Every break above leaves us searching. */
  if (!t)
    ws__ec_search_end(&p->ec);
  else if (ws__ec_search_end_found(&p->ec, any_work_of, p))
    WS__STAT(w, wakeups, 1);
  /* The time-out is a safety net: wake-ups, not time-outs, bring work.  It
   * shrinks back to the minimum only when a time-out wake found work (work
   * that no wake announced, e.g. new work while others searched); after a
   * real wake it stays backed off, so a worker that idles between phases of
   * a mostly serial program is not woken by timers several times per phase
   * (each wake costs a search and, on parking again, a membarrier). */
  if (t && timed_out)
    w->park_ns = PARK_MIN_NS;
  ws__mark_busy(w);
  return t;
}

/* WS_BIND: `cores` pins worker i to the i-th CPU of the start mask (ours
 * first), worker 0 included; `threads` (the default) pins only the pool's
 * own threads and leaves the application thread free.  Why pin at all: the
 * kernel wakes a sleeping thread on the waker's CPU when the sleeper's own
 * CPU does not look available (a halted vCPU often does not) and no idle
 * CPU shares a known cache with the waker (virtual machines often describe
 * none).  An unpinned worker woken by worker 0 then waits for worker 0's
 * time slice (milliseconds on a virtual machine: docs/performance.md) and
 * shares its CPU until load balancing separates
 * them, while another CPU idles.  The application thread is never pinned
 * by default: threads it creates later would inherit the mask. */
static void bind_self(ws__worker *w) {
  ws__pool *p = w->pool;
  /* Records beyond the workers belong to further application threads:
   * never pinned. */
  if (p->cfg.bind == WS__BIND_NONE || p->ncpus <= 0 || w->id >= p->n ||
      (p->cfg.bind == WS__BIND_THREADS && w->id == 0))
    return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(p->cpus[w->id % p->ncpus], &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void *ws__worker_main(void *arg) {
  ws__worker *w = arg;
  ws__pool *p = w->pool;
  ws__tls_self.w = w;
  ws__fast_sync(&ws__tls_self);
  bind_self(w);
  while (!stopping(p)) {
    ws__task *t = ws__find_task(w);
    if (!t && ws__fast_run_own(w)) /* slots nobody waited for */
      continue;
    if (!t)
      t = idle_find(w);
    if (t)
      ws__run_task(w, t);
  }
  ws__flush_held(w);
  ws__mark_busy(w); /* flush the current idle stretch (and the busy one) */
  ws__mark_idle(w);
  ws__tls_self.w = NULL;
  ws__fast_sync(&ws__tls_self);
  return NULL;
}

/* Worker 0 is an application thread's: pinned (WS_BIND=cores) when it
 * claims the record. */
void ws__bind_worker0(ws__worker *w) { bind_self(w); }

void ws__worker_run_own(ws__worker *w) {
  ws__task *t;
  do {
    while ((t = pop_own(w)))
      ws__run_task(w, t);
  } while (ws__fast_run_own(w));
  ws__flush_held(w);
}

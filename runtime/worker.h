/*
 * worker.h -- the pool, its workers, the per-thread context, and the
 * functions the runtime's files share.  Internal to libws.
 */
#ifndef WS_WORKER_H
#define WS_WORKER_H

#include "deque.h"
#include "env.h"
#include "park.h"
#include "task.h"
#include "ws.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#define WS__LIKELY(x) __builtin_expect(!!(x), 1)
#define WS__UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Most tasks one worker's deque of one tier holds; a spawn beyond it runs
 * the task at once (what libomp does past 256).  4096 descriptors (768 KiB)
 * stay in cache, where a producer and its thieves pass them around cheaply;
 * a loop spawning millions of tiny tasks runs most of them itself past that
 * and its thieves take batches from the rest (the flat kernel at 2 workers
 * ran in less than half the time with 4096 than with 65536:
 * docs/performance.md).  Low tasks may queue up to
 * 65536: they are the ones meant to wait, and running one at its spawn puts
 * it ahead of every queued task of a higher tier. */
#define WS__DEQUE_LIMIT 4096
#define WS__DEQUE_LIMIT_LOW 65536

/* ---- Statistics ------------------------------------------------------------
 * Mirrors ws_stats field for field.  Each worker writes only its own record,
 * with a relaxed load and a store (no read-modify-write); stats.c reads them
 * with relaxed loads, so concurrent reads are race-free and cost the writer
 * nothing.  `executed` and `cancelled` are stored with release so that the
 * shutdown's quiescence check (pool.c) can trust them. */
#define WS__NSTATS (sizeof(ws_stats) / sizeof(uint64_t))
#define WS__STAT_IDX(field) (offsetof(ws_stats, field) / sizeof(uint64_t))

typedef struct ws__stats_rt {
  _Atomic uint64_t v[WS__NSTATS];
} ws__stats_rt;

static inline void ws__stat_add(ws__stats_rt *s, size_t i, uint64_t n) {
  /* Relaxed load: only this thread writes the field.  Release store: pairs
   * with the acquire loads of the quiescence check (free on x86). */
  uint64_t v = atomic_load_explicit(&s->v[i], memory_order_relaxed);
  atomic_store_explicit(&s->v[i], v + n, memory_order_release);
}
#define WS__STAT(w, field, n)                                                  \
  ws__stat_add(&(w)->stats, WS__STAT_IDX(field), (n))

/* ---- Workers ------------------------------------------------------------- */

struct ws__pool;
struct ws__tls;

typedef struct ws__worker {
  /* The owner's hot fields: one cache line, touched only by this worker. */
  alignas(64) struct ws__pool *pool;
  int id;
  unsigned tier_mask;      /* tiers whose deque may be non-empty */
  uint64_t rng;            /* xorshift state for victim choice */
  ws__task_cache cache;    /* free descriptors */
  unsigned tick;           /* scheduling decisions, for periodic work */
  uint64_t push_seq;       /* spawns into our deques, numbering task->seq;
                              also paces the clock refresh in spawn */
  uint64_t now_ms;         /* cached coarse clock */
  uint64_t next_age_ms;    /* next aging check */
  int spin_budget;         /* adaptive idle spin rounds */
  int steal_cap;           /* adaptive batch size */
  int fast_cap;            /* slots a fast steal claims, adaptive (fast.c) */
  uint64_t fast_quiet_ns;  /* no fast steal before this (monotonic; fast.c) */
  uint64_t fast_quiet_len; /* the next quiet's length (fast.c; 0: the first) */
  int *near; /* WS_BIND=cores: workers sharing our L3 (or package) */
  struct ws__worker *retired_next; /* pool.c: records kept after their pool */
  int n_near;
  int64_t park_ns;  /* current park timeout */
  uint64_t mark_ns; /* last busy<->idle transition */
  int idle;         /* inside an idle stretch */
  /* Completions of stolen children not yet added to their frame (whose
   * owner is another thread): `held_done` children of `held_frame`.  Held
   * only while this worker runs or picks its next task among its own queued
   * tasks of that frame -- while the frame cannot be complete anyway --
   * and flushed before anything else (see ws__flush_held). */
  struct ws__frame_rt *held_frame;
  int64_t held_done;
  pthread_t thread;
  /* An application thread's record: the context of the thread that holds
   * it (NULL: free, or a pool thread's).  Under pool.c's lock. */
  struct ws__tls *holder;
  /* Capabilities (place.c): this record's, fixed at the pool's start (0 for
   * application records beyond the workers), and, of the placement queues
   * known so far (placed_known of them), those whose tasks this worker
   * takes at once (it meets requirement and preference) and those it may
   * take once a preferred task has waited (it meets only the requirement).
   * Owner only. */
  uint64_t caps;
  uint64_t placed_now, placed_late;
  int placed_known;
  alignas(64) ws__deque dq[WS_NUM_TIERS];
  /* ws_spawn_inline's deque (ws.h, fast.c): the owner's line and the
   * thieves' line. */
  alignas(64) ws__fastq fq;
  alignas(64) ws__stats_rt stats;
} ws__worker;

/* ---- The pool -------------------------------------------------------------
 */

/* Records for application threads beyond worker 0 (pool.c): threads that
 * spawn at the same time as others.  A thread that finds none free runs its
 * spawns inline. */
#define WS__APP_SLOTS 256

typedef struct ws__pool {
  int n;       /* workers: record 0 (an application thread's) + pool threads */
  int started; /* records 0..started-1 have their thread (pool threads
                  that could not be created leave the rest idle) */
  /* Every record, n + WS__APP_SLOTS at most: 0..n-1 the workers, then
   * those of further application threads.  nslots grows (release, under
   * pool.c's lock) and never shrinks while the pool runs; thieves read it
   * with acquire and may pick any record below it as a victim. */
  ws__worker **workers;
  _Atomic int nslots;
  int cap;
  int *app_free; /* indexes of application records free to claim */
  int n_app_free;
  ws__config cfg;
  _Atomic int stop;
  alignas(64) ws__eventcount ec;
  /* Read at every scheduling decision, written only when high/critical work
   * is queued or taken: one line. */
  alignas(64) _Atomic int64_t hi_queued[2]; /* [0] high, [1] critical */
  alignas(64) ws__task_depot depot;
  /* Placement queues (place.c): tasks with capabilities, one queue per
   * (requirement, preference) pair, created on demand (at most
   * WS__MAX_PLACED, under placed_lock; nplaced published with release).
   * placed_pending has bit i set while queue i holds tasks (changed under
   * that queue's lock): the one word the scheduler tests, in its slow path
   * only, before it looks at any queue. */
  alignas(64) _Atomic uint64_t placed_pending;
  _Atomic int nplaced;
  struct ws__placed_q *placed;
  pthread_mutex_t placed_lock;
  /* Threads without a record (inline runs): atomic RMW. */
  alignas(64) ws__stats_rt ext;
  pthread_t *threads;
  int *cpus; /* WS_BIND=cores: the CPUs of the affinity mask at start */
  int ncpus;
  ws_stats *base; /* n + 1 records (last: external): ws_stats_reset's zero */
  struct ws__pool *abandoned_next; /* pool.c: pools a fork left behind */
} ws__pool;

/* ---- The per-thread context ------------------------------------------------
 * Every thread that uses the runtime has one; its address is the thread's
 * identity for frame ownership. */
typedef struct ws__tls {
  ws__worker *w;             /* NULL: not a worker */
  ws__frame_rt *cur_frame;   /* frame of the running task */
  ws__frame_rt *cur_group;   /* innermost taskgroup of this context */
  int depth;                 /* running tasks nested on this thread */
  int final_depth;           /* > 0: spawns run inline */
  int preempt_depth;         /* critical tasks run at checkpoints, nested */
  uint64_t start_seq;        /* worker's push_seq when the running task began */
  struct ws__fastq **fq_var; /* this thread's ws__fq (set by ws__fast_sync) */
} ws__tls;

extern _Thread_local ws__tls ws__tls_self
    __attribute__((tls_model("initial-exec")));

/* ws__fq of a thread whose fast path is off (fast.c). */
extern ws__fastq ws__fast_off;

/* ws__fq (ws.h) follows the context: the thread's fast deque while it has a
 * worker record and runs outside any taskgroup and final task, with no
 * trace being written (fast.c turns the deque off then: size 0);
 * ws__fast_off otherwise.  (`size`, not `limit`, which a thief may have zeroed
 * as a hint.)  Called wherever tls->w, cur_group or final_depth change. */
static inline void ws__fast_sync(ws__tls *tls) {
  struct ws__worker *w = tls->w;
  tls->fq_var = &ws__fq;
  ws__fq = w && !tls->cur_group && tls->final_depth == 0 && w->fq.size
               ? &w->fq
               : &ws__fast_off;
}

/* ---- Shared functions ------------------------------------------------------
 */

/* worker.c */
int ws__worker_init(ws__worker *w, struct ws__pool *p, int id);
void ws__worker_destroy(ws__worker *w);
void *ws__worker_main(void *arg);
ws__task *ws__find_task(ws__worker *w);
ws__task *ws__find_critical(ws__worker *w);
int ws__any_work(ws__pool *p);
/* The same, not counting the fast deques when `fast` is 0. */
int ws__any_work_of(ws__pool *p, int fast);
void ws__run_task(ws__worker *w, ws__task *t);
/* Runs every task queued in w's own deques (a thread that gives its record
 * back leaves nothing behind). */
void ws__worker_run_own(ws__worker *w);
/* Busy/idle time is measured at transitions only (one clock read each). */
void ws__mark_transition(ws__worker *w, int to_idle);
static inline void ws__mark_busy(ws__worker *w) {
  if (WS__UNLIKELY(w->idle))
    ws__mark_transition(w, 0);
}
static inline void ws__mark_idle(ws__worker *w) {
  if (!w->idle)
    ws__mark_transition(w, 1);
}
void ws__bind_worker0(ws__worker *w);
/* The adaptive spin (WS_WAIT_POLICY=adaptive): an idle stretch that a
 * longer spin would have bridged (work came, or the awaited children
 * finished, soon after the worker started to sleep) doubles the spin
 * budget; a long one halves it.  Sleeping costs more than the nap: the wake
 * takes a futex call and, on a virtual machine, rescheduling a halted vCPU
 * (milliseconds on some hosts), so a loop of short parallel phases must not
 * sleep between them, while a mostly serial program's idle workers must. */
void ws__spin_adapt(ws__worker *w, int grow);
/* An idle stretch of at most this long is worth spinning through. */
#define WS__SPIN_WORTH_NS 500000u
/* WS_BIND=cores: fills each worker's `near` list from /sys topology. */
void ws__worker_topology(struct ws__pool *p);
uint64_t ws__now_ns(void);
uint64_t ws__now_coarse_ms(void);
static inline void ws__cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}
/* Called when a task of tier >= HIGH leaves a queue to run. */
static inline void ws__took(ws__pool *p, ws__task *t) {
  if (WS__UNLIKELY(t->tier >= WS_TIER_HIGH))
    /* Relaxed: a hint that makes workers look for high-tier work; the task
     * itself is published by its queue. */
    atomic_fetch_sub_explicit(&p->hi_queued[t->tier - WS_TIER_HIGH], 1,
                              memory_order_relaxed);
}

/* Is there queued work of a tier above `best` (< WS_TIER_CRITICAL) outside
 * our own deques?  The same tests as find_higher in worker.c, without taking
 * anything: when this says no, the highest own tier is the right place to
 * pop from. */
static inline int ws__higher_elsewhere(ws__pool *p, int best) {
  /* Relaxed loads: hints, exactly as in find_higher (the deques themselves
   * carry the synchronisation; a stale answer costs one decision's order,
   * as it does there). */
  if (best < WS_TIER_HIGH &&
      atomic_load_explicit(&p->hi_queued[0], memory_order_relaxed) > 0)
    return 1;
  return atomic_load_explicit(&p->hi_queued[1], memory_order_relaxed) > 0;
}

ws__task *ws__find_task_ticked(ws__worker *w);

/* ws__find_task with its common case inline: not a periodic decision, our
 * own deques are not empty and nothing of a higher tier waits elsewhere, so
 * the task is the bottom of our highest non-empty tier.  Anything else (a
 * stale tier bit, periodic work, higher work elsewhere, stealing) goes
 * through the full search, which makes the same decision the slow way. */
static inline __attribute__((always_inline)) ws__task *
ws__next_task(ws__worker *w) {
  unsigned mask = w->tier_mask;
  if (WS__LIKELY((++w->tick & 31) != 0 && mask != 0)) {
    int best = 31 - __builtin_clz(mask);
    if (WS__LIKELY(best == WS_TIER_CRITICAL ||
                   !ws__higher_elsewhere(w->pool, best))) {
      ws__task *t = ws__deque_take(&w->dq[best]);
      if (WS__LIKELY(t != NULL)) {
        if (WS__UNLIKELY(best >= WS_TIER_HIGH)) /* ws__took, tier known */
          ws__took(w->pool, t);
        return t;
      }
    }
  }
  return ws__find_task_ticked(w);
}

/* fast.c: ws_spawn_inline's deque (the inline half is in ws.h). */
int ws__fastq_init(ws__fastq *q, struct ws__pool *p);
void ws__fastq_destroy(ws__fastq *q);
/* A deque its owner's scopes may still name though its pool is gone (the
 * thread stopped the pool with fast children pending) or in a fork's child:
 * every pop of it finds its slot claimed and done, every push no room.
 * Its record must stay allocated (pool.c keeps it). */
void ws__fastq_retire(ws__fastq *q);
/* Steals the oldest slot of v's fast deque as a descriptor w runs (NULL:
 * none, or *lost set when another thief won it). */
ws__task *ws__fast_steal(ws__worker *w, ws__worker *v, int *lost,
                         int64_t *moved);
/* A high or critical task was queued: every owner looks beyond its fast
 * path at its next pop. */
void ws__fast_poke(struct ws__pool *p);
/* Statistics of w's fast path: tasks spawned, and executed by w itself
 * (its thieves count theirs). */
void ws__fast_counts(ws__worker *w, uint64_t *spawned, uint64_t *executed);
/* Anyone: does v's fast deque look non-empty?  A hint. */
int ws__fast_size_hint(ws__worker *v);
/* 1 while w leaves the fast deques alone after a batch of tiny tasks
 * (fast.c, WS__FAST_QUIET_NS). */
int ws__fast_quiet(ws__worker *w);
/* The owner, in no wait (its loop, its exit, the pool's drain): runs every
 * slot left in its fast deque; how many it ran. */
int ws__fast_run_own(ws__worker *w);

/* wait.c: runs other tasks until done(arg), spinning, yielding, then
 * calling sleep(arg, timeout_ns) (which returns on a wake, spuriously, or
 * at the timeout).  The waits of frames and of stolen fast slots. */
void ws__wait_for(ws__tls *tls, int (*done)(void *),
                  void (*sleep)(void *, int64_t), void *arg);
/* worker.c: a queued task of a tier above `tier` (own deques first, then
 * elsewhere when the pool's counters say there is one), after the periodic
 * work if it is due; NULL if none.  The fast path's slow wait. */
ws__task *ws__find_above(ws__worker *w, int tier, int periodic_due);

/* frame.c */
/* Adds the held completions to their frame (a thief that ran a batch of
 * one frame's children pays one atomic for the batch, not one per task).
 * Called before this worker looks beyond its own deques or waits. */
void ws__flush_held_slow(ws__worker *w);
static inline void ws__flush_held(ws__worker *w) {
  if (WS__UNLIKELY(w->held_frame != NULL))
    ws__flush_held_slow(w);
}
void ws__frame_child_done(ws__frame_rt *f, uintptr_t self);
int ws__task_cancelled(ws__frame_rt *frame, ws__frame_rt *group);
/* tiers.c */
void ws__aging_check(ws__worker *w);

/* pool.c: the pool registry.  acquire returns the running pool (or NULL)
 * with the registry locked, so it cannot be freed until release; peek
 * returns it without the lock. */
ws__pool *ws__pool_acquire(void);
void ws__pool_release(void);
ws__pool *ws__pool_peek(void);
/* pool.c: a worker record for the calling application thread (claimed
 * now, starting the pool if needed), or NULL when none can be had. */
ws__worker *ws__attach(struct ws__tls *tls);
/* pool.c: the capability definition in force: the running pool's, else
 * the one the next pool will use (ws_caps_define's, else WS_CAPS). */
void ws__caps_current(ws__caps_cfg *c);

/* place.c: capabilities and the placement queues. */
#define WS__MAX_PLACED 64
/* The spawn of a task with opts->requires or opts->prefers (spawn.c calls
 * it from ws_spawn_ex): queued for eligible workers, or run here when it
 * must run at once and may; WS_EINVAL when no worker meets the
 * requirement. */
int ws__spawn_placed(ws_frame *frame, ws_task_fn fn, const void *captures,
                     size_t size, const ws_task_opts *opts);
/* WS_OK if some running worker meets `req`, else one `ws:` line and
 * WS_EINVAL. */
int ws__placed_check(ws__pool *p, uint64_t req);
/* The queue of tasks with requirement `req` and preference `pref`, made
 * if needed: its index, or -1 (one `ws:` line) past WS__MAX_PLACED kinds. */
int ws__placed_queue(ws__pool *p, uint64_t req, uint64_t pref);
/* Queues t (filled and counted in its frame by the caller) in queue qi and
 * wakes the sleepers. */
void ws__placed_push(ws__pool *p, int qi, ws__task *t);
/* A queued task w may run now, of tier >= min_tier, highest tier first
 * (NULL: none).  Call only when placed_pending is non-zero. */
ws__task *ws__placed_take(ws__worker *w, int min_tier);
/* A queued task that w spawned with seq > start and may run now (a deep
 * wait's own child), NULL: none. */
ws__task *ws__placed_take_own(ws__worker *w, uint64_t start);
/* Is there a task w may take now?  *soon: a preferred task w may take once
 * it has waited long enough. */
int ws__placed_ready(ws__worker *w, int *soon);
/* Aging inside the queues w may run (periodic, when placed_pending). */
void ws__placed_aging(ws__worker *w);
void ws__placed_init(ws__pool *p);
void ws__placed_destroy(ws__pool *p);
/* The one test of the scheduler's slow path: any placed task at all?
 * Relaxed: a hint; the queues' locks carry the tasks. */
static inline int ws__placed_any(ws__pool *p) {
  return WS__UNLIKELY(
      atomic_load_explicit(&p->placed_pending, memory_order_relaxed) != 0);
}

/* handle.c: handles.  The spawn of a task with opts->handle. */
int ws__spawn_handle(ws_frame *frame, ws_task_fn fn, const void *captures,
                     size_t size, const ws_task_opts *opts);
/* The wrapper every handle task runs as (its captures: a pointer to its
 * record). */
void ws__handle_task(void *captures);
/* A handle task skipped by cancellation (run.h, spawn.c): marks it. */
void ws__handle_skipped(void *captures);
/* depend.c's held tasks, which keep their own record: state changes. */
void ws__handle_pending(ws_handle *h);
int ws__handle_start(ws_handle *h);
void ws__handle_finish(ws_handle *h, int state);
/* A skipped task: its handle, if any, is marked cancelled. */
static inline void ws__task_skipped(ws_task_fn fn, void *captures) {
  if (WS__UNLIKELY(fn == ws__handle_task))
    ws__handle_skipped(captures);
}

/* stats.c */
void ws__stats_collect(ws__pool *p, ws_stats *total, ws_stats *per_worker,
                       int capacity);
void ws__stats_report(ws__pool *p); /* what WS_STATS asks for, at shutdown */

#pragma GCC visibility pop

#endif /* WS_WORKER_H */

/*
 * pool.c -- the pool's lifetime and the application threads' slots: start
 * (lazily, or ws_init), shutdown (ws_shutdown, or at exit), fork, and the
 * worker records that application threads hold while they use the runtime.
 *
 * Workers and slots.  The pool has `n` workers: records 1..n-1 belong to
 * pool threads (worker_main), record 0 to whichever application thread
 * claims it first.  Every other application thread that spawns claims a
 * record of its own beyond n (up to WS__APP_SLOTS more), so that any thread
 * spawns into its own deque, as cheaply as a worker, and runs its own tasks
 * when it waits (ws_wait's worker path), stealing if it runs out.  Thieves
 * visit every record, so a thread that blocks in a system call or keeps
 * busy elsewhere never holds back its queued tasks from the pool, and the
 * pool itself never needs an application thread to make progress: with one
 * worker (no pool thread at all) every application thread runs its own
 * tasks.  A thread that exits gives its record back (a pthread key's
 * destructor) for the next thread that spawns; records are freed only with
 * the pool.  A thread that finds no record free runs its spawns inline.
 *
 * Why not "the first thread becomes worker 0" (the first design): with one
 * worker, that thread's exit, or its blocking, left nobody to run the other
 * threads' tasks, which had gone to a shared queue.
 */
#include "observe.h"
#include "worker.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The pool registry.  g_pool is read without the lock on every attach;
 * starting, stopping, claiming and giving back records happen under
 * g_lock. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ws__pool *_Atomic g_pool;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_exit_key; /* value: the thread's ws__tls */
/* Pools left behind by fork() in a child: never used again, kept
 * reachable so that leak checkers do not report them. */
static ws__pool *g_abandoned;
/* Records kept after their pool (pool_free), their deques retired: a
 * scope of the thread that stopped the pool may still name one.  Kept
 * reachable, as g_abandoned. */
static ws__worker *g_retired;
/* ws_caps_define's definition (NULL: WS_CAPS), for the next pool. */
static char *g_caps_spec;

ws__pool *ws__pool_acquire(void) {
  pthread_mutex_lock(&g_lock);
  return atomic_load_explicit(&g_pool, memory_order_relaxed);
}

void ws__pool_release(void) { pthread_mutex_unlock(&g_lock); }

ws__pool *ws__pool_peek(void) {
  /* Acquire: pairs with the release store in ensure_pool_locked. */
  return atomic_load_explicit(&g_pool, memory_order_acquire);
}

/* ---- Records -------------------------------------------------------------
 */

static ws__worker *worker_new(ws__pool *p, int id) {
  size_t wsize = (sizeof(ws__worker) + 63) & ~(size_t)63;
  ws__worker *w = aligned_alloc(64, wsize);
  if (w && ws__worker_init(w, p, id) != 0) {
    free(w);
    w = NULL;
  }
  return w;
}

/* `keep` (or NULL): a record whose holder stopped the pool with fast
 * children pending, which its scopes will still pop (ws.h,
 * ws__scope_join): its deque is retired and the record kept; its
 * resources are freed as the others'. */
static void pool_free(ws__pool *p, ws__worker *keep) {
  int ns = atomic_load_explicit(&p->nslots, memory_order_relaxed);
  for (int i = 0; i < ns; i++) {
    ws__worker *w = p->workers ? p->workers[i] : NULL;
    if (!w)
      continue;
    ws__worker_destroy(w);
    if (w == keep) {
      ws__fastq_retire(&w->fq);
      w->pool = NULL;
      pthread_mutex_lock(&g_lock);
      w->retired_next = g_retired;
      g_retired = w;
      pthread_mutex_unlock(&g_lock);
    } else {
      free(w);
    }
  }
  ws__trace_stop(p);
  ws__placed_destroy(p);
  ws__depot_destroy(&p->depot);
  free(p->workers);
  free(p->threads);
  free(p->app_free);
  free(p->cpus);
  free(p->base);
  free(p);
}

/* Under g_lock.  w's holder (maybe another thread) loses it: its context
 * and its fast path's pointer forget the record. */
static void holder_detach_locked(ws__worker *w) {
  w->holder->w = NULL;
  if (w->holder->fq_var)
    *w->holder->fq_var = &ws__fast_off;
  w->holder = NULL;
}

/* Under g_lock.  Gives w back: the next thread that spawns may claim it. */
static void slot_release_locked(ws__pool *p, ws__worker *w) {
  holder_detach_locked(w);
  p->app_free[p->n_app_free++] = w->id;
}

/* A thread that held a record exits (the key's destructor, which runs
 * while the thread's _Thread_local objects still exist).  Its frames have
 * all been waited for when it used the runtime as the plugin writes it;
 * tasks it spawned and never waited for are run here, not left behind. */
static void on_thread_exit(void *arg) {
  ws__tls *tls = arg;
  ws__worker *w = tls->w;
  if (!w)
    return; /* the pool stopped, and gave the record back itself */
  ws__worker_run_own(w);
  pthread_mutex_lock(&g_lock);
  if (tls->w == w && w->holder == tls)
    slot_release_locked(w->pool, w);
  pthread_mutex_unlock(&g_lock);
}

/* Under g_lock: a record for the calling thread, or NULL (none free and no
 * room for more, or no memory). */
static ws__worker *slot_claim_locked(ws__pool *p, ws__tls *tls) {
  ws__worker *w = NULL;
  if (p->n_app_free > 0) {
    /* The lowest free index: record 0 whenever it is free, so that a
     * program with one application thread always runs as worker 0. */
    int best = 0;
    for (int i = 1; i < p->n_app_free; i++)
      if (p->app_free[i] < p->app_free[best])
        best = i;
    w = p->workers[p->app_free[best]];
    p->app_free[best] = p->app_free[--p->n_app_free];
  } else {
    int ns = atomic_load_explicit(&p->nslots, memory_order_relaxed);
    if (ns >= p->cap || !(w = worker_new(p, ns)))
      return NULL;
    p->workers[ns] = w;
    /* Release: pairs with the thieves' acquire load of nslots; the record
     * is complete before anyone can pick it as a victim. */
    atomic_store_explicit(&p->nslots, ns + 1, memory_order_release);
  }
  w->holder = tls;
  tls->w = w;
  ws__fast_sync(tls);
  pthread_setspecific(g_exit_key, tls);
  if (w->id == 0)
    ws__bind_worker0(w);
  return w;
}

/* ---- Start -----------------------------------------------------------------
 */

#define WS__WORKER_STACK ((size_t)16 << 20) /* 16 MB, reserved lazily */

static void at_exit_handler(void);
static void fork_prepare(void) { pthread_mutex_lock(&g_lock); }
static void fork_parent(void) { pthread_mutex_unlock(&g_lock); }
static void fork_child(void);

static void once_init(void) {
  atexit(at_exit_handler);
  pthread_atfork(fork_prepare, fork_parent, fork_child);
  pthread_key_create(&g_exit_key, on_thread_exit);
}

/* Under g_lock.  NULL on failure (no memory); a pool thread that cannot be
 * created leaves a smaller pool (reported once), not none. */
static ws__pool *pool_start_locked(int num_workers) {
  size_t size = (sizeof(ws__pool) + 63) & ~(size_t)63;
  ws__pool *p = aligned_alloc(64, size);
  if (!p)
    return NULL;
  memset(p, 0, sizeof *p);
  ws__config_load(&p->cfg);
  if (g_caps_spec) /* validated by ws_caps_define */
    ws__caps_parse(g_caps_spec, &p->cfg.caps);
  int n = num_workers > 0          ? num_workers
          : p->cfg.num_workers > 0 ? p->cfg.num_workers
                                   : ws__cpu_count();
  if (n > WS__MAX_WORKERS)
    n = WS__MAX_WORKERS;
  atomic_init(&p->stop, 0);
  ws__ec_init(&p->ec);
  atomic_init(&p->hi_queued[0], 0);
  atomic_init(&p->hi_queued[1], 0);
  ws__depot_init(&p->depot);
  ws__placed_init(p);
  for (size_t i = 0; i < WS__NSTATS; i++)
    atomic_init(&p->ext.v[i], 0);
  p->cap = n + WS__APP_SLOTS;
  p->workers = calloc((size_t)p->cap, sizeof *p->workers);
  p->app_free = calloc((size_t)p->cap, sizeof *p->app_free);
  p->threads = calloc((size_t)n, sizeof *p->threads);
  p->base = calloc((size_t)n + 1, sizeof *p->base);
  p->n = n;
  atomic_init(&p->nslots, 0);
  if (!p->workers || !p->app_free || !p->threads || !p->base || !p->placed)
    goto fail;
  /* Before the records: their fast deques note whether a spawn needs a
   * full fence (fast.c). */
  ws__asym_fence_setup();
  for (int i = 0; i < n; i++) {
    if (!(p->workers[i] = worker_new(p, i)))
      goto fail;
    atomic_store_explicit(&p->nslots, i + 1, memory_order_relaxed);
  }
  p->app_free[p->n_app_free++] = 0; /* record 0: the first thread's */
  if (p->cfg.bind != WS__BIND_NONE) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 &&
        (p->cpus = malloc(sizeof(int) * CPU_SETSIZE))) {
      /* The CPUs of the mask, the one we run on (worker 0's) first, so
       * that worker i's CPU is the i-th: worker 1 never gets ours. */
      int here = sched_getcpu();
      if (here >= 0 && here < CPU_SETSIZE && CPU_ISSET(here, &set))
        p->cpus[p->ncpus++] = here;
      for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set) && c != here)
          p->cpus[p->ncpus++] = c;
    }
    if (p->cfg.bind == WS__BIND_CORES)
      ws__worker_topology(p);
  }
  ws__trace_start(p);
  if (ws__tracing()) /* the fast path has nothing to record: off (fast.c) */
    for (int i = 0; i < n; i++)
      p->workers[i]->fq.limit = p->workers[i]->fq.size = 0;
  /* Waiting tasks run other tasks nested on their stack (up to
   * WS__NEST_LIMIT deep): give pool threads a known, generous stack rather
   * than the RLIMIT_STACK-dependent default (2 MB when it is unlimited). */
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, WS__WORKER_STACK);
  for (int i = 1; i < n; i++) {
    int rc =
        pthread_create(&p->threads[i], &attr, ws__worker_main, p->workers[i]);
    if (rc != 0) {
      /* Run with the workers we have: records i..n-1 stay, unowned, as
       * victims nobody pushes to.  Worker 0 is an application thread's, so
       * even with no pool thread at all every task runs. */
      fprintf(stderr,
              "ws: cannot create pool thread %d of %d (%s); running with "
              "%d\n",
              i, n - 1, strerror(rc), i);
      p->started = i;
      break;
    }
    p->started = i + 1;
  }
  if (n == 1)
    p->started = 1;
  pthread_attr_destroy(&attr);
  return p;
fail:
  pool_free(p, NULL);
  return NULL;
}

/* After a start that failed for lack of memory, spawns run inline for this
 * long before the next attempt: rebuilding the pool at every spawn would
 * cost a start's allocations per task while memory is short. */
#define WS__START_RETRY_NS 50000000ull /* 50 ms */
static uint64_t g_retry_ns;            /* under g_lock */

/* Under g_lock: the running pool, started if there is none (`now`: even
 * within the retry delay, for ws_init). */
static ws__pool *ensure_pool_locked(int num_workers, int now) {
  ws__pool *p = atomic_load_explicit(&g_pool, memory_order_relaxed);
  if (!p) {
    pthread_once(&g_once, once_init);
    if (!now && g_retry_ns && ws__now_ns() < g_retry_ns)
      return NULL;
    p = pool_start_locked(num_workers);
    if (!p && !g_retry_ns) { /* once per stretch of failed starts */
      const char *t = getenv("WS_TRACE"), *s = getenv("WS_STATS");
      fprintf(stderr,
              "ws: cannot start the pool (out of memory): tasks run inline "
              "in the threads that spawn them%s%s\n",
              t && *t ? "; no WS_TRACE file" : "",
              s && *s ? "; no WS_STATS report" : "");
    }
    g_retry_ns = p ? 0 : ws__now_ns() + WS__START_RETRY_NS;
    if (p)
      /* Release: pairs with ws__pool_peek; the pool's contents are
       * visible to a thread that sees the pointer. */
      atomic_store_explicit(&g_pool, p, memory_order_release);
  }
  return p;
}

ws__worker *ws__attach(ws__tls *tls) {
  pthread_mutex_lock(&g_lock);
  ws__worker *w = tls->w; /* (a racing ws_init of this very thread) */
  if (!w) {
    ws__pool *p = ensure_pool_locked(0, 0);
    if (p)
      w = slot_claim_locked(p, tls);
  }
  pthread_mutex_unlock(&g_lock);
  return w;
}

/* ---- Stop ------------------------------------------------------------------
 */

/* Every spawned task has finished.  Reads every "finished" counter
 * (executed + cancelled) first, then every "spawned" counter, all with
 * acquire.  A task counted as finished was counted as spawned before (its
 * spawn's increment happens before its completion's release increment,
 * which our acquire load saw), so the later spawned-sum includes it; hence
 * finished == spawned means no counted task is unfinished, and an unfinished
 * task can only be spawned by an unfinished task or by the application. */
static int quiescent(ws__pool *p) {
  uint64_t done = 0, spawned = 0;
  size_t ex = WS__STAT_IDX(executed), ca = WS__STAT_IDX(cancelled),
         sp = WS__STAT_IDX(spawned);
  /* Acquire: records claimed since are complete (see slot_claim_locked). */
  int ns = atomic_load_explicit(&p->nslots, memory_order_acquire);
  for (int i = 0; i <= ns; i++) {
    ws__stats_rt *s = i < ns ? &p->workers[i]->stats : &p->ext;
    for (int tier = 0; tier < WS_NUM_TIERS; tier++)
      done +=
          atomic_load_explicit(&s->v[ex + (size_t)tier], memory_order_acquire);
    done += atomic_load_explicit(&s->v[ca], memory_order_acquire);
  }
  for (int i = 0; i <= ns; i++) {
    ws__stats_rt *s = i < ns ? &p->workers[i]->stats : &p->ext;
    spawned += atomic_load_explicit(&s->v[sp], memory_order_acquire);
  }
  /* The fast paths' (acquire inside: as the counters above). */
  for (int i = 0; i < ns; i++) {
    uint64_t fs, fe;
    ws__fast_counts(p->workers[i], &fs, &fe);
    spawned += fs;
    done += fe;
  }
  return done == spawned;
}

/* Runs tasks (as w, if any) or waits until every task has finished. */
static void drain(ws__pool *p, ws__worker *w) {
  int rounds = 0;
  for (;;) {
    if (w) {
      ws__task *t = ws__find_task(w);
      if (t) {
        ws__run_task(w, t);
        rounds = 0;
        continue;
      }
      if (ws__fast_run_own(w)) { /* slots nobody waited for */
        rounds = 0;
        continue;
      }
    }
    if (quiescent(p))
      return;
    if (++rounds < 64) {
      ws__cpu_relax();
    } else if (rounds < 128) {
      sched_yield();
    } else {
      struct timespec ts = {0, 200000};
      nanosleep(&ts, NULL);
    }
  }
}

/* Called by an application thread that is not running a task; w is its
 * record (NULL: none could be had; pool threads do the work). */
static void pool_stop(ws__pool *p, ws__worker *w) {
  /* Relaxed: w is ours.  Fast children pending: scopes of ours name w's
   * deque, and will pop it after the drain has run them. */
  ws__worker *keep =
      w && __atomic_load_n(&w->fq.bottom, __ATOMIC_RELAXED) > 0 ? w : NULL;
  drain(p, w);
  /* Release: pairs with the workers' acquire loads of `stop`. */
  atomic_store_explicit(&p->stop, 1, memory_order_release);
  ws__ec_wake_all(&p->ec);
  for (int i = 1; i < p->started; i++)
    pthread_join(p->threads[i], NULL);
  if (w) {
    ws__flush_held(w);
    ws__mark_busy(w); /* flush the current busy or idle stretch */
    ws__mark_idle(w);
  }
  /* After the joins: every worker has flushed its busy/idle time. */
  ws__stats_report(p);
  ws__trace_write(p);
  pthread_mutex_lock(&g_lock);
  atomic_store_explicit(&g_pool, NULL, memory_order_release);
  /* Every thread that holds a record loses it (its next spawn claims one
   * in the next pool).  Writing another thread's context is safe here: a
   * thread that still used the runtime while it shut down would be the
   * program's error, and the exit key's destructor reads it under g_lock. */
  int ns = atomic_load_explicit(&p->nslots, memory_order_relaxed);
  for (int i = 0; i < ns; i++) {
    ws__worker *r = p->workers[i];
    if (r->holder)
      holder_detach_locked(r);
  }
  pthread_mutex_unlock(&g_lock);
  pool_free(p, keep);
}

/* Running a task, or a pool thread: this thread cannot stop the pool (it
 * would wait for itself). */
static int inside_pool(const ws__tls *tls) {
  return tls->depth > 0 || (tls->w && (tls->w->holder != tls ||
                                       tls->w->fq.calls != tls->w->fq.returns));
}

static void at_exit_handler(void) {
  ws__pool *p = ws__pool_peek();
  if (!p)
    return;
  ws__tls *tls = &ws__tls_self;
  /* exit() from inside a task or from a pool thread cannot wait for the
   * running tasks: report what was counted, leave the rest to the exit. */
  if (inside_pool(tls)) {
    ws__stats_report(p);
    ws__trace_write(p);
    return;
  }
  /* Tasks queued by threads that never waited for them (or are blocked)
   * must still run, with one worker too: take a record to run them. */
  ws__worker *w = tls->w ? tls->w : ws__attach(tls);
  pool_stop(p, w);
}

/* The child of a fork has one thread, ours, and a copy of a pool whose
 * threads do not exist: it gets a fresh pool on its first use.  Tasks that
 * were queued or running at the fork belong to the parent; a child that
 * waits for them would wait forever (ws.h: fork only between waits). */
static void fork_child(void) {
  ws__pool *p = atomic_load_explicit(&g_pool, memory_order_relaxed);
  /* Our scopes may name our deque: what is in it is the parent's. */
  if (ws__tls_self.w)
    ws__fastq_retire(&ws__tls_self.w->fq);
  if (p) {
    p->abandoned_next = g_abandoned;
    g_abandoned = p;
    ws__trace_forget(p);
  }
  atomic_store_explicit(&g_pool, NULL, memory_order_relaxed);
  ws__tls_self.w = NULL;
  ws__fast_sync(&ws__tls_self);
  pthread_mutex_init(&g_lock, NULL);
}

/* ---- Public API: lifetime
 * --------------------------------------------------------- */

const char *ws_strerror(int code) {
  switch (code) {
  case WS_OK:
    return "success";
  case WS_EINVAL:
    return "invalid argument";
  case WS_ENOMEM:
    return "out of memory";
  case WS_EBUSY:
    return "the pool is busy (running with another size, or in use by a "
           "task, a pool thread or another application thread)";
  case WS_ECANCELED:
    return "cancelled";
  default:
    return "unknown error";
  }
}

int ws_init(int num_workers) {
  if (num_workers < 0 || num_workers > WS__MAX_WORKERS)
    return WS_EINVAL;
  int rc = WS_OK;
  ws__tls *tls = &ws__tls_self;
  pthread_mutex_lock(&g_lock);
  ws__pool *p = atomic_load_explicit(&g_pool, memory_order_relaxed);
  if (p) {
    if (num_workers != 0 && num_workers != p->n)
      rc = WS_EBUSY;
  } else if (!(p = ensure_pool_locked(num_workers, 1))) {
    rc = WS_ENOMEM;
  }
  if (p && !tls->w)
    slot_claim_locked(p, tls); /* usually record 0 */
  pthread_mutex_unlock(&g_lock);
  return rc;
}

/* Under g_lock: does an application thread other than tls hold a record? */
static int others_attached_locked(ws__pool *p, ws__tls *tls) {
  int ns = atomic_load_explicit(&p->nslots, memory_order_relaxed);
  for (int i = 0; i < ns; i++)
    if (p->workers[i]->holder && p->workers[i]->holder != tls)
      return 1;
  return 0;
}

int ws_shutdown(void) {
  ws__tls *tls = &ws__tls_self;
  pthread_mutex_lock(&g_lock);
  ws__pool *p = atomic_load_explicit(&g_pool, memory_order_relaxed);
  int busy = p && (inside_pool(tls) || others_attached_locked(p, tls));
  ws__worker *w = p && !busy ? tls->w : NULL;
  if (p && !busy && !w)
    w = slot_claim_locked(p, tls); /* to run what is still queued */
  pthread_mutex_unlock(&g_lock);
  if (!p)
    return WS_OK;
  if (busy)
    return WS_EBUSY;
  pool_stop(p, w);
  return WS_OK;
}

/* The workers that run: record 0 and the pool threads that could be
 * created (`started`, fixed before the pool is published). */
int ws_num_workers(void) {
  ws__pool *p = ws__pool_peek();
  if (WS__LIKELY(p != NULL))
    return p->started;
  pthread_mutex_lock(&g_lock);
  p = ensure_pool_locked(0, 0);
  int n = p ? p->started : 1;
  pthread_mutex_unlock(&g_lock);
  return n;
}

int ws_caps_define(const char *spec) {
  char *copy = NULL;
  if (spec) {
    ws__caps_cfg *c = malloc(sizeof *c);
    if (!c)
      return WS_ENOMEM;
    int bad = ws__caps_parse(spec, c) != 0;
    free(c);
    if (bad)
      return WS_EINVAL;
    if (!(copy = strdup(spec)))
      return WS_ENOMEM;
  }
  pthread_mutex_lock(&g_lock);
  if (atomic_load_explicit(&g_pool, memory_order_relaxed)) {
    pthread_mutex_unlock(&g_lock);
    free(copy);
    return WS_EBUSY;
  }
  free(g_caps_spec);
  g_caps_spec = copy;
  pthread_mutex_unlock(&g_lock);
  return WS_OK;
}

void ws__caps_current(ws__caps_cfg *c) {
  pthread_mutex_lock(&g_lock);
  ws__pool *p = atomic_load_explicit(&g_pool, memory_order_relaxed);
  if (p) {
    *c = p->cfg.caps;
  } else {
    /* What the next pool will use; a bad WS_CAPS is reported (once) when
     * the pool starts, and means no capabilities. */
    const char *spec = g_caps_spec ? g_caps_spec : getenv("WS_CAPS");
    if (!spec || ws__caps_parse(spec, c) != 0)
      memset(c, 0, sizeof *c);
  }
  pthread_mutex_unlock(&g_lock);
}

int ws_worker_id(void) {
  ws__worker *w = ws__tls_self.w;
  return w ? w->id : -1;
}

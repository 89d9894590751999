/*
 * test_fast.c -- the inline fast path (ws.h: the plugin's scope,
 * ws_scope_slot / ws_scope_push / ws_scope_spawn / ws_scope_wait, and the
 * frame's ws_spawn_inline / ws_spawn_last_inline / ws_wait_pending;
 * runtime/fast.c): every task runs exactly once and is counted, at 1, 2, 3
 * and 8 workers (more than the cores), through steals, a full fast deque,
 * taskgroups and cancellation, a scope's frame used beside it, tiers, a
 * long leaf whose queued sibling a thief must take, shutdown from inside a
 * task and between a scope's spawn and its wait, fork there too, a scope's
 * wait inside a taskgroup, and an application thread that exits with tasks
 * queued.
 */
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <ws.h>

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void stats(ws_stats *s) { ws_stats_get(s, NULL, 0); }
static uint64_t executed(const ws_stats *s) {
  uint64_t e = 0;
  for (int t = 0; t < WS_NUM_TIERS; t++)
    e += s->executed[t];
  return e;
}

/* ---- fib in Lace's shape: captures built in the slot ------------------- */

typedef struct fib_caps {
  int n;
  long *out;
} fib_caps;

static long fib(int n);
static void fib_task(void *p) {
  fib_caps *c = p;
  long *out = c->out; /* (read before spawning: ws.h) */
  *out = fib(c->n);
}

static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
  ws_frame f; /* the scope initialises it if it needs it */
  ws_scope sc = WS_SCOPE_INIT;
  fib_caps *c = ws_scope_slot(&sc, sizeof *c, WS_TIER_NORMAL);
  if (c) {
    *c = (fib_caps){n - 1, &x};
    ws_scope_push(&sc, fib_task);
  } else {
    fib_caps c2 = {n - 1, &x};
    ws_scope_refused(&sc, &f, fib_task, &c2, sizeof c2, WS_TIER_NORMAL, NULL);
  }
  y = fib(n - 2);
  ws_scope_wait(&sc, &f, fib_task); /* its child, called by name */
  return x + y;
}

static long fib_seq(int n) {
  return n < 2 ? n : fib_seq(n - 1) + fib_seq(n - 2);
}
static uint64_t fib_tasks(int n) { /* every call with n >= 2 spawns one */
  return n < 2 ? 0 : 1 + fib_tasks(n - 1) + fib_tasks(n - 2);
}

static void test_fib(int workers) {
  int n = (int)ws_test_scaled(27, 18);
  CHECK(ws_init(workers) == WS_OK, "init %d", workers);
  CHECK(ws__fq->size != 0, "the fast path is on for main (%d workers)",
        workers);
  ws_stats_reset();
  long r = fib(n);
  ws_stats s;
  stats(&s);
  CHECK(r == fib_seq(n), "fib(%d) = %ld at %d workers", n, r, workers);
  CHECK(s.spawned == fib_tasks(n), "spawned %llu, expected %llu",
        (unsigned long long)s.spawned, (unsigned long long)fib_tasks(n));
  CHECK(executed(&s) == s.spawned && s.cancelled == 0,
        "executed %llu of %llu (%d workers)", (unsigned long long)executed(&s),
        (unsigned long long)s.spawned, workers);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- A loop spawning more tasks than the fast deque holds -------------- */

typedef struct mark_caps {
  _Atomic int *marks;
  long i;
} mark_caps;

static void mark(void *p) {
  mark_caps *c = p;
  atomic_fetch_add_explicit(&c->marks[c->i], 1, memory_order_relaxed);
}

/* mark(marks, i) spawned into a scope as the plugin writes a plain task:
 * captures built in the slot; a refusal (a full ring: run at once). */
static inline __attribute__((always_inline)) void
scope_mark(ws_scope *sc, ws_frame *f, _Atomic int *marks, long i) {
  mark_caps *c = ws_scope_slot(sc, sizeof *c, WS_TIER_NORMAL);
  if (c) {
    *c = (mark_caps){marks, i};
    ws_scope_push(sc, mark);
  } else {
    mark_caps c2 = {marks, i};
    ws_scope_refused(sc, f, mark, &c2, sizeof c2, WS_TIER_NORMAL, NULL);
  }
}

/* Each task marks its index and, above the leaves, spawns two more. */
typedef struct tree_caps {
  _Atomic int *marks;
  long lo, hi;
} tree_caps;

static void tree(void *p) {
  tree_caps c = *(tree_caps *)p;
  atomic_fetch_add_explicit(&c.marks[c.lo], 1, memory_order_relaxed);
  long mid = c.lo + 1 + (c.hi - c.lo - 1) / 2;
  ws_frame f = WS_FRAME_INIT;
  if (c.lo + 1 < mid) {
    tree_caps a = {c.marks, c.lo + 1, mid};
    ws_spawn_inline(&f, tree, &a, sizeof a, WS_TIER_NORMAL, NULL);
  }
  if (mid < c.hi) {
    tree_caps b = {c.marks, mid, c.hi};
    ws_spawn_inline(&f, tree, &b, sizeof b, WS_TIER_NORMAL, NULL);
  }
  ws_wait_pending(&f);
}

static void test_storm(int workers) {
  long n = ws_test_scaled(200000, 20000); /* > the fast deque's 8192 */
  _Atomic int *marks = calloc((size_t)n, sizeof *marks);
  CHECK(ws_init(workers) == WS_OK, "init");
  ws_stats_reset();
  {
    /* The plugin's loop: captures built in the slot; a full ring's
     * refusals run at once. */
    ws_frame lf;
    ws_scope sc = WS_SCOPE_INIT;
    for (long i = 0; i < n; i++)
      scope_mark(&sc, &lf, marks, i);
    ws_scope_wait(&sc, &lf, mark);
  }
  ws_frame f = WS_FRAME_INIT;
  long bad = 0;
  for (long i = 0; i < n; i++)
    bad += atomic_load(&marks[i]) != 1;
  CHECK(bad == 0,
        "flat loop: %ld of %ld tasks not run exactly once (%d "
        "workers)",
        bad, n, workers);
  /* The same marks again by a tree: nested spawns on every thief. */
  tree_caps root = {marks, 0, n};
  ws_spawn_inline(&f, tree, &root, sizeof root, WS_TIER_NORMAL, NULL);
  ws_wait_pending(&f);
  bad = 0;
  for (long i = 0; i < n; i++)
    bad += atomic_load(&marks[i]) != 2;
  CHECK(bad == 0, "tree: %ld of %ld tasks not run exactly once (%d workers)",
        bad, n, workers);
  ws_stats s;
  stats(&s);
  CHECK(s.spawned == (uint64_t)(2 * n) && executed(&s) == s.spawned,
        "spawned %llu executed %llu, expected %ld each",
        (unsigned long long)s.spawned, (unsigned long long)executed(&s), 2 * n);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  free(marks);
}

/* ---- Captures: ws_spawn_inline's stay put, ws_task_captures's are read
 * first -------------------------------------------------------------------
 * A task spawned by ws_spawn_inline may read its captures after its own
 * spawns (the pop gives it a copy); one pushed by ws_scope_push runs
 * in its slot and reads them first (ws_task_captures).  Both spawn children
 * into the slots above and then check every capture. */
typedef struct late_caps {
  long a, b, c, d, e;
  _Atomic long *bad;
} late_caps;

static void late_child(void *p) { (void)p; }

static void late_check(const late_caps *c, long depth) {
  if (c->a != depth || c->b != depth * 3 || c->c != -depth ||
      c->d != depth + 7 || c->e != ~depth)
    atomic_fetch_add_explicit(c->bad, 1, memory_order_relaxed);
}

static late_caps late_make(long depth, _Atomic long *bad) {
  return (late_caps){depth, depth * 3, -depth, depth + 7, ~depth, bad};
}

static void late_spawn_children(void) {
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 4; i++) {
    late_caps junk = late_make(-1 - i, NULL);
    ws_spawn_inline(&f, late_child, &junk, sizeof junk, WS_TIER_NORMAL, NULL);
  }
  ws_wait_pending(&f);
}

static void late_inline(void *p) {
  const late_caps *c = p; /* read only after the spawns below */
  long depth = c->a;
  late_spawn_children();
  late_check(c, depth);
}

static void late_slot(void *p) {
  late_caps own, *c = ws_task_captures(p, &own, sizeof own);
  late_spawn_children();
  late_check(c, c->a);
}

static void test_captures(int workers) {
  _Atomic long bad = 0;
  long n = ws_test_scaled(20000, 2000);
  CHECK(ws_init(workers) == WS_OK, "init");
  for (long i = 0; i < n; i++) {
    /* Half the rounds push a copying task (ws_scope_spawn) before the slot
     * task; the others call the slot task by name at the wait (which needs
     * every push to be it). */
    ws_frame f;
    ws_scope sc = WS_SCOPE_INIT;
    if (!(i & 1)) {
      late_caps c = late_make(i, &bad);
      ws_scope_spawn(&sc, &f, late_inline, &c, sizeof c, WS_TIER_NORMAL, NULL);
    }
    late_caps *s = ws_scope_slot(&sc, sizeof *s, WS_TIER_NORMAL);
    if (s) {
      *s = late_make(i + 1, &bad);
      ws_scope_push(&sc, late_slot);
    } else {
      late_caps c2 = late_make(i + 1, &bad);
      ws_spawn(ws_scope_frame(&sc, &f), late_slot, &c2, sizeof c2,
               WS_TIER_NORMAL, NULL);
    }
    ws_scope_wait(&sc, &f, (i & 1) ? late_slot : NULL);
  }
  CHECK(atomic_load(&bad) == 0, "%ld of %ld tasks saw their captures change",
        atomic_load(&bad), 2 * n);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- The pop racing the thieves' claims -------------------------------------
 * Rounds of a few tiny tasks each, waited for at once, while idle workers
 * keep stealing: the owner's fence-free pops meet the thieves' claims (and
 * their give-backs) on the last slots, the race fast.c's protocol decides.
 * Every task of every round must run exactly once. */
static void test_race(int workers) {
  long rounds = ws_test_scaled(300000, 30000);
  enum { K = 8 };
  _Atomic int marks[K];
  CHECK(ws_init(workers) == WS_OK, "init");
  ws_stats_reset();
  long bad = 0, spawned = 0;
  for (long r = 0; r < rounds; r++) {
    int k = (int)(r % K) + 1;
    for (int i = 0; i < k; i++)
      atomic_store_explicit(&marks[i], 0, memory_order_relaxed);
    /* Odd rounds through a frame (ws_spawn_inline, ws_wait_pending), even
     * ones through a scope (the plugin's form). */
    ws_frame f = WS_FRAME_INIT;
    ws_scope sc = WS_SCOPE_INIT;
    for (int i = 0; i < k; i++) {
      mark_caps c = {marks, i};
      if (r & 1)
        ws_spawn_inline(&f, mark, &c, sizeof c, WS_TIER_NORMAL, NULL);
      else
        ws_scope_spawn(&sc, &f, mark, &c, sizeof c, WS_TIER_NORMAL, NULL);
    }
    /* A pause of varying length (up to about a microsecond) lets claims
     * land at every phase of the pops below. */
    for (volatile long d = 0; d < (r * 7) % 256; d++)
      ;
    if (r & 1)
      ws_wait_pending(&f);
    else
      ws_scope_wait(&sc, &f, NULL);
    spawned += k;
    for (int i = 0; i < k; i++)
      bad += atomic_load_explicit(&marks[i], memory_order_relaxed) != 1;
  }
  CHECK(bad == 0, "%ld of %ld tasks not run exactly once (%d workers)", bad,
        spawned, workers);
  ws_stats s;
  stats(&s);
  CHECK(s.spawned == (uint64_t)spawned && executed(&s) == s.spawned,
        "spawned %llu executed %llu, expected %ld each",
        (unsigned long long)s.spawned, (unsigned long long)executed(&s),
        spawned);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- Tiers: one worker runs a frame's high child before its fast ones --- */

static _Atomic int g_order[8];
static _Atomic int g_next;
typedef struct order_caps {
  int id;
} order_caps;
static void record(void *p) {
  int i = atomic_fetch_add(&g_next, 1);
  if (i < 8)
    atomic_store(&g_order[i], ((order_caps *)p)->id);
}

static void test_tiers(void) {
  CHECK(ws_init(1) == WS_OK, "init");
  atomic_store(&g_next, 0);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 1; i <= 3; i++) {
    order_caps c = {i};
    ws_spawn_inline(&f, record, &c, sizeof c, WS_TIER_NORMAL, NULL);
  }
  order_caps h = {9};
  ws_spawn(&f, record, &h, sizeof h, WS_TIER_HIGH, NULL);
  ws_wait_pending(&f);
  CHECK(atomic_load(&g_next) == 4, "four tasks ran: %d", atomic_load(&g_next));
  CHECK(atomic_load(&g_order[0]) == 9, "the high task first, not %d",
        atomic_load(&g_order[0]));
  CHECK(atomic_load(&g_order[1]) == 3 && atomic_load(&g_order[3]) == 1,
        "then the fast ones newest first: %d %d %d", atomic_load(&g_order[1]),
        atomic_load(&g_order[2]), atomic_load(&g_order[3]));
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- Taskgroups and cancellation --------------------------------------- */

static _Atomic int g_ran;
static void count_run(void *p) {
  (void)p;
  atomic_fetch_add(&g_ran, 1);
}

static void test_cancel(void) {
  CHECK(ws_init(1) == WS_OK, "init");
  /* Inside a taskgroup the fast path is off: its tasks are the group's. */
  atomic_store(&g_ran, 0);
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  CHECK(ws__fq->size == 0, "no fast path inside a taskgroup");
  for (int i = 0; i < 10; i++)
    ws_spawn_inline(&g, count_run, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_cancel(&g);
  CHECK(ws_wait(&g) == WS_ECANCELED, "the group reports its cancellation");
  CHECK(atomic_load(&g_ran) == 0, "%d tasks of a cancelled group ran",
        atomic_load(&g_ran));
  CHECK(ws__fq->size != 0, "the fast path is back after the group");
  /* A plain frame cancelled before its wait: its fast children skipped. */
  ws_stats_reset();
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 10; i++)
    ws_spawn_inline(&f, count_run, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_cancel(&f);
  ws_wait_pending(&f);
  ws_stats s;
  stats(&s);
  CHECK(atomic_load(&g_ran) == 0, "%d tasks of a cancelled frame ran",
        atomic_load(&g_ran));
  CHECK(s.spawned == 10 && s.cancelled == 10, "spawned %llu cancelled %llu",
        (unsigned long long)s.spawned, (unsigned long long)s.cancelled);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- A scope whose frame is used too -------------------------------------
 * Rounds of k slot tasks in a scope, with, beside them in its frame, a high
 * tier task (ws_spawn_ex on ws_scope_frame) every other round (which sends
 * the wait out of line: a look is due); every third round waits from
 * inside a taskgroup (the thread's fast path is off there: the scope's join
 * goes out of line), and at one worker every fifth round cancels the frame
 * before the wait (none of its tasks has started: all are skipped and
 * counted).  Each task runs exactly once or is counted as cancelled. */
static void test_scope_frame(int workers) {
  long rounds = ws_test_scaled(20000, 2000);
  enum { K = 6 };
  _Atomic int marks[K + 1];
  CHECK(ws_init(workers) == WS_OK, "init");
  ws_stats_reset();
  long bad = 0, spawned = 0, skipped = 0;
  for (long r = 0; r < rounds; r++) {
    int k = (int)(r % K) + 1;
    for (int i = 0; i <= k; i++)
      atomic_store_explicit(&marks[i], 0, memory_order_relaxed);
    ws_frame f;
    ws_scope sc = WS_SCOPE_INIT;
    for (int i = 0; i < k; i++) {
      scope_mark(&sc, &f, marks, i);
      if (i == k / 2 && (r & 1) == 0) {
        mark_caps h = {marks, k};
        ws_task_opts o = {.tier = WS_TIER_HIGH};
        ws_spawn_ex(ws_scope_frame(&sc, &f), mark, &h, sizeof h, &o);
      }
    }
    int cancel = workers == 1 && r % 5 == 4;
    if (cancel)
      ws_cancel(ws_scope_frame(&sc, &f));
    if (r % 3 == 2) {
      ws_frame g = WS_FRAME_INIT;
      ws_taskgroup_begin(&g);
      CHECK(ws__fq->size == 0, "no fast path inside a taskgroup");
      ws_scope_wait(&sc, &f, mark);
      ws_wait(&g);
    } else {
      ws_scope_wait(&sc, &f, mark);
    }
    int high = (r & 1) == 0;
    spawned += k + high;
    for (int i = 0; i < k + high; i++) {
      int m = atomic_load_explicit(&marks[i], memory_order_relaxed);
      bad += cancel ? m != 0 : m != 1; /* one worker: nothing ran before */
      skipped += m == 0;
    }
  }
  CHECK(bad == 0, "%ld of %ld tasks not run exactly once (%d workers)", bad,
        spawned, workers);
  ws_stats s;
  stats(&s);
  CHECK(s.spawned == (uint64_t)spawned &&
            executed(&s) + s.cancelled == s.spawned &&
            s.cancelled == (uint64_t)skipped,
        "spawned %llu executed %llu cancelled %llu, expected %ld and %ld "
        "skipped (%d workers)",
        (unsigned long long)s.spawned, (unsigned long long)executed(&s),
        (unsigned long long)s.cancelled, spawned, skipped, workers);
  CHECK(workers > 1 || skipped > 0, "no round was cancelled at one worker");
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- A long leaf: its queued sibling goes to an idle worker ------------ */

static _Atomic int g_sibling_worker;
static void sibling(void *p) {
  (void)p;
  atomic_store(&g_sibling_worker, ws_worker_id());
}

/* After_tiny: first a loop of tiny tasks, whose thieves go quiet (fast.c,
 * ws__fast_quiet: up to 32 ms without a look at the fast deques); the
 * quiet must end and the sibling still go to one of them. */
static void test_long_leaf(int workers, int after_tiny) {
  CHECK(ws_init(workers) == WS_OK, "init");
  for (int round = 0; after_tiny && round < 20; round++) {
    ws_frame f = WS_FRAME_INIT;
    for (int i = 0; i < 20000; i++)
      ws_spawn_inline(&f, late_child, NULL, 0, WS_TIER_NORMAL, NULL);
    ws_wait_pending(&f);
  }
  atomic_store(&g_sibling_worker, -1);
  ws_frame f;
  ws_scope sc = WS_SCOPE_INIT;
  ws_scope_spawn(&sc, &f, sibling, NULL, 0, WS_TIER_NORMAL, NULL);
  /* The spawner now runs a long leaf (no spawn, no wait) until a thief has
   * run the sibling; 10 s is the failure. */
  uint64_t t0 = now_ms();
  while (atomic_load(&g_sibling_worker) < 0 && now_ms() - t0 < 10000)
    ;
  int by = atomic_load(&g_sibling_worker);
  CHECK(by >= 0 && by != ws_worker_id(),
        "the queued sibling waited for its spawner's long leaf (%d workers%s: "
        "ran on %d after %llu ms)",
        workers, after_tiny ? ", after tiny tasks" : "", by,
        (unsigned long long)(now_ms() - t0));
  ws_scope_wait(&sc, &f, NULL);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- A long task inside a thief's batch: the rest of the batch goes to
 * another idle worker ------------------------------------------------------
 * Thieves claim batches of quick tasks (after a warm-up of quick ones, the
 * batches are large).  Task 0 of sixteen then spins until the other
 * fifteen have run, and so does their spawner: the ones claimed with task
 * 0 must reach a third worker while the thief runs task 0.  10 s is the
 * failure. */
static _Atomic int g_batch_ran;
static void batch_quick(void *p) {
  (void)p;
  atomic_fetch_add(&g_batch_ran, 1);
}
static void batch_long(void *p) {
  (void)p;
  uint64_t t0 = now_ms();
  while (atomic_load(&g_batch_ran) < 15 && now_ms() - t0 < 10000)
    ;
  atomic_fetch_add(&g_batch_ran, 100);
}

static void test_long_in_batch(int workers) {
  CHECK(ws_init(workers) == WS_OK, "init");
  for (int round = 0; round < 20; round++) { /* thieves' batches grow */
    ws_frame f = WS_FRAME_INIT;
    for (int i = 0; i < 20000; i++)
      ws_spawn_inline(&f, late_child, NULL, 0, WS_TIER_NORMAL, NULL);
    ws_wait_pending(&f);
  }
  atomic_store(&g_batch_ran, 0);
  ws_frame f = WS_FRAME_INIT;
  ws_spawn_inline(&f, batch_long, NULL, 0, WS_TIER_NORMAL, NULL);
  for (int i = 0; i < 15; i++)
    ws_spawn_inline(&f, batch_quick, NULL, 0, WS_TIER_NORMAL, NULL);
  uint64_t t0 = now_ms();
  while (atomic_load(&g_batch_ran) < 100 && now_ms() - t0 < 10000)
    ;
  int ran = atomic_load(&g_batch_ran);
  CHECK(ran == 115,
        "a long task held up the rest of its batch (%d workers: %d of 15 "
        "quick tasks ran, the long one %s)",
        workers, ran % 100, ran >= 100 ? "gave up" : "still waits");
  ws_wait_pending(&f);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- ws_shutdown from inside a task its spawner runs directly ---------- */

static _Atomic int g_shutdown_rc;
static void try_shutdown(void *p) {
  (void)p;
  atomic_store(&g_shutdown_rc, ws_shutdown());
}

static void test_shutdown_inside(void) {
  CHECK(ws_init(1) == WS_OK, "init");
  atomic_store(&g_shutdown_rc, 1);
  ws_frame f = WS_FRAME_INIT;
  ws_spawn_inline(&f, try_shutdown, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait_pending(&f);
  CHECK(atomic_load(&g_shutdown_rc) == WS_EBUSY,
        "ws_shutdown inside a task returned %d", atomic_load(&g_shutdown_rc));
  ws_frame g = WS_FRAME_INIT;
  ws_spawn_last_inline(&g, try_shutdown, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait_pending(&g);
  CHECK(atomic_load(&g_shutdown_rc) == WS_EBUSY,
        "ws_shutdown inside a last spawn returned %d",
        atomic_load(&g_shutdown_rc));
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- ws_shutdown between a scope's spawn and its wait ------------------
 * The application thread (not in a task) stops the pool with a child of
 * its scope still queued: the shutdown runs it and gives the record back,
 * but keeps it, its deque retired (fast.c: ws__fastq_retire); the scope's
 * wait then pops that deque, finds the slot claimed and done, runs nothing
 * twice and touches no freed memory (ASan build).  At 1 and 2 workers;
 * twice at 2, so that two records are kept. */
static void test_shutdown_mid_scope(int workers) {
  CHECK(ws_init(workers) == WS_OK, "init");
  atomic_store(&g_ran, 0);
  ws_frame f;
  ws_scope sc = WS_SCOPE_INIT;
  ws_scope_spawn(&sc, &f, count_run, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_shutdown() == WS_OK, "shutdown with a scope's child queued");
  CHECK(atomic_load(&g_ran) == 1, "the shutdown ran %d of 1 queued task",
        atomic_load(&g_ran));
  ws_scope_wait(&sc, &f, NULL);
  CHECK(atomic_load(&g_ran) == 1, "after the wait %d runs of 1 task",
        atomic_load(&g_ran));
}

/* ---- fork between a scope's spawn and its wait --------------------------
 * The child's copy of the scope names the copy of the parent's deque, and
 * its queued child is the parent's task: the child's wait must not run it
 * (fork_child retires the copy), the parent's runs it once.  Each process
 * counts its runs in a shared page. */
static _Atomic int *g_forked_runs; /* [0]: the parent's, [1]: the child's */
static pid_t g_parent;

static void count_by_process(void *p) {
  (void)p;
  atomic_fetch_add(&g_forked_runs[getpid() == g_parent ? 0 : 1], 1);
}

static void test_fork_mid_scope(int workers) {
  g_forked_runs = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(g_forked_runs != MAP_FAILED, "mmap");
  if (g_forked_runs == MAP_FAILED)
    return;
  g_parent = getpid();
  CHECK(ws_init(workers) == WS_OK, "init");
  ws_frame f;
  ws_scope sc = WS_SCOPE_INIT;
  ws_scope_spawn(&sc, &f, count_by_process, NULL, 0, WS_TIER_NORMAL, NULL);
  fflush(NULL);
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    alarm(60);
    ws_scope_wait(&sc, &f, NULL);
    /* The child's own pool works. */
    ws_scope sc2 = WS_SCOPE_INIT;
    ws_frame f2;
    ws_scope_spawn(&sc2, &f2, count_by_process, NULL, 0, WS_TIER_NORMAL, NULL);
    ws_scope_wait(&sc2, &f2, NULL);
    _exit(atomic_load(&g_forked_runs[1]) == 1 && ws_shutdown() == WS_OK ? 0
                                                                        : 1);
  }
  ws_scope_wait(&sc, &f, NULL);
  int status = 0;
  CHECK(pid < 0 || waitpid(pid, &status, 0) == pid, "waitpid");
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "the child ran %d tasks, expected only its own (status %d)",
        atomic_load(&g_forked_runs[1]), status);
  CHECK(atomic_load(&g_forked_runs[0]) == 1, "the parent ran %d of 1",
        atomic_load(&g_forked_runs[0]));
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  munmap((void *)g_forked_runs, 4096);
}

/* ---- A scope's wait inside a taskgroup ---------------------------------
 * The taskgroup turns the thread's fast path off (ws__fq is the shared
 * deque that takes nothing in its body); the scope's children, pushed
 * before it, are still its own to pop there, and each runs exactly once,
 * before the wait returns. */
static void test_scope_wait_in_group(int workers) {
  CHECK(ws_init(workers) == WS_OK, "init");
  atomic_store(&g_ran, 0);
  ws_frame f, g = WS_FRAME_INIT;
  ws_scope sc = WS_SCOPE_INIT;
  for (int i = 0; i < 50; i++)
    ws_scope_spawn(&sc, &f, count_run, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_taskgroup_begin(&g) == WS_OK, "taskgroup");
  ws_scope_wait(&sc, &f, NULL);
  CHECK(atomic_load(&g_ran) == 50, "%d of 50 ran by the wait in the group",
        atomic_load(&g_ran));
  ws_wait(&g);
  CHECK(atomic_load(&g_ran) == 50, "%d runs of 50 tasks", atomic_load(&g_ran));
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

/* ---- An application thread exits with fast tasks never waited for ----- */

/* Never waited for: its tasks run at the thread's exit.  Not on the
 * thread's stack: the first spawn (before the thread has a worker record)
 * takes ws_spawn, whose task counts itself in its frame when it ends. */
static ws_frame g_left;

static void *leave_tasks(void *arg) {
  (void)arg;
  for (int i = 0; i < 100; i++)
    ws_spawn_inline(&g_left, count_run, NULL, 0, WS_TIER_NORMAL, NULL);
  return NULL;
}

static void test_thread_exit(int workers) {
  CHECK(ws_init(workers) == WS_OK, "init");
  atomic_store(&g_ran, 0);
  memset(&g_left, 0, sizeof g_left);
  pthread_t t;
  CHECK(pthread_create(&t, NULL, leave_tasks, NULL) == 0, "thread");
  pthread_join(t, NULL);
  /* Thieves may still be finishing some: the shutdown waits for them. */
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  CHECK(atomic_load(&g_ran) == 100, "%d of 100 tasks ran", atomic_load(&g_ran));
}

int main(void) {
  alarm(300); /* a hang is a failure */
  static const int counts[] = {1, 2, 3, 8};
  for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
    test_fib(counts[i]);
    test_storm(counts[i]);
    test_race(counts[i]);
    test_captures(counts[i]);
    test_scope_frame(counts[i]);
    test_thread_exit(counts[i]);
    if (counts[i] > 1) {
      test_long_leaf(counts[i], 0);
      test_long_leaf(counts[i], 1);
    }
    if (counts[i] > 2)
      test_long_in_batch(counts[i]);
  }
  test_tiers();
  test_cancel();
  test_shutdown_inside();
  test_shutdown_mid_scope(1);
  test_shutdown_mid_scope(2);
  test_shutdown_mid_scope(2);
  test_fork_mid_scope(1);
  test_fork_mid_scope(2);
  test_scope_wait_in_group(1);
  test_scope_wait_in_group(3);
  return ws_test_finish("test_fast");
}

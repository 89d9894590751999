/*
 * soak.c -- a long random spawn tree with an exactly-once check
 * (test/soak/README.md).
 *
 * The tree: a seeded, reproducible random tree of exactly `tasks` tasks.
 * Every task has an id in [0, tasks); a task with budget b owns the ids
 * [id, id + b) and hands b - 1 of them to 1..6 children of random sizes and
 * random tiers (all four).  Around its children a task randomly
 *   - spawns them into a taskgroup instead of a plain frame;
 *   - (in a taskgroup of a small subtree) cancels the group: itself, after
 *     spawning a chosen child (ws_cancel), or from inside that child
 *     (ws_cancel_current);
 *   - waits in the middle (ws_wait on a plain frame, which empties it for
 *     the spawns that follow; ws_wait_open on a taskgroup);
 *   - spawns its last child before a wait with ws_spawn_last;
 *   - passes a checkpoint (ws_yield), which may run critical tasks there.
 * Every decision comes from the task's own seed, never from the schedule,
 * so the tree is the same at every worker count; only which tasks of a
 * cancelled subtree run depends on timing.  A task that finds itself
 * cancelled (ws_cancelled) spawns no children, as a real program would.
 *
 * The checks, after each run:
 *   - exactly once: each task sets its id's bit with an atomic OR; a bit set
 *     twice is a duplicate;
 *   - nothing lost: a serial walk of the same tree checks that every task
 *     outside the subtrees of cancellable taskgroups ("exposed" tasks) ran;
 *   - our counters (per thread, summed) against ws_stats_get: spawned =
 *     ours; executed (summed over tiers, and per tier when nothing was
 *     promoted by aging) = tasks that ran; cancelled = spawned - ran;
 *   - no task outside an exposed subtree sees ws_cancelled() or an
 *     ws_yield() of WS_ECANCELED; waits return WS_OK, and WS_ECANCELED
 *     for a group that was cancelled before its wait.
 *
 * Usage: soak [tasks=N] [workers=W[,W...]] [seed=S]
 *   defaults: tasks=10000000 workers=1,2,4,16 seed=1; one pool per worker
 *   count (ws_init, then ws_shutdown).  WS_TEST_SCALE=small divides the
 *   default size by 100 (sanitizer builds).  Exit 0 when every check holds.
 */
#define _GNU_SOURCE
#include "ws.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- The tree: one pure function of a node's seed ----------------------- */

#define MAX_CHILDREN 6
/* Only subtrees this small get a cancellable group, so that cancellation
 * skips a little of the tree, not most of it. */
#define CANCEL_MAX_BUDGET 300

typedef struct node {
  uint64_t id;     /* first id of the subtree */
  uint64_t budget; /* tasks in the subtree, this one included */
  uint64_t seed;
  uint8_t exposed;     /* inside a cancellable group's subtree */
  uint8_t cancel_self; /* calls ws_cancel_current at its start */
  uint8_t tier;
} node;

static uint64_t splitmix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static uint64_t next(uint64_t *s) {
  return splitmix(*s += 0x2545f4914f6cdd1dull);
}

/* A node's decisions, then its children one by one (in spawn order). */
typedef struct plan {
  uint64_t rng, rem, next_id;
  int k;          /* children */
  int group;      /* spawn them into a taskgroup */
  int cancelable; /* ... that gets cancelled */
  int cancel_by_child;
  int cancel_at; /* after spawning this child, or in it */
  int wait_at;   /* a wait after spawning this child (if < k - 1) */
  int yield_at;  /* a ws_yield after spawning this child (if < k) */
  int use_last;  /* the last child with ws_spawn_last */
} plan;

static void plan_init(const node *n, plan *p) {
  p->rng = n->seed;
  p->rem = n->budget - 1;
  p->next_id = n->id + 1;
  if (p->rem == 0) {
    p->k = 0;
    return;
  }
  uint64_t kmax = p->rem < MAX_CHILDREN ? p->rem : MAX_CHILDREN;
  p->k = 1 + (int)(next(&p->rng) % kmax);
  p->group = next(&p->rng) % 100 < 10;
  p->cancelable =
      p->group && n->budget <= CANCEL_MAX_BUDGET && next(&p->rng) % 100 < 15;
  p->cancel_by_child = (int)(next(&p->rng) & 1);
  p->cancel_at = (int)(next(&p->rng) % (uint64_t)p->k);
  p->wait_at = (int)(next(&p->rng) % (uint64_t)(2 * p->k));
  p->yield_at = (int)(next(&p->rng) % (uint64_t)(2 * p->k));
  p->use_last = (int)(next(&p->rng) & 1);
}

static void plan_child(const node *n, plan *p, int i, node *c) {
  int left = p->k - 1 - i; /* children after this one */
  uint64_t b =
      left == 0 ? p->rem : 1 + next(&p->rng) % (p->rem - (uint64_t)left);
  p->rem -= b;
  c->id = p->next_id;
  c->budget = b;
  p->next_id += b;
  c->seed = splitmix(n->seed ^ (0x9e3779b97f4a7c15ull * (uint64_t)(i + 1)));
  c->tier = (uint8_t)(c->seed >> 62);
  c->exposed = n->exposed || p->cancelable;
  c->cancel_self = p->cancelable && p->cancel_by_child && i == p->cancel_at;
}

/* ---- Counters: per thread, cache-line apart ---------------------------- */

typedef struct counters {
  _Alignas(64) uint64_t spawned, ran, ran_tier[WS_NUM_TIERS];
  uint64_t exposed_ran, pruned, dup, bad_cancelled, bad_yield, bad_wait,
      bad_api;
  uint64_t sink; /* the leaves' work goes here, so it is not optimised out */
} counters;

#define MAX_THREADS 512
static counters slots[MAX_THREADS];
static atomic_int nslots;
static _Thread_local counters *my;

static counters *me(void) {
  if (!my) {
    int i = atomic_fetch_add(&nslots, 1);
    if (i >= MAX_THREADS) {
      fprintf(stderr, "soak: more than %d threads\n", MAX_THREADS);
      exit(2);
    }
    my = &slots[i];
  }
  return my;
}

static _Atomic uint64_t *bits;
static const char *first_bad; /* the first violation's kind, for the report */
static uint64_t first_bad_id;

static void violation(uint64_t *counter, const char *what, uint64_t id) {
  (*counter)++;
  if (!first_bad) { /* racy but only informative */
    first_bad = what;
    first_bad_id = id;
  }
}

/* ---- The tasks ----------------------------------------------------------- */

static void task(void *arg);

static void spawn_child(ws_frame *f, const node *c, int last) {
  counters *m = me();
  int rc = last ? ws_spawn_last(f, task, c, sizeof *c, c->tier, NULL)
                : ws_spawn(f, task, c, sizeof *c, c->tier, NULL);
  if (rc != WS_OK)
    violation(&me()->bad_api, "spawn failed", c->id);
  else
    m->spawned++;
}

/* A wait's result: WS_OK, or WS_ECANCELED for a group we know was
 * cancelled; inside an exposed subtree an outer cancellation may show too. */
static void check_wait(const node *n, int rc, int group_cancelled) {
  int want = group_cancelled ? WS_ECANCELED : WS_OK;
  if (rc == want)
    return;
  if (n->exposed && (rc == WS_OK || rc == WS_ECANCELED))
    return;
  violation(&me()->bad_wait, "wait result", n->id);
}

static void task(void *arg) {
  node n;
  memcpy(&n, arg, sizeof n);
  counters *m = me();
  uint64_t old = atomic_fetch_or_explicit(&bits[n.id / 64], 1ull << (n.id % 64),
                                          memory_order_relaxed);
  if (old & (1ull << (n.id % 64)))
    violation(&m->dup, "a task ran twice", n.id);
  m->ran++;
  m->ran_tier[n.tier]++;
  if (n.exposed)
    m->exposed_ran++;
  if (n.cancel_self && ws_cancel_current() != WS_OK)
    violation(&m->bad_api, "ws_cancel_current", n.id);
  if (ws_cancelled()) {
    if (!n.exposed)
      violation(&m->bad_cancelled, "cancelled outside a cancelled group", n.id);
    m->pruned++;
    return; /* a cancelled task stops: no children */
  }
  plan p;
  plan_init(&n, &p);
  if (p.k == 0) {
    /* A leaf: a little work. */
    uint64_t s = n.seed;
    for (int i = 0; i < 8; i++)
      s = splitmix(s);
    m->sink ^= s;
    return;
  }
  ws_frame f = WS_FRAME_INIT;
  if (p.group && ws_taskgroup_begin(&f) != WS_OK)
    violation(&m->bad_api, "ws_taskgroup_begin", n.id);
  int cancelled = 0; /* by us, before a wait */
  for (int i = 0; i < p.k; i++) {
    node c;
    plan_child(&n, &p, i, &c);
    int last = i == p.k - 1;
    spawn_child(&f, &c, last && p.use_last);
    if (p.cancelable && !p.cancel_by_child && i == p.cancel_at) {
      if (ws_cancel(&f) != WS_OK)
        violation(&m->bad_api, "ws_cancel", n.id);
      cancelled = 1;
    }
    if (i == p.yield_at) {
      /* Our own group counts as ours once cancelled (ws_cancelled and
       * ws_yield look at the innermost taskgroup, the one we opened). */
      int own = p.cancelable &&
                (cancelled || (p.cancel_by_child && p.cancel_at <= i));
      int rc = ws_yield();
      if (rc != WS_OK && !((n.exposed || own) && rc == WS_ECANCELED))
        violation(&m->bad_yield, "ws_yield cancelled", n.id);
    }
    if (!last && i == p.wait_at) {
      /* A child that cancels the group does so before the wait returns,
       * unless an outer cancellation skipped it. */
      int by_child = p.cancelable && p.cancel_by_child && p.cancel_at <= i;
      int rc = p.group ? ws_wait_open(&f) : ws_wait(&f);
      check_wait(&n, rc, cancelled || (by_child && !n.exposed));
    }
  }
  int by_child = p.cancelable && p.cancel_by_child;
  check_wait(&n, ws_wait(&f), cancelled || (by_child && !n.exposed));
}

/* ---- The serial walk: every task outside exposed subtrees ran ---------- */

static uint64_t lost, lost_first = UINT64_MAX, expect_unexposed;

static void verify(const node *n) {
  if (!n->exposed) {
    expect_unexposed++;
    if (!(atomic_load_explicit(&bits[n->id / 64], memory_order_relaxed) &
          (1ull << (n->id % 64)))) {
      if (lost_first == UINT64_MAX)
        lost_first = n->id;
      lost++;
    }
  }
  /* Below an exposed node every task is exposed: only counts matter. */
  if (n->exposed)
    return;
  plan p;
  plan_init(n, &p);
  for (int i = 0; i < p.k; i++) {
    node c;
    plan_child(n, &p, i, &c);
    verify(&c);
  }
}

/* ---- One run ------------------------------------------------------------ */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int run(uint64_t tasks, int workers, uint64_t seed) {
  int failures = 0;
#define FAIL(...)                                                              \
  do {                                                                         \
    fprintf(stderr, "soak: workers=%d: ", workers);                            \
    fprintf(stderr, __VA_ARGS__);                                              \
    fprintf(stderr, "\n");                                                     \
    failures++;                                                                \
  } while (0)
  size_t words = (size_t)(tasks + 63) / 64;
  memset((void *)bits, 0, words * sizeof *bits);
  memset(slots, 0, sizeof slots);
  my = NULL;
  atomic_store(&nslots, 0);
  first_bad = NULL;
  int rc = ws_init(workers);
  if (rc != WS_OK) {
    FAIL("ws_init(%d): %s", workers, ws_strerror(rc));
    return failures;
  }
  ws_stats_reset();
  double t0 = now_s();
  node root = {0, tasks, seed, 0, 0, WS_TIER_NORMAL};
  ws_frame f = WS_FRAME_INIT;
  spawn_child(&f, &root, 0);
  rc = ws_wait(&f);
  double secs = now_s() - t0;
  if (rc != WS_OK)
    FAIL("the root's wait returned %s", ws_strerror(rc));
  ws_stats st;
  int nw = ws_stats_get(&st, NULL, 0);
  counters sum;
  memset(&sum, 0, sizeof sum);
  int n = atomic_load(&nslots);
  for (int i = 0; i < n; i++) {
    sum.spawned += slots[i].spawned;
    sum.ran += slots[i].ran;
    for (int t = 0; t < WS_NUM_TIERS; t++)
      sum.ran_tier[t] += slots[i].ran_tier[t];
    sum.exposed_ran += slots[i].exposed_ran;
    sum.pruned += slots[i].pruned;
    sum.dup += slots[i].dup;
    sum.bad_cancelled += slots[i].bad_cancelled;
    sum.bad_yield += slots[i].bad_yield;
    sum.bad_wait += slots[i].bad_wait;
    sum.bad_api += slots[i].bad_api;
  }
  uint64_t set = 0;
  for (size_t i = 0; i < words; i++)
    set += (uint64_t)__builtin_popcountll(atomic_load(&bits[i]));
  lost = 0;
  lost_first = UINT64_MAX;
  expect_unexposed = 0;
  verify(&root);
  uint64_t executed = 0;
  for (int t = 0; t < WS_NUM_TIERS; t++)
    executed += st.executed[t];

  if (sum.dup)
    FAIL("%llu tasks ran more than once (first: id %llu)",
         (unsigned long long)sum.dup, (unsigned long long)first_bad_id);
  if (set != sum.ran - sum.dup)
    FAIL("%llu ids marked, %llu runs counted", (unsigned long long)set,
         (unsigned long long)sum.ran);
  if (lost)
    FAIL("%llu tasks outside cancelled groups never ran (first: id %llu)",
         (unsigned long long)lost, (unsigned long long)lost_first);
  if (sum.ran > tasks)
    FAIL("%llu runs for %llu tasks", (unsigned long long)sum.ran,
         (unsigned long long)tasks);
  if (sum.bad_cancelled)
    FAIL("%llu tasks outside cancelled groups saw ws_cancelled() at their "
         "start",
         (unsigned long long)sum.bad_cancelled);
  if (sum.bad_yield)
    FAIL("%llu ws_yield() calls outside cancelled groups returned "
         "WS_ECANCELED",
         (unsigned long long)sum.bad_yield);
  if (sum.bad_wait)
    FAIL("%llu waits returned the wrong result (first: id %llu)",
         (unsigned long long)sum.bad_wait, (unsigned long long)first_bad_id);
  if (sum.bad_api)
    FAIL("%llu API calls failed (first: %s, id %llu)",
         (unsigned long long)sum.bad_api, first_bad ? first_bad : "?",
         (unsigned long long)first_bad_id);
  if (nw <= 0)
    FAIL("ws_stats_get: no pool");
  if (st.spawned != sum.spawned)
    FAIL("ws_stats spawned %llu, we spawned %llu",
         (unsigned long long)st.spawned, (unsigned long long)sum.spawned);
  if (executed != sum.ran)
    FAIL("ws_stats executed %llu, %llu tasks ran", (unsigned long long)executed,
         (unsigned long long)sum.ran);
  if (st.cancelled != sum.spawned - sum.ran)
    FAIL("ws_stats cancelled %llu, spawned - ran = %llu",
         (unsigned long long)st.cancelled,
         (unsigned long long)(sum.spawned - sum.ran));
  if (st.promotions == 0)
    for (int t = 0; t < WS_NUM_TIERS; t++)
      if (st.executed[t] != sum.ran_tier[t])
        FAIL("ws_stats executed[%d] %llu, %llu tasks of that tier ran", t,
             (unsigned long long)st.executed[t],
             (unsigned long long)sum.ran_tier[t]);
  printf("soak: workers=%d tasks=%llu seed=%llu: %.2fs (%.1f M tasks/s); "
         "ran %llu, cancelled %llu (skipped by the runtime), never spawned "
         "%llu (below a cancelled task); outside cancellable groups %llu (all "
         "ran), inside %llu ran, %llu of them pruned; "
         "stolen %llu, inline %llu, preempted %llu, promoted %llu: %s\n",
         workers, (unsigned long long)tasks, (unsigned long long)seed, secs,
         (double)sum.ran / secs / 1e6, (unsigned long long)sum.ran,
         (unsigned long long)st.cancelled,
         (unsigned long long)(tasks - sum.spawned),
         (unsigned long long)expect_unexposed,
         (unsigned long long)sum.exposed_ran, (unsigned long long)sum.pruned,
         (unsigned long long)st.stolen, (unsigned long long)st.inline_runs,
         (unsigned long long)st.preemptions, (unsigned long long)st.promotions,
         failures ? "FAIL" : "ok");
  fflush(stdout);
  rc = ws_shutdown();
  if (rc != WS_OK)
    FAIL("ws_shutdown: %s", ws_strerror(rc));
  return failures;
#undef FAIL
}

int main(int argc, char **argv) {
  const char *scale = getenv("WS_TEST_SCALE");
  uint64_t tasks = scale && !strcmp(scale, "small") ? 100000 : 10000000;
  uint64_t seed = 1;
  const char *workers = "1,2,4,16";
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "tasks=", 6))
      tasks = strtoull(argv[i] + 6, NULL, 10);
    else if (!strncmp(argv[i], "seed=", 5))
      seed = strtoull(argv[i] + 5, NULL, 10);
    else if (!strncmp(argv[i], "workers=", 8))
      workers = argv[i] + 8;
    else {
      fprintf(stderr, "usage: soak [tasks=N] [workers=W[,W...]] [seed=S]\n");
      return 2;
    }
  }
  if (tasks < 1) {
    fprintf(stderr, "soak: tasks must be >= 1\n");
    return 2;
  }
  bits = calloc((size_t)(tasks + 63) / 64, sizeof *bits);
  if (!bits) {
    fprintf(stderr, "soak: no memory for %llu tasks\n",
            (unsigned long long)tasks);
    return 2;
  }
  int failures = 0;
  for (const char *w = workers; *w;) {
    char *end;
    long n = strtol(w, &end, 10);
    if (end == w || n < 1 || n > WS_MAX_WORKERS) {
      fprintf(stderr, "soak: bad worker count in '%s'\n", workers);
      return 2;
    }
    failures += run(tasks, (int)n, seed);
    w = *end == ',' ? end + 1 : end;
  }
  free((void *)bits);
  if (failures)
    fprintf(stderr, "soak: FAIL (%d checks failed)\n", failures);
  return failures ? 1 : 0;
}

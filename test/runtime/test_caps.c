/*
 * test_caps.c -- capabilities (ws.h, "Capabilities"):
 *  - ws_caps_define (bad spec, busy pool), ws_caps_lookup, ws_worker_caps;
 *  - required tasks run only on workers holding every required bit -- the
 *    worker checks ws_worker_id() inside -- under a steal storm (plain
 *    recursive tasks spawning required ones, from several workers) at 3 and
 *    8 workers (more than the cores), including a requirement met by a
 *    single pool thread and one met only by worker 0 (main, while it
 *    waits); the per-worker required_runs counters agree;
 *  - tiers apply among required tasks: on the one eligible worker, queued
 *    high tasks start before queued low ones;
 *  - preferred tasks mostly run on the worker that meets the preference
 *    when it is free; a preference nobody meets still runs;
 *  - an impossible requirement is refused at the spawn (WS_EINVAL, one
 *    `ws:` line, nothing spawned), through every spawn path;
 *  - if(false) with a requirement the spawner does not meet runs on an
 *    eligible worker before the spawn returns; a handle's waiter that may
 *    not run the task waits for an eligible worker to;
 *  - WS_CAPS in child processes: a bad value gives one line naming the
 *    variable and the default (no capabilities); a good one is silent;
 *  - refusals repeated in a loop (child process): one `ws:` line per
 *    capability nobody holds and one for unknown names, each spawn still
 *    WS_EINVAL; a pool started again reports again.
 */
#include "child_util.h"
#include "test_util.h"
#include "ws.h"

#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

/* gpu: worker 1; numa0: 0-1; numa1: 2-3; solo: 5; main0: 0. */
#define SPEC "gpu=1;numa0=0-1;numa1=2-3;solo=5;main0=0"
static uint64_t GPU, NUMA0, NUMA1, SOLO, MAIN0;

static ws_task_opts req_opts(uint64_t req, uint64_t pref, int tier) {
  ws_task_opts o;
  memset(&o, 0, sizeof o);
  o.tier = tier;
  o.requires = req;
  o.prefers = pref;
  return o;
}

/* Expected capabilities of worker `id` of a pool of n. */
static uint64_t expect_caps(int id, int n) {
  if (id < 0 || id >= n)
    return 0;
  uint64_t c = 0;
  if (id == 1)
    c |= GPU;
  if (id <= 1)
    c |= NUMA0;
  if (id == 2 || id == 3)
    c |= NUMA1;
  if (id == 5)
    c |= SOLO;
  if (id == 0)
    c |= MAIN0;
  return c;
}

/* ---- Required tasks under a steal storm ------------------------------- */

static atomic_long g_ran, g_bad;
static int g_n;

typedef struct {
  uint64_t req;
} req_arg;

static void required_body(void *p) {
  req_arg *a = p;
  int id = ws_worker_id();
  if ((expect_caps(id, g_n) & a->req) != a->req) {
    atomic_fetch_add(&g_bad, 1);
    fprintf(stderr, "required %llx ran on worker %d\n",
            (unsigned long long)a->req, id);
  }
  atomic_fetch_add(&g_ran, 1);
  for (volatile int i = 0; i < 200; i++)
    ;
}

typedef struct {
  int depth;
  uint64_t req;
} storm_arg;

/* A binary tree of plain tasks (stolen back and forth); every node also
 * spawns one required task into the same frame. */
static void storm(void *p) {
  storm_arg *a = p;
  ws_frame f = WS_FRAME_INIT;
  req_arg r = {a->req};
  ws_task_opts o =
      req_opts(a->req, 0, a->depth % 2 ? WS_TIER_HIGH : WS_TIER_NORMAL);
  CHECK(ws_spawn_ex(&f, required_body, &r, sizeof r, &o) == WS_OK, "spawn");
  if (a->depth > 0) {
    storm_arg c = {a->depth - 1, a->req};
    ws_spawn(&f, storm, &c, sizeof c, WS_TIER_NORMAL, NULL);
    ws_spawn(&f, storm, &c, sizeof c, WS_TIER_NORMAL, NULL);
  }
  ws_wait(&f);
}

static void storm_run(uint64_t req, int depth) {
  atomic_store(&g_ran, 0);
  atomic_store(&g_bad, 0);
  ws_stats s0[16], s1[16], t0, t1;
  ws_stats_get(&t0, s0, 16);
  storm_arg a = {depth, req};
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, storm, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  long want = (1L << (depth + 1)) - 1;
  ws_stats_get(&t1, s1, 16);
  CHECK(atomic_load(&g_ran) == want, "req %llx: %ld of %ld ran",
        (unsigned long long)req, atomic_load(&g_ran), want);
  CHECK(atomic_load(&g_bad) == 0, "req %llx: %ld on ineligible workers",
        (unsigned long long)req, atomic_load(&g_bad));
  CHECK(t1.required_runs - t0.required_runs == (uint64_t)want,
        "required_runs %llu, want %ld",
        (unsigned long long)(t1.required_runs - t0.required_runs), want);
  for (int i = 0; i < g_n && i < 16; i++)
    if ((expect_caps(i, g_n) & req) != req)
      CHECK(s1[i].required_runs == s0[i].required_runs,
            "worker %d counts required runs it may not make", i);
}

/* ---- Tiers among required tasks --------------------------------------- */

static atomic_int g_hold_started, g_hold_release;
static int g_order[64], g_norder;

static void hold(void *p) {
  (void)p;
  atomic_store(&g_hold_started, 1);
  while (!atomic_load(&g_hold_release))
    sched_yield();
}

static void record(void *p) { g_order[g_norder++] = *(int *)p; }

static void tiers(void) {
  /* solo: worker 5 alone.  Block it, queue low then high tasks for it,
   * release: the high ones start first. */
  ws_frame f = WS_FRAME_INIT;
  atomic_store(&g_hold_started, 0);
  atomic_store(&g_hold_release, 0);
  g_norder = 0;
  ws_task_opts o = req_opts(SOLO, 0, WS_TIER_NORMAL);
  ws_spawn_ex(&f, hold, NULL, 0, &o);
  while (!atomic_load(&g_hold_started))
    sched_yield();
  for (int i = 0; i < 10; i++) {
    int v = i; /* 0..9 low */
    o = req_opts(SOLO, 0, WS_TIER_LOW);
    ws_spawn_ex(&f, record, &v, sizeof v, &o);
  }
  for (int i = 0; i < 10; i++) {
    int v = 100 + i; /* high */
    o = req_opts(SOLO, 0, WS_TIER_HIGH);
    ws_spawn_ex(&f, record, &v, sizeof v, &o);
  }
  atomic_store(&g_hold_release, 1);
  ws_wait(&f);
  CHECK(g_norder == 20, "%d ran", g_norder);
  for (int i = 0; i < 20 && i < g_norder; i++)
    CHECK((i < 10) == (g_order[i] >= 100), "position %d: task %d", i,
          g_order[i]);
}

/* ---- Preferences ------------------------------------------------------- */

static atomic_int g_on[16];

static void pref_body(void *p) {
  (void)p;
  int id = ws_worker_id();
  if (id >= 0 && id < 16)
    atomic_fetch_add(&g_on[id], 1);
}

/* One round: N preferred tasks, one at a time, so that worker 1 (gpu) is
 * free for each; returns how many ran there. */
static int preference_round(void) {
  enum { N = 200 };
  for (int i = 0; i < 16; i++)
    atomic_store(&g_on[i], 0);
  ws_stats t0, t1;
  ws_stats_get(&t0, NULL, 0);
  for (int i = 0; i < N; i++) {
    ws_frame f = WS_FRAME_INIT;
    ws_task_opts o = req_opts(0, GPU, WS_TIER_NORMAL);
    ws_spawn_ex(&f, pref_body, NULL, 0, &o);
    ws_wait(&f);
  }
  ws_stats_get(&t1, NULL, 0);
  int on1 = atomic_load(&g_on[1]);
  uint64_t pr = t1.preferred_runs - t0.preferred_runs,
           pe = t1.preferred_elsewhere - t0.preferred_elsewhere;
  CHECK(pr + pe == N && pr == (uint64_t)on1, "preferred %llu elsewhere %llu",
        (unsigned long long)pr, (unsigned long long)pe);
  fprintf(stderr, "  preferred tasks on worker 1: %d of %d (%d workers)\n", on1,
          N, g_n);
  return on1;
}

static void preferences(void) {
  /* Worker 1 is idle, so it should get most of them (about 95% on a quiet
   * machine).  With more workers than cores, under a sanitizer or on a
   * loaded machine, it may stay descheduled longer than a preferred task
   * waits for it (1 ms): then others run them, as they should.  Were the
   * preference ignored, the spawner (worker 0), which waits for each, would
   * run them: worker 1 would get almost none.  So: more than a fifth, in
   * one of three rounds. */
  int best = 0;
  for (int round = 0; round < 3 && best <= 40; round++) {
    int on1 = preference_round();
    best = on1 > best ? on1 : best;
  }
  CHECK(best > 40, "only %d of 200 preferred tasks ran on worker 1", best);
  /* A preference nobody holds: runs anyway. */
  atomic_store(&g_ran, 0);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 100; i++) {
    ws_task_opts o = req_opts(0, WS_CAP(40), WS_TIER_NORMAL);
    ws_spawn_ex(&f, pref_body, NULL, 0, &o);
  }
  ws_wait(&f);
}

/* ---- Refusals, if(false), handles ------------------------------------- */

static void set_int(void *p) { **(int **)p = ws_worker_id(); }

static void refusals(void) {
  /* numa1 needs workers 2-3: refused below 3 workers; solo below 6. */
  uint64_t impossible = g_n < 3 ? NUMA1 : g_n < 6 ? SOLO : WS_CAP(50);
  ws_stats t0, t1;
  ws_stats_get(&t0, NULL, 0);
  ws_frame f = WS_FRAME_INIT;
  int x = -1, *px = &x;
  ws_task_opts o = req_opts(impossible, 0, WS_TIER_NORMAL);
  CHECK(ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL, "refused");
  ws_handle h = WS_HANDLE_INIT;
  o.handle = &h;
  CHECK(ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL,
        "refused with a handle");
  CHECK(ws_handle_state(&h) == WS_HANDLE_NONE, "handle untouched");
  o.handle = NULL;
  ws_dep d = {&x, sizeof x, WS_DEP_OUT};
  o.deps = &d;
  o.num_deps = 1;
  CHECK(ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL,
        "refused with depend");
  o.deps = NULL;
  o.num_deps = 0;
  o.flags = WS_TASK_UNDEFERRED;
  CHECK(ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL,
        "refused if(false)");
  o.flags = 0;
  o.requires = ws_caps_named("nosuch");
  CHECK(ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL,
        "refused: an unknown name");
  CHECK(ws_wait(&f) == WS_OK && x == -1, "nothing ran");
  ws_stats_get(&t1, NULL, 0);
  CHECK(t1.spawned == t0.spawned, "nothing spawned");

  /* if(false) with a requirement main (worker 0) does not meet: runs on
   * worker 1 before the spawn returns. */
  int who = -1, *pw = &who;
  o = req_opts(GPU, 0, WS_TIER_NORMAL);
  o.flags = WS_TASK_UNDEFERRED;
  if (g_n >= 2) {
    CHECK(ws_spawn_ex(&f, set_int, &pw, sizeof pw, &o) == WS_OK, "if(false)");
    CHECK(who == 1, "if(false) gpu task ran on %d", who);
  }
  /* A requirement main meets, undeferred: here. */
  o = req_opts(MAIN0, 0, WS_TIER_NORMAL);
  o.flags = WS_TASK_UNDEFERRED;
  who = -1;
  ws_spawn_ex(&f, set_int, &pw, sizeof pw, &o);
  CHECK(who == 0, "if(false) main0 task ran on %d", who);

  /* A handle whose task main may not run: the waiter leaves it to worker
   * 1. */
  if (g_n >= 2) {
    ws_handle hg = WS_HANDLE_INIT;
    who = -1;
    o = req_opts(GPU, 0, WS_TIER_NORMAL);
    o.handle = &hg;
    CHECK(ws_spawn_ex(&f, set_int, &pw, sizeof pw, &o) == WS_OK, "spawn");
    CHECK(ws_handle_wait(&hg) == WS_OK && who == 1, "handle gpu task on %d",
          who);
  }
  ws_wait(&f);
}

/* main0: only worker 0 (this thread) may run it; spawned by a pool thread,
 * it runs while main waits. */
static void spawn_main0(void *p) {
  (void)p;
  ws_frame f = WS_FRAME_INIT;
  req_arg r = {MAIN0};
  ws_task_opts o = req_opts(MAIN0, 0, WS_TIER_NORMAL);
  ws_spawn_ex(&f, required_body, &r, sizeof r, &o);
  ws_wait(&f);
}

static void main_only(void) {
  atomic_store(&g_ran, 0);
  atomic_store(&g_bad, 0);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 20; i++)
    ws_spawn(&f, spawn_main0, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  CHECK(atomic_load(&g_ran) == 20 && atomic_load(&g_bad) == 0,
        "main0: %ld ran, %ld misplaced", atomic_load(&g_ran),
        atomic_load(&g_bad));
}

static void api(void) {
  CHECK(ws_caps_define("gpu=") == WS_EINVAL, "bad spec");
  CHECK(ws_caps_define("1gpu=0") == WS_EINVAL, "bad name");
  CHECK(ws_caps_define("a=0;a=1") == WS_EINVAL, "twice");
  CHECK(ws_caps_define("a=3-1") == WS_EINVAL, "range");
  CHECK(ws_caps_define(SPEC) == WS_OK, "define");
  CHECK(ws_caps_lookup("gpu", &GPU) == WS_OK && GPU == WS_CAP(0), "gpu");
  CHECK(ws_caps_lookup("numa0", &NUMA0) == WS_OK && NUMA0 == WS_CAP(1), "n0");
  CHECK(ws_caps_lookup("numa1", &NUMA1) == WS_OK && NUMA1 == WS_CAP(2), "n1");
  CHECK(ws_caps_lookup("solo", &SOLO) == WS_OK && SOLO == WS_CAP(3), "solo");
  CHECK(ws_caps_lookup("main0", &MAIN0) == WS_OK && MAIN0 == WS_CAP(4), "m0");
  uint64_t two = 0;
  CHECK(ws_caps_lookup("numa1,gpu", &two) == WS_OK && two == (NUMA1 | GPU),
        "list");
  CHECK(ws_caps_lookup("nope", &two) == WS_EINVAL, "unknown name");
  CHECK(ws_caps_lookup("gpu,", &two) == WS_EINVAL, "empty name");
  /* For generated code: an unknown name is every bit (refused at a spawn,
   * see refusals). */
  CHECK(ws_caps_named("numa1,gpu") == (NUMA1 | GPU), "named");
  CHECK(ws_caps_named("nope") == ~(uint64_t)0, "named, unknown");
}

/* ---- WS_CAPS in child processes --------------------------------------- */

/* Spawns each impossible requirement several times: gpu, then gpu+numa0
 * (numa0 is new: a line), numa0 alone (said), an unknown name; then once
 * more in a second pool.  Four `ws:` lines in all. */
static int child_refusals(void) {
  ws_caps_define("gpu=5;numa0=6");
  ws_init(2);
  uint64_t gpu = 0, numa0 = 0;
  ws_caps_lookup("gpu", &gpu);
  ws_caps_lookup("numa0", &numa0);
  uint64_t reqs[] = {gpu, gpu | numa0, numa0, ws_caps_named("nosuch")};
  ws_frame f = WS_FRAME_INIT;
  int x = -1, *px = &x, refused = 0;
  for (int k = 0; k < 4; k++)
    for (int i = 0; i < 3; i++) {
      ws_task_opts o = req_opts(reqs[k], 0, WS_TIER_NORMAL);
      refused += ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL;
    }
  ws_wait(&f);
  ws_shutdown();
  ws_init(2);
  ws_task_opts o = req_opts(gpu, 0, WS_TIER_NORMAL);
  refused += ws_spawn_ex(&f, set_int, &px, sizeof px, &o) == WS_EINVAL;
  ws_wait(&f);
  ws_shutdown();
  printf("refused %d x %d\n", refused, x);
  fflush(stdout);
  return 0;
}

static int child(void) {
  if (getenv("TEST_CAPS_REFUSALS"))
    return child_refusals();
  /* Prints each worker's capabilities and whether "gpu" is defined. */
  ws_init(4);
  uint64_t gpu = 0;
  int has = ws_caps_lookup("gpu", &gpu) == WS_OK;
  printf("gpu=%d:%llx caps=%llx,%llx,%llx,%llx\n", has, (unsigned long long)gpu,
         (unsigned long long)ws_worker_caps(0),
         (unsigned long long)ws_worker_caps(1),
         (unsigned long long)ws_worker_caps(2),
         (unsigned long long)ws_worker_caps(3));
  fflush(stdout);
  return 0;
}

/* ws_child_run, and the child must succeed. */
static void run_child(const char *self, const char *setting,
                      ws_child_result *r) {
  ws_child_run(self, setting, r);
  CHECK(WIFEXITED(r->status) && WEXITSTATUS(r->status) == 0, "%s: child failed",
        setting);
}

static void env_values(const char *self) {
  const char *bad[] = {"WS_CAPS=gpu",     "WS_CAPS=gpu=x",    "WS_CAPS==1",
                       "WS_CAPS=gpu=2-1", "WS_CAPS=g pu=1",   "WS_CAPS=a=1;a=2",
                       "WS_CAPS=gpu=1,",  "WS_CAPS=gpu=99999"};
  ws_child_result r;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    run_child(self, bad[i], &r);
    CHECK(ws_child_ws_lines(r.err) == 1 && strstr(r.err, "WS_CAPS") &&
              strstr(r.err, strchr(bad[i], '=') + 1) &&
              strstr(r.err, "no capabilities"),
          "%s: want one line naming it, got: %s", bad[i], r.err);
    CHECK(strstr(r.out, "gpu=0:0 caps=0,0,0,0") != NULL,
          "%s: not the default: %s", bad[i], r.out);
  }
  run_child(self, "WS_CAPS=gpu=1;numa0=0-1;numa1=2-3", &r);
  CHECK(ws_child_ws_lines(r.err) == 0, "good value: %s", r.err);
  CHECK(strstr(r.out, "gpu=1:1 caps=2,3,4,4") != NULL, "good value: %s", r.out);
}

static void repeated_refusals(const char *self) {
  ws_child_result r;
  run_child(self, "TEST_CAPS_REFUSALS=1", &r);
  CHECK(strstr(r.out, "refused 13 x -1") != NULL, "refusals: %s", r.out);
  const char *gpu = strstr(r.err, "{gpu}"),
             *both = strstr(r.err, "{gpu,numa0}");
  CHECK(ws_child_ws_lines(r.err) == 4 && gpu && both && both > gpu &&
            strstr(gpu + 1, "{gpu}") && strstr(r.err, "not defined"),
        "want {gpu}, {gpu,numa0}, the unknown name, {gpu} again, got:\n%s",
        r.err);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "child"))
    return child();
  env_values(argv[0]);
  repeated_refusals(argv[0]);
  api();
  int counts[] = {1, 2, 3, 8};
  for (int k = 0; k < 4; k++) {
    g_n = counts[k];
    CHECK(ws_init(g_n) == WS_OK, "ws_init(%d)", g_n);
    CHECK(ws_caps_define(SPEC) == WS_EBUSY, "define while running");
    for (int i = 0; i < g_n + 2; i++)
      CHECK(ws_worker_caps(i) == expect_caps(i, g_n), "worker %d of %d: %llx",
            i, g_n, (unsigned long long)ws_worker_caps(i));
    int depth = (int)ws_test_scaled(11, 8);
    storm_run(MAIN0, depth);
    storm_run(NUMA0, depth);
    if (g_n >= 2)
      storm_run(GPU, depth);
    if (g_n >= 4)
      storm_run(NUMA1, depth);
    if (g_n >= 6) {
      storm_run(SOLO, depth);
      tiers();
    }
    if (g_n >= 3)
      preferences();
    refusals();
    main_only();
    CHECK(ws_shutdown() == WS_OK, "shutdown");
  }
  return ws_test_finish("test_caps");
}

/*
 * test_frames.c -- frames, taskgroups, cancellation, spawn options:
 *  - ws_wait on a frame waits for its own children only (a task in another
 *    frame may still be running when it returns), including children that
 *    another thread spawned into it;
 *  - a taskgroup waits for every task created inside it, in any frame;
 *  - cancellation skips unstarted tasks and counts them
 *    (executed + cancelled == spawned), reaches nested groups, and ws_wait
 *    reports it; ws_cancelled() inside a cancelled group;
 *  - UNDEFERRED runs before ws_spawn_ex returns; FINAL makes the task's
 *    spawns inline; captures are private copies (inline and heap);
 *  - ws_yield runs queued critical tasks, nested at most 3 deep;
 *  - argument errors.
 */
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- taskwait: children only
 * --------------------------------------------------- */

static _Atomic int g_release, g_blocker_done, g_quick_done;

static void blocker(void *p) {
  (void)p;
  while (!atomic_load(&g_release))
    sched_yield();
  atomic_store(&g_blocker_done, 1);
}

static void quick(void *p) {
  (void)p;
  atomic_store(&g_quick_done, 1);
}

/* Runs on an application thread (it never runs tasks itself), so the blocker
 * occupies a pool worker and the quick task runs on the other one. */
static void *children_only_thread(void *arg) {
  (void)arg;
  ws_frame f1 = WS_FRAME_INIT, f2 = WS_FRAME_INIT;
  ws_spawn(&f1, blocker, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_spawn(&f2, quick, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&f2) == WS_OK, "wait f2");
  CHECK(atomic_load(&g_quick_done) == 1, "quick task done after wait(f2)");
  /* If ws_wait(f2) had waited for f1's task too, we would never get here. */
  CHECK(atomic_load(&g_blocker_done) == 0, "blocker still blocked");
  atomic_store(&g_release, 1);
  CHECK(ws_wait(&f1) == WS_OK, "wait f1");
  CHECK(atomic_load(&g_blocker_done) == 1, "blocker done after wait(f1)");
  return NULL;
}

/* A task may spawn into a frame owned by another thread (its parent's):
 * the owner's ws_wait must wait for that task too. */
static _Atomic int g_foreign_done;

static void foreign_leaf(void *p) {
  (void)p;
  sleep_ms(20);
  atomic_store(&g_foreign_done, 1);
}

static void spawn_into_parent(void *p) {
  ws_frame *parent = *(ws_frame **)p;
  ws_spawn(parent, foreign_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
}

static void *foreign_spawn_thread(void *arg) {
  (void)arg;
  ws_frame f = WS_FRAME_INIT;
  ws_frame *fp = &f;
  ws_spawn(&f, spawn_into_parent, &fp, sizeof fp, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&f) == WS_OK, "wait");
  CHECK(atomic_load(&g_foreign_done) == 1,
        "ws_wait returned before a task spawned into the frame by another "
        "thread");
  return NULL;
}

static void test_children_only(void) {
  pthread_t th2;
  pthread_create(&th2, NULL, foreign_spawn_thread, NULL);
  pthread_join(th2, NULL);
  pthread_t th;
  pthread_create(&th, NULL, children_only_thread, NULL);
  pthread_join(th, NULL);
}

/* ---- taskgroup: all descendants
 * -------------------------------------------------- */

static _Atomic int g_desc_done;

static void slow_leaf(void *p) {
  (void)p;
  sleep_ms(20);
  atomic_fetch_add(&g_desc_done, 1);
}

static void parent_in_group(void *p) {
  (void)p;
  /* A grandchild in this task's own frame, which we wait for... */
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, slow_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
}

static void test_group_descendants(void) {
  atomic_store(&g_desc_done, 0);
  ws_frame g = WS_FRAME_INIT, other = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  /* ...and a task spawned inside the group into another frame: the group
   * must wait for it too, although it is not the group's child. */
  ws_spawn(&other, slow_leaf, NULL, 0, WS_TIER_LOW, NULL);
  ws_spawn(&g, parent_in_group, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&g) == WS_OK, "wait group");
  CHECK(atomic_load(&g_desc_done) == 2, "group waited for %d of 2",
        atomic_load(&g_desc_done));
  CHECK(ws_wait(&other) == WS_OK, "wait other");
}

/* ---- cancellation
 * ------------------------------------------------------------------ */

static _Atomic long g_ran;
static _Atomic int g_saw_cancelled;

static void counted(void *p) {
  ws_frame *group = *(ws_frame **)p;
  long n = atomic_fetch_add(&g_ran, 1);
  if (n == 10 && group)
    ws_cancel(group);
  if (n >= 10 && ws_cancelled())
    atomic_store(&g_saw_cancelled, 1);
}

static void test_cancel(void) {
  const long tasks = 2000;
  atomic_store(&g_ran, 0);
  ws_stats_reset();
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  ws_frame *gp = &g;
  for (long i = 0; i < tasks; i++)
    ws_spawn(&g, counted, &gp, sizeof gp, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&g) == WS_ECANCELED, "wait on cancelled group");
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  uint64_t ex = s.executed[0] + s.executed[1] + s.executed[2] + s.executed[3];
  CHECK((long)ex == atomic_load(&g_ran), "executed %llu ran %ld",
        (unsigned long long)ex, atomic_load(&g_ran));
  CHECK(s.cancelled > 0, "nothing cancelled");
  CHECK(ex + s.cancelled == (uint64_t)tasks && s.spawned == (uint64_t)tasks,
        "executed %llu + cancelled %llu != spawned %llu",
        (unsigned long long)ex, (unsigned long long)s.cancelled,
        (unsigned long long)s.spawned);
  CHECK(atomic_load(&g_saw_cancelled) == 1 || atomic_load(&g_ran) <= 11,
        "ws_cancelled() never seen");
  /* A new group on the same frame starts uncancelled. */
  ws_taskgroup_begin(&g);
  gp = NULL;
  atomic_store(&g_ran, 0);
  for (int i = 0; i < 10; i++)
    ws_spawn(&g, counted, &gp, sizeof gp, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&g) == WS_OK, "fresh group");
  CHECK(atomic_load(&g_ran) == 10, "fresh group ran %ld", atomic_load(&g_ran));
}

/* Nested: the outer group is cancelled while the inner one has queued
 * tasks; they are skipped too (tasks of nested groups see the cancellation
 * of an enclosing one), and both waits report it. */
static _Atomic long g_inner_ran;
static _Atomic int g_inner_rc;

static void inner_leaf(void *p) {
  (void)p;
  atomic_fetch_add(&g_inner_ran, 1);
}

static void inner_owner(void *p) {
  ws_frame *outer = *(ws_frame **)p;
  ws_frame inner = WS_FRAME_INIT;
  ws_taskgroup_begin(&inner);
  /* Other workers may run the first 50 before the cancellation; the 50
   * spawned after it must all be skipped. */
  for (int i = 0; i < 50; i++)
    ws_spawn(&inner, inner_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_cancel(outer);
  for (int i = 0; i < 50; i++)
    ws_spawn(&inner, inner_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_cancelled(), "ws_cancelled in a task of a cancelled group");
  atomic_store(&g_inner_rc, ws_wait(&inner));
}

static void test_cancel_nested(void) {
  atomic_store(&g_inner_ran, 0);
  ws_stats_reset();
  ws_frame outer = WS_FRAME_INIT;
  ws_taskgroup_begin(&outer);
  ws_frame *op = &outer;
  ws_spawn(&outer, inner_owner, &op, sizeof op, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&outer) == WS_ECANCELED, "outer wait");
  CHECK(atomic_load(&g_inner_rc) == WS_ECANCELED, "inner wait %d",
        atomic_load(&g_inner_rc));
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  CHECK(atomic_load(&g_inner_ran) + (long)s.cancelled == 100,
        "inner ran %ld + cancelled %llu != 100", atomic_load(&g_inner_ran),
        (unsigned long long)s.cancelled);
  CHECK(s.cancelled >= 50, "%llu inner tasks skipped, want >= 50",
        (unsigned long long)s.cancelled);
}

/* ws_wait_open: a taskwait inside a taskgroup waits for the tasks spawned so
 * far and keeps the group: a cancellation after it still skips the group's
 * later tasks, one before it is not forgotten, and the group's final
 * ws_wait still reports it. */
static _Atomic long g_open_ran;

static void open_leaf(void *p) {
  (void)p;
  atomic_fetch_add(&g_open_ran, 1);
}

static void test_wait_open(void) {
  atomic_store(&g_open_ran, 0);
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  for (int i = 0; i < 20; i++)
    ws_spawn(&g, open_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait_open(&g) == WS_OK, "open wait, not cancelled");
  CHECK(atomic_load(&g_open_ran) == 20, "open wait ran %ld of 20",
        atomic_load(&g_open_ran));
  /* Still the current group: ws_cancel_current cancels it. */
  CHECK(ws_cancel_current() == WS_OK, "cancel the current group");
  CHECK(ws_cancelled(), "the group is still current after ws_wait_open");
  for (int i = 0; i < 20; i++)
    ws_spawn(&g, open_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait_open(&g) == WS_ECANCELED, "open wait of a cancelled group");
  CHECK(atomic_load(&g_open_ran) == 20, "cancelled tasks ran: %ld",
        atomic_load(&g_open_ran));
  CHECK(ws_wait(&g) == WS_ECANCELED, "the group's end still reports it");
  CHECK(!ws_cancelled(), "the group ended: no current group");
  CHECK(ws_wait_open(NULL) == WS_EINVAL, "NULL frame");
  /* Bad arguments are refused the same way everywhere. */
  CHECK(ws_cancel_current() == WS_EINVAL, "no current group to cancel");
  CHECK(ws_taskgroup_begin(NULL) == WS_EINVAL, "taskgroup_begin(NULL)");
  CHECK(ws_cancel(NULL) == WS_EINVAL, "cancel(NULL)");
  CHECK(ws_wait(NULL) == WS_EINVAL, "wait(NULL)");
  CHECK(ws_spawn(NULL, open_leaf, NULL, 0, WS_TIER_NORMAL, NULL) == WS_EINVAL,
        "spawn into NULL");
  /* An ordinary frame: waited for, reusable, nothing reported. */
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 10; i++)
    ws_spawn(&f, open_leaf, NULL, 0, WS_TIER_HIGH, NULL);
  CHECK(ws_wait_open(&f) == WS_OK, "open wait of a plain frame");
  CHECK(atomic_load(&g_open_ran) == 30, "plain frame ran %ld of 30",
        atomic_load(&g_open_ran));
  ws_spawn(&f, open_leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  CHECK(ws_wait(&f) == WS_OK && atomic_load(&g_open_ran) == 31,
        "plain frame reused");
}

/* ---- spawn options and captures
 * ------------------------------------------------------ */

static _Thread_local int tl_marker;
static _Atomic int g_flag;
static _Atomic long g_inline_children;

static void set_flag(void *p) { atomic_store(&g_flag, *(int *)p + tl_marker); }

static void child_of_final(void *p) {
  (void)p;
  atomic_fetch_add(&g_inline_children, 1);
}

static void final_task(void *p) {
  (void)p;
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 10; i++) {
    long before = atomic_load(&g_inline_children);
    ws_spawn(&f, child_of_final, NULL, 0, WS_TIER_HIGH, NULL);
    CHECK(atomic_load(&g_inline_children) == before + 1,
          "spawn inside a final task ran inline");
  }
  ws_wait(&f);
}

typedef struct {
  unsigned char bytes[1000];
} big_caps;

static _Atomic int g_caps_ok;

static void check_big(void *p) {
  big_caps *c = p;
  int ok = 1;
  for (int i = 0; i < 1000; i++)
    ok &= c->bytes[i] == (unsigned char)(i * 7);
  c->bytes[0] = 99; /* a private copy: may be modified */
  atomic_fetch_add(&g_caps_ok, ok);
}

static void check_small(void *p) {
  uint64_t *v = p;
  atomic_fetch_add(&g_caps_ok, v[0] == 42 && v[1] == 43);
}

static void test_options(void) {
  /* UNDEFERRED: runs now, in this thread. */
  tl_marker = 1000;
  ws_frame f = WS_FRAME_INIT;
  ws_task_opts o = {0};
  o.flags = WS_TASK_UNDEFERRED;
  int v = 5;
  atomic_store(&g_flag, 0);
  CHECK(ws_spawn_ex(&f, set_flag, &v, sizeof v, &o) == WS_OK, "spawn_ex");
  CHECK(atomic_load(&g_flag) == 1005, "undeferred ran here: %d",
        atomic_load(&g_flag));
  CHECK(ws_wait(&f) == WS_OK, "wait");
  /* FINAL: every spawn inside runs inline. */
  atomic_store(&g_inline_children, 0);
  ws_stats_reset();
  o.flags = WS_TASK_FINAL;
  CHECK(ws_spawn_ex(&f, final_task, NULL, 0, &o) == WS_OK, "final");
  CHECK(ws_wait(&f) == WS_OK, "wait final");
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  CHECK(atomic_load(&g_inline_children) == 10, "children %ld",
        atomic_load(&g_inline_children));
  CHECK(s.inline_runs == 10, "inline_runs %llu",
        (unsigned long long)s.inline_runs);
  /* Captures are copied at spawn time. */
  atomic_store(&g_caps_ok, 0);
  big_caps big;
  for (int i = 0; i < 1000; i++)
    big.bytes[i] = (unsigned char)(i * 7);
  uint64_t small[2] = {42, 43};
  for (int i = 0; i < 50; i++) {
    ws_spawn(&f, check_big, &big, sizeof big, WS_TIER_NORMAL, NULL);
    ws_spawn(&f, check_small, small, sizeof small, WS_TIER_NORMAL, NULL);
  }
  big.bytes[1] = 0; /* the copies must not see this */
  small[0] = 0;
  ws_wait(&f);
  CHECK(atomic_load(&g_caps_ok) == 100, "captures ok %d of 100",
        atomic_load(&g_caps_ok));
  /* Errors. */
  CHECK(ws_spawn(NULL, quick, NULL, 0, 0, NULL) == WS_EINVAL, "NULL frame");
  CHECK(ws_spawn(&f, NULL, NULL, 0, 0, NULL) == WS_EINVAL, "NULL fn");
  CHECK(ws_spawn(&f, quick, NULL, 8, 0, NULL) == WS_EINVAL, "NULL captures");
  ws_dep dep = {&v, sizeof v, WS_DEP_IN};
  ws_task_opts od = {0};
  od.deps = &dep;
  od.num_deps = 1;
  od.deps = NULL;
  CHECK(ws_spawn_ex(&f, quick, NULL, 0, &od) == WS_EINVAL, "NULL deps");
  od.deps = &dep;
  od.num_deps = -1;
  CHECK(ws_spawn_ex(&f, quick, NULL, 0, &od) == WS_EINVAL, "negative deps");
  dep.kind = 99;
  od.num_deps = 1;
  CHECK(ws_spawn_ex(&f, quick, NULL, 0, &od) == WS_EINVAL, "bad dep kind");
  CHECK(ws_wait(NULL) == WS_EINVAL, "wait NULL");
  CHECK(ws_init(-1) == WS_EINVAL, "init -1");
  CHECK(ws_init(ws_num_workers() + 1) == WS_EBUSY, "init other size");
  CHECK(ws_init(0) == WS_OK && ws_init(ws_num_workers()) == WS_OK, "init same");
  CHECK(ws_strerror(WS_ECANCELED) != NULL && *ws_strerror(12345), "strerror");
  /* Tier out of range is clamped, not refused. */
  CHECK(ws_spawn(&f, quick, NULL, 0, 99, NULL) == WS_OK, "tier 99");
  CHECK(ws_spawn(&f, quick, NULL, 0, -5, NULL) == WS_OK, "tier -5");
  ws_wait(&f);
}

/* ---- ws_yield: preemption nested at most 3 deep
 * --------------------------------------- */

static _Atomic int g_crit_depth, g_crit_max, g_crit_ran;

typedef struct {
  ws_frame *frame;
  int level;
} crit_args;

static void crit_task(void *p) {
  crit_args *a = p;
  int d = atomic_fetch_add(&g_crit_depth, 1) + 1;
  if (d > atomic_load(&g_crit_max))
    atomic_store(&g_crit_max, d);
  atomic_fetch_add(&g_crit_ran, 1);
  if (a->level < 5) {
    /* Queue another critical task in the same frame and checkpoint. */
    crit_args c = {a->frame, a->level + 1};
    ws_spawn(a->frame, crit_task, &c, sizeof c, WS_TIER_CRITICAL, NULL);
    ws_yield();
  }
  atomic_fetch_sub(&g_crit_depth, 1);
}

static void yielding_task(void *p) {
  (void)p;
  ws_frame f = WS_FRAME_INIT;
  crit_args a = {&f, 1};
  atomic_store(&g_crit_ran, 0);
  ws_spawn(&f, crit_task, &a, sizeof a, WS_TIER_CRITICAL, NULL);
  CHECK(ws_yield() == WS_OK, "yield");
  /* The checkpoint ran the first critical task, which ran the next ... */
  CHECK(atomic_load(&g_crit_ran) >= 3, "critical ran %d at the checkpoint",
        atomic_load(&g_crit_ran));
  ws_wait(&f);
  CHECK(atomic_load(&g_crit_ran) == 5, "critical ran %d",
        atomic_load(&g_crit_ran));
}

static void test_yield(void) {
  CHECK(ws_init(1) == WS_OK, "init 1");
  ws_stats_reset();
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, yielding_task, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  CHECK(atomic_load(&g_crit_max) == 3, "preemption nesting %d, want 3",
        atomic_load(&g_crit_max));
  CHECK(s.preemptions >= 3, "preemptions %llu",
        (unsigned long long)s.preemptions);
  CHECK(ws_shutdown() == WS_OK, "shutdown");
}

int main(void) {
  CHECK(ws_init(3) == WS_OK, "init");
  test_children_only();
  test_group_descendants();
  test_cancel();
  test_cancel_nested();
  test_wait_open();
  test_options();
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  test_yield();
  return ws_test_finish("test_frames");
}

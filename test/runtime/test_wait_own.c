/*
 * test_wait_own.c -- ws_wait_own runs, on the waiting thread, only tasks
 * spawned into the frame it waits for and their descendants, and every
 * wait nested in it does the same.
 *
 * Each case queues an "unrelated" task -- spawned into another frame AFTER
 * the children, so that it sits at the bottom of the waiter's deque, where
 * a plain ws_wait's first look finds it -- and then waits with ws_wait_own.
 * An unrelated task that runs on the waiter's thread while the own wait is
 * on its stack is counted as a violation (a plain ws_wait makes every case
 * fail at one worker).  Cases: children through ws_spawn, through the
 * inline fast path, with dependences among them (the second held until the
 * first has run), a child that waits for its own children (plain ws_wait,
 * nested), and a child that another worker has taken while the waiter
 * waits.  At one worker (deterministic) and at four (more than the cores).
 */
#include "test_util.h"
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <ws.h>

static _Thread_local int in_own_wait; /* this thread is inside ws_wait_own */
static atomic_long violations, unrelated_ran, children_ran;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void unrelated(void *p) {
  (void)p;
  if (in_own_wait)
    atomic_fetch_add(&violations, 1);
  atomic_fetch_add(&unrelated_ran, 1);
}

static void leaf(void *p) {
  (void)p;
  atomic_fetch_add(&children_ran, 1);
}

/* Queued by a child inside its own nested wait: must not run on a thread
 * while that wait is on its stack. */
static _Thread_local int in_nested_wait;
static void nested_unrelated(void *p) {
  (void)p;
  if (in_nested_wait)
    atomic_fetch_add(&violations, 1);
}

/* A child that has children of its own and, newer than them, tasks of
 * another frame of its own; it waits for its children with a plain
 * ws_wait, nested in the own wait: an own wait too, which leaves the other
 * frame's tasks alone until their own wait. */
static void parent_child(void *p) {
  (void)p;
  ws_frame g = WS_FRAME_INIT, u = WS_FRAME_INIT;
  for (int i = 0; i < 3; i++)
    ws_spawn(&g, leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  for (int i = 0; i < 2; i++)
    ws_spawn(&u, nested_unrelated, NULL, 0, WS_TIER_NORMAL, NULL);
  /* (On another worker, which took it, the wait is a plain one.) */
  in_nested_wait = in_own_wait;
  ws_wait(&g);
  in_nested_wait = 0;
  ws_wait(&u);
  atomic_fetch_add(&children_ran, 1);
}

/* A child that lingers, so that another worker may take it and the waiter
 * must wait for it (up to 20 ms). */
static void slow_child(void *p) {
  (void)p;
  double until = now_s() + 0.02;
  while (now_s() < until && atomic_load(&children_ran) == 0)
    ;
  atomic_fetch_add(&children_ran, 1);
}

enum { PLAIN, INLINE, DEPS, NESTED, SLOW, INLINE_HIGH, NCASES };
static const char *names[] = {"plain",  "inline", "deps",
                              "nested", "slow",   "inline, unrelated high"};

static void run_case(int c) {
  ws_frame f = WS_FRAME_INIT, other = WS_FRAME_INIT;
  long expect_children = 0;
  int dep_word = 0;
  atomic_store(&children_ran, 0);
  switch (c) {
  case PLAIN:
    for (int i = 0; i < 4; i++)
      ws_spawn(&f, leaf, NULL, 0, WS_TIER_NORMAL, NULL);
    expect_children = 4;
    break;
  case INLINE:
    for (int i = 0; i < 4; i++)
      ws_spawn_inline(&f, leaf, NULL, 0, WS_TIER_NORMAL, NULL);
    expect_children = 4;
    break;
  case DEPS: {
    ws_dep d = {&dep_word, sizeof dep_word, WS_DEP_INOUT};
    ws_task_opts o = {.tier = WS_TIER_NORMAL, .deps = &d, .num_deps = 1};
    for (int i = 0; i < 3; i++)
      ws_spawn_ex(&f, leaf, NULL, 0, &o);
    expect_children = 3;
    break;
  }
  case NESTED:
    ws_spawn(&f, parent_child, NULL, 0, WS_TIER_NORMAL, NULL);
    expect_children = 4;
    break;
  case SLOW:
    ws_spawn(&f, slow_child, NULL, 0, WS_TIER_NORMAL, NULL);
    ws_spawn(&f, leaf, NULL, 0, WS_TIER_NORMAL, NULL);
    expect_children = 2;
    break;
  case INLINE_HIGH: /* the fast path's join looks for higher tiers first */
    for (int i = 0; i < 2; i++)
      ws_spawn_inline(&f, leaf, NULL, 0, WS_TIER_NORMAL, NULL);
    expect_children = 2;
    break;
  }
  /* Newer than the children: a plain wait's first pick. */
  for (int i = 0; i < 4; i++)
    ws_spawn(&other, unrelated, NULL, 0,
             c == INLINE_HIGH ? WS_TIER_HIGH : WS_TIER_NORMAL, NULL);
  in_own_wait = 1;
  int rc = ws_wait_own(&f);
  in_own_wait = 0;
  CHECK(rc == WS_OK, "%s: ws_wait_own returned %d", names[c], rc);
  CHECK(atomic_load(&children_ran) == expect_children,
        "%s: %ld children ran before ws_wait_own returned, expected %ld",
        names[c], atomic_load(&children_ran), expect_children);
  ws_wait(&other);
}

int main(void) {
  CHECK(ws_wait_own(NULL) == WS_EINVAL, "ws_wait_own(NULL)");
  int workers[] = {1, 4};
  long rounds = ws_test_scaled(200, 20);
  for (int k = 0; k < 2; k++) {
    CHECK(ws_init(workers[k]) == WS_OK, "ws_init(%d)", workers[k]);
    atomic_store(&violations, 0);
    atomic_store(&unrelated_ran, 0);
    for (long r = 0; r < rounds; r++)
      for (int c = 0; c < NCASES; c++)
        run_case(c);
    CHECK(atomic_load(&violations) == 0,
          "%d workers: %ld unrelated tasks ran on a thread in an own wait",
          workers[k], atomic_load(&violations));
    CHECK(atomic_load(&unrelated_ran) == rounds * NCASES * 4,
          "%d workers: %ld unrelated tasks ran, expected %ld", workers[k],
          atomic_load(&unrelated_ran), rounds * NCASES * 4);
    ws_shutdown();
  }
  return ws_test_finish("test_wait_own");
}

/*
 * help.c -- a team member waiting at a barrier runs the team's tasks.
 *
 * Explicit tasks run only on the team's own threads (the ws pool has one
 * worker by default, and every member holds a worker record of its own), so
 * that a task sees the number and the threadprivate copies of the member
 * that runs it, as OpenMP specifies.  A barrier is then the place where
 * members that have finished their own part must run the others' tasks:
 * `parallel` + `single` + a task tree leaves every member but one at the
 * barrier, with all the work still to do.
 *
 * libws's public API runs tasks while waiting for a ws object only: a frame
 * (ws_wait) or a handle (ws_handle_wait).  A handle whose task runs on
 * another thread is such a wait: ws_handle_wait runs queued tasks (its own
 * record's, then stolen ones) until that task ends, sleeping briefly (50 us
 * up to 1 ms) when there are none.  So the hot team has a keeper thread:
 * for a barrier generation that someone waits for, it runs a ws task that
 * blocks until the generation ends, and the waiting members wait on that
 * task's handle.  The keeper spawns the task with WS_TASK_UNDEFERRED: it runs
 * at once on the keeper (no worker record, so no thief ever looks at it, and
 * no member can take the blocking body) and is RUNNING before any member
 * waits on its handle.  A runtime entry point "run tasks until this word
 * changes" would remove the keeper and its wake-up (omp/README.md).
 *
 * Shape, for generation g (the barrier's generation word reads g):
 *
 *   member:  keeper_req := max(keeper_req, g + 1); wake the keeper
 *            wait until keeper_armed == g + 1 (or the barrier has ended)
 *            ws_handle_wait(&keeper_h[g & 1])     -- runs tasks meanwhile
 *   keeper:  sees keeper_req == g + 1; spawns, undeferred, with keeper_h[g &
 * 1]: body: keeper_armed := g + 1; sleep until the generation != g
 *
 * Two handles, by parity: the keeper re-arms keeper_h[g & 1] for g + 2 only
 * once generation g + 1 has ended, which needs every member to have arrived
 * at it, so every waiter of g has left ws_handle_wait by then.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wso.h"

typedef struct keeper_job {
  wso_team *team;
  uint32_t gen;
} keeper_job;

static void keeper_body(void *captures) {
  keeper_job j;
  memcpy(&j, captures, sizeof j);
  wso_team *team = j.team;
  /* Seq_cst (see wso_event): the members waiting for the keeper see it in
   * place; our handle is RUNNING already (the wrapper moved it before
   * calling us). */
  atomic_store_explicit(&team->keeper_armed.v, j.gen + 1, memory_order_seq_cst);
  wso_event_wake(&team->keeper_armed);
  /* Sleep, never spin: the members need the CPUs. */
  wso_event_sleep(&team->bar_gen, j.gen);
}

static void *keeper_main(void *arg) {
  wso_team *team = arg;
  uint32_t served = 0;
  for (;;) {
    uint32_t r;
    /* Acquire: pairs with the members' seq_cst request. */
    while ((r = atomic_load_explicit(&team->keeper_req.v,
                                     memory_order_acquire)) == served)
      wso_event_sleep(&team->keeper_req, r);
    served = r;
    keeper_job job = {team, r - 1};
    ws_handle *h = &team->keeper_h[(r - 1) & 1];
    *h = (ws_handle)WS_HANDLE_INIT;
    ws_task_opts o;
    memset(&o, 0, sizeof o);
    o.tier = WS_TIER_NORMAL;
    o.flags = WS_TASK_UNDEFERRED;
    o.handle = h;
    ws_frame f = WS_FRAME_INIT;
    if (ws_spawn_ex(&f, keeper_body, &job, sizeof job, &o) != WS_OK) {
      /* Cannot happen (no requirement, valid arguments); the members would
       * wait for the keeper forever, so say so. */
      fprintf(stderr, "ws-omp: the barrier's keeper task was refused\n");
      abort();
    }
    ws_wait(&f);
  }
  return NULL;
}

int wso_help_start(wso_team *team) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  /* It runs one small task at a time: the spawn, the wrapper, the body. */
  pthread_attr_setstacksize(&attr, 256 * 1024);
  pthread_t th;
  int ok = pthread_create(&th, &attr, keeper_main, team) == 0;
  pthread_attr_destroy(&attr);
  if (ok)
    pthread_detach(th);
  return ok;
}

void wso_help_wait(wso_team *team, uint32_t gen) {
  uint32_t want = gen + 1;
  /* Ask for generation `want`, unless a later one was asked for already
   * (then ours has ended).  Seq_cst (see wso_event): the keeper's check
   * before it sleeps sees the request, or we see it asleep. */
  uint32_t cur =
      atomic_load_explicit(&team->keeper_req.v, memory_order_relaxed);
  while ((int32_t)(want - cur) > 0 &&
         !atomic_compare_exchange_weak_explicit(&team->keeper_req.v, &cur, want,
                                                memory_order_seq_cst,
                                                memory_order_relaxed))
    ;
  wso_event_wake(&team->keeper_req);
  for (;;) {
    /* Acquire: pairs with the release of the generation's end. */
    if (atomic_load_explicit(&team->bar_gen.v, memory_order_acquire) != gen)
      return;
    uint32_t a =
        atomic_load_explicit(&team->keeper_armed.v, memory_order_acquire);
    if (a == want)
      break;
    if ((int32_t)(a - want) > 0)
      return; /* it serves a later generation: ours has ended */
    /* The keeper arms `want` or a later one (the request stays): woken. */
    wso_event_wait(&team->keeper_armed, a);
  }
  /* Runs tasks until the keeper's task ends, when the generation does. */
  ws_handle_wait(&team->keeper_h[gen & 1]);
}

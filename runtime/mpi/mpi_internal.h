/*
 * mpi_internal.h -- what the files of libws-mpi share.  Internal.
 *
 *   tasks.c  the task table, distributed task records (`dtask`), the rank's
 *            queue of stealable distributed tasks, spawning and running them
 *   comm.c   the communication thread: MPI start and table check, the wire
 *            format, stealing between ranks with lifelines, results,
 *            shutdown, per-rank statistics (absent from the no-MPI build)
 *
 * A distributed task's life.  ws_mpi_spawn makes a dtask (its captures
 * inline), links it at the newest end of the rank queue of its tier, and
 * spawns an ordinary libws task (run_dtask) that stands for it in the
 * spawner's frame.  Whoever comes first takes it, under the queue lock:
 *   - run_dtask (a worker of this rank): unlinks it and runs it here; the
 *     result goes straight to the spawner's address (or, for a task that
 *     came from another rank, to the comm thread's outbox);
 *   - the comm thread (a steal request or a lifeline push from another
 *     rank): unlinks the oldest ones, marks them SHIPPED, counts each as one
 *     more child of its frame (ws__ext_child_add) while still holding the
 *     lock -- so the frame cannot complete in between -- and sends them.
 *     The local stand-in later finds SHIPPED and does nothing.  The result
 *     message writes the result and completes that extra child.
 * A SHIPPED record has two owners, the stand-in and the comm thread (refs
 * 2); the last to let go frees it.  A task received from another rank is
 * queued the same way (spawned by the comm thread into its service frame),
 * so it can be stolen again; its result goes to its origin directly.
 */
#ifndef WS_MPI_INTERNAL_H
#define WS_MPI_INTERNAL_H

#include "ws_mpi.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#pragma GCC visibility push(hidden)

/* libws's hooks (runtime/mpi_hooks.c): one more child of `frame`, and its
 * completion. */
__attribute__((visibility("default"))) void ws__ext_child_add(ws_frame *frame);
__attribute__((visibility("default"))) void ws__ext_child_done(ws_frame *frame);
/* Wakes the owner of `frame` if it sleeps in ws_wait (mpi_hooks.c). */
__attribute__((visibility("default"))) void ws__ext_frame_poke(ws_frame *frame);
/* Observability hooks (mpi_hooks.c): the trace's pid and process name, its
 * time origin (now), writing it now (1: this process traces), and the
 * writer of the "mpi" member of the WS_STATS=json: document. */
__attribute__((visibility("default"))) void
ws__ext_trace_process(int pid, const char *name);
__attribute__((visibility("default"))) void ws__ext_trace_rebase(void);
__attribute__((visibility("default"))) int ws__ext_trace_flush(void);
__attribute__((visibility("default"))) void
ws__ext_stats_json(void (*writer)(FILE *f));

enum { DT_QUEUED, DT_LOCAL, DT_SHIPPED };

typedef struct dtask {
  struct dtask *prev, *next; /* rank queue (older, newer), under q_lock */
  _Atomic int refs;          /* SHIPPED: stand-in + comm thread */
  int state;                 /* DT_*, under q_lock */
  int tier;
  const ws_mpi_task *def;
  /* Local origin: the spawner's frame and where the result goes: nres
   * pieces (stored after the captures), rsize bytes in all. */
  ws_frame *frame; /* NULL: the task came from another rank */
  ws_mpi_result *res;
  int nres;
  /* Remote origin: where the result goes. */
  int origin;
  uint64_t token;
  /* A received task: the rank it came from and when (ns, monotonic).  It
   * is not sent back there, nor anywhere within WS_MPI__RESIDENCE_NS of its
   * arrival: two idle ranks would otherwise bounce a task between them
   * faster than either's workers start it; nor while no distributed task
   * runs on its rank (comm.c, settled_before). */
  int from;
  uint64_t arrived_ns;
  uint32_t csize, rsize;
  alignas(16) unsigned char caps[];
} dtask;

/* The rank's state shared by tasks.c and comm.c. */
typedef struct ws_mpi_rt {
  int rank, size;
  int distributed; /* size > 1 and the comm thread runs: tasks may leave */
  pthread_mutex_t q_lock;
  dtask *q_old[WS_NUM_TIERS], *q_new[WS_NUM_TIERS]; /* per tier */
  _Atomic long queued;  /* tasks in the queues (a hint for the comm thread) */
  _Atomic long running; /* distributed tasks running here (likewise) */
  /* A thief is registered on this rank's lifelines: the next distributed
   * spawn wakes the comm thread, which pushes it work at once rather than
   * at the end of its sleep (up to WS_MPI_POLL_US). */
  _Atomic int thief_waits;
  /* Ask ahead: a rank looks for work once at most this many tasks are
   * queued (WS_MPI_PREFETCH, default 3), not only once it is dry, so that
   * a steal's round trip (mostly the victim's sleep, up to WS_MPI_POLL_US)
   * overlaps its last tasks.  Set before the first distributed spawn. */
  _Atomic int low;
} ws_mpi_rt;

extern ws_mpi_rt ws_mpi__rt;

/* Counters: one record per rank, updated with relaxed atomics by workers
 * and the comm thread alike (distributed tasks are coarse; the cost is
 * noise next to the lock each one takes). */
typedef struct ws_mpi_counters {
  _Atomic uint64_t v[sizeof(ws_mpi_stats) / sizeof(uint64_t)];
} ws_mpi_counters;
extern ws_mpi_counters ws_mpi__counters;
#define MPI_STAT_ADD(field, n)                                                 \
  atomic_fetch_add_explicit(                                                   \
      &ws_mpi__counters.v[offsetof(ws_mpi_stats, field) / sizeof(uint64_t)],   \
      (n), memory_order_relaxed)

/* tasks.c */
const ws_mpi_task *ws_mpi__lookup(uint64_t id);
/* The site that names `task` (label: its key) once the table is frozen,
 * else NULL. */
const ws_site *ws_mpi__site(const ws_mpi_task *task);
/* Sorted ids of the table hashed with their keys, and the entry count. */
uint64_t ws_mpi__table_hash(int *count);
void ws_mpi__table_freeze(void);
dtask *ws_mpi__dtask_new(const ws_mpi_task *def, const void *caps,
                         uint32_t csize, uint32_t rsize, int tier,
                         const ws_mpi_result *res, int nres);
/* Writes a result's bytes into its pieces. */
void ws_mpi__scatter(const ws_mpi_result *res, int nres,
                     const unsigned char *bytes);
/* Queues a received task and spawns its stand-in into `service` (comm
 * thread). */
void ws_mpi__enqueue_remote(ws_frame *service, dtask *t);
/* Takes up to `max` queued tasks for rank `thief` (highest tier first,
 * oldest first; not tasks that came from `thief`, nor ones that arrived
 * after `arrived_before` ns), marks them SHIPPED and counts each
 * local-origin one as a child of its frame.  Returns how many were put in
 * out[]. */
int ws_mpi__take(dtask **out, int max, int thief, uint64_t arrived_before);
#define WS_MPI__RESIDENCE_NS 2000000u
/* Out of memory where no result can be right (a worker needs a buffer for
 * a task's result): one line naming the rank, then _exit(1), which makes
 * mpirun end the job. */
_Noreturn void ws_mpi__no_memory(const char *what, size_t bytes);
/* The comm thread is done with a SHIPPED task. */
void ws_mpi__dtask_unref(dtask *t);

/* comm.c (no-op stubs in the no-MPI build) */
int ws_mpi__comm_start(void); /* 1: comm runs (distributed or one rank) */
/* A result for a task that came from another rank (copied). */
void ws_mpi__post_result(int origin, uint64_t token, const void *bytes,
                         uint32_t size);
/* Wakes the comm thread if it sleeps (ws_mpi_spawn_results, while a
 * lifeline thief waits). */
void ws_mpi__comm_nudge(void);
/* A worker finished a distributed task and found `queued` <= ws_mpi__rt.low
 * tasks queued: the rank is about to run dry, so look for work now (wakes
 * the comm thread once per such moment, and when the queue is empty)
 * rather than when it next wakes and sees the worker idle. */
void ws_mpi__comm_hungry(long queued);
/* Rank 0: shut the job down with `status` and wait for it to end. */
void ws_mpi__comm_finish(int status);
/* Ranks > 0: serve until the job ends; returns rank 0's status. */
int ws_mpi__serve(void);

#pragma GCC visibility pop

#endif /* WS_MPI_INTERNAL_H */

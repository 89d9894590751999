/*
 * mpi_hooks.c -- what libws does for libws-mpi (runtime/mpi/), which is a
 * separate library and sees only exported symbols:
 *
 * 1. Two frame hooks, exported but not public API (not in ws.h; declared by
 *    runtime/mpi/mpi_internal.h): a distributed task that another rank runs
 *    is a child of its frame until its result arrives, long after the local
 *    task that stood for it has finished.  ws__ext_child_add counts such a
 *    child (as a spawn by the calling thread would) and ws__ext_child_done
 *    completes it (as a stolen task's completion does; the comm thread calls
 *    it after writing the result, so the owner's ws_wait sees the result).
 *
 * 2. Observability of a job: the rank as the trace's process (pid = rank,
 *    named "rank R"), one time origin for every rank's trace, the trace
 *    written before the job ends (so that rank 0 can merge the ranks'
 *    traces into one file), and a writer for the "mpi" member of the
 *    WS_STATS=json: document (the per-rank counters).
 *
 * 3. The "independent copies" hint: a program started by mpirun that does
 *    not use libws-mpi runs as N unrelated copies, each computing everything.
 *    Said once (by the launcher's rank 0) on stderr when libws is loaded
 *    (shared) or its first pool starts (static libws.a).
 *    libws-mpi defines ws_mpi__linked; a weak reference finds it when it is
 *    part of the program (shared or static).
 */
#include "depend.h"
#include "observe.h"
#include "park.h"
#include "worker.h"

#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define WS__EXPORT __attribute__((visibility("default")))

WS__EXPORT void ws__ext_child_add(ws_frame *frame);
WS__EXPORT void ws__ext_child_done(ws_frame *frame);

void ws__ext_child_add(ws_frame *frame) {
  /* Never takes ownership of a frame nobody spawned into yet: the comm
   * thread may count a child of a frame whose first spawn (which makes the
   * spawner its owner) has not happened yet; it counts as another thread's
   * spawn then, and the owner's own count comes with that first spawn. */
  ws__frame_add_child((ws__frame_rt *)frame, (uintptr_t)&ws__tls_self);
}

void ws__ext_child_done(ws_frame *frame) {
  ws__frame_child_done((ws__frame_rt *)frame, (uintptr_t)&ws__tls_self);
}

/* Wakes the owner of `frame` if it sleeps in ws_wait (a spurious wake-up,
 * which the wait tolerates: it looks for tasks and sleeps again).  A worker
 * waiting for its children sleeps on its frame and new work elsewhere does
 * not wake it (wait.c); libws-mpi calls this when tasks arrive from another
 * rank, for the frames whose children it shipped away (their owners are
 * the workers that may wait for nothing else).  The frame must be alive:
 * the caller knows it has a pending child. */
WS__EXPORT void ws__ext_frame_poke(ws_frame *frame);

void ws__ext_frame_poke(ws_frame *frame) {
  ws__frame_rt *f = (ws__frame_rt *)frame;
  /* Relaxed: bit 0 says that the owner sleeps or is about to (it set the
   * bit with an RMW before its futex wait re-checks the word); a wake
   * that comes just before the sleep is harmless, one that finds the bit
   * clear has nobody to wake. */
  if (atomic_load_explicit(&f->remote, memory_order_relaxed) & 1)
    ws__futex_wake(&f->remote, INT_MAX);
}

WS__EXPORT void ws__ext_trace_process(int pid, const char *name);
WS__EXPORT void ws__ext_trace_rebase(void);
WS__EXPORT int ws__ext_trace_flush(void);
WS__EXPORT void ws__ext_stats_json(void (*writer)(FILE *f));

void ws__ext_trace_process(int pid, const char *name) {
  ws__trace_set_process(pid, name);
}

void ws__ext_trace_rebase(void) { ws__trace_rebase(); }

/* Writes the trace file now (the pool's shutdown then writes nothing more).
 * Returns whether this process was tracing. */
int ws__ext_trace_flush(void) {
  ws__pool *p = ws__pool_peek();
  if (!p || !ws__tracing())
    return 0;
  ws__trace_write(p);
  return 1;
}

/* Before the pool starts (the document is written at its shutdown). */
void ws__ext_stats_json(void (*writer)(FILE *f)) {
  ws__stats_json_extra = writer;
}

extern const int ws_mpi__linked __attribute__((weak));

/* Environment variables set by the launchers: Open MPI's mpirun, PMIx
 * (Open MPI 4+, srun --mpi=pmix) and PMI-1/2 (MPICH's hydra, srun). */
static int launcher_size(int *rank) {
  static const char *const size_vars[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"};
  static const char *const rank_vars[] = {"OMPI_COMM_WORLD_RANK", "PMI_RANK",
                                          "PMIX_RANK"};
  int size = 0;
  for (size_t i = 0; i < sizeof size_vars / sizeof *size_vars && !size; i++) {
    const char *v = getenv(size_vars[i]);
    if (v)
      size = atoi(v);
  }
  *rank = -1;
  for (size_t i = 0; i < sizeof rank_vars / sizeof *rank_vars; i++) {
    const char *v = getenv(rank_vars[i]);
    if (v) {
      *rank = atoi(v);
      break;
    }
  }
  return size;
}

/* Once per process: when the shared libws loads (the constructor), and
 * from ws__config_load at the first pool's start, which also pulls this
 * file into a program linked with the static libws.a (where an
 * unreferenced constructor would be left out). */
void ws__mpi_hint(void) {
  static atomic_flag said = ATOMIC_FLAG_INIT;
  if (&ws_mpi__linked != NULL)
    return; /* libws-mpi makes the ranks one job */
  /* Relaxed: the flag only makes the line unique. */
  if (atomic_flag_test_and_set_explicit(&said, memory_order_relaxed))
    return;
  int rank, size = launcher_size(&rank);
  if (size > 1 && rank == 0)
    fprintf(stderr,
            "ws: started by an MPI launcher with %d processes, but this "
            "program does not use libws-mpi (wscc --mpi, ws::ws_mpi): the %d "
            "processes run as independent copies, each doing all the work\n",
            size, size);
}

__attribute__((constructor)) static void mpi_hint(void) { ws__mpi_hint(); }

/*
 * ws_mpi.h -- libws-mpi: distributed tasks, stolen between the processes
 * (ranks) of an MPI job.  A separate library (`ws::ws_mpi` in CMake, `ws-mpi`
 * in pkg-config) so that single-machine programs never depend on MPI.  The
 * guide's "Distributed tasks" section (docs/distributed.md) explains the model;
 * this header is its reference.
 *
 * Model
 * -----
 * Every rank runs the same executable.  Rank 0 runs the program's `main`; the
 * other ranks serve: they run distributed tasks stolen from other ranks until
 * rank 0's `main` returns, then exit with its status.  A *distributed task*
 * is a task that any rank may run: its captures travel by value (bytes with
 * no pointers into the spawner's memory), and its result -- the bytes the
 * task writes into its result buffer -- is written back at the spawner's
 * `result` address when it completes, wherever it ran.  Its frame counts it
 * as a child like any task: ws_wait(frame) returns once it has finished and
 * its result is in place.  Distributed tasks nest: one running on rank 2 may
 * spawn distributed tasks of its own (into a frame of its own) and wait.
 *
 * Task identity.  A rank receives "run task 0x3f..a1 on these bytes", so
 * every distributed task function has an entry in a table, a `ws_mpi_task`
 * with a stable 64-bit id (FNV-1a of its key, e.g. "file.c:12:search"),
 * registered at start by a constructor (WS_MPI_TASK).  At start the ranks
 * compare a hash of their tables; a mismatch (different executables) ends
 * the job with a clear error and status 1.
 *
 *     static void search_task(void *captures, void *result) {
 *       struct node n;                     // the captures, by value
 *       memcpy(&n, captures, sizeof n);
 *       uint64_t count = search(n);        // may spawn distributed tasks
 *       memcpy(result, &count, sizeof count);
 *     }
 *     WS_MPI_TASK(search_def, search_task)  // file scope: the table entry
 *     ...
 *     uint64_t sub[8];
 *     ws_frame f = WS_FRAME_INIT;
 *     for (int i = 0; i < k; i++)
 *       ws_mpi_spawn(&f, &search_def, &child[i], sizeof child[i],
 *                    WS_TIER_NORMAL, &sub[i], sizeof sub[i]);
 *     ws_wait(&f);                         // sub[] is filled in
 *
 *     int main(int argc, char **argv) {    // rank 0 only, past this call
 *       return ws_mpi_main(argc, argv, real_main);
 *     }
 *
 * Run with `mpirun -n 4 ./prog` (one rank per machine or socket, each with
 * its own pool of WS_NUM_WORKERS workers).  `./prog` alone, without mpirun,
 * is a one-rank run that never initialises MPI and gives the same result.
 *
 * What the `#pragma ws task distributed` clause emits (clang-plugin/
 * Distributed.cpp): one table entry per distributed task, whose outlined
 * function unpacks its by-value captures from `captures` and stores its
 * `shared(x)` results into `result`; a ws_mpi_spawn_results in place of
 * ws_spawn; and ws_mpi_init first in `main`.
 *
 * Joining the job before main.  Programs linked by `wscc --mpi`, CMake's
 * ws::ws_mpi or pkg-config's ws-mpi are linked with -Wl,--wrap=main: the C
 * runtime's call of main reaches libws-mpi's __wrap_main, which calls
 * ws_mpi_init and then (rank 0) main, and ws_mpi_finalize with its status.
 * So main may be in any file, compiled by anything; a ws_mpi_init or
 * ws_mpi_main in it returns WS_EBUSY / goes on.  A program linked without
 * that option must call ws_mpi_init first in main: else, under mpirun, its
 * ranks run as independent copies (said once at the first distributed
 * spawn).
 *
 * Threads.  On each rank one communication thread makes every MPI call
 * (MPI_THREAD_FUNNELED: it is the thread that initialises MPI); workers hand
 * it work through queues.  It never spins while idle: it polls with
 * MPI_Iprobe/MPI_Test and sleeps with a back-off (up to WS_MPI_POLL_US
 * microseconds, default 1000) while nothing happens.
 *
 * Stealing between ranks (lifeline-based global load balancing, Saraswat et
 * al., PPoPP 2011): a rank with at most WS_MPI_PREFETCH (default 3) queued
 * distributed tasks -- asking ahead, so that the answer's latency overlaps
 * its last tasks -- sends up to WS_MPI_STEAL_ATTEMPTS (default 2) steal
 * requests to random ranks, one at a time; a victim answers with up to half
 * of its queued distributed tasks (half the difference to a thief that
 * still has some; highest tier first, oldest first, at most 32) or a
 * refusal.  After that many refusals, once dry, the thief registers on its
 * lifelines (its hypercube neighbours) and waits; a victim that gets work
 * later pushes some to the thieves registered on it.  A task received but
 * not started yet may be stolen again (not back to where it came from, not
 * within 2 ms, and only while its rank runs another distributed task); its
 * result goes straight to its origin.
 *
 * Errors.  A rank that dies ends the whole job (Open MPI's mpirun reports
 * which rank and which signal, and kills the others), with a non-zero
 * status.  Calls return WS_OK or a negative WS_E* code, as in ws.h.
 */
#ifndef WS_MPI_H
#define WS_MPI_H

#include "ws.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The body of a distributed task.  `captures` is the task's private copy of
 * the bytes given at spawn (16-byte aligned); `result` is a buffer of the
 * spawn's result_size bytes (NULL when 0) that the task fills in: on the
 * spawner's rank it is the spawner's own `result` (nothing is copied), on
 * another rank a buffer whose bytes are sent back and written there.  Write
 * the whole result: bytes left unwritten are unspecified. */
typedef void (*ws_mpi_task_fn)(void *captures, void *result);

/* A task table entry.  `key` names the task the same way in every build of
 * the program (the plugin uses "file:line:function"); `id` is computed from
 * it at registration (64-bit FNV-1a) unless non-zero already. */
typedef struct ws_mpi_task {
  const char *key;
  ws_mpi_task_fn fn;
  uint64_t id;
} ws_mpi_task;

/* Adds `task` to this process's task table.  Call before ws_mpi_init or
 * ws_mpi_main, usually from a constructor (WS_MPI_TASK does).  Returns
 * WS_OK, or WS_EINVAL (NULL task, key or fn; an id already registered for
 * another key; or called after ws_mpi_init: the table is fixed then). */
int ws_mpi_register(ws_mpi_task *task);

/* Defines `name`, the table entry of `fn`, registered at start by a
 * constructor.  The key is "file:line:fn" (stable across builds of the same
 * source).  At file scope; the entry is `static`. */
#define WS_MPI_TASK(name, fn)                                                  \
  static ws_mpi_task name = {__FILE__ ":" WS_MPI__STR(__LINE__) ":" #fn, fn,   \
                             0};                                               \
  __attribute__((constructor)) static void ws_mpi__register_##name(void) {     \
    ws_mpi_register(&name);                                                    \
  }
#define WS_MPI__STR(x) WS_MPI__STR2(x)
#define WS_MPI__STR2(x) #x

/* Starts the distributed runtime.  Without an MPI launcher (no mpirun: none
 * of OMPI_COMM_WORLD_SIZE, PMIX_RANK, PMI_SIZE in the environment) it does
 * not touch MPI: the program is one rank.  Under mpirun it starts this
 * rank's communication thread (which calls MPI_Init_thread), checks that
 * every rank has the same task table, and then:
 *   - on rank 0 returns WS_OK; rank 0 goes on with `main`, and the job ends
 *     when it calls ws_mpi_finalize, or exits (an on_exit handler then shuts
 *     the job down with the exit status);
 *   - on the other ranks does not return: the calling thread becomes a worker
 *     of this rank's pool until rank 0 shuts the job down, then the process
 *     exits with rank 0's status.
 * On a table mismatch every rank exits with status 1 after rank 0 says
 * which ranks differ.  Returns WS_EBUSY when called twice.  argc and argv
 * may be NULL. */
int ws_mpi_init(int *argc, char ***argv);

/* Rank 0: shuts the job down (every rank exits with `status`), after which
 * no distributed task may be spawned; ws_mpi_spawn then runs tasks locally.
 * Every distributed task must have finished (every frame waited for).
 * Elsewhere, or without MPI, it does nothing.  Returns WS_OK. */
int ws_mpi_finalize(int status);

/* ws_mpi_init, then `main_fn` on rank 0 only, then ws_mpi_finalize with its
 * status, which it returns (the other ranks exit inside ws_mpi_init). */
int ws_mpi_main(int argc, char **argv, int (*main_fn)(int, char **));

/* This process's rank (0 without MPI or before ws_mpi_init) and the number of
 * ranks (1 likewise). */
int ws_mpi_rank(void);
int ws_mpi_size(void);

/* Spawns the distributed task `task` as a child of `frame`.  `size` bytes at
 * `captures` are copied (by value: they must not hold pointers that the task
 * follows); `tier` as for ws_spawn (stealing between ranks takes the highest
 * tier first); when the task completes, the `result_size` bytes it wrote are
 * at `result` (which must stay valid until ws_wait(frame) returns).  Any
 * rank may run it.  With one rank it is an ordinary ws_spawn.  Returns WS_OK,
 * or WS_EINVAL with nothing spawned: NULL frame or task, a task that is not
 * registered, size or result_size above WS_MPI_MAX_BYTES, or a NULL pointer
 * with a non-zero size. */
int ws_mpi_spawn(ws_frame *frame, const ws_mpi_task *task, const void *captures,
                 size_t size, int tier, void *result, size_t result_size);
#define WS_MPI_MAX_BYTES ((size_t)1 << 24)

/* One piece of a task's result: `size` bytes written back at `addr`. */
typedef struct ws_mpi_result {
  void *addr;
  size_t size;
} ws_mpi_result;
#define WS_MPI_MAX_RESULTS 16

/* ws_mpi_spawn with a result in several pieces (`shared(x) shared(y)`: one
 * per variable or array element).  The task's `result` buffer is the pieces'
 * bytes one after the other, in order, without padding (the task writes
 * piece i at the sum of the sizes before it); when the task completes, each
 * piece is written back at its `addr`.  The array is copied: it may go away
 * when this returns; the addresses must stay valid until ws_wait(frame).
 * Returns as ws_mpi_spawn, and WS_EINVAL for num_results outside
 * [0, WS_MPI_MAX_RESULTS], a NULL results with num_results > 0, a NULL addr
 * with a non-zero size, or a total size above WS_MPI_MAX_BYTES. */
int ws_mpi_spawn_results(ws_frame *frame, const ws_mpi_task *task,
                         const void *captures, size_t size, int tier,
                         const ws_mpi_result *results, int num_results);

/* Per-rank counters of the distributed runtime (WS_STATS=1 prints every
 * rank's on rank 0 at the end of the job). */
typedef struct ws_mpi_stats {
  uint64_t spawned;         /* distributed tasks spawned on this rank */
  uint64_t ran;             /* distributed tasks run on this rank */
  uint64_t shipped;         /* tasks sent to another rank (stolen, pushed) */
  uint64_t received;        /* tasks received from another rank */
  uint64_t results_sent;    /* results sent back to their origin */
  uint64_t steal_requests;  /* steal requests sent (random + lifeline) */
  uint64_t steals_served;   /* requests answered with tasks */
  uint64_t refusals;        /* requests answered with "no work" */
  uint64_t lifeline_pushes; /* tasks messages pushed to lifeline thieves */
  uint64_t msgs_sent;
  uint64_t msgs_received;
  uint64_t bytes_sent;
  uint64_t comm_wakeups; /* communication thread: rounds after a sleep */
  uint64_t comm_cpu_ns;  /* its CPU time (ns) from MPI's start to the end of
                            the job (0 until then) */
  uint64_t steals_ahead; /* steal requests sent while tasks were still
                            queued here (WS_MPI_PREFETCH) */
} ws_mpi_stats;

/* This rank's counters so far (approximate while tasks run).  Returns WS_OK
 * or WS_EINVAL (NULL). */
int ws_mpi_stats_get(ws_mpi_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* WS_MPI_H */

/*
 * observe.h -- observability inside libws: the statistics JSON file
 * (WS_STATS=json:PATH, stats_json.c), the Chrome trace (WS_TRACE=PATH,
 * trace.c) and task timeouts (timeout.c).  Internal to libws.
 *
 * The rest of the runtime only calls hooks declared here.  Every hook on a
 * hot path sits behind ws__tracing(): one relaxed load of a read-mostly
 * global and a branch predicted not taken, so with tracing off nothing else
 * runs and no clock is read.
 */
#ifndef WS_OBSERVE_H
#define WS_OBSERVE_H

#include "worker.h"

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#pragma GCC visibility push(hidden)

/* ---- Statistics JSON (stats_json.c) ---------------------------------------
 */

/* Writes the schema-1 statistics document (docs/formats.md) to `path`.
 * Prints one line on stderr when the file cannot be written. */
void ws__stats_write_json(ws__pool *p, const char *path);
/* Set by libws-mpi before the pool starts (mpi_hooks.c): writes one more
 * member of the document's object, `,\n "mpi": {...}`.  NULL: none. */
extern void (*ws__stats_json_extra)(FILE *f);

/* ---- Trace (trace.c)
 * ---------------------------------------------------------- */

#define WS__TRACE_BUFFER_DEFAULT 1000000 /* events per worker */
#define WS__TRACE_BUFFER_MAX 100000000

/* Non-zero while a pool records a trace.  Set before the pool's workers
 * start and cleared after they have stopped (under the trace lock), so every
 * worker that reads 1 finds its buffer in place. */
extern _Atomic int ws__trace_on;

/* A macro, not an inline function: __builtin_expect must feed the caller's
 * branch directly (LLVM turns it into branch weights before inlining).
 * Relaxed: the flag only changes while no worker of the pool runs (thread
 * creation and join order it against the workers); a plain load on x86. */
#define ws__tracing()                                                          \
  __builtin_expect(atomic_load_explicit(&ws__trace_on, memory_order_relaxed), 0)

/* Pool start, before its worker threads exist: allocates the per-worker
 * buffers when p->cfg.trace_path is set.  On failure, prints one line and
 * leaves tracing off. */
void ws__trace_start(ws__pool *p);
/* Writes the trace file of p (if p is tracing).  Safe while workers still
 * run: each buffer's length is published with release. */
void ws__trace_write(ws__pool *p);
/* Frees p's buffers and turns tracing off (nothing if p is not tracing). */
void ws__trace_stop(ws__pool *p);
/* The trace's pid and process name ("NAME (N workers)") instead of the
 * process id and "ws" (libws-mpi: the rank; see mpi_hooks.c). */
void ws__trace_set_process(int pid, const char *name);
/* Timestamps count from now (libws-mpi: every rank at the same moment, so
 * that the ranks' traces line up). */
void ws__trace_rebase(void);
/* In a fork's child: forget p's trace without writing it. */
void ws__trace_forget(ws__pool *p);

/* Monotonic nanoseconds for trace timestamps (only read with tracing on). */
uint64_t ws__trace_now(void);
/* Runs t's function, recording one task slice on w's track. */
void ws__trace_run_task(ws__worker *w, ws__task *t);
/* Same, for a task run inline at spawn (no descriptor). */
void ws__trace_inline_task(ws__worker *w, ws_task_fn fn, void *captures,
                           int tier, const ws_site *site);
/* w stole `tasks` tasks of `tier` from worker `victim`. */
void ws__trace_steal(ws__worker *w, int victim, int tier, uint64_t tasks);
/* w slept from t0 until now (futex park or frame sleep). */
void ws__trace_park(ws__worker *w, uint64_t t0);

/* ---- Task timeouts (timeout.c) ---------------------------------------------
 */

/* ws_spawn_ex with opts->timeout_ms > 0: spawns `fn` wrapped in a function
 * that arms the deadline when the task starts and checks it when it ends. */
int ws__spawn_timed(ws_frame *frame, ws_task_fn fn, const void *captures,
                    size_t size, const ws_task_opts *opts);

/* The deadline of the innermost running timed task of this thread (NULL:
 * none); see timeout.c. */
struct ws__deadline;
extern _Thread_local struct ws__deadline *ws__cur_deadline
    __attribute__((tls_model("initial-exec")));

/* The function a task really runs: fn itself, or, for a timed task's
 * wrapper, the wrapped function (for trace labels). */
ws_task_fn ws__timed_unwrap(ws_task_fn fn, void *captures);

/* Checkpoint slow path: non-zero if the running task is a timed task past
 * its deadline (counts and reports it the first time). */
int ws__deadline_passed(void);

/* A macro for the same reason as ws__tracing. */
#define ws__timed_out()                                                        \
  (__builtin_expect(ws__cur_deadline != NULL, 0) && ws__deadline_passed())

/* ---- Shared
 * ------------------------------------------------------------------- */

/* Writes `s` as a JSON string literal (quoted, escaped); "null" if NULL. */
void ws__json_string(FILE *f, const char *s);

/* A task's display name: site->label, else "file:line", else the function's
 * symbol, else "task@ADDRESS".  Writes into buf and returns it. */
const char *ws__task_label(const ws_site *site, ws_task_fn fn, char *buf,
                           size_t size);

#pragma GCC visibility pop

#endif /* WS_OBSERVE_H */

/*
 * ws.h -- the whole public API of libws, the ws task-parallel runtime.
 *
 * Most programs never call this header directly: they annotate C code with
 * `#pragma ws task`, `#pragma ws taskwait`, ... and the ws Clang plugin
 * rewrites the directives into the calls below.  Everything here is also
 * usable by hand.
 *
 * Model
 * -----
 * A *frame* (`ws_frame`) is a set of child tasks that someone will wait for.
 * The plugin gives every function that spawns tasks one frame on its stack and
 * waits for it at every `return` and at the closing brace (Cilk's implicit
 * sync), so a task never outlives the function that spawned it and every task
 * has finished its own children before it finishes.  A taskgroup is a frame
 * too, one that can be cancelled.
 *
 *     ws_frame f = WS_FRAME_INIT;
 *     ws_spawn(&f, work, &args, sizeof args, WS_TIER_NORMAL, NULL);
 *     ...
 *     ws_wait(&f);               // runs other tasks while it waits
 *
 * The captured bytes (`args`) are copied into the task at spawn time; the
 * task function receives a pointer to that copy, valid while it runs.
 *
 * Threads: the pool (`WS_NUM_WORKERS`, or the CPUs in the affinity mask)
 * starts lazily at the first spawn.  It has that many workers: worker 0 is
 * the first application thread that spawns (usually `main`), the others are
 * pool threads.  Any application thread may spawn and wait, in any order,
 * and may block or exit between its waits: each one that spawns gets a
 * worker record of its own (its own deque, as cheap as a worker's), runs its
 * own tasks when it waits (stealing others' if it runs out) and sleeps,
 * rather than burn a CPU, while stolen ones finish.  Thieves take what it
 * queued while it does something else, and the pool never needs it to make
 * progress: with one worker, every thread runs its own tasks.  A thread that
 * exits gives its record back (running what it queued and never waited
 * for).
 *
 * fork(): the child gets a fresh pool on its first use.  Fork between waits:
 * tasks queued or running at the fork belong to the parent, and a child that
 * waited for them would wait forever.
 *
 * Errors are returned as negative `WS_E*` codes, the same way everywhere:
 * every call that can be given a bad argument (a NULL frame or function, a
 * count out of range) returns WS_EINVAL and does nothing; calls that cannot
 * fail return void.  Lack of memory never loses a task (it runs inline) and
 * a pool thread that cannot be created leaves a smaller pool; only ws_init
 * reports WS_ENOMEM, when not even the pool's own records can be had.
 * Nothing in the library aborts on bad input.  Environment variables are
 * documented in docs/environment.md.
 */
#ifndef WS_H
#define WS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define WS_VERSION_MAJOR 0
#define WS_VERSION_MINOR 1

/* ---- Error codes (negative errno values, as libuv does) ---------------- */

#define WS_OK 0
#define WS_EINVAL (-22)     /* a bad argument */
#define WS_ENOMEM (-12)     /* out of memory */
#define WS_EBUSY (-16)      /* the pool is running and cannot be changed */
#define WS_ECANCELED (-125) /* the current task's taskgroup was cancelled */

/* Returns a static, human-readable text for a WS_E* code. */
const char *ws_strerror(int code);

/* ---- Priority tiers ----------------------------------------------------- */

/* Higher tiers are popped and stolen first.  `priority(expr)` clamps an
 * integer to this range. */
typedef enum ws_tier {
  WS_TIER_LOW = 0,
  WS_TIER_NORMAL = 1,
  WS_TIER_HIGH = 2,
  WS_TIER_CRITICAL = 3
} ws_tier;
#define WS_NUM_TIERS 4

/* ---- Pool lifetime ------------------------------------------------------ */

/* Starts the pool with `num_workers` workers (0: WS_NUM_WORKERS, else the
 * CPUs in the affinity mask).  The calling thread takes a worker record
 * (worker 0 when it is the first).  Optional: the first spawn starts the
 * pool.  A pool thread that cannot be created leaves a smaller pool (one
 * `ws:` line on stderr); worker 0 alone runs every task.  Returns WS_OK,
 * WS_EINVAL for a negative count (or one above WS_MAX_WORKERS), WS_ENOMEM if
 * the pool cannot be created, or WS_EBUSY if the pool already runs with
 * another size. */
int ws_init(int num_workers);
#define WS_MAX_WORKERS 1024

/* Waits until every spawned task has finished, prints/writes the statistics
 * requested by WS_STATS, stops the workers and frees the pool.  A later spawn
 * or ws_init starts a new pool.  Returns WS_OK, or WS_EBUSY when called from
 * inside a task, from a pool thread, or while another application thread
 * holds a worker record (it has spawned and not exited yet).  At exit the
 * pool shuts down by itself. */
int ws_shutdown(void);

/* Workers in the pool (starting it if needed): those that run, which is
 * fewer than asked when a pool thread could not be created. */
int ws_num_workers(void);

/* This thread's worker index: in [0, ws_num_workers()) for pool threads and
 * worker 0; further application threads that spawn while worker 0 is taken
 * get indexes from ws_num_workers() up (fewer than ws_num_workers() + 256);
 * -1 for a thread that has not spawned. */
int ws_worker_id(void);

/* ---- Frames: spawn and wait ------------------------------------------- */

/* A frame's contents are private to the runtime.  Allocate it anywhere
 * (usually on the stack), initialise it with WS_FRAME_INIT, and call ws_wait
 * on it before it goes out of scope. */
typedef struct ws_frame {
  uint64_t opaque_[6];
} ws_frame;
#define WS_FRAME_INIT                                                          \
  {                                                                            \
    { 0 }                                                                      \
  }

/* Where a task was written: used by statistics and traces.  The plugin emits
 * one `static const ws_site` per directive. */
typedef struct ws_site {
  const char *label; /* name("...") or "file.c:line" */
  const char *file;
  int line;
} ws_site;

/* The body of a task: receives the task's private copy of its captures. */
typedef void (*ws_task_fn)(void *captures);

/* Spawns `fn` as a child of `frame`.  `size` bytes at `captures` are copied
 * into the task (up to WS_INLINE_CAPTURE bytes without any allocation).
 * `tier` is clamped to [WS_TIER_LOW, WS_TIER_CRITICAL]; `site` may be NULL.
 * If memory runs out the task runs at once, inline; it is never lost.
 * Inside a `final` task every spawn runs inline.
 * Returns WS_OK or WS_EINVAL (NULL frame or fn). */
int ws_spawn(ws_frame *frame, ws_task_fn fn, const void *captures, size_t size,
             int tier, const ws_site *site);
#define WS_INLINE_CAPTURE 96

/* ws_spawn for the last spawn before a ws_wait on the same frame (the
 * plugin emits it for a task directly followed by a wait: `taskwait`, a
 * `return`, the end of the function or of the enclosing task).  The task is
 * spawned as by ws_spawn, or, when the wait's first choice would be this very
 * task anyway (a worker thread, no queued task of a higher tier visible, not
 * inside a `final` task, at most WS_INLINE_CAPTURE bytes of captures), run at
 * once in this thread before the call returns: then it costs a call, not a
 * queued task.  Either way it counts as spawned and executed (or cancelled),
 * and nothing may run between this call and the wait that relies on the task
 * staying queued (another worker starting it, say).  Returns as ws_spawn. */
int ws_spawn_last(ws_frame *frame, ws_task_fn fn, const void *captures,
                  size_t size, int tier, const ws_site *site);

/* Flags for ws_spawn_ex. */
#define WS_TASK_UNDEFERRED 1u /* if(false): run now, in this thread */
/* final(true): every task spawned while this one runs (and so on down) runs
 * undeferred, inline; the final task itself is queued as usual unless
 * WS_TASK_UNDEFERRED. */
#define WS_TASK_FINAL 2u

/* Dependence kinds, for `depend(in|out|inout: ...)`.  Among the tasks
 * spawned into one frame (siblings), a task with WS_DEP_IN on some storage
 * waits for the latest earlier sibling with OUT/INOUT on overlapping
 * storage; one with OUT or INOUT waits for that writer and for every IN
 * sibling on overlapping storage since.  Storage is the byte range
 * [addr, addr + len): ranges that overlap conflict, adjacent ones do not;
 * len 0 names nothing.  A task waiting for predecessors is held, not
 * queued, and counts as a child of its frame from its spawn (ws_wait waits
 * for it); the last predecessor to finish releases it.  A cancelled
 * taskgroup's held tasks are skipped, counted as cancelled, and still
 * release their successors.  With WS_TASK_UNDEFERRED (or inside a final
 * task) the spawning thread waits for the predecessors, running other
 * tasks meanwhile, then runs the task.  Tasks without deps are not
 * ordered.  Only the frame's owner thread may spawn dependent tasks into
 * it. */
#define WS_DEP_IN 1
#define WS_DEP_OUT 2
#define WS_DEP_INOUT 3

typedef struct ws_dep {
  const void *addr; /* start of the storage */
  size_t len;       /* its length in bytes (>= 1) */
  int kind;         /* WS_DEP_IN, WS_DEP_OUT or WS_DEP_INOUT */
} ws_dep;

/* Everything a task directive can say.  Zero-initialise, then set fields. */
typedef struct ws_task_opts {
  int tier;            /* WS_TIER_*; clamped */
  unsigned flags;      /* WS_TASK_* */
  const ws_site *site; /* may be NULL */
  unsigned timeout_ms; /* 0: none.  Past it: counted, reported, cancelled */
  const ws_dep *deps;  /* ordering among siblings of the same frame */
  int num_deps;        /* entries in deps; WS_EINVAL if < 0, with a NULL
                          deps, an unknown kind, or from a thread that does
                          not own the frame */
  struct ws_handle *handle; /* NULL, or names this task (see Handles) */
  uint64_t requires;        /* capabilities the worker that runs it must
                               all hold; 0: any worker (see Capabilities) */
  uint64_t prefers;         /* capabilities it should run with, when a
                               worker holding them all is free */
} ws_task_opts;

/* ws_spawn with every option.  `opts` may be NULL (normal tier). */
int ws_spawn_ex(ws_frame *frame, ws_task_fn fn, const void *captures,
                size_t size, const ws_task_opts *opts);

/* Waits until every task spawned into `frame` has finished (each of which has
 * waited for its own children).  A worker runs other tasks meanwhile; another
 * thread sleeps.  Returns WS_OK, or WS_ECANCELED if the frame is a taskgroup
 * that was cancelled (its unstarted tasks were skipped).  A frame belongs to
 * the thread that first spawns into it, which is the one that must wait for
 * it (another thread gets WS_EINVAL); after ws_wait it is empty again and
 * may be reused by any thread. */
int ws_wait(ws_frame *frame);

/* Like ws_wait, but leaves `frame` open: it waits for every task spawned
 * into it so far, and a taskgroup stays the current group with its
 * cancelled state and its dependences.  `#pragma ws taskwait` inside a
 * taskgroup (OpenMP's taskwait does not end the group).  Returns WS_OK,
 * WS_ECANCELED if the frame is a cancelled taskgroup (or was cancelled), or
 * WS_EINVAL for a NULL frame or from a thread that does not own it. */
int ws_wait_open(ws_frame *frame);

/* Like ws_wait, but while it waits this thread runs only tasks spawned into
 * `frame` (and, through their own waits, their descendants): never another
 * queued task, which a plain wait may pick up and run on top of the caller
 * -- and which may want a lock the caller holds (OpenMP's task scheduling
 * constraint for tied tasks).  Every wait made while it is on this thread's
 * stack (ws_wait, ws_wait_open, a ws_spawn_inline slot's wait) is such a
 * wait too, for its own frame.  A child another thread took is waited for,
 * not helped with: the waiter may sleep while other work is queued.  The
 * frame's queued children should be the newest tasks this thread queued
 * (the waiter looks at the 16 newest of each tier).  Returns as ws_wait. */
int ws_wait_own(ws_frame *frame);

/* Runs queued tasks until the 32-bit word at `word` no longer reads `old`
 * (read with acquire semantics: what the changer wrote before its store is
 * visible on return): the calling worker runs its own tasks and steals as
 * in ws_wait, spins a little, yields, then sleeps on the word.  The thread
 * that changes the word wakes it with a process-private futex wake on
 * `word` (FUTEX_WAKE_PRIVATE; the waiter also wakes by itself every 50 us to
 * 1 ms, so a missed wake costs only latency).  A thread without a worker record
 * only sleeps.  For a runtime built on ws: an OpenMP barrier's members run the
 * team's tasks until its generation word moves.  Returns WS_OK, or WS_EINVAL
 * for a NULL word. */
int ws_wait_until(const uint32_t *word, uint32_t old);

/* ---- The inline fast path: ws_spawn_inline ---------------------------- */

/* Captures a task spawned by ws_spawn_inline may have and still take the
 * fast path: they travel inside the deque's slot, one cache line. */
#define WS_SLOT_CAPTURE 48

/* ws_spawn, compiled into the caller.  When the task is a plain one -- the
 * normal tier, at most WS_SLOT_CAPTURE bytes of captures, spawned by a
 * thread with a worker record, outside any taskgroup and any final task,
 * no trace being written -- its function and captures are written straight
 * into a slot of this worker's fast deque (no descriptor, no call), and the
 * frame's wait (ws_wait_pending, ws_wait) takes it back and calls it
 * directly unless a thief took it meanwhile.  Anything else goes through
 * ws_spawn.  Same arguments, result and meaning as ws_spawn; what differs:
 *  - the task's captures are read from the slot while it runs on a thief,
 *    and from a copy on the waiter's stack when its spawner runs it;
 *  - a task its spawner runs has the spawner's context: ws_cancelled()
 *    inside it reads the spawner's frame, not the frame it was spawned
 *    into (it is not in a taskgroup, so only ws_cancel on a plain frame
 *    tells the difference), and WS_STATS counts it as spawned and executed
 *    at the normal tier, but not in a trace (tracing turns the fast path
 *    off);
 *  - the frame must be waited for by the thread that spawned into it,
 *    before that thread waits for any frame it spawned into earlier (the
 *    plugin's code does: every function and task waits before it returns).
 * This is the form the plugin emits for `#pragma ws task`. */
static inline int ws_spawn_inline(ws_frame *frame, ws_task_fn fn,
                                  const void *captures, size_t size, int tier,
                                  const ws_site *site);

/* A task's captures, safe to use across its spawns: `copy`, filled from
 * `arg`, when they are small enough for a slot of the fast path (a
 * compiler keeps such a copy in registers); `arg` itself when they are
 * larger (such a task never runs in a slot). */
static inline void *ws_task_captures(void *arg, void *copy, size_t size) {
  if (size <= WS_SLOT_CAPTURE) {
    __builtin_memcpy(copy, arg, size);
    return copy;
  }
  return arg;
}

/* ws_spawn for a task the fast path refused (ws_scope_refused, below),
 * compiled into the caller: when the refusal was a full ring (a loop spawning
 * far more than it holds; the ring's thousands of tasks are there for thieves)
 * and nothing is due beyond the fast path, the task runs now, as a call of
 * `fn` by name, which the compiler may inline (what ws_spawn itself would
 * do, out of line); otherwise it is ws_spawn. */
static inline int ws_spawn_refused(ws_frame *frame, ws_task_fn fn,
                                   const void *captures, size_t size, int tier,
                                   const ws_site *site);

/* ws_spawn_last, compiled into the caller: when the spawn is plain (as
 * above) and no task of a higher tier is queued anywhere, it calls `fn`
 * with `captures` itself (not a copy: the call has returned before anyone
 * else could see them) and counts it as spawned and executed; otherwise it
 * is ws_spawn_last.  The plugin emits it for a task directly followed by
 * its wait. */
static inline int ws_spawn_last_inline(ws_frame *frame, ws_task_fn fn,
                                       const void *captures, size_t size,
                                       int tier, const ws_site *site);

/* ws_wait if anything was spawned into `frame` since it was last waited
 * for; otherwise nothing, and no call.  Tasks spawned by ws_spawn_inline are
 * taken back and run here, inline; the call to ws_wait is made only for
 * others.  The plugin emits it for taskwait and for the implicit wait at
 * every return of a function that spawns (whose early returns usually
 * spawned nothing: the leaves of a recursion). */
static inline int ws_wait_pending(ws_frame *frame);

/* ---- The plugin's form: a scope beside the frame ---------------------- */

/* What the plugin emits for a function or task that spawns: a `ws_scope`
 * beside its `ws_frame`, both locals.  The scope holds the fast path's part
 * of the frame -- its newest fast child, and how many are pending -- and
 * never has its address passed out of line, so the compiler keeps
 * it in registers; the frame is initialised only by the first spawn that
 * needs it (a task with options, a refused slot, a last spawn that is
 * queued), so a call that spawns nothing, or only fast children, never
 * touches it.  A plain task's captures are built straight in its slot (a
 * struct built on the stack and copied whole makes the processor wait for
 * its field stores to reach the cache):
 *
 *     ws_frame f;                         // no initialiser
 *     ws_scope sc = WS_SCOPE_INIT;
 *     struct caps *c = ws_scope_slot(&sc, sizeof *c, WS_TIER_NORMAL);
 *     if (c) {
 *       *c = (struct caps){.n = n - 1, .out = &x};
 *       ws_scope_push(&sc, task);
 *     } else {
 *       struct caps c2 = {.n = n - 1, .out = &x};
 *       ws_scope_refused(&sc, &f, task, &c2, sizeof c2, WS_TIER_NORMAL, 0);
 *     }
 *     y = work(n - 2);
 *     ws_scope_wait(&sc, &f, task);       // taskwait, and every return
 *
 * ws_scope_slot returns where the captures go (16-byte aligned), or NULL
 * when the task cannot take the fast path (then spawn it with
 * ws_scope_refused); nothing else may spawn between it and ws_scope_push.
 * A task pushed so runs with its captures where they are, in the slot,
 * which its own first spawn reuses: it must read them before it spawns.
 * ws_task_captures does that in one line at the top of the task (the
 * plugin's tasks all start so):
 *
 *     static void task(void *arg) {
 *       struct caps own, *c = ws_task_captures(arg, &own, sizeof own);
 *       ...
 *
 * Two rules more: every spawn made after a scope's fast child and before
 * the scope's wait is waited for first (strict nesting: the plugin's code
 * waits in every function and task before it returns), and the scope and
 * its frame are waited for by the thread that spawned into them.  Any other
 * spawn into the frame takes it from ws_scope_frame. */
typedef struct ws_slot { /* (internal) a claimed slot: deque, slot, index */
  struct ws__fastq *q_;
  struct ws__slot *s_;
  int64_t b_;
} ws_slot;
typedef struct ws_scope {
  ws_slot last_;  /* the newest fast child: deque, slot, index */
  int64_t count_; /* fast children pending: last_.b_ and those below */
  int frame_;     /* the frame beside it was initialised */
} ws_scope;
#define WS_SCOPE_INIT                                                          \
  { {0, 0, 0}, 0, 0 }
/* The scope's frame, initialised (WS_FRAME_INIT) the first time: the frame
 * argument of any other spawn into it (ws_spawn_ex, a distributed task's). */
static inline ws_frame *ws_scope_frame(ws_scope *sc, ws_frame *frame);

/* The two steps of a plain task's spawn into a scope (above). */
static inline void *ws_scope_slot(ws_scope *sc, size_t size, int tier);
static inline void ws_scope_push(ws_scope *sc, ws_task_fn fn);

/* ws_spawn_refused, ws_spawn_inline and ws_spawn_last_inline, for a scope:
 * same arguments and results, `frame` being the scope's (uninitialised
 * until the scope needs it). */
static inline int ws_scope_refused(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
                                   const void *captures, size_t size, int tier,
                                   const ws_site *site);
static inline int ws_scope_spawn(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
                                 const void *captures, size_t size, int tier,
                                 const ws_site *site);
static inline int ws_scope_last(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
                                const void *captures, size_t size, int tier,
                                const ws_site *site);

/* ws_wait_pending, for a scope and its frame: runs the scope's fast
 * children back, newest first (called directly unless a thief took them),
 * then waits for the frame if it was used.  `likely` (or NULL) must be the
 * function of every task pushed into the scope by ws_scope_push (and no
 * ws_scope_spawn into it): the newest child is then called by name,
 * without a look at its slot, so the compiler may inline the task into
 * the wait, and so are the older ones.  The plugin names the one task
 * directive that pushes into the scope.
 * Returns as ws_wait. */
static inline int ws_scope_wait(ws_scope *sc, ws_frame *frame,
                                ws_task_fn likely);

/* ---- The plugin's calling convention: positions ------------------------ */

/* A function that spawns gets from the plugin a clone that takes, as its
 * first argument, the calling thread's fast deque and the index of its next
 * free slot -- a `ws_at`, two words passed in registers -- as Lace's tasks
 * take their worker and deque head.  Strict nesting makes the index exact:
 * every spawn made since it was taken has been waited for.  So the clone's
 * spawns load neither the thread's deque (thread-local) nor `bottom`, and
 * no store-to-load chain through `bottom` runs down a recursion.  The
 * function's own name stays for every other caller (other files, function
 * pointers, thieves) and passes ws_at_here():
 *
 *     static int at_fib(ws_at at, int n) {
 *       ws_frame f;
 *       ws_scope sc = ws_scope_start_at(at, &f);
 *       if (n < 2) return n;
 *       int x, y;
 *       struct caps *c = ws_scope_slot_at(&sc, sizeof *c, WS_TIER_NORMAL);
 *       ...                  // as ws_scope_slot, above; ws_scope_refused_at
 *       y = at_fib(ws_scope_at(&sc), n - 2);  // a call: the next position
 *       struct caps *t = ws_scope_take(&sc, &f);
 *       if (t) {                              // not stolen: run it here
 *         int m = t->n;                       // read before spawning again
 *         x = at_fib(ws_scope_at(&sc), m - 1);
 *         if (ws_scope_done(&sc)) {
 *           int r = x + y;                    // x still in a register
 *           ws_scope_ran(&sc);
 *           return r;
 *         }
 *         ws_scope_ran(&sc);
 *       }
 *       ws_scope_wait_at(&sc, &f, task);      // the rest, as before
 *       return x + y;
 *     }
 *     int fib(int n) { return at_fib(ws_at_here(), n); }
 *
 * A scope initialised at a position must claim its slots with
 * ws_scope_slot_at or ws_scope_spawn_at (which use the position; the
 * others use the thread's), and the position's deque must be the calling
 * thread's, as ws_at_here() or ws_scope_at() of a scope of this thread
 * gives it. */
typedef struct ws_at {
  struct ws__fastq *q_; /* (internal) the thread's fast deque */
  int64_t b_;           /* (internal) its next free index */
} ws_at;
/* The calling thread's position. */
static inline ws_at ws_at_here(void);
/* A scope that starts at position `at`: WS_SCOPE_INIT_AT, or, when the
 * frame beside it must be ready from the start, ws_scope_start_at (the
 * plugin's form: a position where the fast path is off -- inside a
 * taskgroup, a final task, while tracing -- spawns every task into the
 * frame, as other scopes do, and waits for it). */
#define WS_SCOPE_INIT_AT(at)                                                   \
  { {(at).q_, 0, (at).b_ - 1}, 0, 0 }
static inline ws_scope ws_scope_start_at(ws_at at, ws_frame *frame);
/* The scope's position now: its next free index, for a call of a clone. */
static inline ws_at ws_scope_at(const ws_scope *sc);
/* ws_scope_slot, ws_scope_spawn and ws_scope_refused at the scope's
 * position.  A refused plain task that cannot run now as a call (a look
 * beyond the fast path is due, or the ring is not quite full) is spawned
 * into a frame of its own and waited for at once -- run undeferred, which
 * a task may always be -- unless the scope's frame is in use: so a refusal
 * leaves the scope as it was, and the compiler keeps no flag for it across
 * the caller's code between the spawn and the wait.  Other tiers are
 * spawned into the scope's frame, as by ws_scope_refused. */
static inline void *ws_scope_slot_at(ws_scope *sc, size_t size, int tier);
static inline int ws_scope_spawn_at(ws_scope *sc, ws_frame *frame,
                                    ws_task_fn fn, const void *captures,
                                    size_t size, int tier, const ws_site *site);
static inline int ws_scope_refused_at(ws_scope *sc, ws_frame *frame,
                                      ws_task_fn fn, const void *captures,
                                      size_t size, int tier,
                                      const ws_site *site);
/* Takes back the scope's newest fast child -- pushed by ws_scope_slot_at
 * and ws_scope_push, no copy asked -- to be run by the caller itself, in
 * place of a call of its function: its captures, or NULL when there is
 * none, a thief ran it (waited for) or the frame was cancelled (the wait
 * sees to it).  The caller reads the captures before it spawns again (the
 * slot is the next spawn's), runs the task's body, then calls
 * ws_scope_ran; the scope's wait still follows, for the older children. */
static inline void *ws_scope_take(ws_scope *sc, ws_frame *frame);
/* The taken child has returned (statistics: executed). */
static inline void ws_scope_ran(ws_scope *sc);
/* 1 if the scope's wait has nothing left to do (no fast child pending, the
 * frame unused): code after it may run now. */
static inline int ws_scope_done(const ws_scope *sc);
/* ws_scope_wait for a scope started by ws_scope_start_at. */
static inline int ws_scope_wait_at(ws_scope *sc, ws_frame *frame,
                                   ws_task_fn likely);

/* ---- (internal) the fast path's data, shared with the runtime ----------
 * runtime/fast.c explains the protocol; everything named ws__ is private to
 * libws and may change with any release.
 *
 * Each worker record owns one fast deque: an array of slots used as a stack
 * whose index is the spawn depth.  The owner pushes at `bottom` and pops
 * back at its waits, newest first (strict nesting: a frame's fast children
 * are the top `bottom - base` slots), with plain stores and loads: no
 * fence, no read-modify-write.  Thieves, one at a time per deque (`lock`),
 * claim the oldest slots by raising `top`, then pay for the synchronisation
 * themselves with a process-wide barrier (membarrier) before they trust
 * what they claimed; each runs in place, and its owner, reaching such a
 * slot, waits for the thief's `done`. */
typedef struct ws__slot {
  ws_task_fn fn;
  uint32_t done; /* atomic: the bits below */
  uint32_t pad_;
  unsigned char captures[WS_SLOT_CAPTURE] __attribute__((aligned(16)));
} __attribute__((aligned(64))) ws__slot;
/* ws__slot.done: a thief ran it; its owner sleeps on it; the task wants its
 * captures copied before it runs (ws_spawn_inline's; the others read them
 * first themselves: ws_task_captures).  A push stores COPY only when it
 * wants it, and otherwise leaves the word as it finds it: 0, or a COPY
 * left by an earlier push into the slot, which at worst makes the owner
 * run the task from a copy (ws__fast_run_taken).  DONE is never left: the
 * owner clears it where it sees it (fast.c: ws__fast_room,
 * ws__fast_pop_claimed), before the slot can be pushed into again. */
#define WS__SLOT_DONE 1u
#define WS__SLOT_SLEEP 2u
#define WS__SLOT_COPY 4u

typedef struct ws__fastq {
  /* The owner's shared line: the owner writes `bottom` (thieves read it)
   * and `tick`; others write the hints below. */
  int64_t bottom; /* next free index */
  /* Atomic: pushes go below it (fast.c: ws__fast_room); a thief asking
   * for fences sets it to 0, so that the next push looks (want_fence). */
  int64_t limit;
  ws__slot *buf; /* a ring: index i is slot i & mask */
  uint64_t mask;
  const int32_t *sleepers; /* the pool's parked workers */
  /* Pops until the next call out of line (ws__fast_pop_slow): counted
   * down by the owner, set to 0 by a spawner of a high or critical task
   * (fast.c).  WS__FAST_TICK_FENCED or below while `fenced`: every pop
   * then goes out of line, which fences it, and the pop's inline code
   * checks nothing else. */
  int32_t tick;
  /* Pops fence too (a seq_cst fence): thieves were busy on this deque, so
   * they need no membarrier.  Changed under `lock` only (fast.c). */
  uint32_t fenced;
  /* Atomic: a thief paid a membarrier here since the owner last looked
   * (written by thieves while !fenced, with `limit` set to 0 so that the
   * owner's next push looks; its periodic decision looks too).  `tick`,
   * `limit` and this are the fields of this line others write. */
  uint32_t want_fence;
  /* 1 in ws__fast_off alone (never changes): the calling thread's fast
   * path is off, and a scope at a position in it spawns into its frame
   * (ws_scope_start_at). */
  uint32_t off;
  /* The owner's private line: thieves never read it, so that a thief
   * polling `bottom` does not take it from the owner.  Tasks its owner
   * called directly (from a slot or at a last spawn), and those that
   * returned: the difference are running, nested, now.  With the thieves'
   * `stolen` and the owner's `skipped` they make the statistics (fast.c:
   * ws__fast_counts, which reads them rarely). */
  uint64_t calls __attribute__((aligned(64)));
  uint64_t returns;
  /* Colder (the out-of-line paths). */
  uint64_t skipped;  /* popped from a cancelled frame, not run */
  int64_t low;       /* indexes below are free: no thief runs them */
  int64_t size;      /* slots in buf; 0: the fast path is off */
  int64_t room_skip; /* spawns before the next look for room */
  void *buf_mem;     /* buf's allocation (zeroed; buf is aligned in it) */
  /* Retired (fast.c, ws__fastq_retire): its pool is gone, or this is a
   * fork's child's copy.  Only a scope still naming it reads it then. */
  int32_t dead;
  uint64_t fence_stolen; /* `stolen` at the last look (fast_fence_mode) */
  int64_t fence_idle;    /* looks since then without a steal */
  int64_t fence_tick;    /* fenced pops until the fence-mode decision */
  /* The thieves' line: written under `lock` only. */
  int64_t top __attribute__((aligned(64))); /* slots below are claimed */
  uint64_t stolen;                          /* slots claimed and kept */
  uint32_t lock;                            /* atomic: 1 while held */
} ws__fastq;

/* The calling thread's fast deque, never NULL: while the fast path is off
 * for the thread (no worker record, inside a taskgroup or a final task,
 * tracing) a shared one that takes nothing (fast.c, ws__fast_off: no
 * room, so every push is refused; no call allowed, its tick being 0), so
 * that the inline code needs no test for NULL. */
extern __thread ws__fastq *ws__fq __attribute__((tls_model("initial-exec")));

/* Out of line (runtime/fast.c). */
void ws__fast_wake(ws__fastq *q);
int ws__fast_room(ws__fastq *q);
int ws__fast_pop_claimed(ws__fastq *q, int64_t b);
void ws__fast_join_slow(ws_frame *frame);
void ws__fast_join_from(ws_frame *frame, int64_t base);
int ws__fast_pop_slow(ws__fastq *q);

/* ws_frame: opaque_[5] is the fast base (the bottom at the frame's first
 * fast spawn, plus one; 0: none), opaque_[4]'s low half the runtime's
 * frame flags (bit 1: cancelled). */
#define WS__FRAME_FAST_BASE 5
#define WS__FRAME_CANCELLED_BIT 2u
static inline uint32_t ws__frame_flags(const ws_frame *frame) {
  /* Relaxed: ws_cancel may set the bit from another thread; it is a hint
   * as every cancellation is (unstarted tasks are skipped). */
  const uint32_t *w = (const uint32_t *)(const void *)&frame->opaque_[4];
  return __atomic_load_n(w, __ATOMIC_RELAXED);
}

/* The owner's side of its two store->load patterns (a push, then a look at
 * the sleepers; a pop, then a look at `top`): a compiler barrier, the
 * other side making it a full one with membarrier (runtime/park.h; without
 * membarrier the fast path is off).  Under ThreadSanitizer, which does not
 * model membarrier, a full fence (libws is then built with it too). */
#if defined(__SANITIZE_THREAD__)
#define WS__FAST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WS__FAST_TSAN 1
#endif
#endif
static inline void ws__fast_fence(void) {
#ifdef WS__FAST_TSAN
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
#else
  __atomic_signal_fence(__ATOMIC_SEQ_CST);
#endif
}

/* Statistics counters: only the owner writes them (load, add, store);
 * release so that the shutdown's quiescence check can trust them. */
static inline void ws__fast_count(uint64_t *counter) {
  __atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + 1,
                   __ATOMIC_RELEASE);
}

/* The tick in fence mode (ws__fastq.tick): far below 0, so that every pop
 * goes out of line, and apart from a spawner's 0, so that a look is due
 * only after one (ws__fast_no_look). */
#define WS__FAST_TICK_FENCED (-(1 << 30))

/* No look beyond the fast path is due: the tick has not run out (or it is
 * fence mode's, which a spawner's 0 did not replace).  One compare:
 * tick > 0 or tick <= WS__FAST_TICK_FENCED. */
static inline int ws__fast_no_look(const ws__fastq *q) {
  return (uint32_t)__atomic_load_n(&q->tick, __ATOMIC_RELAXED) - 1u <
         (uint32_t)WS__FAST_TICK_FENCED;
}

/* Counts a pop down: 1 when it must go out of line (ws__fast_pop_slow: a
 * high or critical task spawned somewhere, the periodic decision, or a pop
 * that fences).  Relaxed: the owner's count-down and a spawner's 0 may
 * race; a lost 0 delays the look to the next periodic decision (fast.c,
 * ws__fast_pop_slow).  On
 * x86-64 the same relaxed load and store are one `decl` on memory (not
 * locked: only the owner counts), whose flags the branch uses. */
static inline __attribute__((always_inline)) int ws__fast_due(ws__fastq *q) {
#if defined(__x86_64__) && !defined(WS__FAST_TSAN)
  int due;
  __asm__("decl %0" : "+m"(q->tick), "=@ccle"(due));
  return due;
#else
  int32_t t = __atomic_load_n(&q->tick, __ATOMIC_RELAXED) - 1;
  __atomic_store_n(&q->tick, t, __ATOMIC_RELAXED);
  return t <= 0;
#endif
}

/* May a task with these arguments take the fast path?  The normal tier,
 * captures that fit a slot, a frame. */
static inline int ws__fast_plain(const ws_frame *frame, size_t size, int tier) {
  return size <= WS_SLOT_CAPTURE && tier == WS_TIER_NORMAL && frame != 0;
}

/* A spawn's arguments the fast path can take: a function, and captures
 * unless there are none. */
static inline int ws__fast_args(ws_task_fn fn, const void *captures,
                                size_t size) {
  return fn != 0 && (captures != 0 || size == 0);
}

/* May the calling thread run such a task now, as a call (a last spawn, or
 * a spawn the full ring refused: spawn.c)?  A plain task on a fast path
 * whose owner has no look beyond it due (a higher tier queued, the
 * periodic decision: ws__fast_due). */
static inline int ws__fast_may_call(const ws__fastq *q, const ws_frame *frame,
                                    ws_task_fn fn, const void *captures,
                                    size_t size, int tier) {
  return ws__fast_plain(frame, size, tier) &&
         ws__fast_args(fn, captures, size) && ws__fast_no_look(q);
}

/* The owner runs a task of its own directly: counted as running while it
 * does (ws_shutdown and exit inside it see they are in a task), then as
 * executed. */
static inline void ws__fast_call(ws__fastq *q, ws_task_fn fn, void *arg) {
  ws__fast_count(&q->calls);
  fn(arg);
  ws__fast_count(&q->returns);
}

/* A spawn the calling thread's full ring refused (ws_spawn_refused, and
 * spawn.c's ws_spawn): runs it now, as a call, and returns 1 if it may --
 * a task it may call, a ring full up to low + size (not `limit`, which a
 * thief may have lowered to ask for fences), a frame not cancelled. */
static inline int ws__fast_run_refused(ws_frame *frame, ws_task_fn fn,
                                       const void *captures, size_t size,
                                       int tier) {
  ws__fastq *q = ws__fq;
  if (!ws__fast_may_call(q, frame, fn, captures, size, tier) ||
      __atomic_load_n(&q->bottom, __ATOMIC_RELAXED) < q->low + q->size ||
      (ws__frame_flags(frame) & WS__FRAME_CANCELLED_BIT))
    return 0;
  ws__fast_call(q, fn, (void *)(uintptr_t)captures);
  return 1;
}

/* The push found `bottom` at `limit`: 1 if there is room after all.  The
 * ring was found full a moment ago: the next WS__FAST_ROOM_SKIP (fast.c)
 * spawns are refused here, without a call (a loop spawning far more than
 * the ring holds comes here at every spawn); then a look (ws__fast_room). */
static inline int ws__fast_room_near(ws__fastq *q) {
  if (q->room_skip > 0) {
    q->room_skip--;
    return 0;
  }
  return ws__fast_room(q);
}

/* Claims slot b of q -- its owner's next free index: the calling thread's
 * deque and `bottom`, or a scope's position (ws_scope_slot_at) -- for a
 * task with these arguments: its captures' address, or NULL when the fast
 * path refuses it. */
static inline __attribute__((always_inline)) void *
ws__slot_claim_at(ws_slot *sl, ws__fastq *q, int64_t b, size_t size, int tier) {
  if (__builtin_expect(size <= WS_SLOT_CAPTURE && tier == WS_TIER_NORMAL, 1)) {
    /* Relaxed: only a hint comes from elsewhere (the 0 of want_fence). */
    if (__builtin_expect(b < __atomic_load_n(&q->limit, __ATOMIC_RELAXED), 1) ||
        ws__fast_room_near(q)) {
      ws__slot *s = &q->buf[(uint64_t)b & q->mask];
      if (b < 0)
        __builtin_unreachable(); /* indexes count up from 0 */
      /* The slot's address in one register: otherwise the compiler keeps
       * buf and the scaled index apart (for its addressing modes), two
       * callee-saved registers live across the caller's calls instead of
       * one (a push and a pop more in every function that spawns). */
      __asm__("" : "+r"(s));
      sl->q_ = q;
      sl->s_ = s;
      sl->b_ = b;
      return s->captures;
    }
  }
  return 0;
}

/* The same at the calling thread's deque and its `bottom`. */
static inline __attribute__((always_inline)) void *
ws__slot_claim(ws_slot *sl, size_t size, int tier) {
  ws__fastq *q = ws__fq;
  /* Relaxed: only this thread writes bottom. */
  return ws__slot_claim_at(sl, q, __atomic_load_n(&q->bottom, __ATOMIC_RELAXED),
                           size, tier);
}

/* Publishes the claimed slot: its function and flags, then `bottom`. */
static inline __attribute__((always_inline)) void
ws__slot_publish(const ws_slot *sl, ws_task_fn fn, uint32_t flags) {
  ws__fastq *q = sl->q_;
  sl->s_->fn = fn;
  /* Relaxed: no thief writes it until the push below publishes the slot
   * (the last thief's DONE was cleared when the owner saw it). */
  if (flags != 0)
    __atomic_store_n(&sl->s_->done, flags, __ATOMIC_RELAXED);
  /* Release: pairs with the thieves' load of bottom; a thief that sees the
   * new bottom sees the slot's contents. */
  __atomic_store_n(&q->bottom, sl->b_ + 1, __ATOMIC_RELEASE);
  /* Dekker with an idle worker about to park (runtime/park.h): the push
   * above, then a look at the sleepers. */
  ws__fast_fence();
  if (__builtin_expect(__atomic_load_n(q->sleepers, __ATOMIC_RELAXED) > 0, 0))
    ws__fast_wake(q);
}

/* Copies a spawn's captures into its claimed slot (ws_spawn_inline,
 * ws_scope_spawn): 1 if they are there, 0 if there is no slot or the
 * arguments cannot take the fast path. */
static inline __attribute__((always_inline)) int
ws__slot_copy_in(void *slot, ws_task_fn fn, const void *captures, size_t size) {
  if (!__builtin_expect(slot != 0 && ws__fast_args(fn, captures, size), 1))
    return 0;
  if (size)
    __builtin_memcpy(slot, captures, size);
  return 1;
}

static inline void ws__slot_push(ws_frame *frame, const ws_slot *sl,
                                 ws_task_fn fn, uint32_t flags) {
  if (frame->opaque_[WS__FRAME_FAST_BASE] == 0)
    frame->opaque_[WS__FRAME_FAST_BASE] = (uint64_t)sl->b_ + 1;
  ws__slot_publish(sl, fn, flags);
}

static inline int ws_spawn_inline(ws_frame *frame, ws_task_fn fn,
                                  const void *captures, size_t size, int tier,
                                  const ws_site *site) {
  ws_slot sl;
  void *slot = frame != 0 ? ws__slot_claim(&sl, size, tier) : 0;
  if (ws__slot_copy_in(slot, fn, captures, size)) {
    ws__slot_push(frame, &sl, fn, WS__SLOT_COPY);
    return WS_OK;
  }
  return ws_spawn_refused(frame, fn, captures, size, tier, site);
}

static inline int ws_spawn_refused(ws_frame *frame, ws_task_fn fn,
                                   const void *captures, size_t size, int tier,
                                   const ws_site *site) {
  if (__builtin_expect(ws__fast_run_refused(frame, fn, captures, size, tier),
                       1))
    return WS_OK;
  return ws_spawn(frame, fn, captures, size, tier, site);
}

/* A last spawn (ws_spawn_last_inline, ws_scope_last): runs it now, as a
 * call, and returns 1 if the calling thread may (ws__fast_may_call, which
 * reads no more of the frame than its address). */
static inline __attribute__((always_inline)) int
ws__fast_run_last(ws_frame *frame, ws_task_fn fn, const void *captures,
                  size_t size, int tier) {
  ws__fastq *q = ws__fq;
  if (!__builtin_expect(ws__fast_may_call(q, frame, fn, captures, size, tier),
                        1))
    return 0;
  ws__fast_call(q, fn, (void *)(uintptr_t)captures);
  return 1;
}

static inline int ws_spawn_last_inline(ws_frame *frame, ws_task_fn fn,
                                       const void *captures, size_t size,
                                       int tier, const ws_site *site) {
  if (ws__fast_run_last(frame, fn, captures, size, tier))
    return WS_OK;
  return ws_spawn_last(frame, fn, captures, size, tier, site);
}

/* The owner pops index b (the newest): 1 if the slot is its own to run, 0
 * if a thief ran it (waited for: fast.c).  First the count-down: when it
 * runs out, a call (ws__fast_pop_slow: a look beyond the fast path, which
 * runs what it finds to its end, so `bottom` is still b + 1 after it) that
 * also says whether this pop fences.  Then the owner's half of a Dekker
 * pattern with the thieves: store the lowered `bottom`, then load `top`; a
 * slot at or above `top` is ours, one below was claimed by a thief (out of
 * line).  Release store: a thief that reads this bottom and then slots
 * below it sees them as their pushes left them (the pushes' release stores
 * head this sequence).  The barrier between: a full fence while thieves
 * are busy on this deque (they then fence instead of their membarrier:
 * fast.c, fast_fence_mode), else ws__fast_fence's compiler barrier.
 * Relaxed load: a thief's claim and its membarrier (or both sides'
 * fences) make the pair sequentially consistent (fast.c). */
static inline __attribute__((always_inline)) int ws__fast_take(ws__fastq *q,
                                                               int64_t b) {
  int fence = __builtin_expect(ws__fast_due(q), 0) && ws__fast_pop_slow(q);
  __atomic_store_n(&q->bottom, b, __ATOMIC_RELEASE);
  if (__builtin_expect(fence, 0))
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
  else
    ws__fast_fence();
  return __builtin_expect(b >= __atomic_load_n(&q->top, __ATOMIC_RELAXED), 1) ||
         ws__fast_pop_claimed(q, b);
}

/* Runs slot s, taken: in place (the task reads its captures before it
 * spawns into the slot), or from a copy if it asked for one.  `likely`
 * (ws_scope_wait: the function of every push into the scope, none asking
 * for a copy) is called by name, without a look at the slot. */
static inline __attribute__((always_inline)) void
ws__fast_run_taken(ws__fastq *q, ws__slot *s, ws_task_fn likely) {
  ws_task_fn fn;
  if (likely != 0) {
    ws__fast_call(q, likely, s->captures);
    return;
  }
  fn = s->fn;
  /* Relaxed: only this thread writes it while the slot is ours. */
  if (__builtin_expect(
          !(__atomic_load_n(&s->done, __ATOMIC_RELAXED) & WS__SLOT_COPY), 1)) {
    ws__fast_call(q, fn, s->captures);
  } else {
    struct {
      unsigned char c[WS_SLOT_CAPTURE];
    } __attribute__((aligned(16))) copy;
    __builtin_memcpy(&copy, s->captures, sizeof copy);
    __atomic_store_n(&s->done, 0, __ATOMIC_RELAXED); /* the slot's next push */
    ws__fast_call(q, fn, &copy);
  }
}

/* Takes back and runs the fast children below index b down to `base`,
 * newest first (pop: ws__fast_take, with its look beyond the fast path
 * whenever one is due, after which the pops go on here). */
static inline __attribute__((always_inline)) void
ws__fast_pop_down(ws__fastq *q, int64_t b, int64_t base, ws_task_fn likely) {
  while (b > base) {
    b--;
    if (ws__fast_take(q, b))
      ws__fast_run_taken(q, &q->buf[(uint64_t)b & q->mask], likely);
  }
}

/* Takes back and runs the frame's fast children, newest first (pop:
 * ws__fast_take).  A look beyond the fast path (ws__fast_pop_slow: the
 * periodic decision, a higher tier queued) and a claimed slot are calls; a
 * cancelled frame, or no fast path here (ws__fast_off, whose size is 0),
 * the whole join out of line. */
static inline __attribute__((always_inline)) void
ws__fast_join(ws_frame *frame) {
  ws__fastq *q = ws__fq;
  int64_t base, b;
  if (__builtin_expect(q->size == 0 ||
                           (ws__frame_flags(frame) & WS__FRAME_CANCELLED_BIT),
                       0)) {
    ws__fast_join_slow(frame);
    return;
  }
  base = (int64_t)frame->opaque_[WS__FRAME_FAST_BASE] - 1;
  /* Relaxed: only this thread writes bottom. */
  b = __atomic_load_n(&q->bottom, __ATOMIC_RELAXED);
  ws__fast_pop_down(q, b, base, 0);
  frame->opaque_[WS__FRAME_FAST_BASE] = 0;
}

static inline __attribute__((always_inline)) int
ws_wait_pending(ws_frame *frame) {
  int rc = WS_OK;
  if (frame->opaque_[WS__FRAME_FAST_BASE] != 0)
    ws__fast_join(frame);
  /* The frame's owner word (opaque_[2]) is non-zero from the first spawn
   * through ws_spawn until the wait.  Only the waiting thread writes it, so
   * a plain read is race-free -- and lets the compiler see that a frame
   * nothing was spawned into needs no wait. */
  if (frame->opaque_[2])
    rc = ws_wait(frame);
  /* The frame is empty now (ws_wait leaves it so unless it refused a
   * thread that does not own it): said again in stores the compiler sees,
   * so that a wait right after this one -- a return after a taskwait --
   * folds away.  They are redundant, and it drops them. */
  if (rc != WS_EINVAL) {
    frame->opaque_[WS__FRAME_FAST_BASE] = 0;
    frame->opaque_[2] = 0;
  }
  return rc;
}

/* ---- The scope (the plugin's form) ------------------------------------ */

static inline __attribute__((always_inline)) ws_frame *
ws_scope_frame(ws_scope *sc, ws_frame *frame) {
  if (!sc->frame_) {
    static const ws_frame empty = WS_FRAME_INIT;
    /* (Ready already at a position where the fast path is off.) */
    if (!(sc->last_.q_ && sc->last_.q_->off))
      *frame = empty;
    sc->frame_ = 1;
  }
  return frame;
}

static inline __attribute__((always_inline)) void *
ws_scope_slot(ws_scope *sc, size_t size, int tier) {
  return ws__slot_claim(&sc->last_, size, tier);
}

/* Publishes the scope's claimed slot, counted among its children. */
static inline __attribute__((always_inline)) void
ws__scope_publish(ws_scope *sc, ws_task_fn fn, uint32_t flags) {
  sc->count_++;
  ws__slot_publish(&sc->last_, fn, flags);
}

static inline __attribute__((always_inline)) void ws_scope_push(ws_scope *sc,
                                                                ws_task_fn fn) {
  ws__scope_publish(sc, fn, 0);
}

static inline __attribute__((always_inline)) int
ws_scope_refused(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
                 const void *captures, size_t size, int tier,
                 const ws_site *site) {
  return ws_spawn_refused(ws_scope_frame(sc, frame), fn, captures, size, tier,
                          site);
}

static inline __attribute__((always_inline)) int
ws_scope_spawn(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
               const void *captures, size_t size, int tier,
               const ws_site *site) {
  if (ws__slot_copy_in(ws_scope_slot(sc, size, tier), fn, captures, size)) {
    ws__scope_publish(sc, fn, WS__SLOT_COPY);
    return WS_OK;
  }
  return ws_scope_refused(sc, frame, fn, captures, size, tier, site);
}

static inline __attribute__((always_inline)) int
ws_scope_last(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
              const void *captures, size_t size, int tier,
              const ws_site *site) {
  if (ws__fast_run_last(frame, fn, captures, size, tier))
    return WS_OK; /* the frame untouched */
  return ws_spawn_last(ws_scope_frame(sc, frame), fn, captures, size, tier,
                       site);
}

/* Takes back and runs the scope's fast children, newest first.  The
 * newest is the scope's last push, at index last_.b_: every spawn since was
 * waited for (strict nesting), so `bottom` is back at last_.b_ + 1 and
 * neither it nor the slot's address needs a load.  A look beyond the fast
 * path, when due (the owner's tick ran out: every WS__FAST_TICK pops, or a
 * task of a higher tier was spawned), is a call (ws__fast_pop_slow), after
 * which the pops go on here.  The whole join is out of line
 * (ws__fast_join_from) for a frame that was cancelled.  The deque is the
 * scope's own, not the thread's current one (ws__fq): inside a taskgroup's
 * body the thread's is ws__fast_off, and the scope's children are still
 * popped here, as calls; after the pool stopped (ws_shutdown: it ran them) or
 * in a fork's child (they are the parent's) the deque is retired, and every pop
 * finds its slot claimed (fast.c, ws__fastq_retire). */
static inline __attribute__((always_inline)) void
ws__scope_join(ws_scope *sc, ws_frame *frame, ws_task_fn likely) {
  ws__fastq *q = sc->last_.q_;
  /* Strict nesting keeps the scope's children contiguous. */
  int64_t b = sc->last_.b_, base = b - sc->count_ + 1;
  ws_frame *f = sc->frame_ ? frame : 0;
  if (__builtin_expect(f && (ws__frame_flags(f) & WS__FRAME_CANCELLED_BIT),
                       0)) {
    ws__fast_join_from(f, base);
    return;
  }
  if (ws__fast_take(q, b))
    ws__fast_run_taken(q, sc->last_.s_, likely);
  ws__fast_pop_down(q, b, base, likely); /* the older ones */
}

static inline __attribute__((always_inline)) int
ws_scope_wait(ws_scope *sc, ws_frame *frame, ws_task_fn likely) {
  int rc = WS_OK;
  if (sc->count_ != 0) {
    ws__scope_join(sc, frame, likely);
    /* Back at the scope's base: its position (ws_scope_at), exact for a
     * scope at a position; dead code in others. */
    sc->last_.b_ -= sc->count_;
    sc->count_ = 0;
  }
  /* The frame's owner word: as in ws_wait_pending. */
  if (sc->frame_ && frame->opaque_[2]) {
    rc = ws_wait(frame);
    if (rc != WS_EINVAL)
      frame->opaque_[2] = 0;
  }
  return rc;
}

/* ---- Positions (the plugin's calling convention) ---------------------- */

static inline __attribute__((always_inline)) ws_at ws_at_here(void) {
  ws__fastq *q = ws__fq;
  /* Relaxed: only this thread writes bottom. */
  ws_at at = {q, __atomic_load_n(&q->bottom, __ATOMIC_RELAXED)};
  return at;
}

static inline __attribute__((always_inline)) ws_scope
ws_scope_start_at(ws_at at, ws_frame *frame) {
  ws_scope sc = WS_SCOPE_INIT_AT(at);
  /* The frame ready, not flagged in the scope (frame_): the compiler would
   * keep the flag in a register through the function; ws_scope_wait_at
   * and ws_scope_refused_at look at `off` instead. */
  if (__builtin_expect(at.q_->off, 0)) {
    static const ws_frame empty = WS_FRAME_INIT;
    *frame = empty;
  }
  return sc;
}

static inline __attribute__((always_inline)) ws_at
ws_scope_at(const ws_scope *sc) {
  /* last_.b_ is the scope's newest push, or its starting position - 1:
   * every push since was waited for (strict nesting). */
  ws_at at = {sc->last_.q_, sc->last_.b_ + 1};
  return at;
}

static inline __attribute__((always_inline)) void *
ws_scope_slot_at(ws_scope *sc, size_t size, int tier) {
  return ws__slot_claim_at(&sc->last_, sc->last_.q_, sc->last_.b_ + 1, size,
                           tier);
}

/* The cold end of ws_scope_refused_at: an undeferred spawn (a function of
 * its own, out of the caller's way; `unused`: not `inline`, which GCC will
 * not have with `noinline`). */
static __attribute__((noinline, cold, unused)) int
ws__spawn_now(ws_task_fn fn, const void *captures, size_t size, int tier,
              const ws_site *site) {
  ws_frame own = WS_FRAME_INIT;
  int rc = ws_spawn(&own, fn, captures, size, tier, site);
  int wrc = ws_wait(&own);
  return rc != WS_OK ? rc : wrc;
}

static inline __attribute__((always_inline)) int
ws_scope_refused_at(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
                    const void *captures, size_t size, int tier,
                    const ws_site *site) {
  ws__fastq *q = sc->last_.q_;
  if (sc->frame_ || tier != WS_TIER_NORMAL)
    return ws_scope_refused(sc, frame, fn, captures, size, tier, site);
  /* As ws__fast_run_refused; the frame, never used, is not cancelled (at
   * ws__fast_off no call is allowed: its tick is 0). */
  if (__builtin_expect(ws__fast_may_call(q, frame, fn, captures, size, tier) &&
                           __atomic_load_n(&q->bottom, __ATOMIC_RELAXED) >=
                               q->low + q->size,
                       1)) {
    ws__fast_call(q, fn, (void *)(uintptr_t)captures);
    return WS_OK;
  }
  /* The frame is ready (ws_scope_start_at).  ws_spawn itself: a call out
   * of line, not ws_spawn_refused inline (which refuses to call here), whose
   * code would crowd a caller's loop (lacequeens: 20%). */
  if (q->off)
    return ws_spawn(frame, fn, captures, size, tier, site);
  return ws__spawn_now(fn, captures, size, tier, site);
}

static inline __attribute__((always_inline)) int
ws_scope_spawn_at(ws_scope *sc, ws_frame *frame, ws_task_fn fn,
                  const void *captures, size_t size, int tier,
                  const ws_site *site) {
  if (ws__slot_copy_in(ws_scope_slot_at(sc, size, tier), fn, captures, size)) {
    ws__scope_publish(sc, fn, WS__SLOT_COPY);
    return WS_OK;
  }
  return ws_scope_refused_at(sc, frame, fn, captures, size, tier, site);
}

static inline __attribute__((always_inline)) void *
ws_scope_take(ws_scope *sc, ws_frame *frame) {
  ws__fastq *q = sc->last_.q_;
  int64_t b = sc->last_.b_;
  ws__slot *s = sc->last_.s_;
  if (sc->count_ == 0 ||
      __builtin_expect(
          sc->frame_ && (ws__frame_flags(frame) & WS__FRAME_CANCELLED_BIT), 0))
    return 0;
  /* The pop, as the scope's wait pops (ws__scope_join); the slot below
   * becomes the scope's newest (its address is dead code unless the scope
   * has older children for its wait). */
  sc->count_--;
  sc->last_.b_ = b - 1;
  sc->last_.s_ = &q->buf[(uint64_t)(b - 1) & q->mask];
  if (!__builtin_expect(ws__fast_take(q, b), 1))
    return 0;
  ws__fast_count(&q->calls);
  return s->captures;
}

static inline __attribute__((always_inline)) void ws_scope_ran(ws_scope *sc) {
  ws__fast_count(&sc->last_.q_->returns);
}

static inline __attribute__((always_inline)) int
ws_scope_done(const ws_scope *sc) {
  return sc->count_ == 0 && !sc->frame_;
}

static inline __attribute__((always_inline)) int
ws_scope_wait_at(ws_scope *sc, ws_frame *frame, ws_task_fn likely) {
  /* The frame of a start where the fast path is off (not flagged in
   * frame_, which ws_scope_wait looks at): its owner word as there.  Such
   * a scope never has a fast child, which spares the look after a push. */
  int off = sc->count_ == 0 && __builtin_expect(sc->last_.q_->off, 0);
  int rc = ws_scope_wait(sc, frame, likely);
  if (off && frame->opaque_[2]) {
    rc = ws_wait(frame);
    if (rc != WS_EINVAL)
      frame->opaque_[2] = 0;
  }
  return rc;
}

/* ---- Handles: one task by name ---------------------------------------- */

/* A handle names one task spawned with ws_spawn_ex (opts->handle): its state
 * can be read without blocking, and that task alone waited for, from any
 * thread.  Declare it where it outlives the task, initialise it with
 * WS_HANDLE_INIT, and pass its address at the spawn:
 *
 *     ws_handle h = WS_HANDLE_INIT;
 *     ws_task_opts o = {.tier = WS_TIER_NORMAL, .handle = &h};
 *     ws_spawn_ex(&f, work, &args, sizeof args, &o);
 *     ...
 *     if (ws_handle_state(&h) != WS_HANDLE_DONE)
 *       ws_handle_wait(&h);      // this task only; its siblings may run on
 *     ws_wait(&f);               // the frame's wait still waits for all
 *
 * A handle adds a finer wait; it removes none: the task is still a child of
 * its frame and the frame's wait (the plugin's implicit waits) waits for it.
 * So once that wait has returned -- the frame has ended -- the task has
 * finished and the handle keeps its final state (DONE or CANCELLED) for as
 * long as its memory lives: reading it or waiting on it then returns at
 * once, and the runtime never touches it again.  Lifetime: a handle must
 * stay valid until the wait of the frame its task was spawned into has
 * returned (declare it beside the frame, or further out), even when it
 * reached its final state earlier; only then may it be freed or used for
 * another spawn.
 * A handle task costs one allocation more than a plain one; tasks without
 * a handle pay nothing for the feature. */
typedef struct ws_handle {
  uint64_t opaque_[4];
} ws_handle;
#define WS_HANDLE_INIT                                                         \
  {                                                                            \
    { 0 }                                                                      \
  }

/* A handle's states.  NONE: never used for a spawn.  PENDING: spawned, not
 * started (queued, or held by `depend` until its predecessors finish).
 * RUNNING: its body runs.  DONE: its body has returned (it may have stopped
 * early at a checkpoint after a cancellation or its timeout).  CANCELLED:
 * skipped, never started, because its taskgroup was cancelled first. */
#define WS_HANDLE_NONE 0
#define WS_HANDLE_PENDING 1
#define WS_HANDLE_RUNNING 2
#define WS_HANDLE_DONE 3
#define WS_HANDLE_CANCELLED 4

/* The handle's state, without blocking (one atomic load): WS_HANDLE_*, or
 * WS_EINVAL for NULL.  A final state (DONE, CANCELLED) read here means the
 * task's writes are visible to the caller (acquire). */
int ws_handle_state(const ws_handle *h);

/* Waits until the handle's task has finished or was skipped.  A thread that
 * holds a worker record runs other queued tasks meanwhile; a still pending
 * task is run at once by the waiter itself when it may (the task was queued
 * -- not held by `depend` -- and the waiter holds the capabilities it
 * requires), so the wait does not depend on the task's place in a queue.
 * Otherwise the thread spins briefly, then sleeps on the handle (a futex,
 * back-off from 50 us to 1 ms), never burning a CPU.  Any thread may wait,
 * several at once.  Returns WS_OK (DONE), WS_ECANCELED (CANCELLED), or
 * WS_EINVAL for NULL or a handle never used for a spawn (NONE). */
int ws_handle_wait(ws_handle *h);

/* ---- Capabilities: where a task may run ------------------------------- */

/* Workers can carry capabilities: up to WS_MAX_CAPS named bits (one worker
 * that owns a device context or a non-thread-safe library, the workers of
 * one NUMA node, ...), defined by WS_CAPS (docs/environment.md) or
 * ws_caps_define before the pool starts, e.g.
 *
 *     WS_CAPS="gpu=0;numa0=0-1;numa1=2-3"
 *
 * names gpu (bit 0), numa0 (bit 1) and numa1 (bit 2), held by worker 0,
 * workers 0 and 1, and workers 2 and 3.  A task with opts->requires runs
 * only on a worker holding every required bit: no other worker takes it,
 * by stealing or otherwise; a spawn whose requirement no running worker
 * meets returns WS_EINVAL, and nothing is spawned (never a task that would
 * wait forever), with a `ws:` line on stderr the first time the pool
 * refuses each capability (and the first unknown name): a refused spawn in
 * a loop prints one line.  A task with
 * opts->prefers runs on a worker holding all those bits when one is free
 * to take it; when none takes it within about a millisecond, any worker
 * (that meets its requirement) may.  Tiers and aging apply among the tasks
 * each worker may run; within a tier, queued tasks with capabilities are
 * taken newest first, as a worker pops its own deque.  A task with
 * capabilities that finds no memory for its descriptor runs at once if the
 * spawning thread may run it, else ws_spawn_ex returns WS_ENOMEM.  `if(false)`,
 * `final` and inline runs keep the requirement: an undeferred task that the
 * spawning thread may not run is queued for an eligible worker and the spawner
 * waits for it (running other tasks).  Queued with requirements or preferences,
 * a task is not spawned into the spawner's deque but into a queue of its own
 * kind that only eligible workers look at; tasks without them pay nothing.
 *
 * Who holds what: pool threads hold the capabilities WS_CAPS gives their
 * index.  Worker 0 is an application thread (the first that spawns, usually
 * `main`): capabilities given to worker 0 belong to whichever thread holds
 * record 0, and a task that only worker 0 may run runs only while that
 * thread is inside a wait (ws_wait, ws_handle_wait, ...).  The records of
 * further application threads (indexes from ws_num_workers() up) hold no
 * capabilities. */
#define WS_MAX_CAPS 64
#define WS_CAP(bit) ((uint64_t)1 << (bit)) /* a capability by number */
#define WS_CAP_NAME_MAX 31                 /* longest name */

/* Defines the capabilities as WS_CAPS would (same syntax), replacing
 * WS_CAPS for every pool started after this call; NULL returns to WS_CAPS.
 * Returns WS_OK, WS_EINVAL for a malformed spec (nothing changes), or
 * WS_EBUSY while a pool runs (call it before the first spawn or ws_init, or
 * after ws_shutdown). */
int ws_caps_define(const char *spec);

/* The bits of the named capabilities, `names` a list separated by commas
 * ("gpu" or "numa0,gpu"), stored in *caps.  Names come from the running
 * pool's definition, else from the one the next pool will use.  Returns
 * WS_OK, or WS_EINVAL (NULL arguments, an unknown name). */
int ws_caps_lookup(const char *names, uint64_t *caps);

/* ws_caps_lookup for generated code (`requires(gpu)`, `prefers(...)`):
 * the bits of `names`, or, when one is unknown, every bit: as a requirement
 * no worker meets it, so the spawn is refused (with a `ws:` line, once); as a
 * preference it is never met. */
static inline uint64_t ws_caps_named(const char *names) {
  uint64_t caps;
  return ws_caps_lookup(names, &caps) == WS_OK ? caps : ~(uint64_t)0;
}

/* The capabilities of worker record `worker` in the running pool (0 when no
 * pool runs, or for an index outside it). */
uint64_t ws_worker_caps(int worker);

/* ---- Calling existing functions as tasks (libffi) --------------------- */

/* The types of a called function's arguments and result.  Scalars and
 * pointers only: a struct or union passed or returned by value is not
 * supported (pass a pointer to it), nor is a variadic function.  `_Bool` is
 * WS_TYPE_UINT8 holding 0 or 1; an enum is its underlying integer type. */
typedef enum ws_type {
  WS_TYPE_VOID = 0, /* result only: the function returns nothing */
  WS_TYPE_INT8,
  WS_TYPE_UINT8,
  WS_TYPE_INT16,
  WS_TYPE_UINT16,
  WS_TYPE_INT32,
  WS_TYPE_UINT32,
  WS_TYPE_INT64,
  WS_TYPE_UINT64,
  WS_TYPE_FLOAT,
  WS_TYPE_DOUBLE,
  WS_TYPE_LONG_DOUBLE,
  WS_TYPE_POINTER, /* any object pointer: void *, char *, struct s *, ... */
  /* The C names, mapped to the fixed-width type of this platform's size. */
  WS_TYPE_INT,   /* int */
  WS_TYPE_UINT,  /* unsigned int */
  WS_TYPE_LONG,  /* long */
  WS_TYPE_ULONG, /* unsigned long */
  WS_TYPE_SIZE   /* size_t */
} ws_type;

/* Any function, cast to this type for ws_spawn_call: `(ws_call_fn)f`. */
typedef void (*ws_call_fn)(void);
#define WS_CALL_MAX_ARGS 32

/* Spawns the call `fn(*args[0], ..., *args[nargs - 1])` as a child of
 * `frame`, for code built without the plugin and for other languages'
 * foreign-function bindings.  `arg_types[i]` is the type of the value that
 * `args[i]` points to (libffi's convention).  The values are copied at spawn,
 * like ws_spawn's captures, so `arg_types`, `args` and the values may change
 * or go away as soon as this returns.  If `ret` is non-NULL the result, of
 * `ret_type`, is stored there (the type's own size) when the task finishes:
 * read it after ws_wait(frame); `ret` must stay valid until then.  With
 * WS_TYPE_VOID `ret` is ignored.  A task skipped by cancellation never calls
 * `fn` and leaves `*ret` as it was.  `opts` as for ws_spawn_ex (may be NULL).
 * Like ws_spawn it never fails for lack of memory: the call runs inline.
 * Returns WS_OK, or WS_EINVAL, with nothing spawned, for a NULL frame or fn,
 * nargs < 0 or > WS_CALL_MAX_ARGS, NULL arg_types, args or args[i], an
 * unknown type or WS_TYPE_VOID as an argument, a signature libffi cannot
 * prepare, or options ws_spawn_ex refuses.  `fn` must really have the
 * described signature: nothing can check it.
 *
 *     int add(int a, int b);
 *     int a = 2, b = 3, sum;
 *     ws_type types[] = {WS_TYPE_INT, WS_TYPE_INT};
 *     void *args[] = {&a, &b};
 *     ws_spawn_call(&f, (ws_call_fn)add, WS_TYPE_INT, &sum, 2, types, args,
 *                   NULL);
 *     ws_wait(&f);               // sum == 5
 */
int ws_spawn_call(ws_frame *frame, ws_call_fn fn, ws_type ret_type, void *ret,
                  int nargs, const ws_type *arg_types, void *const *args,
                  const ws_task_opts *opts);

/* ---- Taskgroups, checkpoints, cancellation ---------------------------- */

/* Makes `group` (initialised with WS_FRAME_INIT) a taskgroup: tasks spawned
 * into it, and all their descendants, belong to it.  End it with ws_wait. */
int ws_taskgroup_begin(ws_frame *group); /* WS_OK, or WS_EINVAL: NULL */

/* Cancels `group`: its tasks that have not started are skipped and counted
 * as cancelled; running ones see it at their next checkpoint. */
int ws_cancel(ws_frame *group); /* WS_OK, or WS_EINVAL: NULL */

/* Cancels the innermost taskgroup of the running task (or of this thread). */
int ws_cancel_current(void); /* WS_OK, or WS_EINVAL: no taskgroup */

/* Non-zero if the running task has run past its timeout, or if a taskgroup
 * it is in is cancelled: one it belongs to (it was spawned inside it, or
 * inside a group enclosing it), or the innermost one it opened itself and
 * has not ended yet (a task that cancels its own group sees it too).  Called
 * outside any task, the same for this thread's open groups.  A cheap check:
 * `#pragma ws cancellation point`. */
int ws_cancelled(void);

/* A checkpoint: runs pending `critical` tasks here (nested at most
 * WS_MAX_PREEMPT_DEPTH deep), then returns WS_ECANCELED if the running task
 * should stop, else WS_OK.  `#pragma ws yield`. */
int ws_yield(void);
#define WS_MAX_PREEMPT_DEPTH 3

/* ---- Parallel loops ---------------------------------------------------- */

/* The body of a parallel loop: runs normalised iterations [lo, hi) of the
 * loop, reading shared state through `captures` (not copied) and, for
 * reductions, accumulating into `partial` (a private copy set to the
 * identity by `red_init`). */
typedef void (*ws_loop_fn)(uint64_t lo, uint64_t hi, void *captures,
                           void *partial);

#define WS_SCHEDULE_AUTO 0    /* recursive halving down to the grain */
#define WS_SCHEDULE_DYNAMIC 1 /* same as AUTO */
#define WS_SCHEDULE_STATIC 2  /* fixed equal chunks */

typedef struct ws_loop {
  uint64_t trips;     /* iterations, normalised to [0, trips) */
  uint64_t grainsize; /* 0: chosen by the runtime (or from num_tasks) */
  uint64_t num_tasks; /* 0: chosen by the runtime */
  int schedule;       /* WS_SCHEDULE_* */
  int tier;           /* WS_TIER_* */
  const ws_site *site;
  ws_loop_fn body;
  void *captures;
  /* Reductions (red_size 0: none).  Partial results are combined in a fixed
   * tree over the iteration space: for a given grain the result is the same,
   * bit for bit, at any worker count. */
  size_t red_size;
  void (*red_init)(void *partial);                   /* set to identity */
  void (*red_combine)(void *into, const void *from); /* into = into OP from,
                                                        `into` is the left
                                                        (lower) range */
} ws_loop;

/* Runs the loop and waits for it.  With reductions, the combined result is
 * written to `result` (red_size bytes).  Returns WS_OK or WS_EINVAL. */
int ws_parallel_for(const ws_loop *loop, void *result);

/* The exact trip count of a canonical loop (docs/parallel-for.md, section
 * 4), for `#pragma ws parallel for`: the plugin's output calls it before
 * ws_parallel_for.  Values are compared as order keys: a signed value v
 * becomes ws_loop_key_signed(v), an unsigned one (uint64_t)v, so that uint64
 * order is the loop's order and differences stay exact. */
#define WS_LOOP_LT 0 /* i <  b */
#define WS_LOOP_LE 1 /* i <= b */
#define WS_LOOP_GT 2 /* i >  b */
#define WS_LOOP_GE 3 /* i >= b */
#define WS_LOOP_NE 4 /* i != b */

/* Order key of a signed 64-bit value: int64 order onto uint64 order. */
static inline uint64_t ws_loop_key_signed(int64_t v) {
  return (uint64_t)v ^ (UINT64_C(1) << 63);
}

/* Trip count of `for (i = a; i OP b; i += step)`, with a, b, vmin, vmax as
 * order keys ([vmin, vmax]: the keys of the induction variable's type) and
 * step = (step_neg ? -step_mag : +step_mag).  Returns 1 and sets *trips when
 * the serial loop stops after exactly *trips iterations (0 if the test fails
 * at once), visiting a + k*step (k < *trips) and stopping at a value still in
 * [vmin, vmax].  Returns 0 (and *trips = 0) when it would not: the test holds
 * and the step is 0 or points away from b, the variable would leave
 * [vmin, vmax] (wrap or overflow), `!=` would step over b, or op is not a
 * WS_LOOP_ code -- the loop then runs serially.  Never computes b - a + s or
 * a difference + 1, which overflow near the ends of the type. */
static inline int ws_loop_trip_count(uint64_t a, uint64_t b, int op,
                                     int step_neg, uint64_t step_mag,
                                     uint64_t vmin, uint64_t vmax,
                                     uint64_t *trips) {
  int runs;
  uint64_t q; /* trips - 1 */
  uint64_t last;
  *trips = 0;
  switch (op) {
  case WS_LOOP_LT:
    runs = a < b;
    break;
  case WS_LOOP_LE:
    runs = a <= b;
    break;
  case WS_LOOP_GT:
    runs = a > b;
    break;
  case WS_LOOP_GE:
    runs = a >= b;
    break;
  case WS_LOOP_NE:
    runs = a != b;
    break;
  default:
    return 0;
  }
  if (!runs)
    return 1; /* zero trips */
  if (a < vmin || a > vmax || step_mag == 0)
    return 0;
  if (!step_neg) {
    if (op == WS_LOOP_LT)
      q = (b - a - 1) / step_mag;
    else if (op == WS_LOOP_LE)
      q = (b - a) / step_mag;
    else if (op == WS_LOOP_NE && b > a && (b - a) % step_mag == 0)
      q = (b - a) / step_mag - 1;
    else
      return 0;              /* > or >= going up, or != stepping over b */
    last = a + q * step_mag; /* <= b: no overflow */
    if (last > vmax || vmax - last < step_mag)
      return 0; /* the value that ends the loop would leave the type */
  } else {
    if (op == WS_LOOP_GT)
      q = (a - b - 1) / step_mag;
    else if (op == WS_LOOP_GE)
      q = (a - b) / step_mag;
    else if (op == WS_LOOP_NE && a > b && (a - b) % step_mag == 0)
      q = (a - b) / step_mag - 1;
    else
      return 0;              /* < or <= going down, or != stepping over b */
    last = a - q * step_mag; /* >= b: no underflow */
    if (last < vmin || last - vmin < step_mag)
      return 0;
  }
  /* q == UINT64_MAX would need last at an end of the 64-bit range, which
   * the checks above reject. */
  *trips = q + 1;
  return 1;
}

/* ---- Statistics --------------------------------------------------------- */

/* Per-worker counters; always on, written only by their worker. */
typedef struct ws_stats {
  uint64_t spawned;
  uint64_t executed[WS_NUM_TIERS]; /* by tier the task ran at */
  uint64_t stolen;                 /* tasks obtained by stealing */
  uint64_t steal_attempts;
  uint64_t steal_failures;
  uint64_t batch_steals; /* steals that moved more than one task */
  uint64_t batch_moved;  /* tasks moved by those */
  uint64_t spins;        /* idle spin rounds */
  uint64_t yields;       /* sched_yield calls while idle */
  uint64_t parks;        /* futex sleeps */
  uint64_t wakeups;      /* wake-ups sent */
  uint64_t promotions;   /* aging promotions */
  uint64_t preemptions;  /* critical tasks run at a checkpoint */
  uint64_t cancelled;    /* tasks skipped by cancellation */
  uint64_t timed_out;    /* tasks that ran past their timeout */
  uint64_t inline_runs;  /* run at once: if, final, full deque, no memory */
  uint64_t deque_hwm;    /* most tasks queued at once */
  uint64_t busy_ns;      /* time running tasks */
  uint64_t idle_ns;      /* time looking for work or parked */
  /* Tasks with capabilities (opts->requires / prefers) this worker took to
   * run (or to skip, if cancelled): */
  uint64_t required_runs;       /* with a requirement */
  uint64_t preferred_runs;      /* with a preference this worker meets */
  uint64_t preferred_elsewhere; /* with a preference it does not meet */
} ws_stats;

/* Copies up to `capacity` per-worker records into `per_worker` (may be NULL)
 * and their sum into `total` (may be NULL; deque_hwm is the maximum).
 * Returns the number of workers, or 0 if no pool runs. Exact once the
 * pool is quiescent; approximate while tasks run. */
int ws_stats_get(ws_stats *total, ws_stats *per_worker, int capacity);

/* Sets every counter to zero.  Call while the pool is quiescent. */
void ws_stats_reset(void);

/* Prints the per-worker table (what WS_STATS=1 prints at exit) to `stream`
 * (a FILE *; void * keeps <stdio.h> out of this header). */
void ws_stats_print(void *stream);

/* Names the calling thread's row of the table: its worker record (claimed
 * now if it has none, starting the pool if needed) is printed under
 * `label` (up to 15 characters, no blanks: a blank is printed as '_')
 * instead of being summed into the `ext` row with the other application
 * threads beyond worker 0; worker rows are renamed.  Labelled application
 * threads' rows follow the workers', in the natural order of their labels
 * ("omp2" before "omp10").  For runtimes built on ws whose threads are
 * threads of their own model (libws-omp: "omp0", "omp1", ...).  The JSON
 * report keeps them in "external".  Returns WS_OK, WS_EINVAL (NULL or
 * empty label), or WS_ENOMEM (no record could be had).  A record given
 * back by an exiting thread keeps its label until its next holder sets
 * one. */
int ws_stats_label(const char *label);

#ifdef __cplusplus
}
#endif

#endif /* WS_H */

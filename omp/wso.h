/*
 * wso.h -- libws-omp internals: the libomp interface that Clang's OpenMP
 * output calls, implemented on libws's public API (include/ws.h).
 *
 * The interface's facts (names, signatures, the task descriptor Clang fills,
 * flag bits) are those of LLVM's libomp (openmp/runtime/src/kmp.h); the
 * declarations below are our own, with our own names, and only the exported
 * entry points carry libomp's names.
 *
 * Model (see omp/README.md):
 *  - a parallel region is a team of N threads: the encountering thread (tid
 *    0) and N-1 threads that libws-omp keeps parked between regions (the hot
 *    team).  To libws they are application threads: they spawn and wait.
 *  - every implicit and explicit task has a `wso_task` with a ws_frame for
 *    its children; `taskwait` waits for it; an explicit task waits for its
 *    children before it completes (so a barrier that waits for each
 *    member's frame waits for every task of the team).
 *  - explicit tasks are ws tasks (ws_spawn_ex into the current task's
 *    frame); priority maps onto ws tiers, depend onto ws dependences.
 */
#ifndef WSO_H
#define WSO_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "ws.h"

#define WSO_EXPORT __attribute__((visibility("default")))
#define WSO_LIKELY(x) __builtin_expect(!!(x), 1)
#define WSO_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* ---- The interface's types (layouts fixed by Clang's output) ------------ */

/* A source location: Clang emits one per construct.  psource is
 * ";file;function;line;column;;". */
typedef struct wso_ident {
  int32_t reserved_1;
  int32_t flags;
  int32_t reserved_2;
  int32_t reserved_3;
  const char *psource;
} wso_ident;

/* The outlined body of a parallel region: (global tid*, bound tid*, then the
 * captured variables, each passed as one pointer-sized argument). */
typedef void (*wso_microtask)(int32_t *gtid, int32_t *btid, ...);

/* The entry of an explicit task: (global tid, the descriptor). */
typedef int32_t (*wso_task_entry)(int32_t gtid, void *task);

typedef union wso_cmplrdata {
  int32_t priority;
  wso_task_entry destructors;
} wso_cmplrdata;

/* The descriptor __kmpc_omp_task_alloc returns: Clang writes the shared
 * variables' addresses into *shareds, the firstprivate copies after this
 * header (sizeof_kmp_task_t covers both), the priority into data2. */
typedef struct wso_kmp_task {
  void *shareds;
  wso_task_entry routine;
  int32_t part_id; /* untied tasks: the part to run next */
  wso_cmplrdata data1;
  wso_cmplrdata data2;
} wso_kmp_task;

/* A taskloop's pattern task has these right after the descriptor. */
typedef struct wso_taskloop_task {
  wso_kmp_task task;
  uint64_t lb; /* first iteration (inclusive) */
  uint64_t ub; /* last iteration (inclusive) */
  int64_t st;
  int32_t liter; /* set for the chunk that holds the last iteration */
} wso_taskloop_task;

/* Flag bits of __kmpc_omp_task_alloc's `flags` (the compiler's half). */
#define WSO_TASK_TIED 0x01
#define WSO_TASK_FINAL 0x02
#define WSO_TASK_MERGED_IF0 0x04
#define WSO_TASK_DESTRUCTORS 0x08
#define WSO_TASK_PROXY 0x10
#define WSO_TASK_PRIORITY 0x20
#define WSO_TASK_DETACHABLE 0x40
#define WSO_TASK_HIDDEN_HELPER 0x80

/* One depend clause item, as Clang passes it. */
typedef struct wso_dep_info {
  intptr_t base_addr;
  size_t len;
  uint8_t flags; /* WSO_DEP_* */
} wso_dep_info;
#define WSO_DEP_IN 0x01
#define WSO_DEP_OUT 0x02
#define WSO_DEP_MTX 0x04 /* mutexinoutset */
#define WSO_DEP_SET 0x08 /* inoutset */
#define WSO_DEP_ALL 0x80 /* omp_all_memory */

/* The storage Clang reserves per `critical` name (zero-initialised, common
 * to every translation unit using the name). */
typedef int32_t wso_critical_name[8];

/* Loop schedule kinds (libomp's enum sched_type), without modifiers. */
enum {
  WSO_SCH_STATIC_CHUNKED = 33,
  WSO_SCH_STATIC = 34,
  WSO_SCH_DYNAMIC_CHUNKED = 35,
  WSO_SCH_GUIDED_CHUNKED = 36,
  WSO_SCH_RUNTIME = 37,
  WSO_SCH_AUTO = 38,
  WSO_SCH_TRAPEZOIDAL = 39,
  WSO_SCH_STATIC_GREEDY = 40,
  WSO_SCH_STATIC_BALANCED = 41,
  WSO_SCH_GUIDED_ITERATIVE = 42,
  WSO_SCH_GUIDED_ANALYTICAL = 43,
  WSO_SCH_STATIC_STEAL = 44,
  WSO_SCH_STATIC_BALANCED_CHUNKED = 45,
  WSO_SCH_GUIDED_SIMD = 46,
  WSO_SCH_RUNTIME_SIMD = 47,
  WSO_ORD_LOWER = 64, /* ordered kinds: WSO_SCH_* + 32 */
  WSO_ORD_UPPER = 72,
  WSO_DIST_STATIC_CHUNKED = 91,
  WSO_DIST_STATIC = 92,
  WSO_NM_LOWER = 160, /* "nomerge" kinds: WSO_SCH_* + 128 */
  WSO_NM_UPPER = 200,
};
#define WSO_SCH_MODIFIERS ((1u << 29) | (1u << 30))

/* A word that threads wait on to change, with a count of the threads asleep
 * on it, so that a change costs a futex call only when someone sleeps.  The
 * writer changes `v` with a seq_cst operation, then calls wso_event_wake;
 * the waiter counts itself in sleepers (seq_cst), then rereads v (seq_cst):
 * one of the two sees the other's write (Dekker), so no wake-up is lost. */
typedef struct wso_event {
  _Atomic uint32_t v;
  _Atomic uint32_t sleepers;
} wso_event;
/* ---- Our state ---------------------------------------------------------- */

/* Worksharing loops handed out dynamically: a small ring of buffers per team
 * so that threads running ahead (nowait) start the next loop while slow ones
 * finish the previous one. */
#define WSO_DISP_BUFS 8

typedef struct wso_disp {
  _Alignas(64) _Atomic uint64_t ready_for; /* the loop number it serves */
  _Atomic uint32_t phase;                  /* 0 free, 1 being set, 2 set */
  _Atomic uint32_t done;                   /* members finished with it */
  int kind;                                /* WSO_K_* */
  int ordered;
  uint64_t trips;                     /* iterations, normalised to [0, trips) */
  uint64_t chunk;                     /* >= 1 */
  _Alignas(64) _Atomic uint64_t next; /* next unclaimed iteration */
  _Alignas(64) _Atomic uint64_t ordered_next; /* next iteration to enter
                                                 `ordered` */
} wso_disp;

enum { WSO_K_STATIC, WSO_K_DYNAMIC, WSO_K_GUIDED };

typedef struct wso_team wso_team;

/* Per-member state of a worksharing construct: the loop or chunk this
 * thread is in.  One per implicit task (and one in every explicit task,
 * where worksharing constructs run as in a team of one). */
typedef struct wso_ws {
  uint32_t single_seq; /* `single` constructs met in this region */
  uint64_t loop_seq;   /* dynamically scheduled loops met */
  wso_disp *disp;      /* the current loop's buffer (teams of 2+) */
  /* The current dispatched loop, normalised (both team and serial cases). */
  int64_t lb, st; /* iteration i is lb + i * st */
  uint64_t trips, chunk;
  int kind, ordered;
  int active;            /* a dispatched loop is in progress */
  uint64_t static_next;  /* static: the next chunk index for this thread */
  uint64_t cur, cur_end; /* ordered: current iteration, end of chunk */
  int cur_ordered_done;  /* the current iteration ran its `ordered` */
} wso_ws;

typedef struct wso_taskred wso_taskred; /* taskred.c */

/* A task: implicit (a team member's part of a parallel region, or a
 * thread's initial task) or explicit. */
typedef struct wso_task {
  ws_frame frame; /* children */
  wso_team *team; /* the binding team */
  int tid;        /* implicit: thread number in the team */
  int implicit;
  int final;        /* final, or included in a final task */
  int taskgroups;   /* open taskgroups */
  int spawned;      /* something was spawned into frame */
  wso_taskred *red; /* task reductions of its open taskgroups */
  int locks;        /* locks and critical sections it holds */
  int locks_below;  /* included: those its creators on this stack hold */
  wso_ws ws;        /* worksharing state */
} wso_task;

/* A team: one per active parallel region (the hot team), or a team of one
 * for a serialized region and for a thread's initial task. */
struct wso_team {
  int nthreads;
  int level;        /* nesting level of the region: 0 for the initial task */
  int active_level; /* enclosing regions with 2+ threads, this one included */
  wso_team *parent;
  int parent_tid;
  /* The region: its body and arguments. */
  wso_microtask fn;
  int argc;
  void **argv;
  /* Barrier: arrivals and a generation word. */
  _Alignas(64) _Atomic uint32_t bar_count;
  wso_event bar_gen;
  /* End of the region: members still running. */
  _Alignas(64) wso_event running;
  /* `single`: the last claimed construct's number. */
  _Alignas(64) _Atomic uint32_t single_claimed;
  /* copyprivate: the executing thread's data. */
  void *_Atomic cp_data;
  wso_disp *disp; /* WSO_DISP_BUFS of them (teams of 2+ threads) */
};

/* Per OS thread. */
typedef struct wso_thread {
  int32_t gtid;        /* >= 0 once set */
  wso_task *task;      /* the running task */
  wso_team *base_team; /* the team whose implicit task this thread runs */
  int base_tid;
  int nthreads_var;    /* omp_set_num_threads */
  int push_nthreads;   /* num_threads(n) for the next region, 0: none */
  wso_task *init_task; /* the thread's initial task (heap: small TLS) */
  /* Serialized regions entered through __kmpc_serialized_parallel. */
  struct wso_serial *serial;
  struct tp_table *tp; /* threadprivate copies (threadprivate.c) */
  int has_record;      /* holds a ws worker record (runs tasks in waits) */
  struct wso_block_cache *blocks; /* freed task blocks (task.c) */
  int own_waits; /* ws_wait_own calls on this thread's stack (task.c) */
} wso_thread;

/* Initial-exec: one load per access, as libws does for its own state (the
 * struct is small, so it fits the static TLS of a library loaded late). */
extern _Thread_local wso_thread wso_self_
    __attribute__((tls_model("initial-exec")));

/* The calling thread's state, set up on first use. */
wso_thread *wso_thread_init(void);
static inline wso_thread *wso_self(void) {
  wso_thread *t = &wso_self_;
  if (WSO_UNLIKELY(t->task == NULL))
    return wso_thread_init();
  return t;
}

/* Process-wide settings. */
typedef struct wso_config {
  int nthreads;     /* OMP_NUM_THREADS (first level), else the CPUs */
  int max_priority; /* OMP_MAX_TASK_PRIORITY, 0 if unset */
  int wait_passive; /* OMP_WAIT_POLICY=passive */
  int run_kind;     /* OMP_SCHEDULE: WSO_K_* */
  int run_chunk;    /* OMP_SCHEDULE's chunk, 0 if none */
  int run_static_chunked;
  int cancellation; /* OMP_CANCELLATION=true */
  size_t stacksize; /* OMP_STACKSIZE: the hot team's threads' stacks */
} wso_config;
extern wso_config wso_cfg;
void wso_global_init(void);

/* The thread number of the calling thread in the current task's team. */
int wso_thread_num(wso_thread *t);

/* Barrier of the current team (a scheduling point: first waits for the
 * calling member's tasks). */
void wso_barrier(wso_thread *t);

/* The end of a taskgroup whose tasks have finished: combines its task
 * reduction, if any (taskred.c). */
void wso_taskred_end(wso_task *task);

/* Explicit tasks: run the tasks created by the current task; used by the
 * barrier and at the end of a region. */
void wso_task_wait_children(wso_task *task);

/* Futex helpers (Linux). */
void wso_futex_wait(_Atomic uint32_t *addr, uint32_t expected);
void wso_futex_wake(_Atomic uint32_t *addr, int n);

/* Waits until e->v != value: spins a little (unless the team has more
 * threads than the CPUs, or OMP_WAIT_POLICY=passive), yields, then sleeps.
 * Acquire: the writes before the change are visible on return. */
void wso_event_wait(wso_event *e, uint32_t value);
/* The first phase alone: up to `spins` pause instructions (none if the team
 * has more threads than the CPUs, or OMP_WAIT_POLICY=passive); 1 if e->v
 * changed (acquire). */
int wso_event_spin(wso_event *e, uint32_t value, int spins);
/* Spins (pause instructions, about 25 ns each on this machine's CPUs): a
 * wait for an event (a region's start and join, a lock's neighbour) spins
 * about 50 us; a barrier, which can run tasks while it waits
 * (ws_wait_until), only about 5 us first. */
#define WSO_EVENT_SPINS 2000
#define WSO_BARRIER_SPINS 200
/* The last phase alone: sleeps at once, never spins (threads that must not
 * take a CPU from the team while they wait). */
void wso_event_sleep(wso_event *e, uint32_t value);
static inline void wso_event_wake(wso_event *e) {
  if (atomic_load_explicit(&e->sleepers, memory_order_seq_cst))
    wso_futex_wake(&e->v, 0x7fffffff);
}
/* Spinning pays while every thread has a CPU of its own (set per region). */
extern _Atomic int wso_spin_ok;

/* A lock in one 32-bit word: 0 free, 1 held, 2 held with sleepers. */
void wso_word_lock(_Atomic uint32_t *w);
void wso_word_unlock(_Atomic uint32_t *w);
int wso_word_trylock(_Atomic uint32_t *w);

/* The one line for an entry point we do not implement; exits with 2. */
__attribute__((noreturn)) void wso_unsupported(const char *name);

/* ws dependence kind for an OpenMP one (mutexinoutset and inoutset order
 * like inout: stricter, never wrong). */
int wso_dep_kind(uint8_t flags);

#endif /* WSO_H */

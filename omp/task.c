/*
 * task.c -- explicit tasks: allocation, spawn, taskwait, taskgroup,
 * if(false), final, untied, priority, depend, taskwait depend, taskloop,
 * taskyield.
 *
 * An explicit task is one block: our header, then the descriptor Clang
 * fills (wso_kmp_task and its private copies), then the shareds block.
 *
 *   [ wso_etask | wso_kmp_task + privates (sizeof_kmp_task_t) | shareds ]
 *                 ^ what __kmpc_omp_task_alloc returns
 *
 * Deferred, it is a ws task whose captures are the header's address, spawned
 * into the creating task's frame.  Its body runs the routine, then waits for
 * the task's own children (so that a task completes after its descendants:
 * stricter than OpenMP, which lets a task finish first, and what lets a
 * barrier wait for the whole team's tasks by waiting for each member's
 * frame), then frees the block.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wso.h"

/* ---- Source locations for ws's statistics and traces -----------------------
 */

/* Clang's ident for a construct carries ";file;function;line;column;;" when
 * the program is compiled with -g or -gline-tables-only (";unknown;..."
 * otherwise).  ws wants a ws_site that lives as long as the program: one per
 * distinct ident, kept in a small open-addressing table that is read without
 * a lock (a key is published after its site is filled) and filled under
 * one. */
#define WSO_SITES 1024
static struct {
  const wso_ident *_Atomic key;
  ws_site site;
} g_sites[WSO_SITES];
static pthread_mutex_t g_sites_lock = PTHREAD_MUTEX_INITIALIZER;

static int fill_site(ws_site *site, const char *src) {
  /* ;file;function;line;... */
  if (!src || src[0] != ';')
    return 0;
  const char *file = src + 1, *fend = strchr(file, ';');
  if (!fend)
    return 0;
  const char *fn_end = strchr(fend + 1, ';');
  if (!fn_end)
    return 0;
  int line = atoi(fn_end + 1);
  size_t flen = (size_t)(fend - file);
  if (line <= 0 || flen == 0 || (flen == 7 && !strncmp(file, "unknown", 7)))
    return 0;
  char *f = malloc(flen + 1), *label = malloc(flen + 16);
  if (!f || !label) {
    free(f);
    free(label);
    return 0;
  }
  memcpy(f, file, flen);
  f[flen] = 0;
  snprintf(label, flen + 16, "%s:%d", f, line);
  site->file = f;
  site->label = label;
  site->line = line;
  return 1;
}

static const ws_site *site_of(const wso_ident *loc) {
  if (!loc || !loc->psource)
    return NULL;
  size_t h = ((uintptr_t)loc >> 3) * 0x9E3779B97F4A7C15u;
  for (size_t i = 0; i < WSO_SITES; i++) {
    size_t k = (h + i) & (WSO_SITES - 1);
    /* Acquire: pairs with the release below; the site is filled. */
    const wso_ident *key =
        atomic_load_explicit(&g_sites[k].key, memory_order_acquire);
    if (key == loc)
      return g_sites[k].site.label ? &g_sites[k].site : NULL;
    if (key)
      continue;
    pthread_mutex_lock(&g_sites_lock);
    key = atomic_load_explicit(&g_sites[k].key, memory_order_relaxed);
    if (!key) {
      fill_site(&g_sites[k].site, loc->psource);
      atomic_store_explicit(&g_sites[k].key, loc, memory_order_release);
      key = loc;
    }
    pthread_mutex_unlock(&g_sites_lock);
    if (key == loc)
      return g_sites[k].site.label ? &g_sites[k].site : NULL;
  }
  return NULL; /* more than WSO_SITES constructs: unlabelled */
}

typedef struct wso_etask {
  wso_task task;
  wso_task *saved; /* if(false) tasks: the task to return to */
  size_t size;     /* the whole block */
  int32_t flags;   /* WSO_TASK_* */
  int running;     /* the routine has started */
  int requeue;     /* an untied task asked to run its next part */
} wso_etask;

/* The header rounded up so that the descriptor is 16-byte aligned. */
#define WSO_HDR ((sizeof(wso_etask) + 15) & ~(size_t)15)

static inline wso_etask *hdr_of(void *ktask) {
  return (wso_etask *)((char *)ktask - WSO_HDR);
}
static inline wso_kmp_task *ktask_of(wso_etask *e) {
  return (wso_kmp_task *)((char *)e + WSO_HDR);
}

/* ---- Task blocks ------------------------------------------------------------
 *
 * Blocks come and go at the rate tasks do, and are often a few KB
 * (firstprivate arrays: floorplan's board): glibc's malloc serves those
 * from its general bins, and trims and regrows its heap, which cost
 * floorplan about 15% of its time.  Each thread keeps freed blocks per
 * power-of-two size class (256 B to 64 KB) and reuses them: a block goes to
 * the cache of the thread that frees it (in a team, threads make and free
 * tasks in similar numbers), at most WSO_CACHE_BYTES per class and thread;
 * the rest goes back to malloc, as do larger blocks.  The cache is freed
 * when its thread exits. */
#define WSO_CLASS_MIN 8  /* 256 B */
#define WSO_CLASS_MAX 16 /* 64 KB */
#define WSO_CACHE_BYTES (256 * 1024)

typedef struct wso_block_cache {
  void *head[WSO_CLASS_MAX + 1]; /* a free block's first word: the next */
  int count[WSO_CLASS_MAX + 1];
} wso_block_cache;

static pthread_key_t g_cache_key;
static pthread_once_t g_cache_once = PTHREAD_ONCE_INIT;

static void cache_free(void *arg) {
  wso_block_cache *c = arg;
  /* A block freed after this (another key's destructor) starts a new one. */
  wso_self_.blocks = NULL;
  for (int k = WSO_CLASS_MIN; k <= WSO_CLASS_MAX; k++)
    while (c->head[k]) {
      void *b = c->head[k];
      c->head[k] = *(void **)b;
      free(b);
    }
  free(c);
}

static void cache_key_init(void) {
  pthread_key_create(&g_cache_key, cache_free);
}

/* The size class of a block of `size` bytes, or 0: not cached. */
static inline int class_of(size_t size) {
  int k = size <= ((size_t)1 << WSO_CLASS_MIN)
              ? WSO_CLASS_MIN
              : 64 - __builtin_clzll((unsigned long long)size - 1);
  return k <= WSO_CLASS_MAX ? k : 0;
}

static wso_block_cache *cache_of(wso_thread *t) {
  if (WSO_LIKELY(t->blocks != NULL))
    return t->blocks;
  pthread_once(&g_cache_once, cache_key_init);
  t->blocks = calloc(1, sizeof(wso_block_cache));
  if (t->blocks)
    pthread_setspecific(g_cache_key, t->blocks);
  return t->blocks;
}

static void *block_alloc(size_t size) {
  int k = class_of(size);
  void *b = NULL;
  if (k) {
    wso_block_cache *c = cache_of(wso_self());
    if (c && (b = c->head[k]) != NULL) {
      c->head[k] = *(void **)b;
      c->count[k]--;
      return b;
    }
    size = (size_t)1 << k;
  }
  b = malloc(size);
  if (!b) {
    fprintf(stderr, "ws-omp: out of memory allocating a task\n");
    abort();
  }
  return b;
}

static void block_free(void *b, size_t size) {
  int k = class_of(size);
  if (k) {
    wso_block_cache *c = cache_of(wso_self());
    if (c && c->count[k] < (WSO_CACHE_BYTES >> k)) {
      *(void **)b = c->head[k];
      c->head[k] = b;
      c->count[k]++;
      return;
    }
  }
  free(b);
}

/* A task that holds a lock or a critical section (or was included by one
 * that does) waits with ws_wait_own: its thread then runs only the task's
 * descendants, never an unrelated task that may want the same lock (the
 * task scheduling constraint; libws makes every wait nested in it one too).
 * Otherwise a plain wait, which also steals: the common case stays fast. */
static inline int holds_locks(const wso_task *task) {
  return task->locks + task->locks_below > 0;
}

void wso_task_wait_children(wso_task *task) {
  if (task->spawned) {
    if (WSO_UNLIKELY(holds_locks(task))) {
      wso_thread *t = wso_self();
      t->own_waits++;
      ws_wait_own(&task->frame);
      t->own_waits--;
    } else
      ws_wait(&task->frame);
    task->spawned = 0;
  }
}

static void init_header(wso_etask *e, size_t size, int32_t flags) {
  memset(e, 0, sizeof *e);
  e->task.frame = (ws_frame)WS_FRAME_INIT;
  e->size = size;
  e->flags = flags;
}

WSO_EXPORT void *__kmpc_omp_task_alloc(wso_ident *loc, int32_t gtid,
                                       int32_t flags, size_t sizeof_task,
                                       size_t sizeof_shareds,
                                       wso_task_entry entry) {
  (void)loc, (void)gtid;
  wso_self();
  if (flags & WSO_TASK_DETACHABLE)
    wso_unsupported("the detach clause (__kmpc_omp_task_alloc with a "
                    "detachable task)");
  size_t shareds_at = (WSO_HDR + sizeof_task + 15) & ~(size_t)15;
  size_t size = shareds_at + sizeof_shareds;
  wso_etask *e = block_alloc(size);
  init_header(e, size, flags);
  wso_kmp_task *k = ktask_of(e);
  memset(k, 0, sizeof *k);
  k->shareds = sizeof_shareds ? (char *)e + shareds_at : NULL;
  k->routine = entry;
  return k;
}

/* priority(p): 0 (the default) is ws's normal tier, anything higher is
 * high; with OMP_MAX_TASK_PRIORITY=M set, p >= M is critical. */
static int tier_of(wso_etask *e) {
  if (!(e->flags & WSO_TASK_PRIORITY))
    return WS_TIER_NORMAL;
  int p = ktask_of(e)->data2.priority;
  if (p <= 0)
    return WS_TIER_NORMAL;
  if (wso_cfg.max_priority > 0 && p >= wso_cfg.max_priority)
    return WS_TIER_CRITICAL;
  return WS_TIER_HIGH;
}

static void finish(wso_thread *t, wso_etask *e, wso_task *back) {
  wso_kmp_task *k = ktask_of(e);
  /* Untied tasks come back here for each part: run them in a loop, not by
   * recursion (a loop in an untied task makes one part per iteration). */
  while (e->requeue) {
    e->requeue = 0;
    k->routine(t->gtid, k);
  }
  wso_task_wait_children(&e->task);
  t->task = back;
  if (e->flags & WSO_TASK_DESTRUCTORS)
    k->data1.destructors(t->gtid, k);
  block_free(e, e->size);
}

/* Runs the task here and now (deferred tasks, from their ws task; included
 * ones, from the creating thread). */
static void execute(wso_thread *t, wso_etask *e) {
  wso_task *back = t->task;
  t->task = &e->task;
  e->running = 1;
  wso_kmp_task *k = ktask_of(e);
  k->routine(t->gtid, k);
  finish(t, e, back);
}

static void ws_body(void *captures) {
  wso_etask *e;
  memcpy(&e, captures, sizeof e);
  execute(wso_self(), e);
}

/* What adopt decides. */
enum {
  WSO_DEFER,       /* a ws task */
  WSO_INCLUDE,     /* run at once, as every earlier sibling was */
  WSO_INCLUDE_LOCK /* run at once; earlier siblings may be deferred */
};

/* Sets what the task inherits from its creator; says whether it must run at
 * once (included): inside a final task, or in a team of one thread (the
 * initial task, a serialized region), where OpenMP has one thread execute
 * every task -- running them elsewhere would let code that relies on that,
 * like omp_get_thread_num()-indexed or threadprivate data, race.  And while
 * its creator (or a creator below it on this thread's stack) holds a lock
 * or a critical section: a deferred child would make the creator's taskwait
 * a wait that runs any queued task on this thread, over the creator's
 * frame -- and one that wants the same lock could never get it (libomp
 * runs only descendants there; ws_wait runs any task).  OpenMP lets any
 * task run at once. */
static int adopt(wso_task *parent, wso_etask *e) {
  e->task.team = parent->team;
  e->task.red = parent->red; /* task reductions it may join */
  e->task.final = parent->final || (e->flags & WSO_TASK_FINAL) != 0;
  e->task.locks_below = parent->locks + parent->locks_below;
  if (parent->final || parent->team->nthreads == 1)
    return WSO_INCLUDE;
  return e->task.locks_below > 0 ? WSO_INCLUDE_LOCK : WSO_DEFER;
}

/* Without dependences, through libws's inline fast path (ws_spawn_inline:
 * the 8 bytes of captures go straight into a slot of this thread's deque,
 * and the frame's wait calls the task back directly unless a thief took
 * it; anything else -- a priority, a trace -- falls back to ws_spawn).  Its
 * rule, that a thread waits for the frames it spawned into newest first,
 * holds here: every task waits for its own frame before it completes, and
 * an implicit task waits for its frame at each barrier, in a thread that is
 * running no other task then. */
static void spawn(const wso_ident *loc, wso_task *parent, wso_etask *e,
                  const ws_dep *deps, int ndeps) {
  parent->spawned = 1;
  int rc;
  if (ndeps == 0) {
    rc = ws_spawn_inline(&parent->frame, ws_body, &e, sizeof e, tier_of(e),
                         site_of(loc));
  } else {
    ws_task_opts o;
    memset(&o, 0, sizeof o);
    o.tier = tier_of(e);
    o.site = site_of(loc);
    o.deps = deps;
    o.num_deps = ndeps;
    rc = ws_spawn_ex(&parent->frame, ws_body, &e, sizeof e, &o);
  }
  if (rc != WS_OK) {
    fprintf(stderr, "ws-omp: spawning a task failed: %s\n", ws_strerror(rc));
    abort();
  }
}

WSO_EXPORT int32_t __kmpc_omp_task(wso_ident *loc, int32_t gtid, void *ktask) {
  (void)loc, (void)gtid;
  wso_etask *e = hdr_of(ktask);
  if (e->running) {
    /* An untied task at a scheduling point: Clang set the part to resume
     * at and gives the task back.  It resumes on this thread as soon as
     * the current part returns (see finish). */
    e->requeue = 1;
    return 0;
  }
  wso_thread *t = wso_self();
  wso_task *parent = t->task;
  if (adopt(parent, e) != WSO_DEFER)
    execute(t, e);
  else
    spawn(loc, parent, e, NULL, 0);
  return 0;
}

WSO_EXPORT void __kmpc_omp_task_begin_if0(wso_ident *loc, int32_t gtid,
                                          void *ktask) {
  (void)loc, (void)gtid;
  wso_thread *t = wso_self();
  wso_etask *e = hdr_of(ktask);
  adopt(t->task, e);
  e->saved = t->task;
  e->running = 1;
  t->task = &e->task;
}

WSO_EXPORT void __kmpc_omp_task_complete_if0(wso_ident *loc, int32_t gtid,
                                             void *ktask) {
  (void)loc, (void)gtid;
  wso_etask *e = hdr_of(ktask);
  finish(wso_self(), e, e->saved);
}

WSO_EXPORT int32_t __kmpc_omp_taskwait(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_task_wait_children(wso_self()->task);
  return 0;
}

WSO_EXPORT int32_t __kmpc_omp_taskyield(wso_ident *loc, int32_t gtid,
                                        int end_part) {
  (void)loc, (void)gtid, (void)end_part;
  /* ws_yield may run a critical task here: not with a lock held (see
   * holds_locks); OpenMP lets taskyield do nothing. */
  if (!holds_locks(wso_self()->task))
    ws_yield();
  return 0;
}

/* A taskgroup waits for the tasks created in it and their descendants.  A
 * task's children all go into its one frame (dependences are tracked per
 * frame, and siblings inside and outside the group may depend on each
 * other), so the end of the group waits for every child of the task:
 * children created before the group too, which is stricter than needed and
 * never wrong. */
WSO_EXPORT void __kmpc_taskgroup(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_self()->task->taskgroups++;
}

WSO_EXPORT void __kmpc_end_taskgroup(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_task *task = wso_self()->task;
  wso_task_wait_children(task);
  wso_taskred_end(task);
  task->taskgroups--;
}

/* ---- depend -----------------------------------------------------------------
 */

int wso_dep_kind(uint8_t flags) {
  if (flags & (WSO_DEP_OUT | WSO_DEP_MTX | WSO_DEP_SET))
    return WS_DEP_INOUT;
  return WS_DEP_IN;
}

/* Converts both lists into `out` (room for n1 + n2); returns the count, or
 * -1 if an item is omp_all_memory. */
static int convert_deps(ws_dep *out, int32_t n1, const wso_dep_info *l1,
                        int32_t n2, const wso_dep_info *l2) {
  int n = 0;
  for (int pass = 0; pass < 2; pass++) {
    int32_t cnt = pass ? n2 : n1;
    const wso_dep_info *l = pass ? l2 : l1;
    for (int32_t i = 0; i < cnt; i++) {
      if (l[i].flags & WSO_DEP_ALL)
        return -1;
      if (!l[i].flags)
        continue;
      out[n].addr = (const void *)l[i].base_addr;
      /* libomp matches items by address; ws by byte range: a zero length
       * still names the address. */
      out[n].len = l[i].len ? l[i].len : 1;
      out[n].kind = wso_dep_kind(l[i].flags);
      n++;
    }
  }
  return n;
}

static ws_dep *deps_buffer(ws_dep *small, size_t nsmall, int32_t n) {
  if ((size_t)n <= nsmall)
    return small;
  ws_dep *d = malloc(sizeof *d * (size_t)n);
  if (!d) {
    fprintf(stderr, "ws-omp: out of memory for a depend clause\n");
    abort();
  }
  return d;
}

static void wait_deps(int32_t ndeps, wso_dep_info *deps, int32_t nnoalias,
                      wso_dep_info *noalias);

WSO_EXPORT int32_t __kmpc_omp_task_with_deps(wso_ident *loc, int32_t gtid,
                                             void *ktask, int32_t ndeps,
                                             wso_dep_info *deps,
                                             int32_t nnoalias,
                                             wso_dep_info *noalias) {
  wso_etask *e = hdr_of(ktask);
  if (e->running)
    return __kmpc_omp_task(loc, gtid, ktask);
  wso_thread *t = wso_self();
  wso_task *parent = t->task;
  int how = adopt(parent, e);
  if (how == WSO_INCLUDE) {
    /* Included: every earlier sibling was included too, and has finished. */
    execute(t, e);
    return 0;
  }
  if (how == WSO_INCLUDE_LOCK) {
    /* Included, after the earlier siblings it depends on. */
    wait_deps(ndeps, deps, nnoalias, noalias);
    execute(t, e);
    return 0;
  }
  ws_dep small[8];
  ws_dep *d = deps_buffer(small, 8, ndeps + nnoalias);
  int n = convert_deps(d, ndeps, deps, nnoalias, noalias);
  if (n < 0) {
    /* depend(omp_all_memory): after every earlier sibling, before every
     * later one -- wait for the siblings, then run it here. */
    wso_task_wait_children(parent);
    execute(t, e);
  } else {
    spawn(loc, parent, e, d, n);
  }
  if (d != small)
    free(d);
  return 0;
}

static void empty_body(void *captures) { (void)captures; }

/* Waits for the earlier siblings the items depend on (taskwait depend, and
 * an if(false) task with depend before Clang runs it inline): an empty
 * undeferred ws task with the same items, which ws starts once its
 * predecessors have finished.  Later siblings then find it finished. */
static void wait_deps(int32_t ndeps, wso_dep_info *deps, int32_t nnoalias,
                      wso_dep_info *noalias) {
  wso_thread *t = wso_self();
  wso_task *parent = t->task;
  if (parent->final || parent->team->nthreads == 1)
    return; /* every earlier sibling was included */
  if (WSO_UNLIKELY(holds_locks(parent) || t->own_waits > 0)) {
    /* libws waits for the predecessors of an undeferred task with a plain
     * wait, which may run any task: under a lock (or inside an own wait,
     * on top of a task that holds one) wait for every child, own-only --
     * stricter, never wrong. */
    wso_task_wait_children(parent);
    return;
  }
  ws_dep small[8];
  ws_dep *d = deps_buffer(small, 8, ndeps + nnoalias);
  int n = convert_deps(d, ndeps, deps, nnoalias, noalias);
  if (n < 0) {
    wso_task_wait_children(parent);
  } else if (n > 0) {
    ws_task_opts o;
    memset(&o, 0, sizeof o);
    o.tier = WS_TIER_NORMAL;
    o.flags = WS_TASK_UNDEFERRED;
    o.deps = d;
    o.num_deps = n;
    parent->spawned = 1;
    int rc = ws_spawn_ex(&parent->frame, empty_body, NULL, 0, &o);
    if (rc != WS_OK) {
      fprintf(stderr, "ws-omp: waiting for dependences failed: %s\n",
              ws_strerror(rc));
      abort();
    }
  }
  if (d != small)
    free(d);
}

WSO_EXPORT void __kmpc_omp_wait_deps(wso_ident *loc, int32_t gtid,
                                     int32_t ndeps, wso_dep_info *deps,
                                     int32_t nnoalias, wso_dep_info *noalias) {
  (void)loc, (void)gtid;
  wait_deps(ndeps, deps, nnoalias, noalias);
}

WSO_EXPORT void __kmpc_omp_taskwait_deps_51(wso_ident *loc, int32_t gtid,
                                            int32_t ndeps, wso_dep_info *deps,
                                            int32_t nnoalias,
                                            wso_dep_info *noalias,
                                            int32_t nowait) {
  (void)loc, (void)gtid, (void)nowait;
  /* With nowait the wait may be deferred; waiting now is allowed. */
  wait_deps(ndeps, deps, nnoalias, noalias);
}

/* ---- taskloop
 * ---------------------------------------------------------------- */

typedef void (*wso_task_dup)(void *dst, void *src, int32_t lastpriv);

/* The pattern task `ktask` covers iterations lb, lb + st, ..., ub (Clang
 * normalises them to 0..n-1, step 1).  Each chunk gets a copy of the whole
 * block (descriptor, privates, shareds), its own bounds written where the
 * pattern's are (`lb`, `ub` point into the pattern), and task_dup, if any,
 * to copy-construct the firstprivates and pass on lastprivate's flag.
 * sched: 0 no clause, 1 grainsize(g), 2 num_tasks(g). */
static void taskloop(wso_ident *loc, int32_t gtid, void *ktask, int32_t if_val,
                     uint64_t *lb, uint64_t *ub, int64_t st, int32_t nogroup,
                     int32_t sched, uint64_t g, void *task_dup) {
  wso_thread *t = wso_self();
  wso_task *parent = t->task;
  wso_etask *pat = hdr_of(ktask);
  wso_kmp_task *pk = ktask;
  uint64_t lo = *lb, hi = *ub, trips;
  if (st > 0)
    trips = (int64_t)hi < (int64_t)lo ? 0 : (hi - lo) / (uint64_t)st + 1;
  else if (st < 0)
    trips = (int64_t)hi > (int64_t)lo ? 0 : (lo - hi) / (uint64_t)-st + 1;
  else
    trips = 1;
  uint64_t ntasks;
  if (sched == 1)
    ntasks = g ? trips / g : trips;
  else if (sched == 2)
    ntasks = g < trips ? g : trips;
  else
    ntasks = (uint64_t)parent->team->nthreads * 8;
  if (ntasks > trips)
    ntasks = trips;
  if (ntasks == 0 && trips > 0)
    ntasks = 1;
  size_t lb_at = (size_t)((char *)lb - (char *)pk);
  size_t ub_at = (size_t)((char *)ub - (char *)pk);
  size_t shareds_at =
      pk->shareds ? (size_t)((char *)pk->shareds - (char *)pat) : 0;
  uint64_t base = ntasks ? trips / ntasks : 0,
           extra = ntasks ? trips % ntasks : 0;
  uint64_t next = 0;
  for (uint64_t i = 0; i < ntasks; i++) {
    uint64_t cnt = base + (i < extra);
    wso_etask *c = block_alloc(pat->size);
    memcpy(c, pat, pat->size);
    init_header(c, pat->size, pat->flags);
    wso_kmp_task *ck = ktask_of(c);
    if (pk->shareds)
      ck->shareds = (char *)c + shareds_at;
    uint64_t first = lo + next * (uint64_t)st;
    uint64_t last = lo + (next + cnt - 1) * (uint64_t)st;
    memcpy((char *)ck + ub_at, &last, sizeof last);
    memcpy((char *)ck + lb_at, &first, sizeof first);
    int32_t is_last = i + 1 == ntasks;
    ((wso_taskloop_task *)ck)->liter = is_last;
    if (task_dup)
      ((wso_task_dup)task_dup)(ck, pk, is_last);
    next += cnt;
    if (!if_val) {
      __kmpc_omp_task_begin_if0(loc, gtid, ck);
      ck->routine(t->gtid, ck);
      __kmpc_omp_task_complete_if0(loc, gtid, ck);
    } else {
      __kmpc_omp_task(loc, gtid, ck);
    }
  }
  if (pat->flags & WSO_TASK_DESTRUCTORS)
    pk->data1.destructors(t->gtid, pk);
  block_free(pat, pat->size);
  if (!nogroup)
    wso_task_wait_children(parent);
}

WSO_EXPORT void __kmpc_taskloop(wso_ident *loc, int32_t gtid, void *ktask,
                                int32_t if_val, uint64_t *lb, uint64_t *ub,
                                int64_t st, int32_t nogroup, int32_t sched,
                                uint64_t grainsize, void *task_dup) {
  taskloop(loc, gtid, ktask, if_val, lb, ub, st, nogroup, sched, grainsize,
           task_dup);
}

/* The OpenMP 5.1 form: `modifier` is the strict modifier of grainsize or
 * num_tasks (chunks of exactly the grainsize); chunks within [g, 2g) are
 * what we make either way except for strict, so strict is refused. */
WSO_EXPORT void __kmpc_taskloop_5(wso_ident *loc, int32_t gtid, void *ktask,
                                  int32_t if_val, uint64_t *lb, uint64_t *ub,
                                  int64_t st, int32_t nogroup, int32_t sched,
                                  uint64_t grainsize, int32_t modifier,
                                  void *task_dup) {
  if (modifier)
    wso_unsupported("taskloop with a strict grainsize or num_tasks "
                    "(__kmpc_taskloop_5)");
  taskloop(loc, gtid, ktask, if_val, lb, ub, st, nogroup, sched, grainsize,
           task_dup);
}

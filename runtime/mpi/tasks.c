/*
 * tasks.c -- libws-mpi's local side: the task table, distributed task
 * records and the rank's queue of stealable ones, spawning and running
 * them, and the entry points (ws_mpi_init / main / finalize).  How a task
 * moves between here and the communication thread: mpi_internal.h.
 */
#include "mpi_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* libws's mpi_hooks.c looks for this symbol: a program that has it is one
 * job across its ranks, not independent copies. */
__attribute__((visibility("default"))) extern const int ws_mpi__linked;
const int ws_mpi__linked = 1;

ws_mpi_rt ws_mpi__rt = {
    .rank = 0, .size = 1, .q_lock = PTHREAD_MUTEX_INITIALIZER};
ws_mpi_counters ws_mpi__counters;

/* ---- The task table ------------------------------------------------------
 * Filled by constructors before main, read-only once frozen (ws_mpi_init),
 * so lookups need no lock then.  Sorted by id at the freeze: lookups of
 * received task ids are binary searches. */
static pthread_mutex_t g_table_lock = PTHREAD_MUTEX_INITIALIZER;
static ws_mpi_task **g_table;
static int g_ntable, g_captable, g_frozen;
/* Once frozen: g_sites[i] names g_table[i]'s tasks (label = its key) in
 * WS_TRACE and wherever libws names a task: the libws task that stands for
 * a distributed one would otherwise show as run_dtask.  Never freed (libws
 * keeps site pointers until its shutdown). */
static ws_site *g_sites;

static uint64_t fnv1a(const void *p, size_t n, uint64_t h) {
  const unsigned char *s = p;
  for (size_t i = 0; i < n; i++) {
    h ^= s[i];
    h *= 0x100000001b3ull;
  }
  return h;
}
#define FNV_BASIS 0xcbf29ce484222325ull

int ws_mpi_register(ws_mpi_task *task) {
  if (!task || !task->key || !task->fn)
    return WS_EINVAL;
  if (!task->id)
    task->id = fnv1a(task->key, strlen(task->key), FNV_BASIS) | 1;
  int rc = WS_OK;
  pthread_mutex_lock(&g_table_lock);
  if (g_frozen) {
    rc = WS_EINVAL;
    goto out;
  }
  for (int i = 0; i < g_ntable; i++) {
    if (g_table[i] == task)
      goto out; /* registered twice: once is enough */
    if (g_table[i]->id == task->id) {
      fprintf(stderr,
              "ws-mpi: task \"%s\" has the same id (%#llx) as \"%s\"; it is "
              "not registered\n",
              task->key, (unsigned long long)task->id, g_table[i]->key);
      rc = WS_EINVAL;
      goto out;
    }
  }
  if (g_ntable == g_captable) {
    int cap = g_captable ? 2 * g_captable : 64;
    ws_mpi_task **n = realloc(g_table, (size_t)cap * sizeof *n);
    if (!n) {
      rc = WS_ENOMEM;
      goto out;
    }
    g_table = n;
    g_captable = cap;
  }
  g_table[g_ntable++] = task;
out:
  pthread_mutex_unlock(&g_table_lock);
  return rc;
}

static int by_id(const void *a, const void *b) {
  uint64_t x = (*(ws_mpi_task *const *)a)->id,
           y = (*(ws_mpi_task *const *)b)->id;
  return x < y ? -1 : x > y;
}

void ws_mpi__table_freeze(void) {
  pthread_mutex_lock(&g_table_lock);
  if (!g_frozen) {
    if (g_ntable > 1)
      qsort(g_table, (size_t)g_ntable, sizeof *g_table, by_id);
    g_sites = g_ntable ? calloc((size_t)g_ntable, sizeof *g_sites) : NULL;
    for (int i = 0; g_sites && i < g_ntable; i++)
      g_sites[i].label = g_table[i]->key;
  }
  g_frozen = 1;
  pthread_mutex_unlock(&g_table_lock);
}

/* The index of `id` in the frozen table, or -1. */
static int table_index(uint64_t id) {
  int lo = 0, hi = g_ntable - 1;
  while (lo <= hi) {
    int mid = lo + (hi - lo) / 2;
    uint64_t m = g_table[mid]->id;
    if (m == id)
      return mid;
    if (m < id)
      lo = mid + 1;
    else
      hi = mid - 1;
  }
  return -1;
}

const ws_mpi_task *ws_mpi__lookup(uint64_t id) {
  int i = table_index(id);
  return i < 0 ? NULL : g_table[i];
}

const ws_site *ws_mpi__site(const ws_mpi_task *task) {
  if (!g_frozen || !g_sites)
    return NULL;
  int i = table_index(task->id);
  return i >= 0 && g_table[i] == task ? &g_sites[i] : NULL;
}

uint64_t ws_mpi__table_hash(int *count) {
  uint64_t h = FNV_BASIS;
  for (int i = 0; i < g_ntable; i++) {
    h = fnv1a(&g_table[i]->id, sizeof g_table[i]->id, h);
    h = fnv1a(g_table[i]->key, strlen(g_table[i]->key) + 1, h);
  }
  *count = g_ntable;
  return h;
}

/* Is `task` in the table?  (A spawn of an unregistered task could not run
 * on another rank.)  Before the freeze: a linear search under the lock.
 * Once frozen, *site is its site (else NULL). */
static int registered(const ws_mpi_task *task, const ws_site **site) {
  *site = NULL;
  if (g_frozen) {
    int i = table_index(task->id);
    if (i < 0 || g_table[i] != task)
      return 0;
    *site = g_sites ? &g_sites[i] : NULL;
    return 1;
  }
  pthread_mutex_lock(&g_table_lock);
  int found = 0;
  for (int i = 0; i < g_ntable && !found; i++)
    found = g_table[i] == task;
  pthread_mutex_unlock(&g_table_lock);
  return found;
}

/* ---- The rank queue -------------------------------------------------------
 * Per tier a doubly linked list, oldest first; everything under q_lock.
 * Workers link at the new end and unlink anywhere (their own task, which is
 * usually the newest); the comm thread takes from the old end, where, in a
 * recursion, the biggest pieces of work are. */

static void q_link(ws_mpi_rt *rt, dtask *t) {
  int tier = t->tier;
  t->next = NULL;
  t->prev = rt->q_new[tier];
  if (t->prev)
    t->prev->next = t;
  else
    rt->q_old[tier] = t;
  rt->q_new[tier] = t;
  atomic_fetch_add_explicit(&rt->queued, 1, memory_order_relaxed);
}

static void q_unlink(ws_mpi_rt *rt, dtask *t) {
  int tier = t->tier;
  if (t->prev)
    t->prev->next = t->next;
  else
    rt->q_old[tier] = t->next;
  if (t->next)
    t->next->prev = t->prev;
  else
    rt->q_new[tier] = t->prev;
  t->prev = t->next = NULL;
  atomic_fetch_sub_explicit(&rt->queued, 1, memory_order_relaxed);
}

dtask *ws_mpi__dtask_new(const ws_mpi_task *def, const void *caps,
                         uint32_t csize, uint32_t rsize, int tier,
                         const ws_mpi_result *res, int nres) {
  size_t at_res = (sizeof(dtask) + csize + 15) & ~(size_t)15;
  size_t sz = at_res + (size_t)nres * sizeof(ws_mpi_result);
  sz = (sz + 15) & ~(size_t)15;
  dtask *t = aligned_alloc(16, sz);
  if (!t)
    return NULL;
  memset(t, 0, sizeof *t);
  atomic_init(&t->refs, 1);
  t->state = DT_QUEUED;
  t->tier = tier;
  t->def = def;
  t->origin = -1;
  t->from = -1;
  t->csize = csize;
  t->rsize = rsize;
  if (csize)
    memcpy(t->caps, caps, csize);
  t->nres = nres;
  t->res = nres ? (ws_mpi_result *)(void *)((unsigned char *)t + at_res) : NULL;
  if (nres)
    memcpy(t->res, res, (size_t)nres * sizeof *res);
  return t;
}

void ws_mpi__scatter(const ws_mpi_result *res, int nres,
                     const unsigned char *bytes) {
  for (int i = 0; i < nres; i++) {
    if (res[i].size)
      memcpy(res[i].addr, bytes, res[i].size);
    bytes += res[i].size;
  }
}

void ws_mpi__no_memory(const char *what, size_t bytes) {
  /* A worker cannot call MPI (one thread does): the process ends with
   * status 1, and mpirun ends the job, naming this rank. */
  fprintf(stderr,
          "ws-mpi: rank %d: no memory for %s (%zu bytes); ending the "
          "job\n",
          ws_mpi__rt.rank, what, bytes);
  fflush(NULL);
  _exit(1);
}

/* Runs `fn` with a result buffer that is the concatenation of the pieces,
 * then writes them back (several pieces; one is written in place). */
static void run_scattered(ws_mpi_task_fn fn, void *caps,
                          const ws_mpi_result *res, int nres, size_t total) {
  alignas(16) unsigned char small[256];
  unsigned char *buf = total <= sizeof small ? small : malloc(total);
  if (!buf)
    ws_mpi__no_memory("a task's result", total);
  fn(caps, buf);
  ws_mpi__scatter(res, nres, buf);
  if (buf != small)
    free(buf);
}

void ws_mpi__dtask_unref(dtask *t) {
  /* acq_rel: the last owner sees the other's writes before it frees. */
  if (atomic_fetch_sub_explicit(&t->refs, 1, memory_order_acq_rel) == 1)
    free(t);
}

int ws_mpi__take(dtask **out, int max, int thief, uint64_t arrived_before) {
  ws_mpi_rt *rt = &ws_mpi__rt;
  int n = 0;
  pthread_mutex_lock(&rt->q_lock);
  for (int tier = WS_TIER_CRITICAL; tier >= WS_TIER_LOW && n < max; tier--) {
    for (dtask *t = rt->q_old[tier], *next; n < max && t; t = next) {
      next = t->next;
      if (t->from >= 0 && (t->from == thief || t->arrived_ns > arrived_before))
        continue; /* see dtask.from */
      q_unlink(rt, t);
      t->state = DT_SHIPPED;
      /* Relaxed: the lock publishes it to the stand-in. */
      atomic_store_explicit(&t->refs, 2, memory_order_relaxed);
      /* Under the lock: the stand-in, the frame's only other pending
       * child for this task, cannot complete before this is counted. */
      if (t->frame)
        ws__ext_child_add(t->frame);
      out[n++] = t;
    }
  }
  pthread_mutex_unlock(&rt->q_lock);
  return n;
}

/* ---- Running ------------------------------------------------------------ */

/* The libws task that stands for a distributed one on this rank. */
static void run_dtask(void *captures) {
  dtask *t;
  memcpy(&t, captures, sizeof t);
  ws_mpi_rt *rt = &ws_mpi__rt;
  pthread_mutex_lock(&rt->q_lock);
  int mine = t->state == DT_QUEUED;
  if (mine) {
    q_unlink(rt, t);
    t->state = DT_LOCAL;
  }
  pthread_mutex_unlock(&rt->q_lock);
  if (!mine) {
    ws_mpi__dtask_unref(t); /* shipped: another rank runs it */
    return;
  }
  MPI_STAT_ADD(ran, 1);
  atomic_fetch_add_explicit(&rt->running, 1, memory_order_relaxed);
  if (t->frame) {
    /* Ours: a result in one piece goes straight to the spawner. */
    if (t->nres <= 1)
      t->def->fn(t->caps, t->nres ? t->res[0].addr : NULL);
    else
      run_scattered(t->def->fn, t->caps, t->res, t->nres, t->rsize);
  } else {
    alignas(16) unsigned char small[256];
    void *buf = t->rsize <= sizeof small ? small : malloc(t->rsize);
    if (!buf)
      ws_mpi__no_memory("a task's result", t->rsize);
    t->def->fn(t->caps, t->rsize ? buf : NULL);
    ws_mpi__post_result(t->origin, t->token, buf, t->rsize);
    if (buf != small)
      free(buf);
  }
  atomic_fetch_sub_explicit(&rt->running, 1, memory_order_relaxed);
  free(t);
  /* Relaxed: hints (see ws_mpi__comm_hungry); low is set before the first
   * distributed spawn and never changes. */
  long left = atomic_load_explicit(&rt->queued, memory_order_relaxed);
  if (left <= atomic_load_explicit(&rt->low, memory_order_relaxed))
    ws_mpi__comm_hungry(left);
}

void ws_mpi__enqueue_remote(ws_frame *service, dtask *t) {
  ws_mpi_rt *rt = &ws_mpi__rt;
  pthread_mutex_lock(&rt->q_lock);
  q_link(rt, t);
  pthread_mutex_unlock(&rt->q_lock);
  ws_spawn(service, run_dtask, &t, sizeof t, t->tier, ws_mpi__site(t->def));
}

/* One rank: a distributed task is an ordinary task.  Its captures are the
 * function and result address followed by the user's bytes. */
typedef struct local_head {
  ws_mpi_task_fn fn;
  void *result;
} local_head;
_Static_assert(sizeof(local_head) == 16, "captures stay 16-byte aligned");

static void run_local(void *captures) {
  local_head h;
  memcpy(&h, captures, sizeof h);
  h.fn((unsigned char *)captures + sizeof h, h.result);
}

static int spawn_local(ws_frame *frame, const ws_mpi_task *task,
                       const void *captures, size_t size, int tier,
                       void *result, const ws_site *site) {
  alignas(16) unsigned char small[WS_INLINE_CAPTURE];
  unsigned char *buf = size + sizeof(local_head) <= sizeof small
                           ? small
                           : malloc(size + sizeof(local_head));
  if (!buf) {
    /* No memory: run it here (ws_spawn's rule: never lose a task). */
    task->fn((void *)(uintptr_t)captures, result);
    return WS_OK;
  }
  local_head h = {task->fn, result};
  memcpy(buf, &h, sizeof h);
  if (size)
    memcpy(buf + sizeof h, captures, size);
  int rc = ws_spawn(frame, run_local, buf, size + sizeof h, tier, site);
  if (buf != small)
    free(buf);
  return rc;
}

/* One rank, several result pieces: the captures are {fn, nres}, the
 * pieces, then the user's bytes. */
typedef struct multi_head {
  ws_mpi_task_fn fn;
  int64_t nres;
} multi_head;
_Static_assert(sizeof(multi_head) == 16 && sizeof(ws_mpi_result) == 16,
               "captures stay 16-byte aligned");

static void run_local_multi(void *captures) {
  multi_head h;
  memcpy(&h, captures, sizeof h);
  ws_mpi_result res[WS_MPI_MAX_RESULTS];
  size_t total = 0;
  memcpy(res, (unsigned char *)captures + sizeof h,
         (size_t)h.nres * sizeof *res);
  for (int i = 0; i < h.nres; i++)
    total += res[i].size;
  run_scattered(
      h.fn, (unsigned char *)captures + sizeof h + (size_t)h.nres * sizeof *res,
      res, (int)h.nres, total);
}

static int spawn_local_multi(ws_frame *frame, const ws_mpi_task *task,
                             const void *captures, size_t size, int tier,
                             const ws_mpi_result *res, int nres, size_t total,
                             const ws_site *site) {
  size_t head = sizeof(multi_head) + (size_t)nres * sizeof *res;
  unsigned char *buf = malloc(head + size);
  if (!buf) {
    run_scattered(task->fn, (void *)(uintptr_t)captures, res, nres, total);
    return WS_OK;
  }
  multi_head h = {task->fn, nres};
  memcpy(buf, &h, sizeof h);
  memcpy(buf + sizeof h, res, (size_t)nres * sizeof *res);
  if (size)
    memcpy(buf + head, captures, size);
  int rc = ws_spawn(frame, run_local_multi, buf, head + size, tier, site);
  free(buf);
  return rc;
}

static pthread_mutex_t g_init_lock = PTHREAD_MUTEX_INITIALIZER;
static int g_inited, g_finished; /* under g_init_lock (g_inited: also read
                                     relaxed, as a hint, by not_joined) */

/* A distributed spawn before ws_mpi_init, under an MPI launcher: main was
 * not linked to join the job first (no --wrap=main) and does not call
 * ws_mpi_init.  The ranks then run as independent copies; say so once. */
static void not_joined(void) {
  static atomic_flag said = ATOMIC_FLAG_INIT;
  /* Relaxed: the flag only makes the line unique. */
  if (atomic_flag_test_and_set_explicit(&said, memory_order_relaxed))
    return;
  const char *size = getenv("OMPI_COMM_WORLD_SIZE");
  const char *rank = getenv("OMPI_COMM_WORLD_RANK");
  if (!size)
    size = getenv("PMI_SIZE");
  if (!rank)
    rank = getenv("PMI_RANK");
  if (size && atoi(size) > 1 && (!rank || atoi(rank) == 0))
    fprintf(stderr,
            "ws-mpi: a distributed task was spawned before ws_mpi_init: the "
            "%s processes run as independent copies; link the program with "
            "wscc --mpi, CMake's ws::ws_mpi or pkg-config ws-mpi (they join "
            "the job before main), or call ws_mpi_init first in main\n",
            size);
}

int ws_mpi_spawn_results(ws_frame *frame, const ws_mpi_task *task,
                         const void *captures, size_t size, int tier,
                         const ws_mpi_result *results, int num_results) {
  if (!frame || !task || !task->fn || size > WS_MPI_MAX_BYTES ||
      (size && !captures) || num_results < 0 ||
      num_results > WS_MPI_MAX_RESULTS || (num_results && !results))
    return WS_EINVAL;
  size_t total = 0;
  for (int i = 0; i < num_results; i++) {
    if (results[i].size && !results[i].addr)
      return WS_EINVAL;
    total += results[i].size;
    if (results[i].size > WS_MPI_MAX_BYTES || total > WS_MPI_MAX_BYTES)
      return WS_EINVAL;
  }
  const ws_site *site;
  if (!registered(task, &site))
    return WS_EINVAL;
  tier = tier < WS_TIER_LOW        ? WS_TIER_LOW
         : tier > WS_TIER_CRITICAL ? WS_TIER_CRITICAL
                                   : tier;
  MPI_STAT_ADD(spawned, 1);
  ws_mpi_rt *rt = &ws_mpi__rt;
  /* Relaxed: set before main's first spawn, cleared after its last wait. */
  dtask *t = NULL;
  if (__atomic_load_n(&rt->distributed, __ATOMIC_RELAXED))
    t = ws_mpi__dtask_new(task, captures, (uint32_t)size, (uint32_t)total, tier,
                          results, num_results);
  else if (!__atomic_load_n(&g_inited, __ATOMIC_RELAXED))
    not_joined();
  if (!t) { /* one rank (or no memory): an ordinary task */
    MPI_STAT_ADD(ran, 1);
    if (num_results > 1)
      return spawn_local_multi(frame, task, captures, size, tier, results,
                               num_results, total, site);
    return spawn_local(frame, task, captures, size, tier,
                       num_results ? results[0].addr : NULL, site);
  }
  t->frame = frame;
  /* Queued before its stand-in exists: the stand-in must find it linked. */
  pthread_mutex_lock(&rt->q_lock);
  q_link(rt, t);
  pthread_mutex_unlock(&rt->q_lock);
  /* Relaxed: a hint; see thief_waits. */
  if (atomic_load_explicit(&rt->thief_waits, memory_order_relaxed))
    ws_mpi__comm_nudge();
  return ws_spawn(frame, run_dtask, &t, sizeof t, tier, site);
}

int ws_mpi_spawn(ws_frame *frame, const ws_mpi_task *task, const void *captures,
                 size_t size, int tier, void *result, size_t result_size) {
  if (result_size && !result)
    return WS_EINVAL;
  ws_mpi_result r = {result, result_size};
  return ws_mpi_spawn_results(frame, task, captures, size, tier, &r,
                              result_size ? 1 : 0);
}

/* ---- Entry points -------------------------------------------------------- */

int ws_mpi_init(int *argc, char ***argv) {
  (void)argc;
  (void)argv;
  pthread_mutex_lock(&g_init_lock);
  int again = g_inited;
  __atomic_store_n(&g_inited, 1, __ATOMIC_RELAXED);
  pthread_mutex_unlock(&g_init_lock);
  if (again)
    return WS_EBUSY;
  ws_mpi__table_freeze();
  if (!ws_mpi__comm_start())
    return WS_OK; /* one rank without MPI */
  if (ws_mpi__rt.rank != 0) {
    int status = ws_mpi__serve();
    ws_mpi_rt *rt = &ws_mpi__rt;
    long left = atomic_load_explicit(&rt->queued, memory_order_relaxed) +
                atomic_load_explicit(&rt->running, memory_order_relaxed);
    if (left > 0) {
      /* The job ended early (rank 0 exited inside a task): tasks here may
       * wait for results that will never come, and exit()'s pool
       * shutdown would wait for them. */
      fprintf(stderr,
              "ws-mpi: rank %d: the job ended with %ld distributed tasks "
              "unfinished here\n",
              rt->rank, left);
      fflush(NULL);
      _exit(status ? status : 1);
    }
    exit(status);
  }
  return WS_OK;
}

int ws_mpi_finalize(int status) {
  pthread_mutex_lock(&g_init_lock);
  int run = g_inited && !g_finished && ws_mpi__rt.rank == 0;
  g_finished = 1;
  pthread_mutex_unlock(&g_init_lock);
  if (run)
    ws_mpi__comm_finish(status);
  return WS_OK;
}

int ws_mpi_main(int argc, char **argv, int (*main_fn)(int, char **)) {
  int rc = ws_mpi_init(&argc, &argv);
  if (rc != WS_OK && rc != WS_EBUSY)
    return 1;
  int status = main_fn(argc, argv);
  ws_mpi_finalize(status);
  return status;
}

/* ---- Joining the job before main ------------------------------------------
 * Programs linked by `wscc --mpi`, CMake's ws::ws_mpi or pkg-config ws-mpi
 * are linked with `-Wl,--wrap=main`: the C runtime's call of main reaches
 * __wrap_main, which joins the job first (on ranks > 0 ws_mpi_init serves
 * and never returns), wherever main is and whatever compiled it -- a
 * kernel with `distributed` tasks in one file and main in another works
 * without any call in main.  main itself is reached through __real_main
 * where the linker binds it (a static libws-mpi, linked into the program),
 * else by name (this shared library: the program's main, which the linker
 * exports because we refer to it).  A ws_mpi_init in main (the plugin's, or
 * ws_mpi_main's) then returns WS_EBUSY and changes nothing. */
extern int main(int, char **, char **);
extern int __real_main(int, char **, char **) __attribute__((weak));
__attribute__((visibility("default"))) int __wrap_main(int argc, char **argv,
                                                       char **envp);

int __wrap_main(int argc, char **argv, char **envp) {
  int rc = ws_mpi_init(&argc, &argv);
  if (rc != WS_OK && rc != WS_EBUSY)
    return 1;
  int status = (__real_main ? __real_main : main)(argc, argv, envp);
  ws_mpi_finalize(status);
  return status;
}

int ws_mpi_rank(void) { return ws_mpi__rt.rank; }
int ws_mpi_size(void) { return ws_mpi__rt.size; }

int ws_mpi_stats_get(ws_mpi_stats *out) {
  if (!out)
    return WS_EINVAL;
  uint64_t *o = (uint64_t *)out;
  for (size_t i = 0; i < sizeof *out / sizeof *o; i++)
    o[i] = atomic_load_explicit(&ws_mpi__counters.v[i], memory_order_relaxed);
  return WS_OK;
}

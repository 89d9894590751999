/*
 * team.c -- threads, parallel regions, barriers and the team constructs
 * (single, master, masked, copyprivate, reductions), the environment and the
 * omp_* query API.
 *
 * A parallel region of N threads runs on the encountering thread (thread 0)
 * and N-1 threads of the hot team: threads libws-omp creates on demand and
 * parks between regions.  They are not ws pool threads: to libws they are
 * application threads, each with a worker record of its own, that spawn and
 * wait; the ws pool has one worker and no pool threads, so the team's
 * explicit tasks run on its members (in their waits: taskwait, and barriers,
 * where ws_wait_until keeps them running tasks).  Nested regions, and a region
 * started while the hot team serves another one, run as a team of one (as
 * libomp does by default for nesting).
 */
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <ffi.h>

#include "omp.h"
#include "wso.h"

_Thread_local wso_thread wso_self_ __attribute__((tls_model("initial-exec")));
wso_config wso_cfg;

static _Atomic int32_t g_next_gtid;
/* The team of every thread's initial task: one thread, level 0.  Read only
 * (the team constructs return early in a team of one), so shared. */
static wso_team g_initial_team = {.nthreads = 1};
static pthread_key_t g_init_task_key; /* frees a thread's initial task */
static void free_init_task(void *task) { free(task); }
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_ncpus = 1;

/* ---- Environment ----------------------------------------------------------
 */

/* A positive integer, or -1.  Leading/trailing blanks allowed; `end`, if
 * non-NULL, receives where parsing stopped (a list continues there). */
static long parse_positive(const char *s, const char **end) {
  while (*s == ' ' || *s == '\t')
    s++;
  char *e;
  long v = strtol(s, &e, 10);
  if (e == s || v <= 0 || v > 1 << 20)
    return -1;
  while (*e == ' ' || *e == '\t')
    e++;
  if (end)
    *end = e;
  else if (*e)
    return -1;
  return v;
}

/* A set (non-empty) variable's value, else NULL. */
static const char *env_get(const char *name) {
  const char *s = getenv(name);
  return s && *s ? s : NULL;
}

/* A non-negative integer variable up to `max` (OMP_MAX_TASK_PRIORITY, ...):
 * 1 and *out if set and valid; if set and not, one line saying the default
 * `dflt` stays, and 0. */
static int env_count(const char *name, long max, const char *dflt, long *out) {
  const char *s = env_get(name);
  if (!s)
    return 0;
  char *e;
  long v = strtol(s, &e, 10);
  if (e == s || *e || v < 0 || v > max) {
    fprintf(stderr,
            "ws-omp: %s=%s: expected a non-negative integer; using %s\n", name,
            s, dflt);
    return 0;
  }
  *out = v;
  return 1;
}

/* A boolean variable (OMP_CANCELLATION, OMP_NESTED): true or 1 sets *out to
 * 1, false or 0 (or unset) to 0; anything else is one line and false. */
static void env_bool(const char *name, int *out) {
  const char *s = env_get(name);
  *out = 0;
  if (!s || !strcasecmp(s, "false") || !strcmp(s, "0"))
    return;
  if (!strcasecmp(s, "true") || !strcmp(s, "1"))
    *out = 1;
  else
    fprintf(stderr, "ws-omp: %s=%s: expected true or false; using false\n",
            name, s);
}

static int cpu_count(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (int)n : 1;
}

static void parse_schedule(const char *s) {
  /* [monotonic:|nonmonotonic:]kind[,chunk] */
  const char *colon = strchr(s, ':');
  if (colon)
    s = colon + 1;
  while (*s == ' ')
    s++;
  size_t n = strcspn(s, ", ");
  int kind = -1;
  if (n == 6 && !strncmp(s, "static", 6))
    kind = WSO_K_STATIC;
  else if (n == 7 && !strncmp(s, "dynamic", 7))
    kind = WSO_K_DYNAMIC;
  else if (n == 6 && !strncmp(s, "guided", 6))
    kind = WSO_K_GUIDED;
  else if (n == 4 && !strncmp(s, "auto", 4))
    kind = WSO_K_STATIC;
  long chunk = 0;
  const char *comma = strchr(s, ',');
  if (comma && (chunk = parse_positive(comma + 1, NULL)) < 0)
    kind = -1;
  if (kind < 0) {
    fprintf(stderr,
            "ws-omp: OMP_SCHEDULE=%s: expected static, dynamic, guided or "
            "auto, optionally followed by ,chunk; using static\n",
            getenv("OMP_SCHEDULE"));
    return;
  }
  wso_cfg.run_kind = kind;
  wso_cfg.run_chunk = (int)chunk;
}

/* OMP_STACKSIZE: a size with an optional unit B, K (the default), M or G. */
static void parse_stacksize(const char *s) {
  char *e;
  unsigned long long v = strtoull(s, &e, 10);
  while (*e == ' ')
    e++;
  unsigned long long unit = 1024;
  switch (*e) {
  case 'b':
  case 'B':
    unit = 1, e++;
    break;
  case 'k':
  case 'K':
    e++;
    break;
  case 'm':
  case 'M':
    unit = 1024 * 1024, e++;
    break;
  case 'g':
  case 'G':
    unit = 1024ull * 1024 * 1024, e++;
    break;
  default:
    break;
  }
  while (*e == ' ')
    e++;
  if (e == s || *e || v == 0 || v > (1ull << 40) / unit || v * unit < 65536) {
    fprintf(stderr,
            "ws-omp: OMP_STACKSIZE=%s: expected a size of at least 64K "
            "(a number with an optional B, K, M or G); using 16M\n",
            s);
    return;
  }
  wso_cfg.stacksize = (size_t)(v * unit);
}

/* Where the hot team's threads run: member i is pinned to g_cpus[i %
 * g_ncpu_list], the CPUs of the affinity mask listed from the initial
 * thread's CPU on -- what libws does for its pool threads under WS_BIND's
 * default (docs/environment.md), for the same reason: the kernel wakes a
 * sleeping thread on its waker's CPU when the sleeper's CPU looks busy (a
 * halted virtual CPU often does), and an unpinned member woken by the
 * master then waits for the master's time slice, milliseconds, before it
 * can start its part of the region (BOTS alignment: the master had created
 * every task of the loop alone by then).  The master itself stays free.
 * WS_BIND=none: no pinning (libws reports a bad value). */
static int *g_cpus;
static int g_ncpu_list;

static void cpus_init(void) {
  const char *s = getenv("WS_BIND");
  if (s && !strcmp(s, "none"))
    return;
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2)
    return;
  int n = CPU_COUNT(&set), here = sched_getcpu(), first = 0;
  g_cpus = malloc(sizeof *g_cpus * (size_t)n);
  if (!g_cpus)
    return;
  for (int c = 0, k = 0; c < CPU_SETSIZE && k < n; c++)
    if (CPU_ISSET(c, &set)) {
      if (c == here)
        first = k;
      g_cpus[k++] = c;
    }
  /* Rotate: the initial thread's CPU first, so member 1 never shares it. */
  int *rot = malloc(sizeof *rot * (size_t)n);
  if (!rot)
    return;
  for (int k = 0; k < n; k++)
    rot[k] = g_cpus[(first + k) % n];
  free(g_cpus);
  g_cpus = rot;
  g_ncpu_list = n;
}

static void bind_member(int tid) {
  if (g_ncpu_list < 2)
    return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(g_cpus[tid % g_ncpu_list], &set);
  pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* max-active-levels-var: 0 or 1, the one active level supported (nested
 * regions need threads of their own, and the hot team is the only team
 * with more than one: README.md).  Process-wide; relaxed: a setting, read
 * at each fork. */
static _Atomic int g_max_active = 1;

static void global_init(void) {
  g_ncpus = cpu_count();
  cpus_init();
  pthread_key_create(&g_init_task_key, free_init_task);
  wso_cfg.nthreads = g_ncpus;
  wso_cfg.run_kind = WSO_K_STATIC;
  const char *s = env_get("OMP_NUM_THREADS");
  if (s) {
    /* A list gives the first level's count; nested regions are serialized,
     * so the rest does not matter. */
    const char *end;
    long v = parse_positive(s, &end);
    if (v < 0 || (*end && *end != ','))
      fprintf(stderr,
              "ws-omp: OMP_NUM_THREADS=%s: expected a positive integer (or a "
              "comma-separated list of them); using %d\n",
              s, wso_cfg.nthreads);
    else
      wso_cfg.nthreads = (int)v;
  }
  long v;
  if (env_count("OMP_MAX_TASK_PRIORITY", INT_MAX, "0", &v))
    wso_cfg.max_priority = (int)v;
  /* One active level is supported: OMP_MAX_ACTIVE_LEVELS asks for 0 (every
   * region inactive: a team of one) or more (1); OMP_NESTED=true asks for
   * the supported number (1) and false for at most 1, so it only needs a
   * valid value. */
  if (env_count("OMP_MAX_ACTIVE_LEVELS", LONG_MAX, "1", &v))
    atomic_store_explicit(&g_max_active, v > 0, memory_order_relaxed);
  int nested; /* validated only: see above */
  env_bool("OMP_NESTED", &nested);
  s = env_get("OMP_WAIT_POLICY");
  if (s) {
    if (!strcasecmp(s, "passive"))
      wso_cfg.wait_passive = 1;
    else if (strcasecmp(s, "active"))
      fprintf(stderr,
              "ws-omp: OMP_WAIT_POLICY=%s: expected active or passive; using "
              "active\n",
              s);
  }
  s = env_get("OMP_SCHEDULE");
  if (s)
    parse_schedule(s);
  wso_cfg.stacksize = (size_t)16 << 20;
  s = env_get("OMP_STACKSIZE");
  if (s)
    parse_stacksize(s);
  env_bool("OMP_CANCELLATION", &wso_cfg.cancellation);
  /* The ws pool: one worker, the thread that starts it (normally main),
   * and no pool threads.  Tasks then run only on the team's own threads,
   * each with a worker record of its own (attach_record), so a task sees
   * the number and threadprivate copies of the member that runs it; members
   * waiting at barriers run tasks (ws_wait_until).  WS_NUM_WORKERS=n adds n - 1
   * pool threads that run tasks too (then omp_get_thread_num() in a task
   * they run is folded from their worker index). */
  int workers = 1;
  s = env_get("WS_NUM_WORKERS");
  if (s && (v = parse_positive(s, NULL)) > 0)
    workers = (int)v;
  if (workers > WS_MAX_WORKERS)
    workers = WS_MAX_WORKERS;
  ws_init(workers); /* WS_EBUSY: the program started it itself; fine */
  /* This thread holds worker 0: it is OpenMP's initial thread, "omp0" in
   * WS_STATS (attach_record). */
  ws_stats_label("omp0");
}

void wso_global_init(void) { pthread_once(&g_once, global_init); }

wso_thread *wso_thread_init(void) {
  wso_thread *t = &wso_self_;
  wso_global_init();
  t->gtid = atomic_fetch_add_explicit(&g_next_gtid, 1, memory_order_relaxed);
  t->nthreads_var = wso_cfg.nthreads;
  wso_task *init = calloc(1, sizeof *init);
  if (!init) {
    fprintf(stderr, "ws-omp: out of memory setting up a thread\n");
    abort();
  }
  init->frame = (ws_frame)WS_FRAME_INIT;
  init->team = &g_initial_team;
  init->implicit = 1;
  pthread_setspecific(g_init_task_key, init);
  t->init_task = init;
  t->base_team = &g_initial_team;
  t->base_tid = 0;
  t->task = init;
  return t;
}

int wso_thread_num(wso_thread *t) {
  wso_task *task = t->task;
  if (task->implicit)
    return task->tid;
  wso_team *team = task->team;
  if (team->nthreads == 1)
    return 0;
  /* An explicit task: the number in the task's team of the member running
   * it -- found from the region this thread runs, up through the regions
   * enclosing it (a member inside a nested team of one runs tasks of the
   * outer team while it waits). */
  int tid = t->base_tid;
  for (wso_team *b = t->base_team; b; tid = b->parent_tid, b = b->parent)
    if (b == team)
      return tid;
  /* A pool thread (WS_NUM_WORKERS > 1): its worker index folded into the
   * team. */
  int w = ws_worker_id();
  return w >= 0 ? w % team->nthreads : 0;
}

/* ---- Running a region's body ----------------------------------------------
 */

/* Calls fn(gtid, btid, argv[0], ..., argv[argc - 1]).  Every captured
 * variable is passed as one pointer-sized argument; up to 16 by direct
 * calls, more through libffi. */
static void invoke(wso_microtask fn, int32_t *gtid, int32_t *btid, int argc,
                   void **a) {
  switch (argc) {
  case 0:
    fn(gtid, btid);
    return;
  case 1:
    fn(gtid, btid, a[0]);
    return;
  case 2:
    fn(gtid, btid, a[0], a[1]);
    return;
  case 3:
    fn(gtid, btid, a[0], a[1], a[2]);
    return;
  case 4:
    fn(gtid, btid, a[0], a[1], a[2], a[3]);
    return;
  case 5:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4]);
    return;
  case 6:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5]);
    return;
  case 7:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    return;
  case 8:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]);
    return;
  case 9:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]);
    return;
  case 10:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9]);
    return;
  case 11:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
       a[10]);
    return;
  case 12:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
       a[10], a[11]);
    return;
  case 13:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
       a[10], a[11], a[12]);
    return;
  case 14:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
       a[10], a[11], a[12], a[13]);
    return;
  case 15:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
       a[10], a[11], a[12], a[13], a[14]);
    return;
  case 16:
    fn(gtid, btid, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9],
       a[10], a[11], a[12], a[13], a[14], a[15]);
    return;
  default:
    break;
  }
  /* The outlined function has fixed pointer parameters: call it as such. */
  int n = argc + 2;
  ffi_type **types = malloc(sizeof(ffi_type *) * (size_t)n);
  void **vals = malloc(sizeof(void *) * (size_t)n);
  if (!types || !vals) {
    fprintf(stderr, "ws-omp: out of memory starting a parallel region\n");
    abort();
  }
  for (int i = 0; i < n; i++)
    types[i] = &ffi_type_pointer;
  vals[0] = &gtid;
  vals[1] = &btid;
  for (int i = 0; i < argc; i++)
    vals[i + 2] = &a[i];
  ffi_cif cif;
  if (ffi_prep_cif(&cif, FFI_DEFAULT_ABI, (unsigned)n, &ffi_type_void, types) !=
      FFI_OK) {
    fprintf(stderr, "ws-omp: cannot call a region body with %d arguments\n",
            argc);
    abort();
  }
  ffi_call(&cif, FFI_FN(fn), NULL, vals);
  free(types);
  free(vals);
}

/* Runs the calling thread's part of `team`'s region as member `tid`, then
 * waits for the tasks it created (the region's end is a barrier). */
static void run_member(wso_thread *t, wso_team *team, int tid) {
  wso_task impl;
  memset(&impl, 0, sizeof impl);
  impl.frame = (ws_frame)WS_FRAME_INIT;
  impl.team = team;
  impl.tid = tid;
  impl.implicit = 1;
  wso_task *saved_task = t->task;
  wso_team *saved_team = t->base_team;
  int saved_tid = t->base_tid;
  t->task = &impl;
  t->base_team = team;
  t->base_tid = tid;
  int32_t gtid = t->gtid, btid = tid;
  invoke(team->fn, &gtid, &btid, team->argc, team->argv);
  /* The region's end is a barrier: members that are done run the others'
   * tasks until every task of the team has finished. */
  if (team->nthreads > 1)
    wso_barrier(t);
  else
    wso_task_wait_children(&impl);
  t->task = saved_task;
  t->base_team = saved_team;
  t->base_tid = saved_tid;
}

/* ---- The hot team ---------------------------------------------------------
 */

typedef struct wso_member_thread {
  _Alignas(64) wso_event go; /* bumped to start a region */
  wso_team *team;
  int tid;
  int index; /* its place in g_members: where it is pinned */
  pthread_t thread;
} wso_member_thread;

static wso_disp g_hot_disp[WSO_DISP_BUFS];
static wso_team g_hot = {.disp = g_hot_disp}; /* the team they serve */
static _Atomic int g_hot_busy;                /* a region runs on it */
static wso_member_thread **g_members;         /* [1, g_nmembers) exist */
static int g_nmembers = 1;

/* Makes the calling thread hold a ws worker record: without one, a wait
 * only sleeps, and a member must run tasks when it waits.  (A thread that
 * cannot get one -- the records are limited -- runs its tasks inline and
 * sleeps in waits: slower, never wrong.)  Claimed by naming its row of
 * WS_STATS: the hot team's threads show as the OpenMP threads they are,
 * one row each, "omp<n>" (n: the thread's number in the hot team), rather
 * than summed into libws's row of application threads. */
static void attach_record(wso_thread *t, int tid) {
  if (t->has_record)
    return;
  t->has_record = 1;
  char name[16];
  snprintf(name, sizeof name, "omp%d", tid);
  ws_stats_label(name);
}

static void *member_main(void *arg) {
  wso_member_thread *m = arg;
  bind_member(m->index);
  wso_thread *t = wso_self();
  attach_record(t, m->index);
  uint32_t seen = 0;
  for (;;) {
    wso_event_wait(&m->go, seen);
    seen = atomic_load_explicit(&m->go.v, memory_order_acquire);
    wso_team *team = m->team;
    run_member(t, team, m->tid);
    /* Seq_cst (release, and see wso_event): our writes happen before the
     * master returns from the join.  The last member wakes it. */
    if (atomic_fetch_sub_explicit(&team->running.v, 1, memory_order_seq_cst) ==
        1)
      wso_event_wake(&team->running);
  }
  return NULL;
}

/* Makes sure members 1..n-1 exist (called by the hot team's holder only).
 * Returns how many threads the team can have. */
static int ensure_members(int n) {
  if (n <= g_nmembers)
    return n;
  wso_member_thread **grown = realloc(g_members, sizeof *grown * (size_t)n);
  if (!grown)
    return g_nmembers;
  g_members = grown;
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  /* Region bodies run here and may recurse deeply: OMP_STACKSIZE, else the
   * same generous stack libws gives its workers (16 MB). */
  pthread_attr_setstacksize(&attr, wso_cfg.stacksize);
  while (g_nmembers < n) {
    wso_member_thread *m = aligned_alloc(64, sizeof *m);
    if (!m)
      break;
    memset(m, 0, sizeof *m);
    atomic_init(&m->go.v, 0);
    atomic_init(&m->go.sleepers, 0);
    m->index = g_nmembers;
    if (pthread_create(&m->thread, &attr, member_main, m)) {
      free(m);
      break;
    }
    g_members[g_nmembers++] = m;
  }
  pthread_attr_destroy(&attr);
  return n <= g_nmembers ? n : g_nmembers;
}

static void team_reset(wso_team *team) {
  atomic_store_explicit(&team->bar_count, 0, memory_order_relaxed);
  atomic_store_explicit(&team->single_claimed, 0, memory_order_relaxed);
  atomic_store_explicit(&team->cp_data, NULL, memory_order_relaxed);
  for (int i = 0; i < WSO_DISP_BUFS; i++) {
    wso_disp *d = &team->disp[i];
    atomic_store_explicit(&d->ready_for, (uint64_t)i, memory_order_relaxed);
    atomic_store_explicit(&d->phase, 0, memory_order_relaxed);
    atomic_store_explicit(&d->done, 0, memory_order_relaxed);
  }
}

static void fork_region(wso_thread *t, int n, wso_microtask fn, int argc,
                        void **argv) {
  wso_team *parent = t->task->team;
  int use_hot = 0, expected = 0;
  if (n > 1 &&
      parent->active_level <
          atomic_load_explicit(&g_max_active, memory_order_relaxed) &&
      atomic_compare_exchange_strong_explicit(&g_hot_busy, &expected, 1,
                                              memory_order_acquire,
                                              memory_order_relaxed)) {
    n = ensure_members(n);
    if (n > 1)
      use_hot = 1;
    else /* no member thread could be created */
      atomic_store_explicit(&g_hot_busy, 0, memory_order_release);
  }
  if (!use_hot) {
    /* Serialized: a team of one on this thread. */
    wso_team *st = aligned_alloc(64, sizeof *st);
    if (!st) {
      fprintf(stderr, "ws-omp: out of memory starting a parallel region\n");
      abort();
    }
    memset(st, 0, sizeof *st);
    st->nthreads = 1;
    st->level = parent->level + 1;
    st->active_level = parent->active_level;
    st->parent = parent;
    st->parent_tid = wso_thread_num(t);
    st->fn = fn;
    st->argc = argc;
    st->argv = argv;
    run_member(t, st, 0);
    free(st);
    return;
  }
  wso_team *team = &g_hot;
  team->nthreads = n;
  team->level = parent->level + 1;
  team->active_level = parent->active_level + 1;
  team->parent = parent;
  team->parent_tid = wso_thread_num(t);
  team->fn = fn;
  team->argc = argc;
  team->argv = argv;
  team_reset(team);
  attach_record(t, 0);
  atomic_store_explicit(&team->running.v, (uint32_t)(n - 1),
                        memory_order_relaxed);
  atomic_store_explicit(&wso_spin_ok, n <= g_ncpus, memory_order_relaxed);
  for (int i = 1; i < n; i++) {
    wso_member_thread *m = g_members[i];
    m->team = team;
    m->tid = i;
    /* Seq_cst (release, and see wso_event): the member sees the team set
     * up above. */
    atomic_fetch_add_explicit(&m->go.v, 1, memory_order_seq_cst);
    wso_event_wake(&m->go);
  }
  run_member(t, team, 0);
  uint32_t r;
  while ((r = atomic_load_explicit(&team->running.v, memory_order_acquire)) !=
         0)
    wso_event_wait(&team->running, r);
  atomic_store_explicit(&g_hot_busy, 0, memory_order_release);
}

/* ---- Entry points: parallel regions ---------------------------------------
 */

WSO_EXPORT int32_t __kmpc_global_thread_num(wso_ident *loc) {
  (void)loc;
  return wso_self()->gtid;
}

WSO_EXPORT int32_t __kmpc_global_num_threads(wso_ident *loc) {
  (void)loc;
  return atomic_load_explicit(&g_next_gtid, memory_order_relaxed);
}

WSO_EXPORT int32_t __kmpc_bound_thread_num(wso_ident *loc) {
  (void)loc;
  return wso_thread_num(wso_self());
}

WSO_EXPORT int32_t __kmpc_bound_num_threads(wso_ident *loc) {
  (void)loc;
  return wso_self()->task->team->nthreads;
}

WSO_EXPORT int32_t __kmpc_in_parallel(wso_ident *loc) {
  (void)loc;
  return wso_self()->task->team->active_level > 0;
}

WSO_EXPORT int32_t __kmpc_ok_to_fork(wso_ident *loc) {
  (void)loc;
  return 1;
}

WSO_EXPORT void __kmpc_push_num_threads(wso_ident *loc, int32_t gtid,
                                        int32_t n) {
  (void)loc, (void)gtid;
  if (n > 0)
    wso_self()->push_nthreads = n;
}

WSO_EXPORT void __kmpc_pop_num_threads(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_self()->push_nthreads = 0;
}

/* proc_bind is a placement hint: ws places its own workers (WS_BIND). */
WSO_EXPORT void __kmpc_push_proc_bind(wso_ident *loc, int32_t gtid, int bind) {
  (void)loc, (void)gtid, (void)bind;
}

WSO_EXPORT void __kmpc_begin(wso_ident *loc, int32_t flags) {
  (void)loc, (void)flags;
  wso_self();
}

WSO_EXPORT void __kmpc_end(wso_ident *loc) { (void)loc; }

WSO_EXPORT void __kmpc_fork_call(wso_ident *loc, int32_t argc, wso_microtask fn,
                                 ...) {
  (void)loc;
  wso_thread *t = wso_self();
  void *small[16];
  void **argv = argc <= 16 ? small : malloc(sizeof(void *) * (size_t)argc);
  if (!argv) {
    fprintf(stderr, "ws-omp: out of memory starting a parallel region\n");
    abort();
  }
  va_list ap;
  va_start(ap, fn);
  for (int i = 0; i < argc; i++)
    argv[i] = va_arg(ap, void *);
  va_end(ap);
  int n = t->push_nthreads > 0 ? t->push_nthreads : t->nthreads_var;
  t->push_nthreads = 0;
  fork_region(t, n, fn, argc, argv);
  if (argv != small)
    free(argv);
}

/* OpenMPIRBuilder's form: one argument (a pointer to the captures) or
 * none; `cond` is the if clause. */
WSO_EXPORT void __kmpc_fork_call_if(wso_ident *loc, int32_t argc,
                                    wso_microtask fn, int32_t cond,
                                    void *args) {
  wso_thread *t = wso_self();
  void *argv[1] = {args};
  int n = t->push_nthreads > 0 ? t->push_nthreads : t->nthreads_var;
  t->push_nthreads = 0;
  (void)loc;
  fork_region(t, cond ? n : 1, fn, argc > 0 ? 1 : 0, argv);
}

/* `parallel if(false)`: Clang calls the body itself between these two. */
typedef struct wso_serial {
  wso_team team;
  wso_task impl;
  wso_task *saved_task;
  wso_team *saved_team;
  int saved_tid;
  struct wso_serial *prev;
} wso_serial;

WSO_EXPORT void __kmpc_serialized_parallel(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_thread *t = wso_self();
  wso_serial *s = aligned_alloc(64, (sizeof *s + 63) & ~(size_t)63);
  if (!s) {
    fprintf(stderr, "ws-omp: out of memory starting a parallel region\n");
    abort();
  }
  memset(s, 0, sizeof *s);
  wso_team *parent = t->task->team;
  s->team.nthreads = 1;
  s->team.level = parent->level + 1;
  s->team.active_level = parent->active_level;
  s->team.parent = parent;
  s->team.parent_tid = wso_thread_num(t);
  s->impl.frame = (ws_frame)WS_FRAME_INIT;
  s->impl.team = &s->team;
  s->impl.implicit = 1;
  s->saved_task = t->task;
  s->saved_team = t->base_team;
  s->saved_tid = t->base_tid;
  s->prev = t->serial;
  t->serial = s;
  t->push_nthreads = 0;
  t->task = &s->impl;
  t->base_team = &s->team;
  t->base_tid = 0;
}

WSO_EXPORT void __kmpc_end_serialized_parallel(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_thread *t = wso_self();
  wso_serial *s = t->serial;
  if (!s)
    return;
  wso_task_wait_children(&s->impl);
  t->task = s->saved_task;
  t->base_team = s->saved_team;
  t->base_tid = s->saved_tid;
  t->serial = s->prev;
  free(s);
}

/* ---- Barrier and team constructs ------------------------------------------
 */

void wso_barrier(wso_thread *t) {
  wso_task *task = t->task;
  /* A scheduling point: this member's tasks (and, as each waits for its
   * own children, all their descendants) finish first.  Once every member
   * has arrived, every explicit task of the team has finished. */
  wso_task_wait_children(task);
  wso_team *team = task->team;
  /* Inside an explicit task a barrier is not allowed by OpenMP; like the
   * other team constructs there it acts as in a team of one. */
  if (!task->implicit || team->nthreads == 1)
    return;
  uint32_t n = (uint32_t)team->nthreads;
  /* Acquire: pairs with the release store that ended the previous barrier
   * (whose generation we must not mistake for this one's end). */
  uint32_t gen = atomic_load_explicit(&team->bar_gen.v, memory_order_acquire);
  if (atomic_fetch_add_explicit(&team->bar_count, 1, memory_order_acq_rel) ==
      n - 1) {
    atomic_store_explicit(&team->bar_count, 0, memory_order_relaxed);
    /* Seq_cst (release, and see wso_event): everything before every
     * member's arrival (their acq_rel increments, which we acquired) is
     * visible to those we release. */
    atomic_store_explicit(&team->bar_gen.v, gen + 1, memory_order_seq_cst);
    wso_event_wake(&team->bar_gen);
  } else if (!wso_event_spin(&team->bar_gen, gen, WSO_BARRIER_SPINS)) {
    /* Not over after a short spin: run the team's tasks until it is.
     * Counted among the generation's sleepers (seq_cst, see wso_event:
     * the last member's check of the count sees us, or we see its store),
     * so that its wso_event_wake wakes us if we sleep on the word. */
    atomic_fetch_add_explicit(&team->bar_gen.sleepers, 1, memory_order_seq_cst);
    ws_wait_until((const uint32_t *)&team->bar_gen.v, gen);
    atomic_fetch_sub_explicit(&team->bar_gen.sleepers, 1, memory_order_relaxed);
  }
}

WSO_EXPORT void __kmpc_barrier(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_barrier(wso_self());
}

WSO_EXPORT void __kmpc_flush(wso_ident *loc) {
  (void)loc;
  atomic_thread_fence(memory_order_seq_cst);
}

static int in_team(wso_task *task) {
  return task->implicit && task->team->nthreads > 1;
}

/* The first member to reach the k-th `single` of the region claims it:
 * claims happen in order, so the k-th is free exactly when the counter
 * still reads k - 1. */
WSO_EXPORT int32_t __kmpc_single(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_task *task = wso_self()->task;
  if (!in_team(task))
    return 1;
  uint32_t k = ++task->ws.single_seq;
  uint32_t expected = k - 1;
  return atomic_compare_exchange_strong_explicit(
      &task->team->single_claimed, &expected, k, memory_order_relaxed,
      memory_order_relaxed);
}

WSO_EXPORT void __kmpc_end_single(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
}

WSO_EXPORT int32_t __kmpc_master(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  return wso_thread_num(wso_self()) == 0;
}

WSO_EXPORT void __kmpc_end_master(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
}

WSO_EXPORT int32_t __kmpc_masked(wso_ident *loc, int32_t gtid, int32_t filter) {
  (void)loc, (void)gtid;
  return wso_thread_num(wso_self()) == filter;
}

WSO_EXPORT void __kmpc_end_masked(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
}

WSO_EXPORT void __kmpc_copyprivate(wso_ident *loc, int32_t gtid, size_t size,
                                   void *data, void (*copy)(void *, void *),
                                   int32_t didit) {
  (void)loc, (void)gtid, (void)size;
  wso_thread *t = wso_self();
  wso_task *task = t->task;
  if (!in_team(task))
    return;
  wso_team *team = task->team;
  /* Relaxed: the barrier orders it. */
  if (didit)
    atomic_store_explicit(&team->cp_data, data, memory_order_relaxed);
  wso_barrier(t);
  if (!didit)
    copy(data, atomic_load_explicit(&team->cp_data, memory_order_relaxed));
  /* The source must outlive every copy. */
  wso_barrier(t);
}

/* Reductions: every member combines its partial result into the shared
 * variable itself, one at a time under the name's lock (return 1: "you do
 * the combining, then call end_reduce").  The tree and atomic methods
 * libomp may choose are optimizations we do not need for correctness. */
WSO_EXPORT int32_t __kmpc_reduce_nowait(wso_ident *loc, int32_t gtid,
                                        int32_t nvars, size_t size, void *data,
                                        void (*combine)(void *, void *),
                                        wso_critical_name *lock) {
  (void)loc, (void)gtid, (void)nvars, (void)size, (void)data, (void)combine;
  if (in_team(wso_self()->task))
    wso_word_lock((_Atomic uint32_t *)lock);
  return 1;
}

WSO_EXPORT void __kmpc_end_reduce_nowait(wso_ident *loc, int32_t gtid,
                                         wso_critical_name *lock) {
  (void)loc, (void)gtid;
  if (in_team(wso_self()->task))
    wso_word_unlock((_Atomic uint32_t *)lock);
}

WSO_EXPORT int32_t __kmpc_reduce(wso_ident *loc, int32_t gtid, int32_t nvars,
                                 size_t size, void *data,
                                 void (*combine)(void *, void *),
                                 wso_critical_name *lock) {
  return __kmpc_reduce_nowait(loc, gtid, nvars, size, data, combine, lock);
}

WSO_EXPORT void __kmpc_end_reduce(wso_ident *loc, int32_t gtid,
                                  wso_critical_name *lock) {
  (void)loc, (void)gtid;
  wso_thread *t = wso_self();
  if (in_team(t->task))
    wso_word_unlock((_Atomic uint32_t *)lock);
  wso_barrier(t);
}

/* ---- The omp_* API --------------------------------------------------------
 */

WSO_EXPORT int omp_get_thread_num(void) { return wso_thread_num(wso_self()); }

WSO_EXPORT int omp_get_num_threads(void) {
  return wso_self()->task->team->nthreads;
}

WSO_EXPORT int omp_get_max_threads(void) { return wso_self()->nthreads_var; }

WSO_EXPORT void omp_set_num_threads(int n) {
  if (n > 0)
    wso_self()->nthreads_var = n;
}

WSO_EXPORT int omp_in_parallel(void) {
  return wso_self()->task->team->active_level > 0;
}

WSO_EXPORT int omp_get_level(void) { return wso_self()->task->team->level; }

WSO_EXPORT int omp_get_active_level(void) {
  return wso_self()->task->team->active_level;
}

static wso_team *team_at_level(int level, int *tid) {
  wso_thread *t = wso_self();
  wso_team *team = t->task->team;
  int my = wso_thread_num(t);
  if (level < 0 || level > team->level)
    return NULL;
  while (team->level > level) {
    my = team->parent_tid;
    team = team->parent;
  }
  if (tid)
    *tid = my;
  return team;
}

WSO_EXPORT int omp_get_ancestor_thread_num(int level) {
  int tid;
  return team_at_level(level, &tid) ? tid : -1;
}

WSO_EXPORT int omp_get_team_size(int level) {
  wso_team *team = team_at_level(level, NULL);
  return team ? team->nthreads : -1;
}

WSO_EXPORT int omp_get_num_procs(void) {
  wso_global_init();
  return g_ncpus;
}

WSO_EXPORT double omp_get_wtime(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

WSO_EXPORT double omp_get_wtick(void) {
  struct timespec ts;
  clock_getres(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

WSO_EXPORT int omp_in_final(void) { return wso_self()->task->final; }

WSO_EXPORT int omp_in_explicit_task(void) {
  return !wso_self()->task->implicit;
}

/* Dynamic adjustment, nesting, active levels.  One active level is
 * supported (omp_get_supported_active_levels): a region inside an active
 * one runs as a team of one.  As OpenMP specifies for that: a request for
 * more active levels than supported sets max-active-levels-var to 1,
 * omp_set_nested(true) sets it to 1 and false leaves it at most 1 (so
 * nesting is never "enabled": omp_get_nested() is false), and 0 makes
 * every region inactive. */
WSO_EXPORT void omp_set_dynamic(int v) { (void)v; }
WSO_EXPORT int omp_get_dynamic(void) { return 0; }
WSO_EXPORT void omp_set_nested(int v) {
  wso_global_init(); /* (the environment's value is read first) */
  if (v)
    atomic_store_explicit(&g_max_active, 1, memory_order_relaxed);
}
WSO_EXPORT int omp_get_nested(void) { return 0; }
WSO_EXPORT void omp_set_max_active_levels(int v) {
  wso_global_init();
  if (v >= 0) /* negative: not conforming, ignored */
    atomic_store_explicit(&g_max_active, v > 0, memory_order_relaxed);
}
WSO_EXPORT int omp_get_max_active_levels(void) {
  wso_global_init();
  return atomic_load_explicit(&g_max_active, memory_order_relaxed);
}
WSO_EXPORT int omp_get_supported_active_levels(void) { return 1; }
WSO_EXPORT int omp_get_thread_limit(void) { return INT_MAX; }
/* teams constructs are not supported (unsupported.c): their settings are
 * accepted and the host's one team reported. */
WSO_EXPORT void omp_set_num_teams(int n) { (void)n; }
WSO_EXPORT int omp_get_max_teams(void) { return 1; }
WSO_EXPORT void omp_set_teams_thread_limit(int n) { (void)n; }
WSO_EXPORT int omp_get_teams_thread_limit(void) { return INT_MAX; }
WSO_EXPORT int omp_get_max_task_priority(void) {
  wso_global_init();
  return wso_cfg.max_priority;
}
WSO_EXPORT int omp_get_cancellation(void) {
  wso_global_init();
  return wso_cfg.cancellation;
}

/* Cancellation.  With cancel-var false (OMP_CANCELLATION unset, the default
 * here as in libomp) OpenMP ignores `cancel`: the thread goes on after it,
 * cancellation points never fire, and a cancellation barrier is a barrier.
 * Activating it is not supported yet. */
WSO_EXPORT int32_t __kmpc_cancel(wso_ident *loc, int32_t gtid, int32_t kind) {
  (void)loc, (void)gtid, (void)kind;
  wso_global_init();
  if (wso_cfg.cancellation)
    wso_unsupported("cancel with OMP_CANCELLATION=true (__kmpc_cancel)");
  return 0;
}

WSO_EXPORT int32_t __kmpc_cancellationpoint(wso_ident *loc, int32_t gtid,
                                            int32_t kind) {
  (void)loc, (void)gtid, (void)kind;
  return 0;
}

WSO_EXPORT int32_t __kmpc_cancel_barrier(wso_ident *loc, int32_t gtid) {
  (void)loc, (void)gtid;
  wso_barrier(wso_self());
  return 0;
}
WSO_EXPORT omp_proc_bind_t omp_get_proc_bind(void) {
  return omp_proc_bind_false;
}
WSO_EXPORT int omp_get_num_places(void) { return 0; }
WSO_EXPORT int omp_get_place_num(void) { return -1; }
WSO_EXPORT int omp_get_partition_num_places(void) { return 0; }
WSO_EXPORT int omp_get_team_num(void) { return 0; }
WSO_EXPORT int omp_get_num_teams(void) { return 1; }
WSO_EXPORT int omp_get_default_device(void) { return 0; }
WSO_EXPORT void omp_set_default_device(int d) { (void)d; }
WSO_EXPORT int omp_get_num_devices(void) { return 0; }
WSO_EXPORT int omp_is_initial_device(void) { return 1; }
WSO_EXPORT int omp_get_initial_device(void) { return 0; }
WSO_EXPORT int omp_get_device_num(void) { return 0; }

/* omp_sched_t: static 1, dynamic 2, guided 3, auto 4. */
WSO_EXPORT void omp_set_schedule(omp_sched_t kind, int chunk) {
  wso_global_init();
  switch ((int)((unsigned)kind & ~0x80000000u)) {
  case 1:
  case 4:
    wso_cfg.run_kind = WSO_K_STATIC;
    break;
  case 2:
    wso_cfg.run_kind = WSO_K_DYNAMIC;
    break;
  case 3:
    wso_cfg.run_kind = WSO_K_GUIDED;
    break;
  default:
    return;
  }
  wso_cfg.run_chunk = chunk > 0 ? chunk : 0;
}

WSO_EXPORT void omp_get_schedule(omp_sched_t *kind, int *chunk) {
  wso_global_init();
  *kind = wso_cfg.run_kind == WSO_K_DYNAMIC  ? omp_sched_dynamic
          : wso_cfg.run_kind == WSO_K_GUIDED ? omp_sched_guided
                                             : omp_sched_static;
  *chunk = wso_cfg.run_chunk;
}

/* ---- Small constructs -----------------------------------------------------
 */

/* `scope`: its barrier, if any, is a separate __kmpc_barrier. */
WSO_EXPORT void __kmpc_scope(wso_ident *loc, int32_t gtid, void *reserved) {
  (void)loc, (void)gtid, (void)reserved;
}

WSO_EXPORT void __kmpc_end_scope(wso_ident *loc, int32_t gtid, void *reserved) {
  (void)loc, (void)gtid, (void)reserved;
}

/* affinity(...) on a task is a placement hint. */
WSO_EXPORT int32_t __kmpc_omp_reg_task_with_affinity(wso_ident *loc,
                                                     int32_t gtid, void *task,
                                                     int32_t n, void *list) {
  (void)loc, (void)gtid, (void)task, (void)n, (void)list;
  return 0;
}

/* `error at(execution) severity(...) message(...)`: 1 warning, 2 fatal. */
WSO_EXPORT void __kmpc_error(wso_ident *loc, int severity,
                             const char *message) {
  const char *src = loc && loc->psource ? loc->psource : "";
  fprintf(stderr, "ws-omp: %s: %s (at %s)\n",
          severity == 2 ? "error" : "warning", message ? message : "", src);
  if (severity == 2)
    exit(1);
}

/*
 * trace.c -- WS_TRACE=PATH: a Chrome trace-event JSON file (Perfetto and
 * chrome://tracing open it).  One track per worker (tid = worker id), one
 * complete slice per task run (named by its site), steals as instant
 * events, parks as slices.
 *
 * Each worker appends fixed-size records to its own buffer of
 * WS_TRACE_BUFFER events; only the owner writes it, so recording is a few
 * plain stores and one release store of the length.  A full buffer drops
 * the newest events and counts them; the count is printed once at shutdown
 * and stored in the file's "otherData".  The file is formatted at shutdown,
 * from the buffers, so recording never does I/O.
 */
#include "observe.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

_Atomic int ws__trace_on;

enum {
  EV_TASK_SITE, /* a task slice; `what` is its ws_site */
  EV_TASK_FN,   /* a task slice of a task without a site; `what` is its fn */
  EV_STEAL,     /* instant: `count` tasks of `tier` taken from `victim` */
  EV_PARK       /* a slice: the worker slept */
};

typedef struct trace_event {
  uint64_t ts;  /* CLOCK_MONOTONIC ns */
  uint64_t dur; /* ns; EV_STEAL: the number of tasks */
  const void *what;
  uint16_t kind;
  uint8_t tier;
  uint8_t reserved;
  int32_t victim;
} trace_event;

typedef struct trace_buf {
  /* Owner: relaxed load, release store after filling the slot.  The writer
   * of the file loads it with acquire, so every event below it is complete
   * even when the file is written while the worker still runs (exit from
   * inside a task). */
  alignas(64) _Atomic uint64_t len;
  _Atomic uint64_t dropped;       /* owner-written, like len */
  _Atomic uint64_t dropped_tasks; /* task slices among them */
  trace_event ev[];
} trace_buf;

/* The tracing pool's state.  Written under g_lock before its workers start
 * and after they stop; read lock-free by its workers. */
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static ws__pool *g_owner;
static trace_buf **g_bufs;
static trace_buf **g_forgotten; /* a fork's child: see ws__trace_forget */
static int g_nbufs;
static uint64_t g_cap;
static uint64_t g_t0;
static FILE *g_file;
/* Set by libws-mpi (ws__trace_set_process): the rank as the trace's pid and
 * "rank R" as its process name, so that the ranks' traces of one job are
 * one process each in a merged view.  -1: the process id. */
static int g_pid = -1;
static char g_pname[48];

uint64_t ws__trace_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- Recording (owner only) ------------------------------------------------
 */

static inline void record(ws__worker *w, int kind, const void *what, int tier,
                          uint64_t ts, uint64_t dur, int victim) {
  /* One track per worker: the records of further application threads
   * (pool.c) have none, and their events are not recorded. */
  if (__builtin_expect(w->id >= g_nbufs, 0))
    return;
  trace_buf *b = g_bufs[w->id];
  /* Relaxed: only this thread writes len. */
  uint64_t n = atomic_load_explicit(&b->len, memory_order_relaxed);
  if (__builtin_expect(n >= g_cap, 0)) {
    /* Relaxed loads + stores: owner-only counters, read at shutdown after
     * the join (or as a best-effort snapshot at exit). */
    atomic_store_explicit(
        &b->dropped,
        atomic_load_explicit(&b->dropped, memory_order_relaxed) + 1,
        memory_order_relaxed);
    if (kind <= EV_TASK_FN)
      atomic_store_explicit(
          &b->dropped_tasks,
          atomic_load_explicit(&b->dropped_tasks, memory_order_relaxed) + 1,
          memory_order_relaxed);
    return;
  }
  trace_event *e = &b->ev[n];
  e->ts = ts;
  e->dur = dur;
  e->what = what;
  e->kind = (uint16_t)kind;
  e->tier = (uint8_t)tier;
  e->reserved = 0;
  e->victim = victim;
  /* Release: pairs with the acquire load in ws__trace_write; publishes the
   * event just filled. */
  atomic_store_explicit(&b->len, n + 1, memory_order_release);
}

static void record_task(ws__worker *w, ws_task_fn fn, void *captures, int tier,
                        const ws_site *site, uint64_t t0) {
  uint64_t t1 = ws__trace_now();
  if (site)
    record(w, EV_TASK_SITE, site, tier, t0, t1 - t0, -1);
  else
    record(w, EV_TASK_FN, (const void *)ws__timed_unwrap(fn, captures), tier,
           t0, t1 - t0, -1);
}

void ws__trace_run_task(ws__worker *w, ws__task *t) {
  /* Read before the run: the descriptor is the task's until it returns, but
   * these are what the slice describes. */
  ws_task_fn fn = t->fn;
  const ws_site *site = t->site;
  int tier = t->tier;
  void *captures = ws__task_captures(t);
  uint64_t t0 = ws__trace_now();
  fn(captures);
  record_task(w, fn, captures, tier, site, t0);
}

void ws__trace_inline_task(ws__worker *w, ws_task_fn fn, void *captures,
                           int tier, const ws_site *site) {
  uint64_t t0 = ws__trace_now();
  fn(captures);
  record_task(w, fn, captures, tier, site, t0);
}

void ws__trace_steal(ws__worker *w, int victim, int tier, uint64_t tasks) {
  record(w, EV_STEAL, NULL, tier, ws__trace_now(), tasks, victim);
}

void ws__trace_park(ws__worker *w, uint64_t t0) {
  record(w, EV_PARK, NULL, 0, t0, ws__trace_now() - t0, -1);
}

/* ---- Start and stop
 * ----------------------------------------------------------- */

static void free_buffers(void) {
  for (int i = 0; i < g_nbufs; i++)
    free(g_bufs[i]);
  free(g_bufs);
  g_bufs = NULL;
  g_nbufs = 0;
}

void ws__trace_start(ws__pool *p) {
  const char *path = p->cfg.trace_path;
  if (!path[0])
    return;
  pthread_mutex_lock(&g_lock);
  if (g_owner) { /* cannot happen: one pool at a time */
    pthread_mutex_unlock(&g_lock);
    return;
  }
  g_cap = p->cfg.trace_buffer > 0 ? (uint64_t)p->cfg.trace_buffer
                                  : WS__TRACE_BUFFER_DEFAULT;
  /* Opened now, so that a bad path is reported before the run, not after. */
  g_file = fopen(path, "w");
  if (!g_file) {
    fprintf(stderr, "ws: WS_TRACE: cannot write %s: %s; tracing off\n", path,
            strerror(errno));
    pthread_mutex_unlock(&g_lock);
    return;
  }
  g_bufs = calloc((size_t)p->n, sizeof *g_bufs);
  int ok = g_bufs != NULL;
  if (ok) {
    g_nbufs = p->n;
    /* Untouched pages of a large buffer cost no memory (Linux maps them on
     * first write), so a generous default is cheap. */
    size_t bytes = sizeof(trace_buf) + (size_t)g_cap * sizeof(trace_event);
    bytes = (bytes + 63) & ~(size_t)63;
    for (int i = 0; i < p->n && ok; i++) {
      trace_buf *b = aligned_alloc(64, bytes);
      if (!b) {
        ok = 0;
        break;
      }
      atomic_init(&b->len, 0);
      atomic_init(&b->dropped, 0);
      atomic_init(&b->dropped_tasks, 0);
      g_bufs[i] = b;
    }
  }
  if (!ok) {
    fprintf(stderr,
            "ws: WS_TRACE: no memory for %d buffers of %llu events "
            "(WS_TRACE_BUFFER); tracing off\n",
            p->n, (unsigned long long)g_cap);
    free_buffers();
    fclose(g_file);
    g_file = NULL;
    unlink(path); /* no trace: no empty file that is not JSON either */
    pthread_mutex_unlock(&g_lock);
    return;
  }
  g_owner = p;
  g_t0 = ws__trace_now();
  /* Relaxed: the workers that read it are created after this (thread
   * creation orders it), see ws__tracing. */
  atomic_store_explicit(&ws__trace_on, 1, memory_order_relaxed);
  pthread_mutex_unlock(&g_lock);
}

void ws__trace_stop(ws__pool *p) {
  pthread_mutex_lock(&g_lock);
  if (g_owner == p) {
    /* Relaxed: p's workers have been joined (or never started). */
    atomic_store_explicit(&ws__trace_on, 0, memory_order_relaxed);
    free_buffers();
    if (g_file)
      fclose(g_file);
    g_file = NULL;
    g_owner = NULL;
  }
  pthread_mutex_unlock(&g_lock);
}

/* A fork's child: p belongs to the parent.  Tracing stops without writing
 * (the parent writes the file); the child's own pool may trace anew. */
void ws__trace_forget(ws__pool *p) {
  if (g_owner != p)
    return;
  atomic_store_explicit(&ws__trace_on, 0, memory_order_relaxed);
  g_forgotten = g_bufs; /* the parent's buffers (kept reachable) */
  g_bufs = NULL;
  g_nbufs = 0;
  if (g_file)
    fclose(g_file);
  g_file = NULL;
  g_owner = NULL;
  pthread_mutex_init(&g_lock, NULL);
}

/* ---- The file
 * ------------------------------------------------------------------ */

static const char *const k_tier_names[WS_NUM_TIERS] = {"low", "normal", "high",
                                                       "critical"};

/* Labels are looked up once per distinct site or function (dladdr is not
 * cheap): a small direct-mapped cache of JSON-ready names. */
#define LABEL_CACHE 256
typedef struct label_cache {
  const void *key[LABEL_CACHE];
  int kind[LABEL_CACHE];
  char name[LABEL_CACHE][160];
} label_cache;

static const char *label_of(label_cache *c, int kind, const void *what) {
  size_t h = ((uintptr_t)what >> 4) % LABEL_CACHE;
  if (c->key[h] != what || c->kind[h] != kind || !what) {
    c->key[h] = what;
    c->kind[h] = kind;
    if (kind == EV_TASK_SITE)
      ws__task_label((const ws_site *)what, NULL, c->name[h],
                     sizeof c->name[h]);
    else {
      ws_task_fn fn;
      memcpy(&fn, &what, sizeof fn);
      ws__task_label(NULL, fn, c->name[h], sizeof c->name[h]);
    }
  }
  return c->name[h];
}

/* Microseconds with nanosecond digits, as Chrome's format wants. */
static void put_us(FILE *f, const char *key, uint64_t ns) {
  fprintf(f, ",\"%s\":%llu.%03llu", key, (unsigned long long)(ns / 1000),
          (unsigned long long)(ns % 1000));
}

void ws__trace_write(ws__pool *p) {
  pthread_mutex_lock(&g_lock);
  if (g_owner != p || !g_file) {
    pthread_mutex_unlock(&g_lock);
    return;
  }
  FILE *f = g_file;
  g_file = NULL;
  label_cache *cache = calloc(1, sizeof *cache);
  int pid = g_pid >= 0 ? g_pid : (int)getpid();
  uint64_t dropped = 0, dropped_tasks = 0;
  setvbuf(f, NULL, _IOFBF, 1 << 16);
  fputs("{\"traceEvents\":[\n", f);
  fprintf(f,
          "{\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":0,"
          "\"args\":{\"name\":\"%s (%d workers)\"}}",
          pid, g_pname[0] ? g_pname : "ws", g_nbufs);
  if (g_pid >= 0)
    fprintf(f,
            ",\n{\"name\":\"process_sort_index\",\"ph\":\"M\",\"pid\":%d,"
            "\"tid\":0,\"args\":{\"sort_index\":%d}}",
            pid, pid);
  for (int i = 0; i < g_nbufs; i++) {
    trace_buf *b = g_bufs[i];
    /* Acquire: pairs with the owner's release store in record(). */
    uint64_t n = atomic_load_explicit(&b->len, memory_order_acquire);
    /* Relaxed: exact after the join; a snapshot at exit from a task. */
    uint64_t d = atomic_load_explicit(&b->dropped, memory_order_relaxed);
    dropped += d;
    dropped_tasks +=
        atomic_load_explicit(&b->dropped_tasks, memory_order_relaxed);
    fprintf(f,
            ",\n{\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%d,"
            "\"args\":{\"name\":\"worker %d",
            pid, i, i);
    if (d)
      fprintf(f, " (%llu events dropped)", (unsigned long long)d);
    fputs("\"}}", f);
    fprintf(f,
            ",\n{\"name\":\"thread_sort_index\",\"ph\":\"M\",\"pid\":%d,"
            "\"tid\":%d,\"args\":{\"sort_index\":%d}}",
            pid, i, i);
    for (uint64_t k = 0; k < n; k++) {
      const trace_event *e = &b->ev[k];
      uint64_t ts = e->ts >= g_t0 ? e->ts - g_t0 : 0;
      const char *tier =
          k_tier_names[e->tier < WS_NUM_TIERS ? e->tier : WS_TIER_NORMAL];
      fputs(",\n{\"name\":", f);
      switch (e->kind) {
      case EV_TASK_SITE:
      case EV_TASK_FN: {
        const char *label = cache ? label_of(cache, e->kind, e->what) : "task";
        ws__json_string(f, label);
        fprintf(f, ",\"cat\":\"task\",\"ph\":\"X\",\"pid\":%d,\"tid\":%d", pid,
                i);
        put_us(f, "ts", ts);
        put_us(f, "dur", e->dur);
        fprintf(f, ",\"args\":{\"tier\":\"%s\"}}", tier);
        break;
      }
      case EV_STEAL:
        fprintf(f,
                "\"steal\",\"cat\":\"steal\",\"ph\":\"i\",\"s\":\"t\","
                "\"pid\":%d,\"tid\":%d",
                pid, i);
        put_us(f, "ts", ts);
        fprintf(f, ",\"args\":{\"victim\":%d,\"tier\":\"%s\",\"tasks\":%llu}}",
                e->victim, tier, (unsigned long long)e->dur);
        break;
      default:
        fprintf(f,
                "\"park\",\"cat\":\"idle\",\"ph\":\"X\",\"pid\":%d,"
                "\"tid\":%d",
                pid, i);
        put_us(f, "ts", ts);
        put_us(f, "dur", e->dur);
        fputs("}", f);
      }
    }
  }
  fprintf(f,
          "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{"
          "\"ws_trace_version\":1,\"workers\":%d,"
          "\"buffer_events\":%llu,\"dropped_events\":%llu,"
          "\"dropped_task_slices\":%llu}}\n",
          g_nbufs, (unsigned long long)g_cap, (unsigned long long)dropped,
          (unsigned long long)dropped_tasks);
  int bad = ferror(f);
  if (fclose(f) != 0 || bad)
    fprintf(stderr, "ws: WS_TRACE: error writing %s: %s\n", p->cfg.trace_path,
            strerror(errno));
  if (dropped)
    fprintf(stderr,
            "ws: WS_TRACE: %llu events dropped (%llu task slices): a "
            "worker's buffer of %llu events was full; raise "
            "WS_TRACE_BUFFER\n",
            (unsigned long long)dropped, (unsigned long long)dropped_tasks,
            (unsigned long long)g_cap);
  free(cache);
  pthread_mutex_unlock(&g_lock);
}

void ws__trace_set_process(int pid, const char *name) {
  pthread_mutex_lock(&g_lock);
  g_pid = pid;
  snprintf(g_pname, sizeof g_pname, "%s", name ? name : "");
  pthread_mutex_unlock(&g_lock);
}

void ws__trace_rebase(void) {
  pthread_mutex_lock(&g_lock);
  if (g_owner)
    g_t0 = ws__trace_now();
  pthread_mutex_unlock(&g_lock);
}

/* ---- Labels
 * ------------------------------------------------------------------------ */

const char *ws__task_label(const ws_site *site, ws_task_fn fn, char *buf,
                           size_t size) {
  if (site && site->label && site->label[0]) {
    snprintf(buf, size, "%s", site->label);
    return buf;
  }
  if (site && site->file) {
    snprintf(buf, size, "%s:%d", site->file, site->line);
    return buf;
  }
  void *addr;
  memcpy(&addr, &fn, sizeof addr);
  Dl_info info;
  memset(&info, 0, sizeof info);
  if (!fn)
    snprintf(buf, size, "task");
  else if (dladdr(addr, &info) && info.dli_sname && info.dli_saddr == addr)
    snprintf(buf, size, "%s", info.dli_sname);
  else if (info.dli_fname && info.dli_fbase) {
    /* A static function: module+offset, which addr2line resolves. */
    const char *base = strrchr(info.dli_fname, '/');
    snprintf(buf, size, "task@%s+0x%llx", base ? base + 1 : info.dli_fname,
             (unsigned long long)((uintptr_t)addr - (uintptr_t)info.dli_fbase));
  } else
    snprintf(buf, size, "task@%p", addr);
  return buf;
}

/*
 * threadprivate.c -- `threadprivate` through the runtime, which Clang uses
 * when it does not use thread-local storage (-fnoopenmp-use-tls).  Clang
 * calls __kmpc_threadprivate_cached(loc, gtid, &var, sizeof var, &cache) at
 * every access and uses the address it returns.
 *
 * The initial thread uses the variable itself (OpenMP: the original is the
 * initial thread's copy).  Every other thread gets a copy initialised from
 * the variable's initial value: a snapshot taken at the first call for that
 * variable, by any thread -- every access goes through this call, so the
 * snapshot predates any write.  Copies live in a per-thread table (the fast
 * path: no lock) and are freed when the thread exits.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wso.h"

typedef struct tp_entry {
  void *key;  /* the variable's address */
  void *copy; /* this thread's copy */
} tp_entry;

typedef struct tp_table {
  size_t cap, n; /* open addressing; cap a power of two */
  tp_entry *e;
} tp_table;

/* Snapshots of the variables' initial values, process-wide. */
typedef struct tp_snapshot {
  void *key;
  size_t size;
  struct tp_snapshot *next;
  _Alignas(16) unsigned char bytes[];
} tp_snapshot;

static pthread_mutex_t g_snap_lock = PTHREAD_MUTEX_INITIALIZER;
static tp_snapshot *g_snaps;
static pthread_key_t g_tp_key;
static pthread_once_t g_tp_once = PTHREAD_ONCE_INIT;

static void oom(void) {
  fprintf(stderr, "ws-omp: out of memory for a threadprivate copy\n");
  abort();
}

static void free_table(void *p) {
  tp_table *tb = p;
  for (size_t i = 0; i < tb->cap; i++)
    if (tb->e[i].copy != tb->e[i].key) /* not the original itself */
      free(tb->e[i].copy);
  free(tb->e);
  free(tb);
}

static void tp_init(void) { pthread_key_create(&g_tp_key, free_table); }

static size_t slot(const tp_table *tb, const void *key) {
  return (size_t)(((uintptr_t)key >> 3) * 0x9E3779B97F4A7C15u) & (tb->cap - 1);
}

static void insert(tp_table *tb, void *key, void *copy) {
  size_t i = slot(tb, key);
  while (tb->e[i].key)
    i = (i + 1) & (tb->cap - 1);
  tb->e[i].key = key;
  tb->e[i].copy = copy;
  tb->n++;
}

static tp_table *grow(tp_table *tb) {
  if (!tb) {
    pthread_once(&g_tp_once, tp_init);
    tb = calloc(1, sizeof *tb);
    if (!tb)
      oom();
    pthread_setspecific(g_tp_key, tb);
  }
  if (2 * (tb->n + 1) <= tb->cap)
    return tb;
  tp_table old = *tb;
  tb->cap = old.cap ? 2 * old.cap : 16;
  tb->n = 0;
  tb->e = calloc(tb->cap, sizeof *tb->e);
  if (!tb->e)
    oom();
  for (size_t i = 0; i < old.cap; i++)
    if (old.e[i].key)
      insert(tb, old.e[i].key, old.e[i].copy);
  free(old.e);
  return tb;
}

/* The variable's initial value (recorded at the first call for it). */
static const tp_snapshot *snapshot(void *data, size_t size) {
  pthread_mutex_lock(&g_snap_lock);
  tp_snapshot *s = g_snaps;
  while (s && s->key != data)
    s = s->next;
  if (!s) {
    s = malloc(sizeof *s + size);
    if (!s)
      oom();
    s->key = data;
    s->size = size;
    memcpy(s->bytes, data, size);
    s->next = g_snaps;
    g_snaps = s;
  }
  pthread_mutex_unlock(&g_snap_lock);
  return s;
}

static void *lookup(void *data, size_t size) {
  wso_thread *t = wso_self();
  tp_table *tb = t->tp;
  if (WSO_LIKELY(tb && tb->cap)) {
    for (size_t i = slot(tb, data); tb->e[i].key; i = (i + 1) & (tb->cap - 1))
      if (tb->e[i].key == data)
        return tb->e[i].copy;
  }
  const tp_snapshot *s = snapshot(data, size);
  void *copy = data; /* the initial thread's copy: the variable itself */
  if (t->gtid != 0) {
    /* 64: the variable's alignment is not passed; a cache line covers any. */
    if (posix_memalign(&copy, 64, size ? size : 1))
      oom();
    memcpy(copy, s->bytes, size);
  }
  t->tp = tb = grow(tb);
  insert(tb, data, copy);
  return copy;
}

WSO_EXPORT void *__kmpc_threadprivate_cached(wso_ident *loc, int32_t gtid,
                                             void *data, size_t size,
                                             void ***cache) {
  (void)loc, (void)gtid, (void)cache;
  return lookup(data, size);
}

WSO_EXPORT void *__kmpc_threadprivate(wso_ident *loc, int32_t gtid, void *data,
                                      size_t size) {
  (void)loc, (void)gtid;
  return lookup(data, size);
}

/*
 * taskred.c -- task reductions: `taskgroup task_reduction(op: x)` with
 * `task in_reduction(op: x)`, and `taskloop reduction(op: x)` (which Clang
 * lowers to the same: a taskgroup, __kmpc_taskred_init, tasks that ask for
 * their copy with __kmpc_task_reduction_get_th_data).
 *
 * Each thread that runs a participating task gets its own private copy of
 * each item, made on first use (the item's init, or zeros); the end of the
 * taskgroup, once every task of the group has finished, combines every copy
 * into the shared variable with the item's combiner (in thread-number order)
 * and finalises it.  Copies are indexed by the global thread number.  A
 * task inherits its creator's reductions, so that an orphaned in_reduction
 * (Clang passes no taskgroup then) finds the enclosing group's items.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wso.h"

#define WSO_RED_THREADS 1024 /* global thread numbers with a copy slot */

/* One item as Clang describes it (OpenMP 5.0 interface). */
typedef struct wso_taskred_input {
  void *shar;  /* the shared variable */
  void *orig;  /* the original (for init's second argument) */
  size_t size; /* bytes */
  void *init;  /* void init(void *priv, void *orig), or NULL: zeros */
  void *fini;  /* void fini(void *priv), or NULL */
  void *comb;  /* void comb(void *shar, void *priv) */
  uint32_t flags;
} wso_taskred_input;

/* The older interface (__kmpc_task_reduction_init): no orig, init(priv). */
typedef struct wso_task_red_input {
  void *shar;
  size_t size;
  void *init;
  void *fini;
  void *comb;
  uint32_t flags;
} wso_task_red_input;

typedef struct wso_red_item {
  void *shar, *orig;
  size_t size;
  void *init, *fini, *comb;
  int init_has_orig;
  void *_Atomic copies[WSO_RED_THREADS];
} wso_red_item;

struct wso_taskred {
  wso_task *owner; /* the task whose taskgroup it belongs to */
  int level;       /* that taskgroup's depth in the owner */
  int n;
  struct wso_taskred *parent; /* the task's enclosing one, if any */
  wso_red_item items[];
};

static void oom(void) {
  fprintf(stderr, "ws-omp: out of memory for a task reduction\n");
  abort();
}

static wso_taskred *make(int n) {
  wso_taskred *r =
      calloc(1, sizeof *r + sizeof(wso_red_item) * (size_t)(n > 0 ? n : 0));
  if (!r)
    oom();
  r->n = n;
  wso_task *task = wso_self()->task;
  r->owner = task;
  r->level = task->taskgroups;
  r->parent = task->red;
  task->red = r;
  return r;
}

/* Item i of `r` as either interface describes it. */
static void set_item(wso_taskred *r, int i, void *shar, void *orig, size_t size,
                     void *init, void *fini, void *comb, int init_has_orig) {
  wso_red_item *it = &r->items[i];
  it->shar = shar;
  it->orig = orig;
  it->size = size;
  it->init = init;
  it->fini = fini;
  it->comb = comb;
  it->init_has_orig = init_has_orig;
}

WSO_EXPORT void *__kmpc_taskred_init(int gtid, int n, void *data) {
  (void)gtid;
  wso_taskred *r = make(n);
  wso_taskred_input *in = data;
  for (int i = 0; i < n; i++)
    set_item(r, i, in[i].shar, in[i].orig ? in[i].orig : in[i].shar, in[i].size,
             in[i].init, in[i].fini, in[i].comb, 1);
  return r;
}

WSO_EXPORT void *__kmpc_task_reduction_init(int gtid, int n, void *data) {
  (void)gtid;
  wso_taskred *r = make(n);
  wso_task_red_input *in = data;
  for (int i = 0; i < n; i++)
    set_item(r, i, in[i].shar, in[i].shar, in[i].size, in[i].init, in[i].fini,
             in[i].comb, 0);
  return r;
}

/* The calling thread's copy of the item at (or containing) `d`. */
WSO_EXPORT void *__kmpc_task_reduction_get_th_data(int gtid, void *tg,
                                                   void *d) {
  (void)gtid;
  wso_thread *t = wso_self();
  wso_taskred *r = tg ? (wso_taskred *)tg : t->task->red;
  if (t->gtid >= WSO_RED_THREADS)
    wso_unsupported("task reductions on more than 1024 threads "
                    "(__kmpc_task_reduction_get_th_data)");
  for (; r; r = r->parent) {
    for (int i = 0; i < r->n; i++) {
      wso_red_item *it = &r->items[i];
      char *base = it->shar;
      if ((char *)d < base || (char *)d >= base + (it->size ? it->size : 1))
        continue;
      /* Relaxed: only this thread writes its slot; the end of the group
       * reads it after every task has finished (ws_wait orders it). */
      void *copy =
          atomic_load_explicit(&it->copies[t->gtid], memory_order_relaxed);
      if (!copy) {
        if (posix_memalign(&copy, 64, it->size ? it->size : 1))
          oom();
        if (it->init_has_orig && it->init)
          ((void (*)(void *, void *))it->init)(copy, it->orig);
        else if (it->init)
          ((void (*)(void *))it->init)(copy);
        else
          memset(copy, 0, it->size);
        atomic_store_explicit(&it->copies[t->gtid], copy, memory_order_relaxed);
      }
      return (char *)copy + ((char *)d - base);
    }
  }
  /* Not a reduction item of any enclosing group: the variable itself (as
   * libomp does). */
  return d;
}

/* At the end of a taskgroup (its tasks have finished): combine and free the
 * group's reduction, if it has one. */
void wso_taskred_end(wso_task *task) {
  wso_taskred *r = task->red;
  /* (task->red may be an ancestor's, inherited: not ours to end.) */
  if (!r || r->owner != task || r->level != task->taskgroups)
    return;
  task->red = r->parent;
  for (int i = 0; i < r->n; i++) {
    wso_red_item *it = &r->items[i];
    for (int g = 0; g < WSO_RED_THREADS; g++) {
      void *copy = atomic_load_explicit(&it->copies[g], memory_order_relaxed);
      if (!copy)
        continue;
      ((void (*)(void *, void *))it->comb)(it->shar, copy);
      if (it->fini)
        ((void (*)(void *))it->fini)(copy);
      free(copy);
    }
  }
  free(r);
}

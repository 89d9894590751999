/*
 * task.c -- descriptor allocation: per-worker free lists, the shared depot
 * of whole batches and the slabs behind them.  See task.h.
 */
#include "task.h"

#include <stdlib.h>

/* Descriptors are cache-line aligned so two tasks never share a line. */
#define TASK_STRIDE ((sizeof(ws__task) + 63) & ~(size_t)63)
/* A slab: one cache line of header (the link to the next slab), then
 * WS__TASK_BATCH descriptors. */
#define SLAB_HEADER 64

/* Allocates a slab, records it in the depot, and returns its descriptors as
 * one linked batch, or NULL when out of memory. */
static ws__task *slab_new(ws__task_depot *d) {
  char *slab = aligned_alloc(64, SLAB_HEADER + WS__TASK_BATCH * TASK_STRIDE);
  if (!slab)
    return NULL;
  ws__task *first = (ws__task *)(slab + SLAB_HEADER);
  ws__task *t = first;
  for (int i = 1; i < WS__TASK_BATCH; i++) {
    t->next = (ws__task *)((char *)t + TASK_STRIDE);
    t = t->next;
  }
  t->next = NULL;
  pthread_mutex_lock(&d->lock);
  *(void **)slab = d->slabs;
  d->slabs = slab;
  pthread_mutex_unlock(&d->lock);
  return first;
}

void ws__depot_init(ws__task_depot *d) {
  pthread_mutex_init(&d->lock, NULL);
  d->batches = NULL;
  d->slabs = NULL;
}

void ws__depot_destroy(ws__task_depot *d) {
  for (void *slab = d->slabs, *next; slab; slab = next) {
    next = *(void **)slab;
    free(slab);
  }
  d->slabs = NULL;
  d->batches = NULL;
  pthread_mutex_destroy(&d->lock);
}

/* Pushes a batch of `n` linked descriptors headed by `first`. */
static void depot_push(ws__task_depot *d, ws__task *first, uint64_t n) {
  first->seq = n;
  pthread_mutex_lock(&d->lock);
  first->next_batch = d->batches;
  d->batches = first;
  pthread_mutex_unlock(&d->lock);
}

ws__task *ws__task_refill(ws__task_cache *c, ws__task_depot *d) {
  ws__task *batch = c->full;
  int n = WS__TASK_BATCH;
  if (batch) {
    c->full = NULL;
  } else {
    pthread_mutex_lock(&d->lock);
    batch = d->batches;
    if (batch) {
      d->batches = batch->next_batch;
      n = (int)batch->seq;
    }
    pthread_mutex_unlock(&d->lock);
    if (!batch && !(batch = slab_new(d)))
      return NULL; /* out of memory: the caller runs the task inline */
  }
  /* Keep the first, cache the rest (the cache was empty). */
  c->head = batch->next;
  c->count = n - 1;
  return batch;
}

void ws__task_spill(ws__task_cache *c, ws__task_depot *d) {
  /* The list holds a full batch.  Keep it back as `full` (the next refill
   * takes it without the lock); the one kept back before goes to the
   * depot, for whoever allocates without freeing (a producer). */
  if (c->full)
    depot_push(d, c->full, WS__TASK_BATCH);
  c->full = c->head;
  c->head = NULL;
  c->count = 0;
}

ws__task *ws__task_alloc_shared(ws__task_depot *d) {
  pthread_mutex_lock(&d->lock);
  ws__task *t = d->batches;
  if (t) {
    /* The batch's second descriptor heads what is left of it. */
    ws__task *rest = t->next;
    if (rest) {
      rest->next_batch = t->next_batch;
      rest->seq = t->seq - 1;
      d->batches = rest;
    } else {
      d->batches = t->next_batch;
    }
  }
  pthread_mutex_unlock(&d->lock);
  if (t)
    return t;
  t = slab_new(d);
  if (t && t->next) /* keep the first, the depot gets the rest */
    depot_push(d, t->next, WS__TASK_BATCH - 1);
  return t;
}

void ws__task_give_back(ws__task_depot *d, ws__task *t) {
  t->next = NULL;
  depot_push(d, t, 1);
}

void ws__task_cache_destroy(ws__task_cache *c) {
  c->head = NULL;
  c->count = 0;
  c->full = NULL;
}

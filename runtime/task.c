/*
 * task.c -- descriptor allocation: per-worker free lists, the shared depot
 * and the slabs behind them.  See task.h.
 */
#include "task.h"

#include <stdlib.h>

/* Descriptors are cache-line aligned so two tasks never share a line. */
#define TASK_STRIDE ((sizeof(ws__task) + 63) & ~(size_t)63)
/* A slab: one cache line of header (the link to the next slab), then
 * WS__TASK_SLAB descriptors. */
#define SLAB_HEADER 64

/* Allocates a slab, records it in the depot, and returns its descriptors
 * linked in a list (first .. *last), or NULL when out of memory. */
static ws__task *slab_new(ws__task_depot *d, ws__task **last) {
  char *slab = aligned_alloc(64, SLAB_HEADER + WS__TASK_SLAB * TASK_STRIDE);
  if (!slab)
    return NULL;
  ws__task *first = (ws__task *)(slab + SLAB_HEADER);
  ws__task *t = first;
  for (int i = 1; i < WS__TASK_SLAB; i++) {
    t->next = (ws__task *)((char *)t + TASK_STRIDE);
    t = t->next;
  }
  t->next = NULL;
  *last = t;
  pthread_mutex_lock(&d->lock);
  *(void **)slab = d->slabs;
  d->slabs = slab;
  pthread_mutex_unlock(&d->lock);
  return first;
}

void ws__depot_init(ws__task_depot *d) {
  pthread_mutex_init(&d->lock, NULL);
  d->head = NULL;
  d->count = 0;
  d->slabs = NULL;
}

void ws__depot_destroy(ws__task_depot *d) {
  for (void *slab = d->slabs, *next; slab; slab = next) {
    next = *(void **)slab;
    free(slab);
  }
  d->slabs = NULL;
  d->head = NULL;
  d->count = 0;
  pthread_mutex_destroy(&d->lock);
}

ws__task *ws__task_refill(ws__task_cache *c, ws__task_depot *d) {
  pthread_mutex_lock(&d->lock);
  ws__task *first = d->head, *last = NULL;
  int n = 0;
  for (ws__task *t = first; t && n < WS__TASK_REFILL; t = t->next) {
    last = t;
    n++;
  }
  if (n) {
    d->head = last->next;
    d->count -= n;
  }
  pthread_mutex_unlock(&d->lock);
  if (!n) {
    first = slab_new(d, &last);
    if (!first)
      return NULL; /* out of memory: the caller runs the task inline */
    n = WS__TASK_SLAB;
  }
  /* Keep the first, cache the rest. */
  last->next = c->head;
  c->head = first->next;
  c->count += n - 1;
  return first;
}

void ws__task_spill(ws__task_cache *c, ws__task_depot *d) {
  /* Give away the older half: walk to its start. */
  int keep = WS__TASK_CACHE_MAX / 2;
  ws__task *t = c->head;
  for (int i = 1; i < keep; i++)
    t = t->next;
  ws__task *give = t->next, *last = give;
  int n = 1;
  while (last->next) {
    last = last->next;
    n++;
  }
  t->next = NULL;
  c->count = keep;
  pthread_mutex_lock(&d->lock);
  last->next = d->head;
  d->head = give;
  d->count += n;
  pthread_mutex_unlock(&d->lock);
}

ws__task *ws__task_alloc_shared(ws__task_depot *d) {
  pthread_mutex_lock(&d->lock);
  ws__task *t = d->head;
  if (t) {
    d->head = t->next;
    d->count--;
  }
  pthread_mutex_unlock(&d->lock);
  if (t)
    return t;
  ws__task *last;
  t = slab_new(d, &last);
  if (t && t->next) { /* keep the first, the depot gets the rest */
    pthread_mutex_lock(&d->lock);
    last->next = d->head;
    d->head = t->next;
    d->count += WS__TASK_SLAB - 1;
    pthread_mutex_unlock(&d->lock);
  }
  return t;
}

void ws__task_give_back(ws__task_depot *d, ws__task *t) {
  pthread_mutex_lock(&d->lock);
  t->next = d->head;
  d->head = t;
  d->count++;
  pthread_mutex_unlock(&d->lock);
}

void ws__task_cache_destroy(ws__task_cache *c) {
  c->head = NULL;
  c->count = 0;
}

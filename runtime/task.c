/*
 * task.c -- descriptor allocation: per-worker free lists and the shared
 * depot.  See task.h.
 */
#include "task.h"

#include <stdlib.h>

/* Descriptors are cache-line aligned so two tasks never share a line. */
static ws__task *task_new(void) {
  size_t size = (sizeof(ws__task) + 63) & ~(size_t)63;
  return aligned_alloc(64, size);
}

void ws__depot_init(ws__task_depot *d) {
  pthread_mutex_init(&d->lock, NULL);
  d->head = NULL;
  d->count = 0;
}

void ws__depot_destroy(ws__task_depot *d) {
  for (ws__task *t = d->head, *next; t; t = next) {
    next = t->next;
    free(t);
  }
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
  if (!n)
    return task_new(); /* NULL when out of memory: the caller runs inline */
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
  return t ? t : task_new();
}

void ws__task_cache_destroy(ws__task_cache *c) {
  for (ws__task *t = c->head, *next; t; t = next) {
    next = t->next;
    free(t);
  }
  c->head = NULL;
  c->count = 0;
}

/*
 * deque.c -- Chase-Lev deque, C11 formulation of Le et al. (PPoPP 2013).
 * See deque.h (the operations are inline there).
 */
#include "deque.h"

#include <stdlib.h>

static ws__deque_buf *buf_new(int64_t capacity) {
  ws__deque_buf *a =
      malloc(sizeof *a + (size_t)capacity * sizeof(_Atomic(struct ws__task *)));
  if (!a)
    return NULL;
  a->mask = capacity - 1;
  a->retired_next = NULL;
  for (int64_t i = 0; i < capacity; i++)
    atomic_init(&a->slot[i], NULL);
  return a;
}

int ws__deque_init(ws__deque *d, int64_t capacity, int64_t limit) {
  int64_t cap = 16;
  while (cap < capacity)
    cap *= 2;
  ws__deque_buf *a = buf_new(cap);
  if (!a)
    return -1;
  atomic_init(&d->top, 0);
  atomic_init(&d->bottom, 0);
  atomic_init(&d->buf, a);
  atomic_init(&d->hwm, 0);
  d->top_cache = 0;
  d->retired = NULL;
  d->limit = limit < cap ? cap : limit;
  d->full_skip = 0;
  return 0;
}

void ws__deque_destroy(ws__deque *d) {
  free(atomic_load_explicit(&d->buf, memory_order_relaxed));
  for (ws__deque_buf *r = d->retired, *next; r; r = next) {
    next = r->retired_next;
    free(r);
  }
  atomic_store_explicit(&d->buf, NULL, memory_order_relaxed);
  d->retired = NULL;
}

/* Owner only: doubles the buffer, copying the live range [t, b). */
ws__deque_buf *ws__deque_grow(ws__deque *d, ws__deque_buf *a, int64_t b,
                              int64_t t) {
  ws__deque_buf *n = buf_new(2 * (a->mask + 1));
  if (!n)
    return NULL;
  for (int64_t i = t; i < b; i++) {
    /* Relaxed: the owner wrote these slots itself; thieves only read them. */
    struct ws__task *x =
        atomic_load_explicit(&a->slot[i & a->mask], memory_order_relaxed);
    atomic_store_explicit(&n->slot[i & n->mask], x, memory_order_relaxed);
  }
  /* The old buffer stays readable: a thief that loaded it before the store
   * below may still read a slot of it (whose value is still right, since the
   * owner never writes an old buffer again).  Freed at destroy. */
  a->retired_next = d->retired;
  d->retired = a;
  /* Release: pairs with the acquire load of `buf` in steal/peek, so a thief
   * that sees the new buffer sees the copied slots. */
  atomic_store_explicit(&d->buf, n, memory_order_release);
  return n;
}

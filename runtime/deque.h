/*
 * deque.h -- the Chase-Lev work-stealing deque.
 *
 * One owner pushes and takes at the bottom (LIFO); any number of thieves
 * steal at the top (FIFO).  The C11 formulation is the one of Le, Pop, Cohen
 * and Zappa Nardelli, "Correct and Efficient Work-Stealing for Weak Memory
 * Models" (PPoPP 2013): 64-bit signed indices that never wrap in practice,
 * atomic slots accessed with relaxed ordering, a release store of `bottom`
 * in push.  Where Le et al. put seq_cst fences, take uses a seq_cst exchange
 * of `bottom` and a seq_cst load of `top`, and steal seq_cst loads of `top`
 * and `bottom`: the four accesses are in one total order (see take).  Both
 * race for the last task with a seq_cst CAS of `top`.  Buffers grow by
 * doubling; an old buffer is kept on a retired list until the deque is
 * destroyed, because a thief may still be reading it.
 */
#ifndef WS_DEQUE_H
#define WS_DEQUE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

struct ws__task;

/* Pushes refused without looking once a deque was found full at its limit
 * (the spawner runs those tasks at once). */
#define WS__DEQUE_FULL_SKIP 64

typedef struct ws__deque_buf {
  int64_t mask;                       /* capacity - 1, capacity a power of 2 */
  struct ws__deque_buf *retired_next; /* owner-only: the retired list */
  _Atomic(struct ws__task *) slot[];
} ws__deque_buf;

typedef struct ws__deque {
  /* The thieves' cache line: they CAS `top`. */
  alignas(64) _Atomic int64_t top;
  /* The owner's cache line: only the owner writes these. */
  alignas(64) _Atomic int64_t bottom;
  _Atomic(ws__deque_buf *) buf;
  int64_t top_cache;      /* owner-only: a lower bound of `top` */
  _Atomic int64_t hwm;    /* most tasks seen queued at once (owner-written) */
  ws__deque_buf *retired; /* owner-only: buffers replaced by growth */
  int64_t limit;          /* most tasks it grows to hold (push fails beyond) */
  int64_t full_skip;      /* owner-only: pushes to refuse without a look */
} ws__deque;

/* 0 on success, -1 if the first buffer cannot be allocated.  The deque
 * grows on demand up to `limit` tasks (rounded up to a power of 2). */
int ws__deque_init(ws__deque *d, int64_t capacity, int64_t limit);
/* Frees every buffer.  Nobody may use the deque any more. */
void ws__deque_destroy(ws__deque *d);

/* Anyone.  An estimate of the number of queued tasks (may be off by the
 * operations in flight; never used for correctness). */
static inline int64_t ws__deque_size_hint(ws__deque *d) {
  /* Relaxed: a hint.  Callers that need a guarantee re-check through
   * ws__deque_steal, which has the full protocol. */
  int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
  int64_t t = atomic_load_explicit(&d->top, memory_order_relaxed);
  return b - t;
}

/* Owner only: doubles the buffer (NULL if out of memory). */
ws__deque_buf *ws__deque_grow(ws__deque *d, ws__deque_buf *a, int64_t b,
                              int64_t t);

/* ---- The operations (inline: they are the hot path) ---------------------- */

/* Owner only.  0 on success, -1 if the deque holds `limit` tasks or growing
 * failed (the task is not queued). */
static inline int ws__deque_push(ws__deque *d, struct ws__task *x) {
  /* Relaxed: only this thread (the owner) writes `bottom` and `buf`. */
  int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed);
  ws__deque_buf *a = atomic_load_explicit(&d->buf, memory_order_relaxed);
  if (b - d->top_cache > a->mask) {
    if (d->full_skip > 0) {
      /* Full at its limit a moment ago: refuse without reading `top`, a line
       * the thieves keep writing (a miss per spawn otherwise). */
      d->full_skip--;
      return -1;
    }
    /* Looks full with the cached top: refresh it.  Acquire: pairs with the
     * seq_cst CAS on `top` by the thief that took slot t-1, so its read of
     * that slot happens before we overwrite the slot. (top_cache itself was
     * read the same way, so any slot below it is free to reuse.) */
    d->top_cache = atomic_load_explicit(&d->top, memory_order_acquire);
    if (b - d->top_cache > a->mask) {
      if (a->mask >= d->limit - 1) {
        d->full_skip = WS__DEQUE_FULL_SKIP;
        return -1;
      }
      a = ws__deque_grow(d, a, b, d->top_cache);
      if (!a)
        return -1;
    }
  }
  /* Relaxed: published by the release store of `bottom` just below. */
  atomic_store_explicit(&a->slot[b & a->mask], x, memory_order_relaxed);
  /* Release: this is Le et al.'s release fence folded into the store.  Pairs
   * with the acquire load of `bottom` in steal: a thief that sees b+1 sees
   * the slot and everything written to the task before the push. */
  atomic_store_explicit(&d->bottom, b + 1, memory_order_release);
  int64_t size = b + 1 - d->top_cache;
  if (size > atomic_load_explicit(&d->hwm, memory_order_relaxed)) {
    /* The cached top may be old: re-read it before recording a high-water
     * mark.  Relaxed: a statistic. */
    d->top_cache = atomic_load_explicit(&d->top, memory_order_acquire);
    size = b + 1 - d->top_cache;
    if (size > atomic_load_explicit(&d->hwm, memory_order_relaxed))
      /* Relaxed store: owner-written statistic read by stats.c. */
      atomic_store_explicit(&d->hwm, size, memory_order_relaxed);
  }
  return 0;
}

/* Owner only.  The newest task, or NULL if the deque is empty. */
static inline struct ws__task *ws__deque_take(ws__deque *d) {
  /* Taking makes room (or finds none was needed): pushes look again.  A
   * full_skip left from a loop that filled the deque would otherwise make
   * the next spawns, long after, run at once (spawn.c) though the deque
   * is empty. */
  d->full_skip = 0;
  /* Relaxed: the owner is the only writer of `bottom` and `buf`. */
  int64_t b = atomic_load_explicit(&d->bottom, memory_order_relaxed) - 1;
  ws__deque_buf *a = atomic_load_explicit(&d->buf, memory_order_relaxed);
  /* Le et al. store bottom relaxed and then issue a seq_cst fence.  We use
   * one seq_cst exchange instead (on x86 an xchg: a full barrier, several
   * times cheaper than mfence), followed by a seq_cst load of top; steal
   * loads top and then bottom with seq_cst.  These four accesses are in the
   * single total order S: if a thief's load of bottom precedes our exchange
   * in S it reads the old bottom, but then its load of top precedes our load
   * of top, so we see any top it advanced, and the last task is decided by
   * the CAS below; otherwise the thief sees bottom == b and leaves slot b to
   * us.  Either a thief sees the decremented bottom, or we see its top. */
  atomic_exchange_explicit(&d->bottom, b, memory_order_seq_cst);
  int64_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);
  struct ws__task *x = NULL;
  if (t <= b) {
    /* Relaxed: the owner wrote this slot. */
    x = atomic_load_explicit(&a->slot[b & a->mask], memory_order_relaxed);
    if (t == b) {
      /* The last task: race the thieves for it.  Seq_cst: pairs with the
       * thieves' CAS on `top`; exactly one of us advances top past t. */
      if (!atomic_compare_exchange_strong_explicit(
              &d->top, &t, t + 1, memory_order_seq_cst, memory_order_relaxed))
        x = NULL;
      atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
      d->top_cache = b + 1;
    } else {
      d->top_cache = t;
    }
  } else {
    /* Empty: restore bottom.  Relaxed: only the owner writes bottom. */
    atomic_store_explicit(&d->bottom, b + 1, memory_order_relaxed);
    d->top_cache = t;
  }
  return x;
}

/* Anyone (the owner too).  The oldest task, or NULL; *lost_race is set to 1
 * when the deque was not empty but another thread won the task. */
static inline struct ws__task *ws__deque_steal(ws__deque *d, int *lost_race) {
  /* Seq_cst (includes acquire): pairs with the seq_cst CAS of the previous
   * thief, so the slot we read below is not older than that steal; and is
   * in the total order S with take's exchange and load (see take). */
  int64_t t = atomic_load_explicit(&d->top, memory_order_seq_cst);
  /* Seq_cst (includes acquire): pairs with the release store of `bottom` in
   * push, making the slot and the task's contents visible; and in S with
   * take's exchange of bottom.  This replaces Le et al.'s seq_cst fence
   * between the two loads. */
  int64_t b = atomic_load_explicit(&d->bottom, memory_order_seq_cst);
  if (t >= b)
    return NULL;
  /* Acquire: pairs with the release store in grow (Le et al. use consume). */
  ws__deque_buf *a = atomic_load_explicit(&d->buf, memory_order_acquire);
  /* Relaxed: ordered by the acquire loads above; validated by the CAS. */
  struct ws__task *x =
      atomic_load_explicit(&a->slot[t & a->mask], memory_order_relaxed);
  /* Seq_cst: pairs with the owner's CAS in take and other thieves' CAS; the
   * winner owns slot t.  We must not touch *x before winning. */
  if (!atomic_compare_exchange_strong_explicit(
          &d->top, &t, t + 1, memory_order_seq_cst, memory_order_relaxed)) {
    *lost_race = 1;
    return NULL;
  }
  return x;
}

/* Anyone.  The oldest task without removing it (NULL if empty).  The pointer
 * may already be stale when it is returned: only use it as a hint, and only
 * read fields of the task that are atomic. */
static inline struct ws__task *ws__deque_peek_oldest(ws__deque *d) {
  /* Acquire loads as in steal; no fence: the answer is only a hint. */
  int64_t t = atomic_load_explicit(&d->top, memory_order_acquire);
  int64_t b = atomic_load_explicit(&d->bottom, memory_order_acquire);
  if (t >= b)
    return NULL;
  ws__deque_buf *a = atomic_load_explicit(&d->buf, memory_order_acquire);
  return atomic_load_explicit(&a->slot[t & a->mask], memory_order_relaxed);
}

#pragma GCC visibility pop

#endif /* WS_DEQUE_H */

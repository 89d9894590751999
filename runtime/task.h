/*
 * task.h -- task descriptors, frame internals and the descriptor allocator.
 *
 * A descriptor holds what a queued task needs: its function, its frame, its
 * taskgroup, its site, its tier, the time it was queued (for aging), and its
 * captures (inline up to WS_INLINE_CAPTURE bytes, else one malloc).
 * Descriptors come from a per-worker free list and move between workers in
 * whole batches of WS__TASK_BATCH through a shared depot (a stack of
 * batches under a mutex): a thief that runs a producer's tasks frees their
 * descriptors into its own list; each time that list fills a batch, the
 * batch goes to the depot, and a spawner whose list is empty takes one back.
 * Every depot operation is O(1) -- no walk over descriptors that another
 * core wrote last -- so a spawner and a thief in a producer/consumer loop
 * pay the lock once per batch.  When the depot is empty a slab of
 * WS__TASK_BATCH descriptors is allocated at once.  Slabs are freed only
 * when the depot is destroyed, so a descriptor can move freely between
 * workers' lists, and a stale pointer read from a deque (aging's peek) still
 * points at a descriptor.
 */
#ifndef WS_TASK_H
#define WS_TASK_H

#include "ws.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* ---- Frames --------------------------------------------------------------
 * The runtime's view of a ws_frame (all zero = a valid empty frame).
 *
 * Pending children = local - remote / 2, where
 *   local  counts, without atomics, spawns by the owner thread minus
 *          children completed on the owner thread (only the owner thread
 *          ever touches it);
 *   remote counts, in steps of 2, children completed on other threads minus
 *          spawns by other threads; bit 0 is set while the owner sleeps on
 *          the frame (futex on the low 32 bits).
 * So spawning, and completing a child that the owner ran itself, costs no
 * atomic read-modify-write; only stolen children pay one (as in Cilk/Lace).
 * A sleeping owner first folds `local` into `remote`, so the completer that
 * brings `remote` to 0 (with bit 0 set) knows it must wake the owner, and it
 * learns both facts from the value its own fetch_add returns: it never
 * touches the frame after that RMW (the frame may be gone by then). */
typedef struct ws__frame_rt {
  int64_t local;               /* owner thread only */
  _Atomic int64_t remote;      /* see above */
  _Atomic uintptr_t owner;     /* the owner thread's identity, 0: unused */
  struct ws__frame_rt *parent; /* taskgroups: the enclosing taskgroup */
  _Atomic uint32_t flags;      /* WS__FRAME_* */
  uint32_t reserved0;
  /* ws_spawn_inline's children (ws.h, fast.c): the fast deque's bottom at
   * the first of them, plus one; 0: none.  Owner thread only. */
  uint64_t fast_base;
} ws__frame_rt;

#define WS__FRAME_GROUP 1u     /* a taskgroup */
#define WS__FRAME_CANCELLED 2u /* cancelled: unstarted tasks are skipped */
#define WS__FRAME_DEPS 4u      /* has a dependence table (depend.c) */

_Static_assert(sizeof(ws__frame_rt) <= sizeof(ws_frame),
               "ws_frame too small for the runtime's frame");
_Static_assert(alignof(ws__frame_rt) <= alignof(ws_frame),
               "ws_frame under-aligned");
_Static_assert(offsetof(ws__frame_rt, owner) == 2 * sizeof(uint64_t),
               "ws_wait_pending (ws.h) reads the owner word as opaque_[2]");
_Static_assert(offsetof(ws__frame_rt, fast_base) ==
                   WS__FRAME_FAST_BASE * sizeof(uint64_t),
               "ws.h's fast path reads the fast base as opaque_[5]");
_Static_assert(offsetof(ws__frame_rt, flags) == 4 * sizeof(uint64_t) &&
                   WS__FRAME_CANCELLED == WS__FRAME_CANCELLED_BIT,
               "ws.h's fast path reads the flags in opaque_[4]");

/* ---- Task descriptors ---------------------------------------------------- */

#define WS__TASK_FINAL 1u /* its spawns run inline while it runs */
/* A slot stolen from a fast deque (fast.c): its body counts it and tells
 * its owner; run_task neither counts nor completes it. */
#define WS__TASK_FAST 2u

typedef struct ws__task {
  ws_task_fn fn;
  ws__frame_rt *frame; /* counted in this frame */
  ws__frame_rt *group; /* innermost taskgroup (counted too if != frame) */
  const ws_site *site;
  struct ws__task *next; /* free list / placement queue link */
  /* In the depot, the first descriptor of a batch links the next batch and
   * counts its own batch.  In a placement queue: the link to the next newer
   * task (place.c). */
  struct ws__task *next_batch;
  void *heap_captures; /* NULL: the captures are inline */
  /* Coarse milliseconds when queued.  Atomic because aging reads it through
   * possibly stale pointers (relaxed: a hint). */
  _Atomic uint64_t enqueued_ms;
  uint64_t seq; /* spawn order on its worker (0: moved by a batch steal);
                   in the depot, the size of the batch it heads */
  /* In a placement queue (place.c): when it was queued, CLOCK_MONOTONIC
   * ns (a preference waits for a free eligible worker about 1 ms).  Not
   * written by the plain spawn. */
  uint64_t placed_ns;
  /* In a placement queue: the worker record that spawned it (NULL: a
   * thread without one), whose deep waits may take it back as their own
   * child (wait.c find_own_child; seq numbers it as a push would). */
  struct ws__worker *placed_by;
  uint8_t tier;  /* the tier it is queued at (after aging promotions) */
  uint8_t flags; /* WS__TASK_* */
  alignas(16) unsigned char captures[WS_INLINE_CAPTURE];
} ws__task;

static inline void *ws__task_captures(ws__task *t) {
  return t->heap_captures ? t->heap_captures : (void *)t->captures;
}

/* ---- Allocation -----------------------------------------------------------
 */

#define WS__TASK_BATCH 256 /* descriptors moved at once; also a slab */

typedef struct ws__task_cache {
  ws__task *head; /* the free list */
  int count;      /* its length, < WS__TASK_BATCH */
  ws__task *full; /* NULL, or a full batch kept back before the depot */
} ws__task_cache;

typedef struct ws__task_depot {
  pthread_mutex_t lock;
  ws__task *batches; /* stack of batches, linked by next_batch */
  void *slabs;       /* every slab allocated, linked through their headers */
} ws__task_depot;

void ws__depot_init(ws__task_depot *d);
/* Frees every slab: call after every cache using the depot is destroyed. */
void ws__depot_destroy(ws__task_depot *d);

/* Slow paths of the inline functions below. */
ws__task *ws__task_refill(ws__task_cache *c, ws__task_depot *d);
void ws__task_spill(ws__task_cache *c, ws__task_depot *d);
/* For threads without a cache (external threads). */
ws__task *ws__task_alloc_shared(ws__task_depot *d);
/* Forgets the cache's descriptors (their slabs belong to the depot). */
void ws__task_cache_destroy(ws__task_cache *c);
/* Returns a descriptor that was never queued to the depot. */
void ws__task_give_back(ws__task_depot *d, ws__task *t);

static inline ws__task *ws__task_alloc(ws__task_cache *c, ws__task_depot *d) {
  ws__task *t = c->head;
  if (__builtin_expect(t != NULL, 1)) {
    c->head = t->next;
    c->count--;
    return t;
  }
  return ws__task_refill(c, d);
}

static inline void ws__task_free(ws__task_cache *c, ws__task_depot *d,
                                 ws__task *t) {
  t->next = c->head;
  c->head = t;
  if (__builtin_expect(++c->count == WS__TASK_BATCH, 0))
    ws__task_spill(c, d);
}

#pragma GCC visibility pop

#endif /* WS_TASK_H */

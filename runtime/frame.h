/*
 * frame.h -- frames and child counting (see ws__frame_rt in task.h): the
 * inline operations of the hot path.  Internal to libws.
 *
 * A frame counts its pending children in two words: `local`, touched only
 * by the owner thread without atomics, and `remote`, in steps of 2, for
 * children spawned or completed on other threads.  A worker that completes
 * several stolen children of one frame may hold their completions back and
 * add them with one RMW (ws__flush_held).  The functions out of line are in
 * frame.c.
 */
#ifndef WS_FRAME_H
#define WS_FRAME_H

#include "worker.h"

#pragma GCC visibility push(hidden)

/* frame.c */
/* A child completed on a thread that does not own the frame. */
void ws__frame_child_done_remote(ws__frame_rt *f);
/* Owner only: sleeps until a completion changes the count (the last one
 * wakes us) or the timeout (< 0: none) passes. */
void ws__frame_sleep(ws__frame_rt *f, int64_t timeout_ns);

static inline ws__frame_rt *nearest_group(ws__frame_rt *f, ws__tls *tls) {
  /* Relaxed: the flags were written by this thread (begin) or before the
   * frame was handed to it. */
  uint32_t ff = atomic_load_explicit(&f->flags, memory_order_relaxed);
  return (ff & WS__FRAME_GROUP) ? f : tls->cur_group;
}

static inline void frame_add_child(ws__frame_rt *f, uintptr_t self) {
  /* Relaxed: the owner field is compared with our own identity only. */
  if (WS__LIKELY(atomic_load_explicit(&f->owner, memory_order_relaxed) == self))
    f->local++;
  else
    /* A spawn by another thread.  Relaxed: the child's completion (+2) is
     * ordered after this by the queue that hands the child over. */
    atomic_fetch_sub_explicit(&f->remote, 2, memory_order_relaxed);
}

static inline __attribute__((always_inline)) void
frame_child_done(ws__frame_rt *f, uintptr_t self) {
  /* Relaxed: the owner field is compared with our own identity only. */
  if (WS__LIKELY(atomic_load_explicit(&f->owner, memory_order_relaxed) == self))
    f->local--; /* the owner thread itself: no atomic needed */
  else
    ws__frame_child_done_remote(f);
}

/* A task of `f` finished on worker w: the owner's count, or held. */
static inline __attribute__((always_inline)) void
worker_child_done(ws__worker *w, ws__frame_rt *f, uintptr_t self) {
  /* Relaxed: the owner field is compared with our own identity only. */
  if (WS__LIKELY(atomic_load_explicit(&f->owner, memory_order_relaxed) ==
                 self)) {
    f->local--;
  } else {
    if (w->held_frame != f) {
      ws__flush_held(w);
      w->held_frame = f;
    }
    w->held_done++;
  }
}

/* Owner only.  Acquire: pairs with the completers' release fetch_add. */
static inline int frame_done(ws__frame_rt *f) {
  int64_t v = atomic_load_explicit(&f->remote, memory_order_acquire);
  return (v & ~(int64_t)1) == 2 * f->local;
}

/* ws__task_cancelled with the common case (no taskgroup, frame not
 * cancelled) inline. */
static inline int task_cancelled(ws__frame_rt *frame, ws__frame_rt *group) {
  /* Relaxed: see ws__task_cancelled. */
  if (WS__UNLIKELY(atomic_load_explicit(&frame->flags, memory_order_relaxed) &
                   WS__FRAME_CANCELLED))
    return 1;
  return WS__UNLIKELY(group != NULL) && ws__task_cancelled(NULL, group);
}

#pragma GCC visibility pop

#endif /* WS_FRAME_H */

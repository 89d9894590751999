/*
 * frame.c -- frames and child counting, out of line: completions from
 * other threads (and the wake of a sleeping owner), held completions, the
 * owner's sleep, cancellation.  The inline part is frame.h.
 */
#include "frame.h"

#include <limits.h>

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the frame futex sleeps on the low half of a 64-bit counter"
#endif

/* A child completed on a thread that does not own the frame. */
void ws__frame_child_done_remote(ws__frame_rt *f) {
  /* Release: pairs with the waiter's acquire (frame_done / ws__frame_sleep), so
   * the child's writes are visible after ws_wait.  This RMW is our last
   * access to the frame: the value it returns tells whether the owner sleeps
   * (bit 0) and whether we completed the last child (new value == 1). */
  int64_t old = atomic_fetch_add_explicit(&f->remote, 2, memory_order_release);
  if (WS__UNLIKELY((old & 1) && old + 2 == 1))
    /* The frame may already be gone (the owner can wake spuriously, see
     * count 0 and return); a futex wake on a dead address is harmless: it
     * can only cause a spurious wake-up, which every futex user tolerates. */
    ws__futex_wake(&f->remote, INT_MAX);
}

void ws__frame_child_done(ws__frame_rt *f, uintptr_t self) {
  frame_child_done(f, self);
}

/* depend.c: a held task counts as a child from its spawn (see depend.h). */
void ws__frame_add_child(ws__frame_rt *f, uintptr_t self) {
  frame_add_child(f, self);
}

/* Completions a worker may hold back (see ws__worker.held_frame).  Holding
 * them is safe because the frame cannot be complete while this worker runs
 * one of its children, and it never waits, steals or sleeps while holding
 * them: before running a task of another frame, before looking beyond its
 * own deques and before any wait it flushes.  So the owner's ws_wait sees
 * every completion no later than it would see the task this worker runs. */
void ws__flush_held_slow(ws__worker *w) {
  ws__frame_rt *f = w->held_frame;
  int64_t n = w->held_done;
  w->held_frame = NULL;
  w->held_done = 0;
  /* Release: as in frame_child_done_remote, for every held child at once
   * (their writes precede this RMW in this thread).  Our last access. */
  int64_t old =
      atomic_fetch_add_explicit(&f->remote, 2 * n, memory_order_release);
  if (WS__UNLIKELY((old & 1) && old + 2 * n == 1))
    ws__futex_wake(&f->remote, INT_MAX); /* see frame_child_done_remote */
}

/* Owner only: sleeps until a completion changes the count (the last one
 * wakes us) or the timeout (< 0: none) passes. */
void ws__frame_sleep(ws__frame_rt *f, int64_t timeout_ns) {
  if (f->local) {
    /* Fold the owner's count into `remote` so that the completers can see
     * when the total reaches 0.  Relaxed: a transfer between the frame's own
     * counters; the acquire below orders what we read afterwards. */
    atomic_fetch_sub_explicit(&f->remote, 2 * f->local, memory_order_relaxed);
    f->local = 0;
  }
  /* Acquire: as in frame_done.  Setting bit 0 in the same word as the count
   * means no completer can miss it: each RMW sees the other. */
  int64_t v = atomic_fetch_or_explicit(&f->remote, 1, memory_order_acquire) | 1;
  if (v != 1)
    /* The kernel re-checks the low 32 bits: any completion since our RMW
     * changed them, so this cannot sleep through the last one. */
    ws__futex_wait(&f->remote, (uint32_t)v, timeout_ns);
  /* Relaxed: bit 0 only asks to be woken. */
  atomic_fetch_and_explicit(&f->remote, ~(int64_t)1, memory_order_relaxed);
}

int ws__task_cancelled(ws__frame_rt *frame, ws__frame_rt *group) {
  /* Relaxed: cancellation is a request; skipping one more or one fewer
   * unstarted task is fine.  The group owner reads the flag after ws_wait,
   * ordered by the completions it waited for. */
  if (frame && (atomic_load_explicit(&frame->flags, memory_order_relaxed) &
                WS__FRAME_CANCELLED))
    return 1;
  for (; group; group = group->parent)
    if (atomic_load_explicit(&group->flags, memory_order_relaxed) &
        WS__FRAME_CANCELLED)
      return 1;
  return 0;
}

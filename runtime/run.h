/*
 * run.h -- running a task: the thread's context (frame, taskgroup, depth,
 * final nesting) switched around the task's body, and its completion
 * counted in its frame.  Inline: the wait loop and the direct runs of spawn
 * are built around them.  Internal to libws.
 */
#ifndef WS_RUN_H
#define WS_RUN_H

#include "frame.h"
#include "observe.h"

#include <stdlib.h>

#pragma GCC visibility push(hidden)

/* wait.c: is this thread inside an own wait (ws_wait_own, or a wait nested
 * in one)?  Then only the awaited frame's children may run here: the fast
 * path's join must not take a task of a higher tier from elsewhere. */
int ws__wait_is_own(void);

/* Runs a task taken from a queue by worker w (the calling thread, whose
 * context is tls) and completes it.  Inline: ws_wait's loop runs it. */
static inline __attribute__((always_inline)) void
run_task(ws__tls *tls, ws__worker *w, ws__task *t) {
  ws__frame_rt *frame = t->frame, *group = t->group;
  int tier = t->tier;
  if (WS__UNLIKELY(w->held_frame != NULL) && w->held_frame != frame)
    ws__flush_held_slow(w); /* another frame: see ws__flush_held_slow */
  int skipped = task_cancelled(frame, group);
  if (WS__LIKELY(!skipped)) {
    ws__frame_rt *saved_frame = tls->cur_frame, *saved_group = tls->cur_group;
    ws__fastq *saved_fq = ws__fq;
    uint64_t saved_seq = tls->start_seq;
    int final = t->flags & WS__TASK_FINAL;
    tls->start_seq = w->push_seq;
    tls->cur_frame = frame;
    tls->cur_group = group;
    tls->depth++;
    if (WS__UNLIKELY(final))
      tls->final_depth++;
    /* In a taskgroup or a final task: no fast path (worker.h).  Otherwise
     * the context's stays (a plain task inside a group's wait keeps it
     * off: correct, and rare). */
    if (WS__UNLIKELY(group != NULL || final))
      ws__fq = &ws__fast_off;
    if (ws__tracing())
      ws__trace_run_task(w, t);
    else
      t->fn(ws__task_captures(t));
    if (WS__UNLIKELY(final))
      tls->final_depth--;
    tls->depth--;
    tls->cur_frame = saved_frame;
    tls->cur_group = saved_group;
    tls->start_seq = saved_seq;
    ws__fq = saved_fq;
  }
  if (WS__UNLIKELY(t->flags & WS__TASK_FAST)) {
    /* A slot stolen from a fast deque: its body counted it and told its
     * owner (fast.c); it has no frame count.  (Never cancelled: its frame
     * is fast.c's, which nobody cancels.) */
    ws__task_free(&w->cache, &w->pool->depot, t);
    return;
  }
  /* Counted after the body (the quiescence check treats a counted task as
   * one that spawns nothing more) and before the completion (so a waiter
   * that returns from ws_wait reads exact counters). */
  if (WS__UNLIKELY(skipped)) {
    WS__STAT(w, cancelled, 1);
    ws__task_skipped(t->fn, ws__task_captures(t)); /* its handle, if any */
  } else
    ws__stat_add(&w->stats, WS__STAT_IDX(executed) + (size_t)tier, 1);
  uintptr_t self = (uintptr_t)tls;
  worker_child_done(w, frame, self);
  if (WS__UNLIKELY(group != NULL) && group != frame)
    frame_child_done(group, self);
  if (WS__UNLIKELY(t->heap_captures != NULL))
    free(t->heap_captures);
  ws__task_free(&w->cache, &w->pool->depot, t);
}

/* The body of a task run at once in this thread, outside any queue: the
 * thread's context says it runs as a task of `frame` (in `group`) while `fn`
 * runs on `copy`, its private captures.  Shared by run_inline and run_now;
 * `final` (0 or 1) makes its own spawns inline too.  w may be NULL (not a
 * worker: no trace). */
static inline __attribute__((always_inline)) void
run_here(ws__tls *tls, ws__worker *w, ws__frame_rt *frame, ws__frame_rt *group,
         ws_task_fn fn, void *copy, int tier, const ws_site *site, int final) {
  ws__frame_rt *saved_frame = tls->cur_frame, *saved_group = tls->cur_group;
  ws__fastq *saved_fq = ws__fq;
  tls->cur_frame = frame;
  tls->cur_group = group;
  tls->depth++;
  tls->final_depth += final;
  if (WS__UNLIKELY(group != NULL || final)) /* as in run_task */
    ws__fq = &ws__fast_off;
  if (w && WS__UNLIKELY(ws__tracing()))
    ws__trace_inline_task(w, fn, copy, tier, site);
  else
    fn(copy);
  tls->final_depth -= final;
  tls->depth--;
  tls->cur_frame = saved_frame;
  tls->cur_group = saved_group;
  ws__fq = saved_fq;
}

#pragma GCC visibility pop

#endif /* WS_RUN_H */

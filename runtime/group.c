/*
 * group.c -- taskgroups, cancellation and checkpoints.
 */
#include "frame.h"
#include "observe.h"

/* ---- Public API: taskgroups, cancellation, checkpoints
 * -------------------------------- */

int ws_taskgroup_begin(ws_frame *group_) {
  if (!group_)
    return WS_EINVAL;
  ws__frame_rt *group = (ws__frame_rt *)group_;
  ws__tls *tls = &ws__tls_self;
  group->local = 0;
  group->parent = tls->cur_group;
  /* Relaxed: published to other threads by the pushes of its tasks. */
  atomic_store_explicit(&group->remote, 0, memory_order_relaxed);
  atomic_store_explicit(&group->flags, WS__FRAME_GROUP, memory_order_relaxed);
  atomic_store_explicit(&group->owner, (uintptr_t)tls, memory_order_relaxed);
  tls->cur_group = group;
  ws__fast_sync(tls); /* its tasks are counted in it: no fast path */
  return WS_OK;
}

int ws_cancel(ws_frame *group) {
  if (!group)
    return WS_EINVAL;
  /* Relaxed: see ws__task_cancelled. */
  atomic_fetch_or_explicit(&((ws__frame_rt *)group)->flags, WS__FRAME_CANCELLED,
                           memory_order_relaxed);
  return WS_OK;
}

int ws_cancel_current(void) {
  return ws_cancel((ws_frame *)ws__tls_self.cur_group);
}

int ws_cancelled(void) {
  ws__tls *tls = &ws__tls_self;
  if (ws__timed_out())
    return 1;
  return ws__task_cancelled(tls->cur_frame, tls->cur_group);
}

int ws_yield(void) {
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w;
  if (w && tls->preempt_depth < WS_MAX_PREEMPT_DEPTH) {
    ws__task *t;
    while ((t = ws__find_critical(w))) {
      tls->preempt_depth++;
      WS__STAT(w, preemptions, 1);
      ws__run_task(w, t);
      tls->preempt_depth--;
    }
    ws__flush_held(w); /* back to the running task: see ws_wait */
  }
  return ws_cancelled() ? WS_ECANCELED : WS_OK;
}

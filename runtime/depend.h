/*
 * depend.h -- task dependences, `depend(in|out|inout: list)` (depend.c).
 * Internal to libws.
 *
 * Tasks without dependences never reach this file: ws_spawn_ex calls
 * ws__spawn_deps only when opts->num_deps != 0, and ws_wait calls
 * ws__deps_frame_done only for a frame whose WS__FRAME_DEPS flag is set
 * (inside the branch it already takes for any non-zero frame flags).
 */
#ifndef WS_DEPEND_H
#define WS_DEPEND_H

#include "task.h"

#include <stddef.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

/* ws_spawn_ex with opts->num_deps != 0.  Returns WS_OK, or WS_EINVAL (bad
 * arguments: NULL frame, fn or deps, a negative count, an unknown kind, or
 * a frame owned by another thread -- nothing is spawned then). */
int ws__spawn_deps(ws_frame *frame, ws_task_fn fn, const void *captures,
                   size_t size, const ws_task_opts *opts);

/* ws_wait, on the owner thread, once `frame` (flagged WS__FRAME_DEPS) has no
 * pending child: frees its dependence table. */
void ws__deps_frame_done(ws__frame_rt *frame);

/* The frame a queued task was spawned into: its own frame, or, for a
 * released dependent task (queued in a sink frame as its wrapper), its
 * node's.  For ws_wait_own (wait.c), which runs only a frame's children. */
ws__frame_rt *ws__task_spawned_into(ws__task *t);

/* frame.c: counts one more child of `f`, spawned by the thread `self` (the
 * same accounting as a spawn; a held task counts from its ws_spawn_ex). */
void ws__frame_add_child(ws__frame_rt *f, uintptr_t self);

#pragma GCC visibility pop

#endif /* WS_DEPEND_H */

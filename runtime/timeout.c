/*
 * timeout.c -- `timeout(ms)`: a task that runs longer than its timeout
 * (measured from the moment it starts running) is counted once in
 * `timed_out`, reported once on stderr, and sees cancellation at its next
 * checkpoint (ws_cancelled / ws_yield).
 *
 * No timer and no thread: the deadline is checked at the task's checkpoints
 * and when it finishes.  Tasks without a timeout pay nothing at spawn or run
 * time: ws_spawn_ex wraps only timed tasks, in `timed_task`, which carries
 * the real function, site and timeout in a header in front of the captures
 * and keeps the deadline on its own stack.  Checkpoints cost one
 * thread-local load for everyone else (ws__timed_out in observe.h).
 */
#include "observe.h"

#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ws__deadline {
  uint64_t at_ns; /* CLOCK_MONOTONIC */
  const ws_site *site;
  ws_task_fn fn;
  unsigned timeout_ms;
  int depth;   /* ws__tls_self.depth while the timed task itself runs */
  int expired; /* counted and reported */
  struct ws__deadline *prev; /* the enclosing timed task's, on this thread */
} ws__deadline;

_Thread_local ws__deadline *ws__cur_deadline
    __attribute__((tls_model("initial-exec")));

/* In front of the captures of a timed task; a multiple of 16 bytes so that
 * the captures behind it keep the alignment spawn gives them. */
typedef struct timed_header {
  alignas(16) ws_task_fn fn;
  const ws_site *site;
  unsigned timeout_ms;
} timed_header;
#define HEADER_SIZE ((sizeof(timed_header) + 15) & ~(size_t)15)

static void count_timed_out(void) {
  ws__worker *w = ws__tls_self.w;
  if (w) {
    WS__STAT(w, timed_out, 1);
    return;
  }
  /* An external thread ran it inline (if(false)/final): the shared record,
   * with a read-modify-write as for its other counters. */
  ws__pool *p = ws__pool_acquire();
  if (p)
    /* Release: like the other external counters (spawn.c stat_any). */
    atomic_fetch_add_explicit(&p->ext.v[WS__STAT_IDX(timed_out)], 1,
                              memory_order_release);
  ws__pool_release();
}

static void expire(ws__deadline *d) {
  d->expired = 1;
  count_timed_out();
  char label[160];
  fprintf(stderr, "ws: task '%s' exceeded its timeout of %u ms\n",
          ws__task_label(d->site, d->fn, label, sizeof label), d->timeout_ms);
}

static int check(ws__deadline *d) {
  if (d->expired)
    return 1;
  if (ws__now_ns() < d->at_ns)
    return 0;
  expire(d);
  return 1;
}

int ws__deadline_passed(void) {
  ws__deadline *d = ws__cur_deadline;
  /* A task nested on this thread inside the timed one (run while it waits,
   * or preempting it at a checkpoint) is not the timed task: its depth is
   * greater, and the deadline is not its business. */
  if (!d || d->depth != ws__tls_self.depth)
    return 0;
  return check(d);
}

static void timed_task(void *captures) {
  timed_header *h = captures;
  ws__deadline d = {
      .at_ns = ws__now_ns() + (uint64_t)h->timeout_ms * 1000000u,
      .site = h->site,
      .fn = h->fn,
      .timeout_ms = h->timeout_ms,
      .depth = ws__tls_self.depth,
      .expired = 0,
      .prev = ws__cur_deadline,
  };
  ws__cur_deadline = &d;
  h->fn((unsigned char *)captures + HEADER_SIZE);
  check(&d); /* a task that never reached a checkpoint is still counted */
  ws__cur_deadline = d.prev;
}

ws_task_fn ws__timed_unwrap(ws_task_fn fn, void *captures) {
  return fn == timed_task ? ((timed_header *)captures)->fn : fn;
}

int ws__spawn_timed(ws_frame *frame, ws_task_fn fn, const void *captures,
                    size_t size, const ws_task_opts *opts) {
  if (!frame || !fn || (size && !captures))
    return WS_EINVAL;
  ws_task_opts inner = *opts;
  inner.timeout_ms = 0;
  /* Header + captures, built here and copied by the spawn like any
   * captures (inline in the descriptor while they fit). */
  alignas(16) unsigned char local[WS_INLINE_CAPTURE];
  size_t total = HEADER_SIZE + size;
  unsigned char *buf = total <= sizeof local ? local : malloc(total);
  if (!buf) {
    /* No memory: run it now, without its timeout, rather than lose it. */
    inner.flags |= WS_TASK_UNDEFERRED;
    return ws_spawn_ex(frame, fn, captures, size, &inner);
  }
  timed_header h;
  memset(&h, 0, sizeof h);
  h.fn = fn;
  h.site = opts->site;
  h.timeout_ms = opts->timeout_ms;
  memcpy(buf, &h, sizeof h);
  if (size)
    memcpy(buf + HEADER_SIZE, captures, size);
  int rc = ws_spawn_ex(frame, timed_task, buf, total, &inner);
  if (buf != local)
    free(buf);
  return rc;
}

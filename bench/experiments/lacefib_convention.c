/*
 * lacefib_convention.c -- fib in Lace's shape on libws's fast path, written
 * by hand in the form the plugin emits since session 8
 * (clang-plugin/Convention.cpp; measured in docs/performance.md, sessions
 * 7 and 8): the target it was built to, kept to compare the plugin's code
 * with. Not part of the suite, and built
 * against libws's private ws__ internals, which may change with any
 * release:
 *
 *   clang-19 -O2 -std=gnu11 -Iinclude -Ibench \
 *     -fplugin=build-bench/lib/ws-plugin.so \
 *     bench/experiments/lacefib_convention.c -o /tmp/lacefib_convention \
 *     -Lbuild-bench/lib -Wl,-rpath,$PWD/build-bench/lib -lws -lpthread
 *   WS_NUM_WORKERS=1 /tmp/lacefib_convention 35
 *
 * The difference from the plugin's present form (kernels/lacefib.c through
 * ws.h's scope) is Lace's calling convention:
 *  - the recursion passes the deque and the index of the next free slot as
 *    arguments (fib_body), so a spawn loads neither the thread's deque
 *    (TLS) nor `bottom` -- strict nesting says the slot at `b` is free --
 *    and no store-to-load chain runs through `bottom` down the recursion;
 *  - the spawned half, when its spawner takes it back, is called as
 *    fib_body itself and its value returned in a register, not stored
 *    through the captured pointer and loaded again;
 *  - the leaves' test is inlined before the call (fib_at), so a leaf costs
 *    a compare, not a function's prologue.
 * Thieves run the slot's ordinary task (fib_task), which enters through
 * fib(), the thread's own deque. Everything else is the fast path as it
 * is: the same push (ws__slot_publish: release store of `bottom`, the look
 * at the sleepers), the same pop (ws__fast_take), the same counters.
 */
#include "harness.h"
#include <ws.h>

static int fib(int n);
static int fib_body(ws__fastq *q, int64_t b, int n);

/* The call of fib(n) whose next free slot is index b of q. */
static inline __attribute__((always_inline)) int fib_at(ws__fastq *q, int64_t b,
                                                        int n) {
  return n < 2 ? n : fib_body(q, b, n);
}

typedef struct fib_caps {
  int *x;
  int n;
} fib_caps;

/* The spawned half, as a thief runs it (the owner calls fib_at instead). */
static void fib_task(void *arg) {
  fib_caps cv, *c = ws_task_captures(arg, &cv, sizeof cv);
  int n = c->n;
  *c->x = fib(n - 1);
}

/* The entry from anywhere else: the thread's deque and its `bottom`. */
static int fib(int n) {
  ws__fastq *q = ws__fq;
  /* Relaxed: only this thread writes bottom. */
  return fib_at(q, __atomic_load_n(&q->bottom, __ATOMIC_RELAXED), n);
}

static __attribute__((noinline)) int fib_body(ws__fastq *q, int64_t b, int n) {
  int x, y;
  /* Relaxed: as in ws__slot_claim (ws.h). */
  if (__builtin_expect(b < __atomic_load_n(&q->limit, __ATOMIC_RELAXED), 1) ||
      ws__fast_room_near(q)) {
    ws__slot *s = &q->buf[(uint64_t)b & q->mask];
    __asm__("" : "+r"(s)); /* one register: see ws__slot_claim */
    fib_caps *c = (fib_caps *)(void *)s->captures;
    c->x = &x;
    c->n = n;
    ws_slot sl = {q, s, b};
    ws__slot_publish(&sl, fib_task, 0);
    y = fib_at(q, b + 1, n - 2);
    if (__builtin_expect(ws__fast_take(q, b), 1)) {
      ws__fast_count(&q->calls);
      x = fib_at(q, b, n - 1);
      ws__fast_count(&q->returns);
      return x + y;
    }
    return x + y; /* a thief ran it; the take waited for it */
  }
  /* No room (a ring 8192 spawns deep): both halves as calls, as a refused
   * spawn runs (ws_spawn_refused). */
  x = fib_at(q, b, n - 1);
  y = fib_at(q, b, n - 2);
  return x + y;
}

int main(int argc, char **argv) {
  int n = (int)bench_arg(argc, argv, 1, 35);
  int r = 0;
  bench_clock c;
  ws_init(0); /* WS_NUM_WORKERS, as the plugin's programs */
  /* Warm-up: one task spawned and waited for. */
  ws_frame f = WS_FRAME_INIT;
  ws_spawn_inline(&f, fib_task, &(fib_caps){&r, 1}, sizeof(fib_caps),
                  WS_TIER_NORMAL, NULL);
  ws_wait_pending(&f);
  bench_start(&c);
  r = fib(n);
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  bench_end_line();
  ws_shutdown();
  return 0;
}

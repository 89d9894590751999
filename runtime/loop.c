/*
 * loop.c -- `#pragma ws parallel for`: range splitting and the reduction
 * tree.  Built only on the public API (ws_spawn / ws_wait / ws_cancelled), so
 * it knows nothing about deques or workers.
 *
 * The plan
 * --------
 * The normalised iteration space [0, trips) is cut into `leaves` contiguous
 * ranges of nearly equal size: with base = trips / leaves and
 * extra = trips % leaves, leaf k is [start(k), start(k + 1)) where
 *
 *     start(k) = k * base + min(k, extra)
 *
 * so the first `extra` leaves hold base + 1 iterations and the others base.
 * start(k) <= trips for every k <= leaves, hence nothing overflows even for
 * trips == UINT64_MAX.  `leaves` comes from the clauses:
 *   grainsize(g)  leaves = trips / g       (every leaf holds >= g iterations,
 *                                           and < 2g; one leaf if trips < g)
 *   num_tasks(n)  leaves = min(n, trips)
 *   neither       with a reduction: min(trips, WS_LOOP_REDUCTION_LEAVES),
 *                 independent of the worker count (see below);
 *                 otherwise min(trips, 8 * workers), or min(trips, workers)
 *                 for schedule(static).
 * grainsize wins if both clauses are given (OpenMP forbids the pair).
 *
 * The tree
 * --------
 * Over the leaf indices [0, leaves) sits a fixed binary tree: node [f, e)
 * with e - f >= 2 has children [f, m) and [m, e), m = f + (e - f) / 2.
 * schedule(dynamic/auto) walks that tree as tasks: a node spawns its right
 * child and descends into its left one itself, so a thief that takes a right
 * half takes a large contiguous piece and splits it further on its own
 * (recursive halving).  schedule(static) spawns the leaves directly, one task
 * each, from the calling thread.
 *
 * Determinism of reductions (the guarantee OpenMP does not make)
 * ---------------------------------------------------------------
 * Every node owns exactly one partial.  A leaf's partial is set to the
 * identity by red_init and then receives body(lo, hi, captures, partial) for
 * its own range only.  An inner node [f, e) uses its left child's partial as
 * its own and, once both children are complete, performs exactly one
 * red_combine(partial of [f, m), partial of [m, e)).  So the value that
 * reaches `result` is one fixed expression, e.g. for 4 leaves
 *     (L0 (+) L1) (+) (L2 (+) L3)
 * whose shape depends on `leaves` alone, and `leaves` depends only on trips
 * and the clauses -- never on the worker count, on who stole what, or on the
 * order in which tasks finished:
 *   - a combine only runs after ws_wait on the frame of the spawned child, so
 *     both of its operands are final (ws_wait orders the child's writes
 *     before the waiter's reads);
 *   - no two nodes share a partial, so no combine can see another's
 *     half-done state;
 *   - schedule(static) combines its leaf partials afterwards in the same tree
 *     (combine_tree), so static and dynamic give the same bits too.
 * Floating-point operations are deterministic for given operands and
 * rounding mode, so the result is bit-for-bit the same on 1 or 64 workers.
 * (Assumptions: the body itself computes its leaf deterministically, and the
 * threads share the default floating-point environment.)  A reduction loop
 * without grainsize/num_tasks picks `leaves` from trips alone for the same
 * reason; loops without a reduction may use the worker count, since there
 * the split cannot change any value.
 *
 * Where partials live
 * -------------------
 * A splitting node keeps its right child's partial in its own stack frame
 * when red_size <= WS_LOOP_STACK_PARTIAL (no allocation per task in the
 * common case); larger partials are malloc'd per split.  If that malloc
 * fails, the node does not split: it runs its whole range as one leaf into
 * its own partial.  The result is still complete and correct (every
 * iteration once, every partial combined), but under memory exhaustion the
 * association order of that subtree differs, so bit-reproducibility is the
 * one thing given up.  schedule(static) needs all partials at once; if it
 * cannot get them it runs the dynamic schedule, which yields the same bits.
 *
 * Cancellation: spawned pieces belong to the enclosing taskgroup.  A piece the
 * runtime skips leaves its partial at the identity (the partial is
 * initialised before the spawn), and a leaf that starts after cancellation
 * does not run its body; either way ws_parallel_for returns WS_ECANCELED.
 */
#include "ws.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>

/* Partials up to this size live in the splitting node's stack frame. */
#define WS_LOOP_STACK_PARTIAL 128
/* schedule(static) keeps all leaf partials in one block; up to this many
 * bytes of it live on the caller's stack. */
#define WS_LOOP_STATIC_STACK_BYTES 1024
/* Default leaf count of a reduction loop: enough pieces to balance ~32
 * workers, few enough that the spawns cost little next to a large loop. */
#define WS_LOOP_REDUCTION_LEAVES 256
/* Default leaves per worker for loops without a reduction (dynamic). */
#define WS_LOOP_LEAVES_PER_WORKER 8

typedef struct loop_plan {
  const ws_loop *loop;
  uint64_t leaves; /* >= 1 */
  uint64_t base;   /* trips / leaves */
  uint64_t extra;  /* trips % leaves: leaves [0, extra) hold base + 1 */
  /* Set when some leaf did not run (cancelled taskgroup).  Relaxed: it is
   * read only by the caller after ws_wait has ordered every leaf before it. */
  atomic_int skipped;
  /* schedule(static) only: the leaves whose body ran.  Relaxed for the same
   * reason: read after the final ws_wait. */
  atomic_uint_fast64_t leaves_run;
} loop_plan;

/* Test hook (not in ws.h): the allocator used for large partials, so that a
 * test can make it fail; it must return memory that free() accepts, and may
 * only be changed while no loop runs.  NULL restores malloc.  Declared by
 * test/runtime/test_loop_alloc.c. */
void ws__loop_set_alloc(void *(*alloc)(size_t));
static void *(*loop_alloc)(size_t) = malloc;
void ws__loop_set_alloc(void *(*alloc)(size_t)) {
  loop_alloc = alloc ? alloc : malloc;
}

/* First iteration of leaf k (k <= leaves).  k * base <= trips - extra and
 * min(k, extra) <= extra, so the sum is <= trips: no overflow. */
static uint64_t leaf_start(const loop_plan *p, uint64_t k) {
  return k * p->base + (k < p->extra ? k : p->extra);
}

static void *partial_at(void *block, size_t size, uint64_t i) {
  return (unsigned char *)block + (size_t)i * size;
}

/* Runs leaves [first, end) as one body call (only the allocation fallback
 * merges leaves; normally end == first + 1). */
static void run_leaves(loop_plan *p, uint64_t first, uint64_t end,
                       void *partial) {
  if (ws_cancelled()) {
    /* Pairs with the caller's relaxed load after ws_wait. */
    atomic_store_explicit(&p->skipped, 1, memory_order_relaxed);
    return;
  }
  p->loop->body(leaf_start(p, first), leaf_start(p, end), p->loop->captures,
                partial);
}

/* ---- schedule(dynamic/auto): recursive halving ----------------------- */

static void run_node(loop_plan *p, uint64_t first, uint64_t end, void *partial);

/* A right half handed to ws_spawn (copied into the task, 40 bytes). */
typedef struct half_task {
  loop_plan *plan;
  uint64_t first, end;
  void *partial; /* NULL without a reduction */
  int *ran;      /* in the spawner's frame; read after its ws_wait */
} half_task;

static void half_task_run(void *captures) {
  const half_task *t = captures;
  *t->ran = 1;
  run_node(t->plan, t->first, t->end, t->partial);
}

/* Computes node [first, end) of the tree into `partial` (already set to the
 * identity; NULL without a reduction). */
static void run_node(loop_plan *p, uint64_t first, uint64_t end,
                     void *partial) {
  const ws_loop *l = p->loop;
  if (end - first == 1) {
    run_leaves(p, first, end, partial);
    return;
  }
  uint64_t mid = first + (end - first) / 2; /* no overflow: end - first */

  alignas(max_align_t) unsigned char local[WS_LOOP_STACK_PARTIAL];
  void *right = NULL;
  if (l->red_size > 0) {
    right =
        l->red_size <= sizeof local ? (void *)local : loop_alloc(l->red_size);
    if (!right) {
      /* Out of memory: no second partial, so no split (see the header). */
      run_leaves(p, first, end, partial);
      return;
    }
    l->red_init(right); /* before the spawn: a skipped task leaves identity */
  }

  int ran = 0;
  ws_frame frame = WS_FRAME_INIT;
  half_task t = {p, mid, end, right, &ran};
  if (ws_spawn(&frame, half_task_run, &t, sizeof t, l->tier, l->site) != WS_OK)
    half_task_run(&t); /* cannot happen with valid arguments; stay correct */
  run_node(p, first, mid, partial);
  ws_wait(&frame); /* orders the right half's writes before what follows */
  if (!ran)
    atomic_store_explicit(&p->skipped, 1, memory_order_relaxed);

  if (right) {
    l->red_combine(partial, right); /* the node's one combine: left (+) right */
    if (right != (void *)local)
      free(right);
  }
}

/* ---- schedule(static): one task per leaf ------------------------------ */

typedef struct leaf_task {
  loop_plan *plan;
  uint64_t leaf;
  void *partial;
} leaf_task;

static void leaf_task_run(void *captures) {
  const leaf_task *t = captures;
  /* Pairs with the caller's relaxed load after ws_wait. */
  atomic_fetch_add_explicit(&t->plan->leaves_run, 1, memory_order_relaxed);
  run_leaves(t->plan, t->leaf, t->leaf + 1, t->partial);
}

/* part(k): the partial of leaf k -- `result` for leaf 0, else block[k-1]. */
static void *static_part(void *result, void *block, size_t size, uint64_t k) {
  return k == 0 ? result : partial_at(block, size, k - 1);
}

/* Combines the leaf partials of [first, end) into part(first), in exactly the
 * order run_node uses: both halves first, then one left (+) right. */
static void combine_tree(const ws_loop *l, void *result, void *block,
                         uint64_t first, uint64_t end) {
  if (end - first < 2)
    return;
  uint64_t mid = first + (end - first) / 2;
  combine_tree(l, result, block, first, mid);
  combine_tree(l, result, block, mid, end);
  l->red_combine(static_part(result, block, l->red_size, first),
                 static_part(result, block, l->red_size, mid));
}

/* Returns 0 if it ran the loop, -1 if the partials could not be allocated
 * (nothing ran; the caller uses the dynamic schedule instead). */
static int run_static(loop_plan *p, void *result) {
  const ws_loop *l = p->loop;
  size_t size = l->red_size;
  alignas(max_align_t) unsigned char local[WS_LOOP_STATIC_STACK_BYTES];
  void *block = NULL;
  if (size > 0 && p->leaves > 1) {
    uint64_t count = p->leaves - 1;
    if (count > SIZE_MAX / size)
      return -1;
    size_t bytes = (size_t)count * size;
    block = bytes <= sizeof local ? (void *)local : loop_alloc(bytes);
    if (!block)
      return -1;
    for (uint64_t k = 0; k < count; k++)
      l->red_init(partial_at(block, size, k));
  }

  ws_frame frame = WS_FRAME_INIT;
  for (uint64_t k = 1; k < p->leaves; k++) {
    leaf_task t = {p, k, size ? static_part(result, block, size, k) : NULL};
    if (ws_spawn(&frame, leaf_task_run, &t, sizeof t, l->tier, l->site) !=
        WS_OK)
      leaf_task_run(&t);
  }
  leaf_task first = {p, 0, size ? result : NULL};
  leaf_task_run(&first);
  ws_wait(&frame); /* every leaf's partial is final after this */

  /* Pairs with the relaxed increments in leaf_task_run; ws_wait ordered them
   * before this load. */
  if (atomic_load_explicit(&p->leaves_run, memory_order_relaxed) != p->leaves)
    atomic_store_explicit(&p->skipped, 1, memory_order_relaxed);
  if (size > 0) {
    combine_tree(l, result, block, 0, p->leaves);
    if (block && block != (void *)local)
      free(block);
  }
  return 0;
}

/* ---- Entry point ------------------------------------------------------- */

static uint64_t choose_leaves(const ws_loop *l) {
  uint64_t trips = l->trips; /* > 0 */
  uint64_t leaves;
  if (l->grainsize > 0) {
    leaves = trips / l->grainsize;
  } else if (l->num_tasks > 0) {
    leaves = l->num_tasks;
  } else if (l->red_size > 0) {
    /* Not from the worker count: the reduction tree, hence the result, must
     * not depend on it. */
    leaves = WS_LOOP_REDUCTION_LEAVES;
  } else {
    int workers = ws_num_workers();
    uint64_t w = workers > 0 ? (uint64_t)workers : 1;
    leaves =
        l->schedule == WS_SCHEDULE_STATIC ? w : w * WS_LOOP_LEAVES_PER_WORKER;
  }
  if (leaves == 0)
    leaves = 1;
  if (leaves > trips)
    leaves = trips;
  return leaves;
}

int ws_parallel_for(const ws_loop *loop, void *result) {
  if (!loop || !loop->body)
    return WS_EINVAL;
  if (loop->red_size > 0 && (!loop->red_init || !loop->red_combine || !result))
    return WS_EINVAL;
  if (loop->schedule != WS_SCHEDULE_AUTO &&
      loop->schedule != WS_SCHEDULE_DYNAMIC &&
      loop->schedule != WS_SCHEDULE_STATIC)
    return WS_EINVAL;

  void *partial = loop->red_size > 0 ? result : NULL;
  if (partial)
    loop->red_init(partial); /* the root's partial is `result` itself */
  if (loop->trips == 0)
    return WS_OK;

  loop_plan plan = {.loop = loop};
  plan.leaves = choose_leaves(loop);
  plan.base = loop->trips / plan.leaves;
  plan.extra = loop->trips % plan.leaves;
  atomic_init(&plan.skipped, 0);
  atomic_init(&plan.leaves_run, 0);

  if (plan.leaves == 1) {
    run_leaves(&plan, 0, 1, partial);
  } else if (loop->schedule != WS_SCHEDULE_STATIC ||
             run_static(&plan, partial) != 0) {
    run_node(&plan, 0, plan.leaves, partial);
  }
  /* Every store to `skipped` happened before a ws_wait above returned (or in
   * this thread), so relaxed suffices. */
  return atomic_load_explicit(&plan.skipped, memory_order_relaxed)
             ? WS_ECANCELED
             : WS_OK;
}

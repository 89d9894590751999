/*
 * depend.c -- task dependences: `depend(in|out|inout: list)`.
 *
 * Semantics (OpenMP's, among the sibling tasks of one frame)
 * ----------------------------------------------------------
 * Each ws_dep names the storage [addr, addr + len).  A task with `in` on
 * storage S waits for the latest earlier sibling with `out`/`inout` on
 * storage overlapping S; a task with `out`/`inout` waits for that writer and
 * for every `in` sibling registered on overlapping storage since.  Ranges
 * are tracked byte-exactly, not by start address: `a[0:8]` and `a[4:8]`
 * conflict, `a[0:4]` and `a[4:4]` do not.  An item with len 0 names no
 * storage and is ignored.  Tasks without dependences, and tasks of other
 * frames, are not ordered (a nested frame's tasks are ordered by their own
 * table).  The siblings must be spawned by the frame's owner thread (as the
 * plugin's output always does); a spawn with dependences from another
 * thread gets WS_EINVAL.
 *
 * Shape
 * -----
 * Nothing here runs for a task without dependences.  Per frame that has any,
 * a table (dep_table) lives in a list of its owner thread (thread-local,
 * keyed by the frame pointer) and the frame carries WS__FRAME_DEPS; ws_wait
 * frees the table once the frame is empty (ws__deps_frame_done), when every
 * task that could touch it has finished.  Only the owner thread creates,
 * looks up and frees tables, so the list needs no lock.
 *
 * A dependent task becomes a node (dep_node): its function, a copy of its
 * captures, its options.  Its predecessors are found in the table's map
 * (below) and it is linked as a successor of each one still unfinished.
 * With none, it is released at once; else it is *held* -- in no queue --
 * and the predecessor that completes last releases it.  Either way it
 * counts as a child of its frame (and of its taskgroup) from the moment
 * ws_spawn_ex returns: the node holds that count, a "placeholder" added at
 * registration with the same accounting as a spawn (ws__frame_add_child)
 * and dropped, like any completion, when the node has finished.
 *
 * Released means spawned as a wrapper, dep_run, which runs the body and
 * then completes the node: marks it finished, releases the successors whose
 * last predecessor it was, and drops the placeholder.  The wrapper is
 * spawned into a "sink" frame (a static frame nobody waits for) with no
 * taskgroup, so the scheduler never skips it: cancellation is decided by
 * dep_run itself (then the body is skipped and counted as cancelled), and a
 * cancelled task's successors are released just the same -- nothing hangs.
 * A held task whose taskgroup is already cancelled when its last
 * predecessor finishes is not spawned at all: it is counted as spawned and
 * cancelled, and completed on the spot.  (A task cancelled between its
 * release and its start is counted as cancelled and its wrapper once more
 * as spawned and executed: `spawned` then exceeds the user's spawns by
 * one.)  While the body runs, dep_run makes the thread's current frame and
 * taskgroup those of the node, so that ws_cancelled and the body's own
 * spawns see what a plain task would.
 *
 * An undeferred task (if(false), or any spawn under a final task) with
 * unfinished predecessors makes the spawning thread wait for them -- running
 * other tasks meanwhile, on a private frame that the last predecessor
 * completes -- and then runs it at once, as OpenMP does.
 *
 * The map
 * -------
 * A treap of non-overlapping segments [lo, hi) of tracked storage, ordered
 * by address.  Each segment holds its last writer and the readers since
 * that writer (every one of them covers the whole segment: segments only
 * ever get split).  Registering a dependence on [lo, hi) cuts the segments
 * straddling lo and hi, collects the predecessors from the segments inside,
 * then, for `in`, adds the task as a reader of each (filling gaps with new
 * segments) and, for `out`, replaces them all by one segment written by the
 * task.  References to nodes carry the node's generation: a node's
 * generation changes when it completes (and its memory is recycled for a
 * later task of the same table), so a reference with an older generation
 * names a finished task, and finished readers are pruned lazily.  Memory:
 * nodes, edges and segments are recycled within the table; it holds what
 * the most tasks in flight at once needed, plus one segment per tracked
 * range, until ws_wait.
 *
 * Thread safety: one mutex per table.  The owner holds it while it
 * registers a task (map and edges); a completer holds it while it marks its
 * node finished and walks its successors.  Spawning and running tasks
 * happen outside it.  The map itself is only ever touched by the owner.
 *
 * Out of memory: registration allocates before it links anything; if it
 * fails, the owner clears the map, waits for every dependent task of the
 * frame so far, and runs the task at once -- every order still holds.
 */
#include "depend.h"
#include "worker.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

typedef struct dep_node dep_node;
typedef struct dep_table dep_table;

/* A reference to a node as it was when recorded: unfinished while the
 * node's generation still equals `gen`. */
typedef struct dep_ref {
  dep_node *node; /* NULL: none */
  uint64_t gen;
} dep_ref;

typedef struct dep_edge {
  dep_node *succ;
  struct dep_edge *next;
} dep_edge;

struct dep_node {
  dep_table *table;
  ws_task_fn fn;
  void *captures; /* what fn receives: buf, heap, or (undeferred) the
                     spawner's own bytes */
  void *heap;     /* a copy of captures larger than buf, or NULL */
  const ws_site *site;
  ws__frame_rt *group; /* innermost taskgroup at spawn (may be the frame) */
  int tier;
  unsigned flags; /* WS_TASK_FINAL */
  unsigned timeout_ms;
  ws_handle *handle; /* opts->handle of a deferred task (else NULL): its
                        state follows the node (pending while held) */
  uint64_t requires, prefers; /* passed on to the wrapper's spawn */
  /* Under table->lock: */
  uint64_t gen;         /* bumped when the task completes */
  int npred;            /* unfinished predecessors */
  dep_edge *succ;       /* successors linked while it was unfinished */
  ws__frame_rt *waiter; /* undeferred and held: the spawner's wait frame */
  dep_node *next;       /* free list, or a list of released nodes */
  alignas(16) unsigned char buf[WS_INLINE_CAPTURE];
};

typedef struct seg {
  uintptr_t lo, hi;
  dep_ref w;     /* last writer */
  dep_ref *r;    /* readers since it */
  uint32_t nr;   /* readers recorded */
  uint32_t cap;  /* capacity of r */
  uint32_t prio; /* treap heap order */
  struct seg *left, *right;
} seg;

struct dep_table {
  pthread_mutex_t lock;
  ws__frame_rt *frame;
  dep_table *prev, *next; /* the owner thread's list (owner only) */
  /* Owner only (touched while registering, under the lock): */
  seg *root;
  seg *free_segs;
  uint32_t rng;
  dep_node **preds; /* scratch: predecessors of the task being registered */
  size_t npreds, preds_cap;
  seg **segs; /* scratch: the segments inside a range */
  size_t nsegs, segs_cap;
  /* Under the lock: */
  dep_node *free_nodes;
  dep_edge *free_edges;
  size_t nfree_edges;
  int64_t live;        /* registered tasks not yet completed */
  ws__frame_rt *drain; /* out of memory: the owner waits for live == 0 */
};

/* Threads' tables, most recently created first. */
static _Thread_local dep_table *t_tables;

/* Frames the wrappers are spawned into.  Nobody waits for them; they only
 * absorb the count of each wrapper spawn and completion.  Their owner is 1,
 * which is no thread's identity, so every spawn and completion takes the
 * atomic path (any thread may release a task).  One per worker (modulo
 * SINKS), so that releasers do not all hit one cache line. */
#define SINKS 64
static union {
  ws_frame f;
  ws__frame_rt rt;
  alignas(64) unsigned char line[64];
} g_sinks[SINKS] = {[0 ... SINKS - 1] = {.rt = {.owner = 1}}};

static ws_frame *sink_for(ws__tls *tls) {
  return &g_sinks[tls->w ? (unsigned)tls->w->id % SINKS : 0].f;
}

/* ---- Nodes and edges (under the table's lock) ---------------------------
 */

static inline dep_ref ref_of(dep_node *d) { return (dep_ref){d, d->gen}; }

static inline int ref_live(dep_ref r) {
  return r.node != NULL && r.node->gen == r.gen;
}

static dep_node *node_alloc(dep_table *tab) {
  dep_node *d = tab->free_nodes;
  if (d) {
    tab->free_nodes = d->next;
    return d;
  }
  d = aligned_alloc(alignof(dep_node), sizeof *d);
  if (d)
    d->gen = 0;
  return d;
}

/* The node's task has finished (or its registration was abandoned): every
 * reference to it turns stale, and its memory serves a later task. */
static void node_retire(dep_table *tab, dep_node *d) {
  d->gen++;
  free(d->heap);
  d->heap = NULL;
  d->next = tab->free_nodes;
  tab->free_nodes = d;
}

static int edges_reserve(dep_table *tab, size_t n) {
  while (tab->nfree_edges < n) {
    dep_edge *e = malloc(sizeof *e);
    if (!e)
      return -1;
    e->next = tab->free_edges;
    tab->free_edges = e;
    tab->nfree_edges++;
  }
  return 0;
}

/* Marks d finished; returns its successors that have no unfinished
 * predecessor left (linked by next), and in *drained the owner's drain
 * frame if d was the last task in flight and the owner waits for that. */
static dep_node *complete_locked(dep_table *tab, dep_node *d,
                                 ws__frame_rt **drained) {
  dep_node *ready = NULL, **tail = &ready;
  for (dep_edge *e = d->succ, *next; e; e = next) {
    next = e->next;
    dep_node *s = e->succ;
    if (--s->npred == 0) {
      /* In the order the edges were added: the latest successor first. */
      s->next = NULL;
      *tail = s;
      tail = &s->next;
    }
    e->next = tab->free_edges;
    tab->free_edges = e;
    tab->nfree_edges++;
  }
  d->succ = NULL;
  node_retire(tab, d);
  *drained = NULL;
  if (--tab->live == 0 && tab->drain) {
    *drained = tab->drain;
    tab->drain = NULL;
  }
  return ready;
}

/* ---- The map (owner only, under the lock) --------------------------------
 */

static uint32_t next_prio(dep_table *tab) {
  uint32_t x = tab->rng; /* xorshift32 */
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return tab->rng = x;
}

static seg *seg_alloc(dep_table *tab) {
  seg *s = tab->free_segs;
  if (s) {
    tab->free_segs = s->right;
  } else {
    s = calloc(1, sizeof *s);
    if (!s)
      return NULL;
  }
  s->w = (dep_ref){NULL, 0};
  s->nr = 0;
  s->prio = next_prio(tab);
  s->left = s->right = NULL;
  return s;
}

/* Keeps the readers array (its capacity serves the next user). */
static void seg_free(dep_table *tab, seg *s) {
  s->left = NULL;
  s->right = tab->free_segs;
  tab->free_segs = s;
}

static int seg_reserve(seg *s, uint32_t n) {
  if (n <= s->cap)
    return 0;
  uint32_t cap = s->cap ? s->cap : 4;
  while (cap < n)
    cap *= 2;
  dep_ref *r = realloc(s->r, cap * sizeof *r);
  if (!r)
    return -1;
  s->r = r;
  s->cap = cap;
  return 0;
}

/* Drops finished readers. */
static void seg_prune(seg *s) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < s->nr; i++)
    if (ref_live(s->r[i]))
      s->r[n++] = s->r[i];
  s->nr = n;
}

/* Room for one more reader: prune first, grow only if that freed little,
 * so a long run of readers costs amortised O(1) each. */
static int seg_reserve_reader(seg *s) {
  if (s->nr < s->cap)
    return 0;
  seg_prune(s);
  if (s->nr < s->cap / 2 + 1 && s->nr < s->cap)
    return 0;
  return seg_reserve(s, s->nr + 1);
}

/* A new segment [lo, hi) with s's writer and (unfinished) readers. */
static seg *seg_clone(dep_table *tab, seg *s, uintptr_t lo, uintptr_t hi) {
  seg_prune(s);
  seg *n = seg_alloc(tab);
  if (!n)
    return NULL;
  if (seg_reserve(n, s->nr) != 0) {
    seg_free(tab, n);
    return NULL;
  }
  n->lo = lo;
  n->hi = hi;
  n->w = s->w;
  if (s->nr)
    memcpy(n->r, s->r, s->nr * sizeof *s->r);
  n->nr = s->nr;
  return n;
}

/* Splits t into the segments starting below key (*l) and the rest (*r). */
static void treap_split(seg *t, uintptr_t key, seg **l, seg **r) {
  if (!t) {
    *l = *r = NULL;
  } else if (t->lo < key) {
    treap_split(t->right, key, &t->right, r);
    *l = t;
  } else {
    treap_split(t->left, key, l, &t->left);
    *r = t;
  }
}

/* Every segment of a lies below every segment of b. */
static seg *treap_merge(seg *a, seg *b) {
  if (!a)
    return b;
  if (!b)
    return a;
  if (a->prio > b->prio) {
    a->right = treap_merge(a->right, b);
    return a;
  }
  b->left = treap_merge(a, b->left);
  return b;
}

static seg *treap_max(seg *t) {
  while (t && t->right)
    t = t->right;
  return t;
}

/* Doubles a scratch array of `elem`-byte entries (16 at first): the new
 * array, or NULL without memory (then `arr` and *cap are unchanged). */
static void *grow_scratch(void *arr, size_t *cap, size_t elem) {
  size_t n = *cap ? 2 * *cap : 16;
  void *a = realloc(arr, n * elem);
  if (a)
    *cap = n;
  return a;
}

/* In-order into tab->segs; -1 without memory. */
static int treap_flatten(dep_table *tab, seg *t) {
  if (!t)
    return 0;
  if (treap_flatten(tab, t->left) != 0)
    return -1;
  if (tab->nsegs == tab->segs_cap) {
    seg **a = grow_scratch(tab->segs, &tab->segs_cap, sizeof *a);
    if (!a)
      return -1;
    tab->segs = a;
  }
  tab->segs[tab->nsegs++] = t;
  return treap_flatten(tab, t->right);
}

static void treap_free_all(dep_table *tab, seg *t) {
  while (t) {
    treap_free_all(tab, t->left);
    seg *right = t->right;
    seg_free(tab, t);
    t = right;
  }
}

static int add_pred(dep_table *tab, dep_node *self, dep_ref r) {
  if (!ref_live(r) || r.node == self)
    return 0;
  if (tab->npreds == tab->preds_cap) {
    dep_node **a = grow_scratch(tab->preds, &tab->preds_cap, sizeof *a);
    if (!a)
      return -1;
    tab->preds = a;
  }
  tab->preds[tab->npreds++] = r.node;
  return 0;
}

/* Registers d's dependence on [lo, hi): appends its predecessors to
 * tab->preds and records it in the map.  -1 without memory; the map is then
 * whole (every segment reachable) but may already name d. */
static int map_dep(dep_table *tab, dep_node *d, uintptr_t lo, uintptr_t hi,
                   int write) {
  seg *l, *r, *m, *r2;
  /* Cut the segments straddling lo and hi, so that m holds exactly the
   * tracked storage inside [lo, hi). */
  treap_split(tab->root, lo, &l, &r);
  seg *last = treap_max(l);
  if (last && last->hi > lo) {
    seg *n = seg_clone(tab, last, lo, last->hi);
    if (!n) {
      tab->root = treap_merge(l, r);
      return -1;
    }
    last->hi = lo;
    r = treap_merge(n, r);
  }
  treap_split(r, hi, &m, &r2);
  last = treap_max(m);
  if (last && last->hi > hi) {
    seg *n = seg_clone(tab, last, hi, last->hi);
    if (!n) {
      tab->root = treap_merge(l, treap_merge(m, r2));
      return -1;
    }
    last->hi = hi;
    r2 = treap_merge(n, r2);
  }
  tab->nsegs = 0;
  if (treap_flatten(tab, m) != 0)
    goto fail;

  /* Predecessors.  `in`: the writer of each segment.  `out`: the readers
   * since the writer (they all waited for it), else the writer. */
  for (size_t i = 0; i < tab->nsegs; i++) {
    seg *s = tab->segs[i];
    if (!write) {
      if (add_pred(tab, d, s->w) != 0)
        goto fail;
      continue;
    }
    seg_prune(s);
    for (uint32_t k = 0; k < s->nr; k++)
      if (add_pred(tab, d, s->r[k]) != 0)
        goto fail;
    if (s->nr == 0 && add_pred(tab, d, s->w) != 0)
      goto fail;
  }

  if (write) {
    /* One segment written by d replaces everything inside [lo, hi). */
    seg *n;
    if (tab->nsegs) {
      n = tab->segs[0];
      for (size_t i = 1; i < tab->nsegs; i++)
        seg_free(tab, tab->segs[i]);
    } else if (!(n = seg_alloc(tab))) {
      goto fail;
    }
    n->lo = lo;
    n->hi = hi;
    n->w = ref_of(d);
    n->nr = 0;
    n->left = n->right = NULL;
    tab->root = treap_merge(treap_merge(l, n), r2);
    return 0;
  }

  /* `in`: first make room for everything (a new segment for each gap, one
   * more reader in each segment), so that nothing below can fail. */
  seg *gaps = NULL;
  uintptr_t at = lo;
  for (size_t i = 0; i <= tab->nsegs; i++) {
    uintptr_t next = i < tab->nsegs ? tab->segs[i]->lo : hi;
    if (next > at) {
      seg *g = seg_alloc(tab);
      if (!g || seg_reserve(g, 1) != 0) {
        if (g)
          seg_free(tab, g);
        treap_free_all(tab, gaps);
        goto fail;
      }
      g->lo = at;
      g->hi = next;
      g->right = gaps;
      gaps = g;
    }
    if (i < tab->nsegs) {
      if (seg_reserve_reader(tab->segs[i]) != 0) {
        treap_free_all(tab, gaps);
        goto fail;
      }
      at = tab->segs[i]->hi;
    }
  }
  /* The gaps were pushed last first: reverse them into address order. */
  seg *g = NULL;
  while (gaps) {
    seg *next = gaps->right;
    gaps->right = g;
    g = gaps;
    gaps = next;
  }
  seg *out = NULL;
  at = lo;
  for (size_t i = 0; i <= tab->nsegs; i++) {
    uintptr_t next = i < tab->nsegs ? tab->segs[i]->lo : hi;
    if (next > at) {
      seg *gap = g;
      g = g->right;
      gap->right = NULL;
      gap->r[0] = ref_of(d);
      gap->nr = 1;
      out = treap_merge(out, gap);
    }
    if (i < tab->nsegs) {
      seg *s = tab->segs[i];
      /* d may already read this segment (two items on the same storage).
       * Compare generations too: an earlier task in d's memory may have
       * been the last reader. */
      dep_ref me = ref_of(d);
      if (s->nr == 0 || s->r[s->nr - 1].node != d ||
          s->r[s->nr - 1].gen != me.gen)
        s->r[s->nr++] = me;
      at = s->hi;
      s->left = s->right = NULL;
      out = treap_merge(out, s);
    }
  }
  tab->root = treap_merge(treap_merge(l, out), r2);
  return 0;

fail:
  tab->root = treap_merge(l, treap_merge(m, r2));
  return -1;
}

/* ---- Tables ---------------------------------------------------------------
 */

static dep_table *table_find(ws__frame_rt *frame) {
  for (dep_table *t = t_tables; t; t = t->next)
    if (t->frame == frame)
      return t;
  return NULL;
}

/* The owner's table of `frame`, created on first use (NULL: no memory). */
static dep_table *table_get(ws__frame_rt *frame, uintptr_t self) {
  /* Relaxed: the flags of a frame we own are written by this thread (and by
   * ws_cancel, whose bit does not matter here). */
  if (atomic_load_explicit(&frame->flags, memory_order_relaxed) &
      WS__FRAME_DEPS) {
    dep_table *t = table_find(frame);
    if (t)
      return t;
  }
  dep_table *t = calloc(1, sizeof *t);
  if (!t)
    return NULL;
  pthread_mutex_init(&t->lock, NULL);
  t->frame = frame;
  t->rng = (uint32_t)((uintptr_t)t >> 4) | 1u;
  t->next = t_tables;
  if (t_tables)
    t_tables->prev = t;
  t_tables = t;
  /* The first spawn into a frame makes its thread the owner, as in
   * spawn.c's spawns.  Relaxed: only this thread compares with it before
   * our tasks are published (by the queues or the table's mutex). */
  if (atomic_load_explicit(&frame->owner, memory_order_relaxed) == 0)
    atomic_store_explicit(&frame->owner, self, memory_order_relaxed);
  /* Relaxed: read back only by this thread, in ws_wait.  An RMW because
   * ws_cancel may set another bit at the same time. */
  atomic_fetch_or_explicit(&frame->flags, WS__FRAME_DEPS, memory_order_relaxed);
  return t;
}

static void table_destroy(dep_table *t) {
  if (t->prev)
    t->prev->next = t->next;
  else
    t_tables = t->next;
  if (t->next)
    t->next->prev = t->prev;
  treap_free_all(t, t->root);
  for (seg *s = t->free_segs, *next; s; s = next) {
    next = s->right;
    free(s->r);
    free(s);
  }
  for (dep_node *d = t->free_nodes, *next; d; d = next) {
    next = d->next;
    free(d);
  }
  for (dep_edge *e = t->free_edges, *next; e; e = next) {
    next = e->next;
    free(e);
  }
  free(t->preds);
  free(t->segs);
  pthread_mutex_destroy(&t->lock);
  free(t);
}

void ws__deps_frame_done(ws__frame_rt *frame) {
  /* Every dependent task of the frame has completed: its placeholder was
   * its last access (after its last use of the table), and ws_wait's
   * acquire of the frame's count makes all of that happen before this. */
  dep_table *t = table_find(frame);
  if (t)
    table_destroy(t);
}

/* ---- Releasing and running -------------------------------------------------
 */

/* A skipped task counts as spawned and cancelled, like a queued task that
 * a cancelled taskgroup skips (spawned first: see pool.c's quiescent). */
static void count_skipped(void) {
  ws__worker *w = ws__tls_self.w;
  if (w) {
    WS__STAT(w, spawned, 1);
    WS__STAT(w, cancelled, 1);
    return;
  }
  ws__pool *p = ws__pool_acquire();
  if (p) {
    /* Release: like the other external counters (spawn.c stat_any). */
    atomic_fetch_add_explicit(&p->ext.v[WS__STAT_IDX(spawned)], 1,
                              memory_order_release);
    atomic_fetch_add_explicit(&p->ext.v[WS__STAT_IDX(cancelled)], 1,
                              memory_order_release);
  }
  ws__pool_release();
}

static void dep_run(void *captures);

/* Queues d's wrapper.  The releasing thread may be running a task of some
 * taskgroup, or a final task: the wrapper must inherit neither (it gets no
 * taskgroup at all; dep_run applies d's). */
static void spawn_node(dep_node *d) {
  ws__tls *tls = &ws__tls_self;
  ws__frame_rt *saved_group = tls->cur_group;
  int saved_final = tls->final_depth;
  tls->cur_group = NULL;
  tls->final_depth = 0;
  ws_task_opts o = {.tier = d->tier,
                    .flags = d->flags,
                    .site = d->site,
                    .timeout_ms = d->timeout_ms,
                    .requires = d->requires,
                    .prefers = d->prefers};
  ws_spawn_ex(sink_for(tls), dep_run, &d, sizeof d, &o);
  tls->cur_group = saved_group;
  tls->final_depth = saved_final;
}

/* Drops the count a node held on its frame (and taskgroup): after the
 * frame's, the last access to anything of the table. */
static void drop_placeholder(ws__frame_rt *frame, ws__frame_rt *group,
                             uintptr_t self) {
  ws__frame_child_done(frame, self);
  if (group && group != frame)
    ws__frame_child_done(group, self);
}

/* Releases the nodes of `ready`: spawns them, skips them (cancelled), or
 * wakes their undeferred spawner.  The caller keeps the frame non-empty
 * (it holds a placeholder of its own, or it is the owner spawning). */
static void release(dep_table *tab, dep_node *ready) {
  uintptr_t self = (uintptr_t)&ws__tls_self;
  while (ready) {
    dep_node *d = ready;
    ready = d->next;
    if (d->waiter) {
      /* Our last access to d: its spawner may run and retire it now. */
      ws__frame_child_done(d->waiter, self);
      continue;
    }
    ws__frame_rt *frame = tab->frame, *group = d->group;
    if (!ws__task_cancelled(frame, group)) {
      spawn_node(d); /* d may run and be retired at once */
      continue;
    }
    count_skipped();
    if (d->handle) /* before d is retired below */
      ws__handle_finish(d->handle, WS_HANDLE_CANCELLED);
    ws__frame_rt *drained;
    pthread_mutex_lock(&tab->lock);
    dep_node *more = complete_locked(tab, d, &drained);
    pthread_mutex_unlock(&tab->lock);
    if (more) {
      dep_node *t = more;
      while (t->next)
        t = t->next;
      t->next = ready;
      ready = more;
    }
    if (drained)
      ws__frame_child_done(drained, self);
    drop_placeholder(frame, group, self);
  }
}

/* d's task has run (or was skipped): complete it, release its successors,
 * then drop its placeholder if it holds one. */
static void finish(dep_node *d, int placeholder) {
  dep_table *tab = d->table;
  ws__frame_rt *frame = tab->frame, *group = d->group, *drained;
  uintptr_t self = (uintptr_t)&ws__tls_self;
  pthread_mutex_lock(&tab->lock);
  dep_node *ready = complete_locked(tab, d, &drained);
  pthread_mutex_unlock(&tab->lock);
  if (drained)
    ws__frame_child_done(drained, self);
  release(tab, ready);
  if (placeholder)
    drop_placeholder(frame, group, self);
}

static void dep_run(void *captures) {
  dep_node *d;
  memcpy(&d, captures, sizeof d);
  ws__frame_rt *frame = d->table->frame;
  /* The handle's final state before finish(): d's placeholder, dropped
   * there, keeps the frame's wait from returning before it. */
  if (ws__task_cancelled(frame, d->group)) {
    count_skipped();
    if (d->handle)
      ws__handle_finish(d->handle, WS_HANDLE_CANCELLED);
  } else {
    ws__tls *tls = &ws__tls_self;
    ws__frame_rt *saved_frame = tls->cur_frame, *saved_group = tls->cur_group;
    ws__fastq *saved_fq = ws__fq;
    tls->cur_frame = frame;
    tls->cur_group = d->group;
    ws__fast_sync(tls);
    if (d->handle)
      ws__handle_start(d->handle);
    d->fn(d->captures);
    if (d->handle)
      ws__handle_finish(d->handle, WS_HANDLE_DONE);
    tls->cur_frame = saved_frame;
    tls->cur_group = saved_group;
    ws__fq = saved_fq;
  }
  finish(d, 1);
}

ws__frame_rt *ws__task_spawned_into(ws__task *t) {
  if (t->fn != dep_run)
    return t->frame;
  dep_node *d;
  memcpy(&d, ws__task_captures(t), sizeof d);
  /* Queued, d is live and so is its table (the frame is not empty). */
  return d->table->frame;
}

/* ---- Spawning -------------------------------------------------------------
 */

int ws__spawn_deps(ws_frame *frame_, ws_task_fn fn, const void *captures,
                   size_t size, const ws_task_opts *opts) {
  if (!frame_ || !fn || (size && !captures) || opts->num_deps < 0 ||
      !opts->deps)
    return WS_EINVAL;
  int items = 0;
  for (int i = 0; i < opts->num_deps; i++) {
    int kind = opts->deps[i].kind;
    if (kind != WS_DEP_IN && kind != WS_DEP_OUT && kind != WS_DEP_INOUT)
      return WS_EINVAL;
    items += opts->deps[i].len > 0;
  }
  ws_task_opts plain = *opts;
  plain.deps = NULL;
  plain.num_deps = 0;
  if (opts->requires) {
    /* Refused at the spawn, before anything is registered. */
    ws__tls *t = &ws__tls_self;
    ws__worker *w = t->w ? t->w : ws__attach(t);
    if (ws__placed_check(w ? w->pool : ws__pool_peek(), opts->requires) !=
        WS_OK)
      return WS_EINVAL;
  }
  if (items == 0)
    return ws_spawn_ex(frame_, fn, captures, size, &plain);

  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  ws__tls *tls = &ws__tls_self;
  uintptr_t self = (uintptr_t)tls;
  /* Relaxed: compared with our own identity only (as in frame.h). */
  uintptr_t owner = atomic_load_explicit(&frame->owner, memory_order_relaxed);
  if (owner != 0 && owner != self)
    return WS_EINVAL;
  int undeferred =
      (opts->flags & WS_TASK_UNDEFERRED) != 0 || tls->final_depth > 0;
  dep_table *tab = table_get(frame, self);
  if (!tab) {
    /* No memory for a table: then the frame has no dependent task in
     * flight (it would have one), and running this one now keeps every
     * order. */
    plain.flags |= WS_TASK_UNDEFERRED;
    return ws_spawn_ex(frame_, fn, captures, size, &plain);
  }

  /* The undeferred task's (or the out-of-memory path's) wait. */
  ws_frame wait = WS_FRAME_INIT;
  pthread_mutex_lock(&tab->lock);
  dep_node *d = node_alloc(tab);
  if (!d)
    goto no_memory;
  d->table = tab;
  d->fn = fn;
  d->heap = NULL;
  d->site = opts->site;
  d->tier = opts->tier;
  d->flags = opts->flags & WS_TASK_FINAL;
  d->timeout_ms = opts->timeout_ms;
  /* An undeferred task's handle goes with its spawn below (plain). */
  d->handle = undeferred ? NULL : opts->handle;
  d->requires = opts->requires;
  d->prefers = opts->prefers;
  d->npred = 0;
  d->succ = NULL;
  d->waiter = NULL;
  if (undeferred) {
    d->captures = (void *)(uintptr_t)captures; /* it runs before we return */
  } else if (size <= sizeof d->buf) {
    d->captures = d->buf;
    if (size)
      memcpy(d->buf, captures, size);
  } else {
    if (!(d->heap = malloc(size)))
      goto no_memory;
    memcpy(d->heap, captures, size);
    d->captures = d->heap;
  }
  tab->npreds = 0;
  for (int i = 0; i < opts->num_deps; i++) {
    const ws_dep *dep = &opts->deps[i];
    if (dep->len == 0)
      continue;
    uintptr_t lo = (uintptr_t)dep->addr;
    uintptr_t hi = lo + dep->len < lo ? UINTPTR_MAX : lo + dep->len;
    if (map_dep(tab, d, lo, hi, dep->kind != WS_DEP_IN) != 0)
      goto no_memory;
  }
  if (edges_reserve(tab, tab->npreds) != 0)
    goto no_memory;

  /* Commit: nothing below fails. */
  for (size_t i = 0; i < tab->npreds; i++) {
    dep_node *p = tab->preds[i];
    if (p->succ && p->succ->succ == d)
      continue; /* found twice (through several segments or items) */
    dep_edge *e = tab->free_edges;
    tab->free_edges = e->next;
    tab->nfree_edges--;
    e->succ = d;
    e->next = p->succ;
    p->succ = e;
    d->npred++;
  }
  tab->live++;
  /* The innermost taskgroup, as frame.h's nearest_group.  Relaxed: our own
   * frame's flags, see table_get. */
  d->group = (atomic_load_explicit(&frame->flags, memory_order_relaxed) &
              WS__FRAME_GROUP)
                 ? frame
                 : tls->cur_group;
  int ready = d->npred == 0;
  if (!undeferred) {
    if (d->handle)
      ws__handle_pending(d->handle); /* held or about to be spawned */
    /* Before the unlock: from then on a completer may release d, run it
     * and drop this count. */
    ws__frame_add_child(frame, self);
    if (d->group && d->group != frame)
      ws__frame_add_child(d->group, self);
  } else if (!ready) {
    ws__frame_rt *w = (ws__frame_rt *)&wait;
    /* Relaxed: a fresh frame of ours, as in table_get. */
    atomic_store_explicit(&w->owner, self, memory_order_relaxed);
    ws__frame_add_child(w, self);
    d->waiter = w;
  }
  pthread_mutex_unlock(&tab->lock);

  if (!undeferred) {
    if (ready) {
      d->next = NULL;
      release(tab, d);
    }
    return WS_OK;
  }
  /* Undeferred: wait for the predecessors (running other tasks), run it
   * here and now, then release its successors. */
  if (!ready)
    ws_wait(&wait);
  plain.flags |= WS_TASK_UNDEFERRED;
  ws_spawn_ex(frame_, fn, captures, size, &plain);
  finish(d, 0);
  return WS_OK;

no_memory:
  /* Forget the map (it may name d, half registered), wait until every
   * dependent task of this frame so far has finished, and run this one now:
   * every order holds, and later tasks start from an empty map. */
  treap_free_all(tab, tab->root);
  tab->root = NULL;
  if (d)
    node_retire(tab, d); /* no edge names it yet */
  int drain = tab->live > 0;
  if (drain) {
    ws__frame_rt *w = (ws__frame_rt *)&wait;
    /* Relaxed: a fresh frame of ours, as in table_get. */
    atomic_store_explicit(&w->owner, self, memory_order_relaxed);
    ws__frame_add_child(w, self);
    tab->drain = w;
  }
  pthread_mutex_unlock(&tab->lock);
  if (drain)
    ws_wait(&wait);
  plain.flags |= WS_TASK_UNDEFERRED;
  return ws_spawn_ex(frame_, fn, captures, size, &plain);
}

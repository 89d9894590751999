/*
 * fast.c -- the fast path's runtime side: ws_spawn_inline's deque (ws.h),
 * what its inline code calls out of line, and what thieves and the worker
 * loop do with it.
 *
 * The deque.  Each worker record owns an array of `limit` slots, one cache
 * line each, holding a task's function and captures; indexes are spawn
 * depths, not ring positions.
 *  - The owner pushes at `bottom` (ws_spawn_inline) and pops back at its
 *    waits (ws__fast_join, inline in ws.h), newest first.  Every function
 *    and task waits before it returns (strict nesting), so a frame's fast
 *    children are the slots from its base (frame->fast_base - 1) up.
 *  - Slots below `top` are claimed by thieves: each runs in place, from the
 *    slot, and stores `done` when finished.  The owner, popping a claimed
 *    slot, runs other work until `done`, then takes the slot back.
 *
 * The asymmetric Chase-Lev protocol.  Chase-Lev's pop stores `bottom` and
 * then loads `top`, and the steal loads `top` and then `bottom`; both sides
 * need a store->load barrier, which on the owner's side is a locked
 * instruction per pop (a third of a fine-grained task's cost).  Here the
 * owner's side is a compiler barrier, and thieves, which are rare, pay:
 *  - the owner pops slot x: (O1) store bottom = x, (O2) compiler barrier,
 *    (O3) load top; x >= top: the slot is the owner's, with no atomic
 *    read-modify-write and no fence; x < top: claimed, out of line;
 *  - a thief takes the deque's `lock` (one thief at a time per deque: the
 *    only writers of `top` are lock holders), reads top = t and bottom,
 *    and claims k slots: (T1) store top = t + k, (T2) membarrier, (T3)
 *    load bottom = b2.  It keeps [t, min(t + k, b2)) and, if b2 < t + k,
 *    gives the rest back (top = max(t, b2)) before it unlocks.
 *  - Why no slot is run twice: membarrier makes the owner execute a full
 *    barrier at some instant B during T2.  If the owner's O3 for slot x
 *    came after B, it sees top = t + k and leaves a claimed x to the thief.
 *    If O3 came before B, so did O1, which B made visible: the thief's T3
 *    sees b2 <= x and does not keep x.  A slot the owner saw claimed but
 *    the thief gave back is the owner's again: the owner decides under the
 *    lock (ws__fast_pop_claimed), where `top` counts kept claims only.
 *  - Why no slot is lost: a thief keeps only slots below b2, which were
 *    pushed and not popped before B; pops after B see them claimed.
 *  - Without membarrier (or under TSan, which does not model it) both
 *    sides use a seq_cst fence at O2 and T2: the classic Dekker argument.
 *
 * Which atomic pairs with which:
 *  - push: release store of `bottom` -- the thief's acquire load of it
 *    (T3): a thief that keeps a slot sees its contents.  The pop's store
 *    of `bottom` is a release too, so that every later value still
 *    publishes the slots below it;
 *  - `lock`: acquire CAS -- release store at unlock: `top` and `bottom` as
 *    the previous holder left them;
 *  - a thief's done: release exchange -- the owner's acquire load: the
 *    task's writes are visible when the owner moves on, and the slot may be
 *    reused;
 *  - the owner's sleep on `done`: CAS 0 -> 2, futex wait -- the thief's
 *    exchange sees 2 and wakes it.
 *
 * The ring.  Index i is slot i & mask.  Indexes below `low` are free: no
 * thief runs them any more (ws__fast_room moves `low` up over claimed slots
 * whose `done` it sees, and the owner's pushes stay below low + size); a
 * claimed index below `low` is known done, though its slot may hold a later
 * index's task.
 *
 * How long queued work stays private.  The owner's: never.  Every slot
 * below `bottom` is visible to thieves from its push on, so a task whose
 * spawner runs a long leaf is stolen as soon as a worker is idle; the price
 * of a steal is the thief's membarrier (a few microseconds, the owner
 * interrupted once), spread over a batch.  A thief's batch: never either;
 * while the thief runs one of its slots, the rest waits in its own deque as
 * one descriptor another worker may steal (fast_batch_run).
 */
#include "observe.h"
#include "park.h"
#include "run.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The deque of a thread whose fast path is off (ws.h, ws__fq): no room
 * (limit and size 0: every push is refused, and ws__fast_room, which
 * returns at once for size 0, writes nothing), no call (a tick of 0: a
 * look is due, so no last or refused spawn runs as a call), no pop (it
 * never holds a slot; were one tried, `top` and `dead` make it a claimed
 * slot run elsewhere).  Shared by every such thread, and only read. */
static const int32_t g_no_sleepers;
ws__fastq ws__fast_off = {.limit = 0,
                          .off = 1,
                          .size = 0,
                          .tick = 0,
                          .top = INT64_MAX,
                          .dead = 1,
                          .sleepers = &g_no_sleepers};

__thread ws__fastq *ws__fq __attribute__((tls_model("initial-exec"))) =
    &ws__fast_off;

/* Slots per record: a recursion this many spawns deep, or a loop spawning
 * this many before it waits, takes the fast path; beyond, ws_spawn's
 * deques.  512 KiB of address space, touched only as deep as it is used. */
#define WS__FAST_SLOTS 8192
/* Pops between two periodic decisions (ws__fast_pop_slow: aging, the
 * cached clock, the fence mode).  A task of a higher tier does not wait for
 * it (its spawner zeroes the tick), and aging works in seconds
 * (WS_STARVATION_MS): the period is long enough for its clock read and
 * look to cost a fine-grained recursion well under 1% (nqueens: 2.7% at
 * 32 pops). */
#define WS__FAST_TICK 256
/* In fence mode, where every pop comes out of line: pops between two
 * fence-mode decisions (on or off: fast_fence_mode). */
#define WS__FAST_FENCE_TICK 32
/* Slots one steal may claim, and how long running them should take (CPU
 * time: a preempted thief's batch is not slow): the claim doubles after a
 * full batch run in less than that, halves after one over four times that
 * (fast_batch_run). */
#define WS__FAST_BATCH_MAX 1024
#define WS__FAST_BATCH_NS 20000
/* A batch whose tasks took under WS__FAST_TINY_NS each (thief's CPU time,
 * over at least WS__FAST_TINY_MIN of them) was not worth stealing: the
 * owner would have run them faster than the thief took them (a stolen
 * slot costs the thief about 50 ns and the owner's refill 20-40 ns; tasks
 * that spawn take far longer, so recursions never come here).  The thief
 * then leaves the fast deques alone for a while: 1 ms after one such batch,
 * doubling with each one that follows up to WS__FAST_QUIET_MAX_NS (how
 * long queued slots may stay private), back to 1 ms after a batch of
 * larger tasks. */
#define WS__FAST_TINY_NS 150
#define WS__FAST_TINY_MIN 64
#define WS__FAST_QUIET_NS 1000000
#define WS__FAST_QUIET_MAX_NS 32000000
/* Fence-mode decisions without a steal after which the owner's pops stop
 * fencing (fast_fence_mode): 64 of them, 32 fenced pops apart. */
#define WS__FAST_FENCE_LOOKS 64
/* Spawns that skip the look for room after the ring was found full. */
#define WS__FAST_ROOM_SKIP 64

/* The slot a stolen task's descriptor runs (its captures hold the slot's
 * address), and the frame such descriptors name: never cancelled, never
 * waited for (the slot's `done` is the completion). */
static ws__frame_rt g_fast_frame;

/* The owner's store of `limit`: relaxed, as a thief's 0 (ws__fast_steal)
 * is only a hint. */
static void fast_set_limit(ws__fastq *q, int64_t limit) {
  __atomic_store_n(&q->limit, limit, __ATOMIC_RELAXED);
}

int ws__fastq_init(ws__fastq *q, ws__pool *p) {
  memset(q, 0, sizeof *q);
  /* Zeroed (ws.h: a push does not clear `done`), by calloc, whose fresh
   * pages stay untouched until a spawn goes that deep; one slot more to
   * align the ring on a line. */
  q->buf_mem = calloc(WS__FAST_SLOTS + 1, sizeof(ws__slot));
  if (!q->buf_mem)
    return -1;
  q->buf = (ws__slot *)(((uintptr_t)q->buf_mem + sizeof(ws__slot) - 1) &
                        ~(uintptr_t)(sizeof(ws__slot) - 1));
  q->mask = WS__FAST_SLOTS - 1;
  /* Tracing records every task: the fast path, which has no descriptor to
   * record, is off (size 0 keeps ws__fq at ws__fast_off: worker.h).  So it is
   * without membarrier (kernels before 4.14): its pop has no fence. */
  q->size =
      ws__tracing() || (!ws__asym_fence_ok && !WS_TSAN) ? 0 : WS__FAST_SLOTS;
  fast_set_limit(q, q->size);
  q->sleepers = (const int32_t *)&p->ec.sleepers;
  q->tick = WS__FAST_TICK;
  return 0;
}

void ws__fastq_retire(ws__fastq *q) {
  q->dead = 1;
  q->size = 0;
  fast_set_limit(q, 0); /* every push looks, and finds no room */
  /* Every pop finds its slot claimed (ws.h, ws__fast_take), and never
   * looks beyond the fast path (its pool may be gone). */
  __atomic_store_n(&q->top, INT64_MAX, __ATOMIC_RELAXED);
  __atomic_store_n(&q->tick, INT32_MAX, __ATOMIC_RELAXED);
}

void ws__fastq_destroy(ws__fastq *q) {
  free(q->buf_mem);
  q->buf_mem = NULL;
  q->buf = NULL;
}

/* The worker record that holds deque q. */
static ws__worker *fast_owner(ws__fastq *q) {
  return (ws__worker *)((char *)q - offsetof(ws__worker, fq));
}

/* One stolen slot, run in place by its thief: the body, its count, then
 * `done` for its owner. */
static void fast_run_slot(ws__worker *w, ws__slot *s) {
  s->fn(s->captures);
  ws__stat_add(&w->stats, WS__STAT_IDX(executed) + WS_TIER_NORMAL, 1);
  /* Release: pairs with the owner's acquire loads of done (fast_done,
   * ws__fast_room). */
  if (__atomic_exchange_n(&s->done, WS__SLOT_DONE, __ATOMIC_RELEASE) &
      WS__SLOT_SLEEP)
    ws__futex_wake(&s->done, 1);
}

/* A descriptor that runs one slot (a batch's remainder handed out). */
static void fast_trampoline(void *captures) {
  ws__slot *s;
  memcpy(&s, captures, sizeof s);
  fast_run_slot(ws__tls_self.w, s);
}

/* The thief's own CPU time: a batch's length without the time it was
 * preempted (more workers than cores), which would shrink it for nothing. */
static uint64_t thread_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The deque's lock: thieves try it once (a busy deque has a thief already),
 * its owner waits for it (a thief holds it for one claim: a membarrier). */
static int fast_trylock(ws__fastq *q) {
  uint32_t expected = 0;
  /* Acquire: pairs with the release store at unlock (table above). */
  return __atomic_load_n(&q->lock, __ATOMIC_RELAXED) == 0 &&
         __atomic_compare_exchange_n(&q->lock, &expected, 1, 0,
                                     __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static void fast_lock(ws__fastq *q) {
  for (int spins = 0; !fast_trylock(q); spins++) {
    if (spins < 64)
      ws__cpu_relax();
    else
      sched_yield(); /* the holder may be preempted (more workers than cores) */
  }
}

static void fast_unlock(ws__fastq *q) {
  __atomic_store_n(&q->lock, 0, __ATOMIC_RELEASE);
}

/* A claimed batch: the thief runs its slots in order, in place.  The rest
 * of the batch waits in the thief's own deque meanwhile, as one descriptor
 * (this function again, on the slots after the one running), so that no
 * claimed slot is kept from a hungry worker by a long task before it: a
 * worker that steals the descriptor takes the rest, and runs it the same
 * way.  Taking it back is one pop of our deque: whatever the slot's task
 * spawned there was taken back by its own waits, so the newest entry is
 * the descriptor or, if it was stolen, nothing. */
typedef struct fast_batch {
  ws__fastq *q;
  int64_t first, count;
} fast_batch;

static void fast_descriptor(ws__task *d, ws_task_fn fn, const void *captures,
                            size_t size);
static void fast_batch_run(void *captures);

/* Queues the rest of a batch (slots first .. first + count - 1) in our
 * deque as `rest` (allocated the first time): 1 if it is there. */
static int fast_batch_queue_rest(ws__worker *w, ws__task **rest,
                                 const fast_batch *r) {
  if (!*rest)
    *rest = ws__task_alloc(&w->cache, &w->pool->depot);
  if (!*rest)
    return 0; /* no memory: the rest stays with us (a batch is short) */
  fast_descriptor(*rest, fast_batch_run, r, sizeof *r);
  if (ws__deque_push(&w->dq[WS_TIER_NORMAL], *rest) != 0)
    return 0;
  w->tier_mask |= 1u << WS_TIER_NORMAL;
  return 1;
}

static void fast_batch_run(void *captures) {
  fast_batch b;
  memcpy(&b, captures, sizeof b);
  ws__worker *w = ws__tls_self.w;
  uint64_t start = b.count > 1 ? thread_ns() : 0;
  int64_t ran = 0;
  ws__task *rest = NULL;
  while (b.count > 0) {
    ws__slot *s = &b.q->buf[(uint64_t)b.first & b.q->mask];
    fast_batch r = {b.q, b.first + 1, b.count - 1};
    if (r.count > 0) /* its line comes from the owner's cache meanwhile */
      __builtin_prefetch(&b.q->buf[(uint64_t)r.first & b.q->mask], 1);
    int queued = r.count > 0 && fast_batch_queue_rest(w, &rest, &r);
    if (queued && ran == 0)
      ws__fast_wake(&w->fq); /* someone parked may take it */
    fast_run_slot(w, s);
    ran++;
    b = r;
    if (queued) {
      ws__task *x = ws__deque_take(&w->dq[WS_TIER_NORMAL]);
      if (x != rest) {
        /* Stolen (x is NULL): its thief runs the rest.  Or the task left
         * a spawn of its own above it (into a frame it did not wait for):
         * that goes back, the rest stays queued under it. */
        if (x && ws__deque_push(&w->dq[WS_TIER_NORMAL], x) != 0)
          ws__run_task(w, x);
        rest = NULL;
        break;
      }
    }
  }
  if (rest)
    ws__task_free(&w->cache, &w->pool->depot, rest);
  if (start && b.count == 0) {
    /* Quick batches grow, slow ones shrink (whole batches only). */
    uint64_t ns = thread_ns() - start;
    if (ns < WS__FAST_BATCH_NS && ran == w->fast_cap &&
        w->fast_cap < WS__FAST_BATCH_MAX)
      w->fast_cap *= 2;
    else if (ns > WS__FAST_BATCH_NS * 4 && w->fast_cap > 1)
      w->fast_cap /= 2;
    if (ran >= WS__FAST_TINY_MIN && ns < (uint64_t)ran * WS__FAST_TINY_NS) {
      uint64_t len = w->fast_quiet_len ? w->fast_quiet_len : WS__FAST_QUIET_NS;
      w->fast_quiet_ns = ws__now_ns() + len;
      w->fast_quiet_len = len < WS__FAST_QUIET_MAX_NS ? 2 * len : len;
    } else if (ran >= WS__FAST_TINY_MIN) {
      w->fast_quiet_len = 0; /* the next quiet is a first one */
    }
  }
}

/* A descriptor running fn(captures) for the fast path: fast.c's frame, no
 * count of its own (its slots' done is the completion). */
static void fast_descriptor(ws__task *d, ws_task_fn fn, const void *captures,
                            size_t size) {
  d->fn = fn;
  memcpy(d->captures, captures, size);
  d->frame = &g_fast_frame;
  d->group = NULL;
  d->site = NULL;
  d->heap_captures = NULL;
  d->tier = WS_TIER_NORMAL;
  d->flags = WS__TASK_FAST;
  d->seq = 0;
}

/* The descriptor that runs slot s in place (fast_trampoline). */
static void fast_describe(ws__task *d, ws__slot *s) {
  fast_descriptor(d, fast_trampoline, &s, sizeof s);
}

ws__task *ws__fast_steal(ws__worker *w, ws__worker *v, int *lost,
                         int64_t *moved) {
  ws__fastq *q = &v->fq;
  *moved = 0;
  if (ws__fast_quiet(w)) /* after a batch of tiny tasks */
    return NULL;
  /* The descriptor first: once claimed, the slots must run. */
  ws__task *d = ws__task_alloc(&w->cache, &w->pool->depot);
  if (!d)
    return NULL;
  if (!fast_trylock(q)) {
    *lost = 1; /* another thief is at it */
    ws__task_free(&w->cache, &w->pool->depot, d);
    return NULL;
  }
  /* Relaxed: under the lock top is ours; bottom is a first estimate (T3
   * decides). */
  int64_t t = __atomic_load_n(&q->top, __ATOMIC_RELAXED);
  int64_t b = __atomic_load_n(&q->bottom, __ATOMIC_RELAXED);
  /* Half of what is queued, at most the batch size that has been running
   * quickly (fast_batch_run): one membarrier for many tiny tasks. */
  int64_t k = (b - t) / 2;
  if (k > w->fast_cap)
    k = w->fast_cap;
  if (k < 1)
    k = 1;
  int64_t keep = 0;
  if (t < b) {
    /* T1, T2, T3 (the protocol above).  Relaxed T1: the fence or
     * membarrier orders it before T3 and before the owner's O3 after its
     * barrier. */
    __atomic_store_n(&q->top, t + k, __ATOMIC_RELAXED);
#if WS_TSAN
    atomic_thread_fence(memory_order_seq_cst); /* the owner's is one too */
#else
    if (q->fenced) { /* the owner's pops fence: a fence here is enough */
      atomic_thread_fence(memory_order_seq_cst);
    } else {
      ws__asym_fence_heavy();
      /* Relaxed: a hint; the owner switches under the lock, at its next
       * push (a limit of 0 sends it to ws__fast_room: no check on the
       * inline push) or its next periodic decision.  The owner's own
       * store of limit may overwrite the 0: the decision still looks. */
      __atomic_store_n(&q->want_fence, 1, __ATOMIC_RELAXED);
      __atomic_store_n(&q->limit, 0, __ATOMIC_RELAXED);
    }
#endif
    /* Acquire: pairs with the owner's release stores of bottom (its
     * pushes published the slots we keep). */
    int64_t b2 = __atomic_load_n(&q->bottom, __ATOMIC_ACQUIRE);
    keep = b2 - t < k ? b2 - t : k;
    if (keep < 0)
      keep = 0;
    if (keep < k) /* the owner popped some of them first: give them back */
      __atomic_store_n(&q->top, t + keep, __ATOMIC_RELAXED);
    if (keep > 0) /* release: as the owner's counters (ws__fast_counts) */
      __atomic_store_n(&q->stolen, q->stolen + (uint64_t)keep,
                       __ATOMIC_RELEASE);
  }
  fast_unlock(q);
  if (keep == 0) {
    ws__task_free(&w->cache, &w->pool->depot, d);
    return NULL;
  }
  if (keep == 1) {
    if (k == 1 && w->fast_cap == 1 && b - t >= 4)
      w->fast_cap = 2; /* plenty queued: try a batch of two next time */
    fast_describe(d, &q->buf[(uint64_t)t & q->mask]);
    return d;
  }
  fast_batch fb = {q, t, keep};
  fast_descriptor(d, fast_batch_run, &fb, sizeof fb);
  *moved = keep - 1;
  return d;
}

int ws__fast_quiet(ws__worker *w) {
  if (__builtin_expect(w->fast_quiet_ns == 0, 1))
    return 0;
  if (ws__now_ns() < w->fast_quiet_ns)
    return 1;
  w->fast_quiet_ns = 0;
  return 0;
}

int ws__fast_size_hint(ws__worker *v) {
  /* Relaxed: a hint (ws__fast_steal has the protocol). */
  int64_t b = __atomic_load_n(&v->fq.bottom, __ATOMIC_RELAXED);
  int64_t top = __atomic_load_n(&v->fq.top, __ATOMIC_RELAXED);
  return b > top;
}

static void fast_fence_mode(ws__fastq *q, int may_end);

/* The ring is full up to `limit` (low + size): the oldest indexes may have
 * been claimed and run by thieves since.  Each slot a thief says done is
 * free again.  1 if there is room now. */
int ws__fast_room(ws__fastq *q) {
  /* (After a look that found the ring full, the next WS__FAST_ROOM_SKIP
   * spawns are refused inline, without a call: ws.h, ws__fast_room_near.
   * So they do not look at lines the thieves write.) */
  if (q->size == 0)
    return 0;
  /* Thieves busy here: fences.  Never their end: a loop that spawns
   * without waiting looks here every WS__FAST_ROOM_SKIP spawns, which
   * would end the mode between two of a thief's batches, each then paying
   * a membarrier that interrupts this thread.  Only pops end it. */
  fast_fence_mode(q, 0);
  /* Relaxed: a claim is seen either way (a stale top is a smaller room);
   * each slot's done is the synchronisation. */
  int64_t t = __atomic_load_n(&q->top, __ATOMIC_RELAXED);
  /* Acquire: pairs with the thief's release exchange of done: its run of
   * the slot is over before we write into it.  The word goes back to 0 for
   * the slot's next push (ws.h; relaxed: no thief touches the slot until
   * that push publishes it). */
  for (; q->low < t; q->low++) {
    uint32_t *done = &q->buf[(uint64_t)q->low & q->mask].done;
    if (!(__atomic_load_n(done, __ATOMIC_ACQUIRE) & WS__SLOT_DONE))
      break;
    __atomic_store_n(done, 0, __ATOMIC_RELAXED);
  }
  int64_t limit = q->low + q->size;
  fast_set_limit(q, limit);
  /* Relaxed: only this thread writes bottom. */
  if (__atomic_load_n(&q->bottom, __ATOMIC_RELAXED) < limit)
    return 1;
  q->room_skip = WS__FAST_ROOM_SKIP;
  return 0;
}

void ws__fast_poke(ws__pool *p) {
  /* Acquire: records claimed since are complete (pool.c).  Relaxed stores:
   * see ws__fast_due (ws.h); the task is pushed already, so an owner that
   * looks finds it. */
  int ns = atomic_load_explicit(&p->nslots, memory_order_acquire);
  for (int i = 0; i < ns; i++)
    __atomic_store_n(&p->workers[i]->fq.tick, 0, __ATOMIC_RELAXED);
}

void ws__fast_counts(ws__worker *w, uint64_t *spawned, uint64_t *executed) {
  const ws__fastq *q = &w->fq;
  /* Acquire: pairs with the release stores of the counters, for the
   * shutdown's quiescence check (pool.c); exact once nothing runs. */
  uint64_t calls = __atomic_load_n(&q->calls, __ATOMIC_ACQUIRE);
  uint64_t returns = __atomic_load_n(&q->returns, __ATOMIC_ACQUIRE);
  uint64_t skipped = __atomic_load_n(&q->skipped, __ATOMIC_ACQUIRE);
  uint64_t stolen = __atomic_load_n(&q->stolen, __ATOMIC_ACQUIRE);
  int64_t queued = __atomic_load_n(&q->bottom, __ATOMIC_ACQUIRE) -
                   __atomic_load_n(&q->top, __ATOMIC_ACQUIRE);
  /* Spawned: every slot pushed is popped and called or skipped, or stolen
   * (its thief counts it executed), or still queued; a last spawn is a
   * call.  Executed here: the calls that returned. */
  *spawned = calls + skipped + stolen + (queued > 0 ? (uint64_t)queued : 0);
  *executed = returns;
}

void ws__fast_wake(ws__fastq *q) {
  ws__worker *w = fast_owner(q);
  /* ws__ec_notify makes the push's side of the Dekker pair with a parking
   * worker (park.h); after the inline push's own (ws.h) it is one more,
   * harmless.  Also the batch's, for the rest it queued. */
  if (ws__ec_notify(&w->pool->ec))
    WS__STAT(w, wakeups, 1);
}

/* ---- Waiting for a stolen slot ------------------------------------------ */

/* What the owner waits for: slot s, index b of q, run by a thief. */
typedef struct fast_wait {
  ws__fastq *q;
  int64_t b;
  ws__slot *s;
} fast_wait;

/* Done: its DONE, or -- when the work we ran meanwhile looked for room
 * (ws__fast_room) -- `low` moved past b, that look having seen the DONE
 * (with acquire) and cleared it.  `low` is ours (plain read). */
static int fast_slot_done(const fast_wait *fw) {
  /* Acquire: pairs with the thief's release exchange (fast_run_slot). */
  return fw->q->low > fw->b ||
         (__atomic_load_n(&fw->s->done, __ATOMIC_ACQUIRE) & WS__SLOT_DONE);
}

static int fast_done(void *arg) { return fast_slot_done(arg); }

static void fast_sleep(void *arg, int64_t timeout_ns) {
  const fast_wait *fw = arg;
  ws__slot *s = fw->s;
  /* Done (fast_slot_done): `low` moved past b, or DONE in the word, which
   * the sleep below needs anyway.  Acquire: as fast_slot_done. */
  uint32_t v = __atomic_load_n(&s->done, __ATOMIC_ACQUIRE);
  if (fw->q->low > fw->b || (v & WS__SLOT_DONE))
    return;
  /* Say we sleep; the thief's exchange then sees it and wakes us.  A
   * failed CAS means the thief finished: the caller re-checks.  (Acquire
   * on failure as above; success needs nothing -- the futex re-checks the
   * word -- but may not be weaker.) */
  if (!(v & WS__SLOT_SLEEP) &&
      !__atomic_compare_exchange_n(&s->done, &v, v | WS__SLOT_SLEEP, 0,
                                   __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE))
    return;
  ws__futex_wait(&s->done, v | WS__SLOT_SLEEP, timeout_ns);
}

int ws__fast_pop_claimed(ws__fastq *q, int64_t b) {
  /* Retired: what a scope left in it ran when its pool stopped, or is its
   * fork's parent's. */
  if (q->dead)
    return 0;
  /* Under the lock `top` counts kept claims only: a claim given back since
   * our look (the protocol above) leaves the slot ours. */
  fast_lock(q);
  if (b >= __atomic_load_n(&q->top, __ATOMIC_RELAXED)) {
    fast_unlock(q);
    return 1;
  }
  /* A thief's, and top is b + 1: everything above b was popped, and a
   * claim keeps only slots below the bottom of its time.  Until the thief
   * says done, run other work (wait.c); what it spawns goes above the
   * slot: bottom back to b + 1, where top is (nothing to steal). */
  __atomic_store_n(&q->bottom, b + 1, __ATOMIC_RELEASE);
  fast_unlock(q);
  /* Below `low` it is known done (ws__fast_room saw it so, with acquire):
   * its slot may hold a later index's task since. */
  if (b >= q->low) {
    fast_wait fw = {q, b, &q->buf[(uint64_t)b & q->mask]};
    ws__wait_for(&ws__tls_self, fast_done, fast_sleep, &fw);
    /* Relaxed: for the slot's next push, as in ws__fast_room -- unless a
     * look for room saw it first, cleared it and moved `low` past b: the
     * slot may hold a newer push since. */
    if (b >= q->low)
      __atomic_store_n(&fw.s->done, 0, __ATOMIC_RELAXED);
  }
  /* Everything that ran meanwhile took its own slots back: top and bottom
   * are b + 1 again.  Now both go down to b, under the lock so that no
   * thief's claim is between its T1 and its give-back. */
  fast_lock(q);
  __atomic_store_n(&q->bottom, b, __ATOMIC_RELEASE);
  __atomic_store_n(&q->top, b, __ATOMIC_RELAXED);
  fast_unlock(q);
  /* Index b and those above are free again (what was there is done). */
  if (q->low > b) {
    q->low = b;
    fast_set_limit(q, b + q->size);
  }
  return 0;
}

/* The owner pops slot b (the newest) and runs it, as the inline join does
 * (ws.h), or skips it when `frame` was cancelled; 1 if it ran here, 0 if a
 * thief ran it (waited for) or it was skipped. */
static int pop_and_run(ws__worker *w, int64_t b, ws__frame_rt *frame) {
  ws__fastq *q = &w->fq;
  if (!ws__fast_take(q, b))
    return 0; /* it was stolen, and has finished */
  if (frame && ws__task_cancelled(frame, NULL)) {
    WS__STAT(w, cancelled, 1);
    ws__fast_count(&q->skipped);
    return 0;
  }
  ws__fast_run_taken(q, &q->buf[(uint64_t)b & q->mask], NULL);
  return 1;
}

/* Thieves' membarriers interrupt the owner (microseconds each, on a
 * virtual machine more); while they come often, the owner's pops fence
 * instead (the classic Dekker pair: the thieves' fence then suffices).
 * A thief's membarrier raises want_fence and zeroes `limit`, so that the
 * owner's next push looks for room (ws__fast_room), which sees it; so does
 * its next periodic decision: the fences go on; WS__FAST_FENCE_LOOKS of the
 * pops' decisions (may_end) without a steal turn them off.
 * Under the lock, so that no thief is between its claim and its check of
 * the owner's mode. */
static void fast_fence_mode(ws__fastq *q, int may_end) {
  if (__atomic_load_n(&q->want_fence, __ATOMIC_RELAXED)) {
    fast_lock(q);
    q->fenced = 1;
    q->fence_idle = 0;
    __atomic_store_n(&q->want_fence, 0, __ATOMIC_RELAXED);
    fast_unlock(q);
    /* Every pop from here on goes out of line, which fences it (ws.h,
     * ws__fast_take): this thread's next pop comes after this store. */
    __atomic_store_n(&q->tick, WS__FAST_TICK_FENCED, __ATOMIC_RELAXED);
  } else if (q->fenced && may_end) {
    /* Relaxed: the thieves' count, a hint. */
    uint64_t stolen = __atomic_load_n(&q->stolen, __ATOMIC_RELAXED);
    if (stolen != q->fence_stolen) {
      q->fence_stolen = stolen;
      q->fence_idle = 0;
    } else if (++q->fence_idle >= WS__FAST_FENCE_LOOKS) {
      fast_lock(q);
      q->fenced = 0;
      fast_unlock(q);
    }
  }
}

void ws__fast_join_slow(ws_frame *frame_) {
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  if (!frame || frame->fast_base == 0)
    return;
  ws__fast_join_from(frame_, (int64_t)frame->fast_base - 1);
  frame->fast_base = 0;
}

int ws__fast_pop_slow(ws__fastq *q) {
  ws__worker *w = fast_owner(q);
  /* Why we are here: the tick ran out (every WS__FAST_TICK pops), a
   * spawner of a higher tier stored 0, or fence mode, whose every pop comes
   * here to fence.  The periodic decision (fence mode, aging) is made at
   * each of these but the fenced pops, where it is made every
   * WS__FAST_FENCE_TICK of them and when a spawner's 0 came.  (A spawner's
   * 0 that our store of the tick below overwrites is seen at the next
   * decision: its task stays queued.) */
  int fenced = q->fenced;
  /* Pops made room: a full ring's skipped looks (ws.h, ws__fast_room_near)
   * end here, at the latest, rather than refuse a spawn after a thief's
   * hint has lowered `limit` over free slots. */
  q->room_skip = 0;
  if (!fenced || --q->fence_tick <= 0) {
    q->fence_tick = WS__FAST_FENCE_TICK;
    fast_fence_mode(q, 1);
    fenced = q->fenced;
  } else if (__atomic_load_n(&q->tick, __ATOMIC_RELAXED) <=
             WS__FAST_TICK_FENCED / 2) {
    /* Fenced, and no spawner's 0 came: only the fence. */
    __atomic_store_n(&q->tick, WS__FAST_TICK_FENCED, __ATOMIC_RELAXED);
    return 1;
  }
  /* While fenced, every pop comes out of line, to fence. */
  __atomic_store_n(&q->tick, fenced ? WS__FAST_TICK_FENCED : WS__FAST_TICK,
                   __ATOMIC_RELAXED);
  /* Then, unless a ws_wait_own runs (it runs the frame's tasks only), the
   * periodic work and every task of a higher tier, as a wait's scheduling
   * decision would choose.  Each runs to its end: its own spawns were
   * taken back, `bottom` is where it was. */
  for (int due = 1;; due = 0) {
    if (!due && !ws__higher_elsewhere(w->pool, WS_TIER_NORMAL) &&
        !(w->tier_mask >> (WS_TIER_NORMAL + 1)))
      break;
    if (ws__wait_is_own())
      break;
    ws__task *t = ws__find_above(w, WS_TIER_NORMAL, due);
    if (!t)
      break;
    ws__run_task(w, t);
  }
  /* Back to the inline pop and the caller's code: completions of the
   * tasks run here (other frames') must not wait for it (wait.c,
   * ws__wait_for). */
  ws__flush_held(w);
  return fenced;
}

/* The fast children from index `base` up, of `frame` (NULL: a scope whose
 * frame was never used, which nobody can cancel), in the thread's deque:
 * ws__fast_join_slow, and the scope's join (ws.h) for a cancelled frame. */
void ws__fast_join_from(ws_frame *frame_, int64_t base) {
  ws__frame_rt *frame = (ws__frame_rt *)frame_;
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w;
  /* No record (given back when the pool stopped, which ran its slots; a
   * fork's child, where they are the parent's): nothing is left. */
  if (!w)
    return;
  ws__fastq *q = &w->fq;
  /* Each pop makes the looks beyond the fast path that are due (ws.h,
   * ws__fast_take), as the inline join's do. */
  for (;;) {
    /* Relaxed: only this thread writes bottom. */
    int64_t b = __atomic_load_n(&q->bottom, __ATOMIC_RELAXED);
    if (b <= base)
      break;
    pop_and_run(w, b - 1, frame);
  }
}

/* ---- The owner outside any wait ------------------------------------------ */

int ws__fast_run_own(ws__worker *w) {
  int ran = 0;
  int64_t b;
  /* Relaxed: only this thread writes bottom. */
  while ((b = __atomic_load_n(&w->fq.bottom, __ATOMIC_RELAXED)) > 0)
    ran += pop_and_run(w, b - 1, NULL);
  return ran;
}

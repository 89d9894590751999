/*
 * comm.c -- libws-mpi's communication thread: the only thread of a rank that
 * calls MPI (it initialises MPI with MPI_THREAD_FUNNELED and finalises it).
 *
 * Start: MPI_Init_thread, a private communicator (MPI_Comm_dup), the task
 * table check (MPI_Allgather of every rank's {entries, hash}: a mismatch
 * ends the job with status 1 and one message from rank 0).
 *
 * The loop, until shutdown: receive every waiting message (MPI_Iprobe),
 * send the results workers posted, push work to lifeline thieves, look for
 * work when the rank queue runs low, complete sends (MPI_Test); when an
 * iteration found nothing to do, sleep on a condition variable with a
 * back-off from 50 us up to WS_MPI_POLL_US (default 1000 us) -- at once the
 * whole interval while the rank is busy with its own work --, or a tenth of
 * that while the rank has nothing queued and waits for results of tasks it
 * shipped or for a steal answer (its workers are idle meanwhile) -- a
 * fortieth where the node has a core for every worker of its ranks: that
 * wait then costs a core nobody else needs.  Workers that post a result
 * wake it at once.  So an idle rank wakes at most about
 * 1000 times a second for one MPI_Iprobe: it does not spin (Open MPI's
 * blocking calls would busy-poll a core).  A one-rank job has no loop: its
 * comm thread sleeps until the job ends, with no time-out and no MPI call
 * (wait_finish), so that it never takes the rank's one core from its worker.
 *
 * Stealing between ranks (Saraswat et al., "Lifeline-based global load
 * balancing", PPoPP 2011): a rank with at most WS_MPI_PREFETCH (default 3)
 * tasks queued -- asking ahead, so that the round trip overlaps its last
 * tasks -- sends one steal request at a time to a random rank, saying how
 * many it still has, up to WS_MPI_STEAL_ATTEMPTS (default 2) refusals in a
 * row.  A victim answers a dry thief with half its queue (what may leave,
 * at most STEAL_MAX) and one that still has q tasks with half the
 * difference, or refuses.  After those refusals the rank asks no more until
 * its queue is dry (or has grown past WS_MPI_PREFETCH again); dry, it
 * registers on its lifelines, the hypercube neighbours r ^ 2^k (or
 * (r + 2^k) mod size where r ^ 2^k is no rank), by a steal request marked
 * "lifeline", and waits: a victim that refuses such a request remembers the
 * thief and, as soon as it has queued tasks, pushes it some.  Any tasks
 * received end the wait.
 *
 * Messages (tags below), all MPI_BYTE, host byte order (one machine type per
 * job):
 *   STEAL    {i32 lifeline, i32 tasks the thief has queued}
 *   NOWORK   {i32 lifeline}
 *   TASKS    {u32 count, u32 pushed} then per task {u64 id, u64 token,
 *            i32 origin, i32 tier, u32 csize, u32 rsize} + captures, padded
 *            to 8 bytes
 *   RESULTS  per result {u64 token, u32 size, u32 0} + bytes, padded to 8
 *   SHUTDOWN {i32 status}
 * The origin's token is its dtask's address: it stays valid until the
 * result arrives (the origin keeps the capture bytes too, for stage 2).
 *
 * Shutdown: rank 0's main returns; rank 0 sends SHUTDOWN to every rank.
 * No task or result can be in flight then (every distributed task is a
 * child of a frame that main waited for), only steal requests and their
 * answers.  Each rank stops sending, and the ranks exchange how many
 * messages each sent to each (MPI_Alltoall) and receive (and drop) the rest,
 * so that sent and received balance and no send is left pending at
 * MPI_Finalize; then rank 0 gathers the statistics.
 */
#include "mpi_internal.h"

#include <errno.h>
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum {
  TAG_STEAL = 1,
  TAG_NOWORK,
  TAG_TASKS,
  TAG_RESULTS,
  TAG_SHUTDOWN,
  TAG_TRACE /* at the end: a rank's trace events, to rank 0 */
};

#define STEAL_MAX 32 /* tasks per steal answer or push */
/* The comm thread's first sleep after a busy round (us).  Shorter ones
 * cost a wake-up each (~15 us of CPU on a virtual machine, timer slack
 * included) and see nothing new: a steal answer or result takes longer. */
#define FIRST_SLEEP_US 50

typedef struct task_wire {
  uint64_t id, token;
  int32_t origin, tier;
  uint32_t csize, rsize;
} task_wire;

typedef struct result_wire {
  uint64_t token;
  uint32_t size, zero;
} result_wire;

/* A result posted by a worker, for the comm thread to send. */
typedef struct outmsg {
  struct outmsg *next;
  int origin;
  uint64_t token;
  uint32_t size;
  alignas(8) unsigned char bytes[];
} outmsg;

/* A send in progress: its buffer lives until MPI_Test says it is done. */
typedef struct psend {
  struct psend *next;
  MPI_Request req;
  void *buf;
} psend;

/* Shared between the comm thread and the others, under g_mtx. */
static pthread_mutex_t g_mtx = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cv = PTHREAD_COND_INITIALIZER;
static outmsg *g_out_head, *g_out_tail;
static int g_comm_sleeping;
/* The same, readable without g_mtx (a hint for ws_mpi__comm_nudge). */
static _Atomic int g_comm_asleep;
static int g_ready, g_init_failed;
static int g_finish_req, g_status, g_done;
static ws_frame *g_serve_frame; /* ranks > 0: the serving thread's hold */
static pthread_t g_comm;
static int g_comm_started; /* g_comm exists (set before main goes on) */

/* The comm thread's own state. */
static MPI_Comm g_c;
static psend *g_pending;
static uint64_t *g_sent_to, *g_recvd_from;
static int *g_lifelines, g_nlifelines;
static unsigned char *g_lifeline_thief; /* ranks registered on us */
static uint64_t g_rng;
/* The comm thread's longest sleep while its rank waits with nothing queued
 * (us): WS_MPI_POLL_US / 10, or / 40 where every worker of the node's
 * ranks has a core of its own (node_has_room). */
static long g_wait_us;
static ws_frame g_service = WS_FRAME_INIT; /* received tasks' stand-ins */
/* Tasks of this rank shipped elsewhere whose results have not come back
 * (send_tasks, apply_result): how many, and the list of them (linked
 * through their queue links, free once shipped). */
static long g_outstanding;
static dtask *g_shipped;

/* ---- Settings ------------------------------------------------------------ */

static long env_long(const char *name, long def, long lo, long hi) {
  const char *v = getenv(name);
  if (!v || !*v)
    return def;
  char *end;
  errno = 0;
  long x = strtol(v, &end, 10);
  if (errno || *end || x < lo || x > hi) {
    if (ws_mpi__rt.rank == 0)
      fprintf(stderr,
              "ws-mpi: %s=\"%s\" is not an integer in [%ld, %ld]; using "
              "%ld\n",
              name, v, lo, hi, def);
    return def;
  }
  return x;
}

static int launched(void) {
  return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK") ||
         getenv("PMI_SIZE");
}

/* ---- Sending ------------------------------------------------------------- */

/* The communication thread found no memory: the job ends, naming this
 * rank (a worker that finds none ends its process: ws_mpi__no_memory). */
static void comm_no_memory(void) {
  fprintf(stderr, "ws-mpi: rank %d: out of memory\n", ws_mpi__rt.rank);
  MPI_Abort(g_c, 1);
}

/* Sends `len` bytes of `buf` (which it takes over and frees) to `dest`. */
static void send_msg(int dest, int tag, void *buf, size_t len) {
  psend *p = malloc(sizeof *p);
  if (!p)
    comm_no_memory();
  p->buf = buf;
  MPI_Isend(buf, (int)len, MPI_BYTE, dest, tag, g_c, &p->req);
  p->next = g_pending;
  g_pending = p;
  g_sent_to[dest]++;
  MPI_STAT_ADD(msgs_sent, 1);
  MPI_STAT_ADD(bytes_sent, len);
}

/* Sends n 32-bit words. */
static void send_words(int dest, int tag, const int32_t *v, int n) {
  int32_t *b = malloc((size_t)n * sizeof *b);
  if (!b)
    comm_no_memory();
  memcpy(b, v, (size_t)n * sizeof *b);
  send_msg(dest, tag, b, (size_t)n * sizeof *b);
}

static void send_int(int dest, int tag, int32_t v) {
  send_words(dest, tag, &v, 1);
}

/* A steal request (see the messages above). */
static void send_steal(int dest, int lifeline, long queued) {
  int32_t v[2] = {lifeline, queued > INT32_MAX ? INT32_MAX : (int32_t)queued};
  send_words(dest, TAG_STEAL, v, 2);
  MPI_STAT_ADD(steal_requests, 1);
  if (queued > 0)
    MPI_STAT_ADD(steals_ahead, 1);
}

/* Completes finished sends; returns how many are still pending. */
static int progress_sends(void) {
  int left = 0;
  for (psend **pp = &g_pending; *pp;) {
    psend *p = *pp;
    int done = 0;
    MPI_Test(&p->req, &done, MPI_STATUS_IGNORE);
    if (done) {
      *pp = p->next;
      free(p->buf);
      free(p);
    } else {
      left++;
      pp = &p->next;
    }
  }
  return left;
}

static size_t pad8(size_t n) { return (n + 7) & ~(size_t)7; }

/* Sends the tasks t[0..n) to `dest` and lets go of them. */
static void send_tasks(int dest, dtask **t, int n, int pushed) {
  size_t len = 8;
  for (int i = 0; i < n; i++)
    len += sizeof(task_wire) + pad8(t[i]->csize);
  unsigned char *buf = malloc(len), *p = buf;
  if (!buf)
    comm_no_memory();
  uint32_t hdr[2] = {(uint32_t)n, (uint32_t)pushed};
  memcpy(p, hdr, sizeof hdr);
  p += 8;
  for (int i = 0; i < n; i++) {
    dtask *d = t[i];
    task_wire w = {d->def->id,
                   d->frame ? (uint64_t)(uintptr_t)d : d->token,
                   d->frame ? ws_mpi__rt.rank : d->origin,
                   d->tier,
                   d->csize,
                   d->rsize};
    memcpy(p, &w, sizeof w);
    p += sizeof w;
    memcpy(p, d->caps, d->csize);
    memset(p + d->csize, 0, pad8(d->csize) - d->csize);
    p += pad8(d->csize);
    /* A task of ours stays until its result comes back; one that came
     * from elsewhere is forwarded, and its result goes to its origin. */
    if (!d->frame) {
      ws_mpi__dtask_unref(d);
    } else {
      g_outstanding++;
      d->prev = NULL;
      d->next = g_shipped;
      if (g_shipped)
        g_shipped->prev = d;
      g_shipped = d;
    }
  }
  MPI_STAT_ADD(shipped, n);
  send_msg(dest, TAG_TASKS, buf, len);
}

/* ---- Receiving ------------------------------------------------------------
 */

static void apply_result(uint64_t token, const unsigned char *bytes,
                         uint32_t size) {
  dtask *t = (dtask *)(uintptr_t)token;
  if (size != t->rsize) {
    fprintf(stderr,
            "ws-mpi: rank %d: a result of %u bytes for a task with "
            "%u (corrupt message)\n",
            ws_mpi__rt.rank, size, t->rsize);
    MPI_Abort(g_c, 1);
  }
  ws_mpi__scatter(t->res, t->nres, bytes);
  g_outstanding--;
  if (t->prev)
    t->prev->next = t->next;
  else
    g_shipped = t->next;
  if (t->next)
    t->next->prev = t->prev;
  /* After the result is written: the owner's ws_wait may return now. */
  ws__ext_child_done(t->frame);
  ws_mpi__dtask_unref(t);
}

static void bad_message(int src, const char *what) {
  fprintf(stderr, "ws-mpi: rank %d: malformed message from rank %d (%s)\n",
          ws_mpi__rt.rank, src, what);
  MPI_Abort(g_c, 1);
}

/* Steal state of this rank as a thief. */
static int g_steal_out; /* a random steal request is unanswered */

static int g_attempts;   /* refusals in a row */
static int g_registered; /* on our lifelines, waiting for a push */
/* Set by a worker that left at most ws_mpi__rt.low tasks queued
 * (ws_mpi__comm_hungry), cleared when the comm thread looks for work, work
 * arrives or the queue has grown past low again: the rank wants work before
 * its workers idle, so that the steal's round trip (up to a victim's poll
 * interval) overlaps their last work.  A worker wakes the comm thread when
 * it sets the flag (one wake-up per low spell) and when it leaves the queue
 * empty (a rank refused while asking ahead waits for that moment to go to
 * its lifelines, with the flag still set). */
static _Atomic int g_hungry;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Received tasks that may leave again (see dtask.from): those that arrived
 * before the returned time -- none (0) while no distributed task runs here.
 * A rank whose workers have not started anything yet (busy with ordinary
 * tasks, or not given a CPU: 4 ranks on 2 cores) would otherwise pass on
 * all it received and run nothing itself. */
static uint64_t settled_before(void) {
  if (atomic_load_explicit(&ws_mpi__rt.running, memory_order_relaxed) == 0)
    return 0;
  uint64_t now = now_ns();
  return now > WS_MPI__RESIDENCE_NS ? now - WS_MPI__RESIDENCE_NS : 0;
}

/* Tasks arrived: a worker of this rank that waits for children sleeps on
 * their frame, and new work does not wake it (libws's wait.c): wake the
 * owners of the frames whose children went to other ranks -- with an
 * empty queue they are what this rank's workers wait for -- and the
 * serving thread (ranks > 0), so that they run the new tasks now rather
 * than at the end of a sleep of up to a millisecond and more. */
static void wake_waiters(void) {
  pthread_mutex_lock(&g_mtx);
  ws_frame *serve = g_serve_frame; /* alive until the comm thread ends */
  pthread_mutex_unlock(&g_mtx);
  if (serve)
    ws__ext_frame_poke(serve);
  ws_frame *last = NULL;
  for (dtask *t = g_shipped; t; t = t->next)
    if (t->frame != last)
      ws__ext_frame_poke(last = t->frame);
}

static void got_tasks(int src, const unsigned char *buf, size_t len) {
  if (len < 8)
    bad_message(src, "short task message");
  uint32_t hdr[2];
  memcpy(hdr, buf, sizeof hdr);
  const unsigned char *p = buf + 8, *end = buf + len;
  uint64_t now = now_ns();
  for (uint32_t i = 0; i < hdr[0]; i++) {
    task_wire w;
    if ((size_t)(end - p) < sizeof w)
      bad_message(src, "truncated task");
    memcpy(&w, p, sizeof w);
    p += sizeof w;
    if ((size_t)(end - p) < pad8(w.csize))
      bad_message(src, "truncated captures");
    const ws_mpi_task *def = ws_mpi__lookup(w.id);
    if (!def) {
      fprintf(stderr,
              "ws-mpi: rank %d received task id %#llx from rank %d, which "
              "is not in its task table\n",
              ws_mpi__rt.rank, (unsigned long long)w.id, src);
      MPI_Abort(g_c, 1);
    }
    dtask *t = ws_mpi__dtask_new(def, p, w.csize, w.rsize, w.tier, NULL, 0);
    p += pad8(w.csize);
    if (!t)
      comm_no_memory();
    t->origin = w.origin;
    t->token = w.token;
    t->from = src;
    t->arrived_ns = now;
    /* One of ours that came back (stolen from a rank that had stolen it)
     * runs as any received task: its result, posted to this very rank,
     * is applied by flush_results without MPI. */
    MPI_STAT_ADD(received, 1);
    ws_mpi__enqueue_remote(&g_service, t);
  }
  g_steal_out = 0;
  g_attempts = 0;
  g_registered = 0;
  atomic_store_explicit(&g_hungry, 0, memory_order_relaxed);
  wake_waiters();
}

static void got_results(int src, const unsigned char *buf, size_t len) {
  const unsigned char *p = buf, *end = buf + len;
  while (p < end) {
    result_wire w;
    if ((size_t)(end - p) < sizeof w)
      bad_message(src, "truncated result");
    memcpy(&w, p, sizeof w);
    p += sizeof w;
    if ((size_t)(end - p) < pad8(w.size))
      bad_message(src, "truncated result bytes");
    apply_result(w.token, p, w.size);
    p += pad8(w.size);
  }
}

/* A steal request from `src`, which has `thief_queued` tasks queued. */
static void got_steal(int src, int lifeline, long thief_queued) {
  long q = atomic_load_explicit(&ws_mpi__rt.queued, memory_order_relaxed);
  /* A dry thief gets half the queue (at least one task, if any may
   * leave); one that asks ahead, half the difference: after the answer
   * neither has fewer than the other had. */
  long want = thief_queued > 0 ? (q - thief_queued) / 2 : (q + 1) / 2;
  if (thief_queued <= 0 && want < 1)
    want = 1;
  want = want > STEAL_MAX ? STEAL_MAX : want;
  dtask *t[STEAL_MAX];
  int n = want > 0 ? ws_mpi__take(t, (int)want, src, settled_before()) : 0;
  if (n > 0) {
    MPI_STAT_ADD(steals_served, 1);
    send_tasks(src, t, n, 0);
  } else {
    MPI_STAT_ADD(refusals, 1);
    send_int(src, TAG_NOWORK, lifeline);
    if (lifeline) {
      g_lifeline_thief[src] = 1;
      /* Relaxed: a hint for the spawns (ws_mpi__rt.thief_waits). */
      atomic_store_explicit(&ws_mpi__rt.thief_waits, 1, memory_order_relaxed);
    }
  }
}

/* Receives one waiting message, if any: its tag (0: none).  `handle` 0
 * drops it (shutdown's drain). */
static int receive_one(int handle, int32_t *shutdown_status) {
  int flag = 0;
  MPI_Status st;
  MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, g_c, &flag, &st);
  if (!flag)
    return 0;
  int count = 0;
  MPI_Get_count(&st, MPI_BYTE, &count);
  unsigned char *buf = malloc(count > 0 ? (size_t)count : 1);
  if (!buf)
    comm_no_memory();
  int src = st.MPI_SOURCE, tag = st.MPI_TAG;
  MPI_Recv(buf, count, MPI_BYTE, src, tag, g_c, MPI_STATUS_IGNORE);
  g_recvd_from[src]++;
  MPI_STAT_ADD(msgs_received, 1);
  int32_t v = 0, v2 = 0; /* the first two words, where there are */
  if (count >= 4)
    memcpy(&v, buf, sizeof v);
  if (count >= 8)
    memcpy(&v2, buf + 4, sizeof v2);
  if (!handle) {
    if (tag == TAG_TASKS || tag == TAG_RESULTS)
      fprintf(stderr,
              "ws-mpi: rank %d: a %s message from rank %d after "
              "the end of the job (dropped)\n",
              ws_mpi__rt.rank, tag == TAG_TASKS ? "task" : "result", src);
  } else if (tag == TAG_STEAL) {
    got_steal(src, v, v2);
  } else if (tag == TAG_NOWORK) {
    if (!v) {
      g_steal_out = 0;
      g_attempts++;
    }
  } else if (tag == TAG_TASKS) {
    got_tasks(src, buf, (size_t)count);
  } else if (tag == TAG_RESULTS) {
    got_results(src, buf, (size_t)count);
  } else if (tag == TAG_SHUTDOWN) {
    *shutdown_status = v;
  } else {
    bad_message(src, "unknown tag");
  }
  free(buf);
  return tag;
}

/* ---- Results posted by workers ------------------------------------------- */

void ws_mpi__post_result(int origin, uint64_t token, const void *bytes,
                         uint32_t size) {
  outmsg *m = malloc(sizeof *m + size);
  if (!m)
    ws_mpi__no_memory("a result message", sizeof *m + size);
  m->next = NULL;
  m->origin = origin;
  m->token = token;
  m->size = size;
  if (size)
    memcpy(m->bytes, bytes, size);
  pthread_mutex_lock(&g_mtx);
  if (g_out_tail)
    g_out_tail->next = m;
  else
    g_out_head = m;
  g_out_tail = m;
  if (g_comm_sleeping)
    pthread_cond_signal(&g_cv);
  pthread_mutex_unlock(&g_mtx);
}

void ws_mpi__comm_nudge(void) {
  /* Relaxed: a hint; a nudge that comes just as the thread goes to sleep
   * is lost, and the sleep's time-out covers it. */
  if (!atomic_load_explicit(&g_comm_asleep, memory_order_relaxed))
    return;
  pthread_mutex_lock(&g_mtx);
  if (g_comm_sleeping)
    pthread_cond_signal(&g_cv);
  pthread_mutex_unlock(&g_mtx);
}

void ws_mpi__comm_hungry(long queued) {
  /* Relaxed: a hint; the comm thread's own look at the queue decides. */
  if (!atomic_exchange_explicit(&g_hungry, 1, memory_order_relaxed) ||
      queued == 0)
    ws_mpi__comm_nudge();
}

/* Sends every posted result, one message per origin rank.  Returns whether
 * there were any. */
static int flush_results(void) {
  pthread_mutex_lock(&g_mtx);
  outmsg *list = g_out_head;
  g_out_head = g_out_tail = NULL;
  pthread_mutex_unlock(&g_mtx);
  if (!list)
    return 0;
  while (list) {
    int dest = list->origin;
    size_t len = 0;
    for (outmsg *m = list; m; m = m->next)
      if (m->origin == dest)
        len += sizeof(result_wire) + pad8(m->size);
    unsigned char *buf = malloc(len), *p = buf;
    if (!buf)
      comm_no_memory();
    outmsg **pp = &list;
    while (*pp) {
      outmsg *m = *pp;
      if (m->origin != dest) {
        pp = &m->next;
        continue;
      }
      result_wire w = {m->token, m->size, 0};
      memcpy(p, &w, sizeof w);
      p += sizeof w;
      memcpy(p, m->bytes, m->size);
      memset(p + m->size, 0, pad8(m->size) - m->size);
      p += pad8(m->size);
      *pp = m->next;
      free(m);
      MPI_STAT_ADD(results_sent, 1);
    }
    if (dest == ws_mpi__rt.rank) {
      /* A task of ours that went away and came back. */
      got_results(dest, buf, len);
      free(buf);
    } else {
      send_msg(dest, TAG_RESULTS, buf, len);
    }
  }
  return 1;
}

/* ---- Looking for work, giving it ------------------------------------------
 */

static int steal_attempts_max;

static uint64_t rng_next(void) {
  uint64_t x = g_rng;
  x ^= x << 13;
  x ^= x >> 7;
  x ^= x << 17;
  return g_rng = x;
}

/* May this rank, with at most ws_mpi__rt.low tasks queued, take more work
 * now?  Yes if no distributed task runs here, or a worker ran the queue
 * low (g_hungry), or some worker was idle since the last look: libws counts
 * idle spins, yields and parks, and a worker that waits for children that
 * run on other ranks is idle too.  (Asking whenever the queue is low made
 * busy ranks steal each other's just-received tasks back and forth.)  A
 * pool thread parked for long counts one park per timeout, so such a rank
 * may ask a little late, never wrongly. */
static uint64_t g_idle_mark;
static int want_work(void) {
  ws_mpi_rt *rt = &ws_mpi__rt;
  ws_stats tot;
  ws_stats_get(&tot, NULL, 0);
  uint64_t mark = tot.spins + tot.yields + tot.parks;
  int idle = mark != g_idle_mark;
  g_idle_mark = mark;
  int hungry = atomic_exchange_explicit(&g_hungry, 0, memory_order_relaxed);
  return idle || hungry ||
         atomic_load_explicit(&rt->running, memory_order_relaxed) == 0;
}

/* Returns whether it sent anything. */
static int seek_work(void) {
  ws_mpi_rt *rt = &ws_mpi__rt;
  if (g_steal_out || g_registered)
    return 0;
  long q = atomic_load_explicit(&rt->queued, memory_order_relaxed);
  if (q > atomic_load_explicit(&rt->low, memory_order_relaxed)) {
    /* Work enough: the refusals of an earlier low spell are old news. */
    g_attempts = 0;
    atomic_store_explicit(&g_hungry, 0, memory_order_relaxed);
    return 0;
  }
  /* Refused while asking ahead: wait until dry, then the lifelines (the
   * flag stays set, so the workers do not wake us meanwhile). */
  if (g_attempts >= steal_attempts_max && q > 0)
    return 0;
  if (!want_work())
    return 0;
  if (g_attempts < steal_attempts_max) {
    int victim = (int)(rng_next() % (uint64_t)(rt->size - 1));
    if (victim >= rt->rank)
      victim++;
    send_steal(victim, 0, q);
    g_steal_out = 1;
    return 1;
  }
  for (int i = 0; i < g_nlifelines; i++)
    send_steal(g_lifelines[i], 1, 0);
  g_registered = 1;
  return 1;
}

/* Pushes work to the thieves registered on us.  Returns whether it did. */
static int push_lifelines(void) {
  ws_mpi_rt *rt = &ws_mpi__rt;
  int any = 0;
  for (int r = 0; r < rt->size; r++) {
    if (!g_lifeline_thief[r])
      continue;
    long q = atomic_load_explicit(&rt->queued, memory_order_relaxed);
    if (q <= 0)
      break;
    int want = (int)((q + 1) / 2);
    want = want > STEAL_MAX ? STEAL_MAX : want;
    dtask *t[STEAL_MAX];
    int n = ws_mpi__take(t, want, r, settled_before());
    if (n == 0)
      continue;
    send_tasks(r, t, n, 1);
    MPI_STAT_ADD(lifeline_pushes, 1);
    g_lifeline_thief[r] = 0;
    any = 1;
  }
  if (any) {
    int left = 0;
    for (int r = 0; r < rt->size; r++)
      left |= g_lifeline_thief[r];
    atomic_store_explicit(&rt->thief_waits, left, memory_order_relaxed);
  }
  return any;
}

static void lifelines_init(int rank, int size) {
  g_lifelines = malloc(sizeof(int) * 64);
  g_nlifelines = 0;
  for (int k = 0; g_lifelines && (1 << k) < size && k < 30; k++) {
    int l = rank ^ (1 << k);
    if (l >= size)
      l = (rank + (1 << k)) % size;
    int dup = l == rank;
    for (int i = 0; i < g_nlifelines && !dup; i++)
      dup = g_lifelines[i] == l;
    if (!dup)
      g_lifelines[g_nlifelines++] = l;
  }
}

/* ---- Statistics ------------------------------------------------------------
 */

/* Every ws_mpi_stats field, in the order of the struct: its C name (the
 * JSON key) and its column in the table (at most 9 characters; the first
 * two columns are wider). */
static const struct {
  const char *name, *column;
} k_stat[] = {
    {"spawned", "spawned"},         {"ran", "ran"},
    {"shipped", "shipped"},         {"received", "received"},
    {"results_sent", "results"},    {"steal_requests", "steal_req"},
    {"steals_served", "served"},    {"refusals", "refusals"},
    {"lifeline_pushes", "ll_push"}, {"msgs_sent", "msg_sent"},
    {"msgs_received", "msg_recv"},  {"bytes_sent", "bytes_sent"},
    {"comm_wakeups", "wakeups"},    {"comm_cpu_ns", "comm_ms"},
    {"steals_ahead", "ahead"},
};
#define NSTAT ((int)(sizeof(ws_mpi_stats) / sizeof(uint64_t)))
_Static_assert(sizeof k_stat / sizeof k_stat[0] == NSTAT,
               "one name per ws_mpi_stats field");

static uint64_t stat_at(const ws_mpi_stats *s, int i) {
  uint64_t v;
  memcpy(&v, (const char *)s + (size_t)i * sizeof v, sizeof v);
  return v;
}

/* Column width: 10 for the first two and bytes_sent, else 9. */
static int stat_width(int i) {
  return i < 2 || i == (int)(offsetof(ws_mpi_stats, bytes_sent) / 8) ? 10 : 9;
}

/* A value as its column shows it (comm_cpu_ns in ms). */
static uint64_t stat_shown(int i, uint64_t v) {
  return i == (int)(offsetof(ws_mpi_stats, comm_cpu_ns) / 8) ? v / 1000000 : v;
}

static void print_stats(const ws_mpi_stats *all, int size) {
  FILE *f = stderr;
  fprintf(f, "ws-mpi: per-rank statistics (%d ranks)\n", size);
  fprintf(f, "%5s", "rank");
  for (int i = 0; i < NSTAT; i++)
    fprintf(f, " %*s", stat_width(i), k_stat[i].column);
  fputc('\n', f);
  uint64_t tot[NSTAT] = {0};
  for (int r = 0; r <= size; r++) {
    if (r < size)
      fprintf(f, "%5d", r);
    else
      fprintf(f, "%5s", "all");
    for (int i = 0; i < NSTAT; i++) {
      uint64_t v = r < size ? stat_at(&all[r], i) : tot[i];
      tot[i] += r < size ? v : 0;
      fprintf(f, " %*llu", stat_width(i), (unsigned long long)stat_shown(i, v));
    }
    fputc('\n', f);
  }
  uint64_t sent = tot[offsetof(ws_mpi_stats, msgs_sent) / sizeof(uint64_t)],
           recvd =
               tot[offsetof(ws_mpi_stats, msgs_received) / sizeof(uint64_t)];
  fprintf(f, "ws-mpi: messages sent %llu, received %llu (%s)\n",
          (unsigned long long)sent, (unsigned long long)recvd,
          sent == recvd ? "balanced" : "UNBALANCED");
}

/* Rank 0 after the job: every rank's counters (for the JSON document). */
static ws_mpi_stats *g_all_stats;

static void json_stats(FILE *f, const ws_mpi_stats *s, int rank) {
  fprintf(f, "{\"rank\": %d", rank);
  for (int i = 0; i < NSTAT; i++)
    fprintf(f, ", \"%s\": %llu", k_stat[i].name,
            (unsigned long long)stat_at(s, i));
  fputc('}', f);
}

/* The "mpi" member of this rank's WS_STATS=json: document (libws calls it
 * at the pool's shutdown, after the job): this rank's counters, and on rank
 * 0 every rank's (docs/formats.md). */
static void write_json_member(FILE *f) {
  ws_mpi_stats mine;
  ws_mpi_stats_get(&mine);
  int rank = ws_mpi__rt.rank, size = ws_mpi__rt.size;
  fprintf(f, ",\n \"mpi\": {\"rank\": %d, \"ranks\": %d, \"self\": ", rank,
          size);
  json_stats(f, &mine, rank);
  if (g_all_stats) {
    fputs(", \"all\": [", f);
    for (int r = 0; r < size; r++) {
      fputs(r ? ",\n  " : "\n  ", f);
      json_stats(f, &g_all_stats[r], r);
    }
    fputs("]", f);
  }
  fputs("}", f);
}

static int stats_wanted(void) {
  const char *v = getenv("WS_STATS");
  return v && *v && strcmp(v, "0") != 0;
}

/* ---- The thread ------------------------------------------------------------
 */

static void signal_ready(int failed) {
  pthread_mutex_lock(&g_mtx);
  g_ready = 1;
  g_init_failed = failed;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mtx);
}

/* Every rank's {entries, hash} equal to rank 0's?  Rank 0 says which
 * differ. */
static int table_check(int rank, int size) {
  int count;
  uint64_t mine[2];
  mine[1] = ws_mpi__table_hash(&count);
  mine[0] = (uint64_t)count;
  uint64_t *all = malloc(sizeof mine * (size_t)size);
  if (!all)
    comm_no_memory();
  MPI_Allgather(mine, 2, MPI_UINT64_T, all, 2, MPI_UINT64_T, g_c);
  int ok = 1;
  for (int r = 1; r < size; r++) {
    if (all[2 * r] == all[0] && all[2 * r + 1] == all[1])
      continue;
    if (ok && rank == 0)
      fprintf(stderr,
              "ws-mpi: the ranks run different programs: their tables of "
              "distributed tasks differ; start the same executable on every "
              "rank\n");
    if (rank == 0)
      fprintf(stderr,
              "ws-mpi:   rank %d: %llu tasks, table hash %016llx (rank 0: "
              "%llu tasks, %016llx)\n",
              r, (unsigned long long)all[2 * r],
              (unsigned long long)all[2 * r + 1], (unsigned long long)all[0],
              (unsigned long long)all[1]);
    ok = 0;
  }
  free(all);
  return ok;
}

/* ---- One trace for the job ------------------------------------------------
 * Under WS_TRACE=x.json each rank traces into x.rank<r>.json (per_rank_file),
 * with the rank as pid and the time origin set when the table check ended
 * (the same moment on every rank, give or take a message's latency).  At
 * the end, every rank writes its file at once and sends its events to rank
 * 0, which writes them all, one process per rank, to x.json: a file that
 * Perfetto opens as the whole job, even when the ranks' files are on other
 * machines.  The shape of a file that trace.c writes, which this relies on:
 *   {"traceEvents":[\n<event>,\n<event>...\n],\n"displayTimeUnit"...}
 */
static char *g_trace_job; /* the path the user gave; NULL: not tracing */
static const char k_trace_head[] = "{\"traceEvents\":[\n";
static const char k_trace_tail[] = "\n],\n\"displayTimeUnit\"";

/* This rank's events (between head and tail of its file), malloc'ed; NULL
 * and *len 0 if there are none or the file is not of that shape. */
static char *read_events(const char *path, long *len) {
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  char *buf = NULL;
  long n = -1;
  if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 &&
      fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1)) &&
      fread(buf, 1, (size_t)n, f) == (size_t)n) {
    buf[n] = 0;
    size_t hl = sizeof k_trace_head - 1;
    char *tail = NULL;
    for (char *t = strstr(buf, k_trace_tail); t;
         t = strstr(t + 1, k_trace_tail))
      tail = t;
    if (!strncmp(buf, k_trace_head, hl) && tail && tail > buf + hl &&
        tail - (buf + hl) <= (long)INT_MAX) {
      *len = (long)(tail - (buf + hl));
      memmove(buf, buf + hl, (size_t)*len);
      fclose(f);
      return buf;
    }
  }
  fclose(f);
  free(buf);
  return NULL;
}

static void merge_traces(int rank, int size) {
  long len = 0;
  char *ev = NULL;
  if (g_trace_job && ws__ext_trace_flush())
    ev = read_events(getenv("WS_TRACE"), &len);
  /* Every rank learns every length (0: nothing to send; rank 0's 0: no
   * merged file), whatever its own environment says. */
  long *lens = calloc((size_t)size, sizeof *lens);
  if (!lens)
    comm_no_memory();
  MPI_Allgather(&len, 1, MPI_LONG, lens, 1, MPI_LONG, g_c);
  if (lens[0] > 0 && rank > 0 && len > 0) {
    MPI_Send(ev, (int)len, MPI_BYTE, 0, TAG_TRACE, g_c);
  } else if (lens[0] > 0 && rank == 0) {
    FILE *f = fopen(g_trace_job, "wb");
    if (!f)
      fprintf(stderr, "ws-mpi: WS_TRACE: cannot write %s: %s\n", g_trace_job,
              strerror(errno));
    if (f) {
      fputs(k_trace_head, f);
      fwrite(ev, 1, (size_t)len, f);
    }
    for (int r = 1; r < size; r++) {
      if (lens[r] <= 0)
        continue;
      char *buf = malloc((size_t)lens[r]);
      if (!buf)
        comm_no_memory(); /* (this is rank 0) */
      MPI_Recv(buf, (int)lens[r], MPI_BYTE, r, TAG_TRACE, g_c,
               MPI_STATUS_IGNORE);
      if (f) {
        fputs(",\n", f);
        fwrite(buf, 1, (size_t)lens[r], f);
      }
      free(buf);
    }
    if (f) {
      fprintf(f,
              "\n],\n\"displayTimeUnit\":\"ns\",\n\"otherData\":{"
              "\"ws_trace_version\":1,\"ranks\":%d}}\n",
              size);
      int bad = ferror(f);
      if (fclose(f) != 0 || bad)
        fprintf(stderr, "ws-mpi: WS_TRACE: error writing %s\n", g_trace_job);
    }
  }
  free(lens);
  free(ev);
}

/* The end of the job on this rank: stop sending, receive what the others
 * sent, complete our sends, gather the statistics. */
/* The comm thread's CPU time (ns). */
static uint64_t comm_cpu(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The comm thread's CPU since its loop started (MPI's start excluded)
 * into the statistics. */
static uint64_t g_comm_cpu0;
static void record_comm_cpu(void) {
  atomic_store_explicit(
      &ws_mpi__counters.v[offsetof(ws_mpi_stats, comm_cpu_ns) / 8],
      comm_cpu() - g_comm_cpu0, memory_order_relaxed);
}

static void finish_job(int rank, int size) {
  __atomic_store_n(&ws_mpi__rt.distributed, 0, __ATOMIC_RELAXED);
  uint64_t *expect = calloc((size_t)size, sizeof *expect);
  if (!expect)
    comm_no_memory();
  MPI_Alltoall(g_sent_to, 1, MPI_UINT64_T, expect, 1, MPI_UINT64_T, g_c);
  int32_t ignored = 0;
  for (;;) {
    int missing = 0;
    for (int r = 0; r < size; r++)
      missing |= g_recvd_from[r] < expect[r];
    if (!missing)
      break;
    if (!receive_one(0, &ignored)) {
      struct timespec ts = {0, 20000};
      nanosleep(&ts, NULL);
    }
  }
  while (progress_sends() > 0) {
    struct timespec ts = {0, 20000};
    nanosleep(&ts, NULL);
  }
  free(expect);
  record_comm_cpu();
  ws_mpi_stats mine, *all = NULL;
  ws_mpi_stats_get(&mine);
  if (rank == 0)
    all = calloc((size_t)size, sizeof *all);
  int n = (int)(sizeof mine / sizeof(uint64_t));
  MPI_Gather(&mine, n, MPI_UINT64_T, all, n, MPI_UINT64_T, 0, g_c);
  if (rank == 0 && all && stats_wanted())
    print_stats(all, size);
  g_all_stats = all; /* for the JSON document, written at exit */
  merge_traces(rank, size);
}

/* Has this node a core for every worker of its ranks?  Then a rank whose
 * workers wait polls on a core nobody else needs, and polling faster there
 * shortens each result's and steal answer's trip at no one's cost; with
 * more workers than cores (4 ranks on 2 cores) its wake-ups would be
 * taken from a busy rank's worker. */
static int node_has_room(int rank) {
  MPI_Comm node;
  int local = 0;
  if (MPI_Comm_split_type(g_c, MPI_COMM_TYPE_SHARED, rank, MPI_INFO_NULL,
                          &node) != MPI_SUCCESS)
    return 0;
  MPI_Comm_size(node, &local);
  MPI_Comm_free(&node);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  return local > 0 && cores > 0 && (long)local * ws_num_workers() <= cores;
}

/* Several ranks: the loop, until shutdown (rank 0: its main returned; the
 * others: rank 0's SHUTDOWN).  Returns the job's status. */
static int32_t exchange(int size, long poll_us) {
  int32_t status = 0;
  long sleep_us = 0;
  for (;;) {
    int busy = 0;
    int32_t st = -1;
    int tag;
    while ((tag = receive_one(1, &st)) != 0) {
      busy = 1;
      if (tag == TAG_SHUTDOWN)
        return st;
    }
    busy |= flush_results();
    busy |= push_lifelines();
    busy |= seek_work();
    progress_sends();
    pthread_mutex_lock(&g_mtx);
    if (g_finish_req) {
      status = g_status;
      pthread_mutex_unlock(&g_mtx);
      for (int r = 1; r < size; r++)
        send_int(r, TAG_SHUTDOWN, status);
      return status;
    }
    if (busy) {
      sleep_us = 0;
    } else {
      /* Back off: 50, 100, 200 ... poll_us microseconds.  A rank with
       * nothing queued that waits for results or for a steal answer backs
       * off to g_wait_us only: its workers are likely idle until the answer
       * comes, and at the end of a recursion every level's result is one
       * such wait (results cross the ranks back and forth, one hop per
       * level stolen). */
      long cap = poll_us;
      if ((g_outstanding > 0 || g_steal_out) &&
          atomic_load_explicit(&ws_mpi__rt.queued, memory_order_relaxed) == 0)
        cap = g_wait_us;
      sleep_us = sleep_us ? sleep_us * 2 : FIRST_SLEEP_US;
      /* A rank busy with its own work (more than `low` queued, a
       * distributed task running, no steal answer awaited) has nothing to
       * answer soon but steal requests, which the full interval bounds:
       * it sleeps that at once.  The back-off from 50 us after each
       * message cost wake-ups (16-21 us of CPU each here) taken from its
       * workers' cores. */
      if (!g_steal_out &&
          atomic_load_explicit(&ws_mpi__rt.queued, memory_order_relaxed) >
              atomic_load_explicit(&ws_mpi__rt.low, memory_order_relaxed) &&
          atomic_load_explicit(&ws_mpi__rt.running, memory_order_relaxed) > 0)
        sleep_us = cap;
      if (sleep_us > cap)
        sleep_us = cap;
      if (!g_out_head) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long ns = ts.tv_nsec + sleep_us * 1000;
        ts.tv_sec += ns / 1000000000L;
        ts.tv_nsec = ns % 1000000000L;
        g_comm_sleeping = 1;
        atomic_store_explicit(&g_comm_asleep, 1, memory_order_relaxed);
        pthread_cond_timedwait(&g_cv, &g_mtx, &ts);
        atomic_store_explicit(&g_comm_asleep, 0, memory_order_relaxed);
        g_comm_sleeping = 0;
        MPI_STAT_ADD(comm_wakeups, 1);
      }
    }
    pthread_mutex_unlock(&g_mtx);
  }
}

/* One rank: nobody to talk to.  No task leaves (`distributed` is 0), no
 * result is posted, no lifeline thief waits, so nothing but the end of the
 * job (ws_mpi__comm_finish) has anything for this thread: it sleeps until
 * then without a time-out and makes no MPI call meanwhile -- a wake-up
 * would only take the core the rank's worker runs on (mpirun binds a
 * one-rank job to one core).  Returns rank 0's status. */
static int32_t wait_finish(void) {
  pthread_mutex_lock(&g_mtx);
  while (!g_finish_req) {
    g_comm_sleeping = 1;
    pthread_cond_wait(&g_cv, &g_mtx);
    g_comm_sleeping = 0;
    MPI_STAT_ADD(comm_wakeups, 1);
  }
  int32_t status = g_status;
  pthread_mutex_unlock(&g_mtx);
  return status;
}

static void *comm_main(void *arg) {
  (void)arg;
  /* Its name in top -H, perf and /proc/PID/task/TID/comm (the one-rank
   * test looks for it there: test/mpi/run_mpi.sh, quiet). */
  pthread_setname_np(pthread_self(), "ws-mpi-comm");
  int provided = 0;
  if (MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided) !=
      MPI_SUCCESS) {
    fprintf(stderr, "ws-mpi: MPI_Init_thread failed\n");
    signal_ready(1);
    return NULL;
  }
  int rank, size;
  MPI_Comm_dup(MPI_COMM_WORLD, &g_c);
  MPI_Comm_rank(g_c, &rank);
  MPI_Comm_size(g_c, &size);
  ws_mpi_rt *rt = &ws_mpi__rt;
  rt->rank = rank;
  rt->size = size;
  long poll_us = env_long("WS_MPI_POLL_US", 1000, 1, 1000000);
  steal_attempts_max = (int)env_long("WS_MPI_STEAL_ATTEMPTS", 2, 1, 1024);
  /* Relaxed: before `distributed` (below), before any distributed spawn. */
  atomic_store_explicit(&rt->low, (int)env_long("WS_MPI_PREFETCH", 3, 0, 1000),
                        memory_order_relaxed);
  if (provided < MPI_THREAD_FUNNELED && rank == 0)
    fprintf(stderr,
            "ws-mpi: this MPI gives thread level %d, below "
            "MPI_THREAD_FUNNELED; continuing (one thread calls MPI)\n",
            provided);
  if (!table_check(rank, size)) {
    MPI_Comm_free(&g_c);
    MPI_Finalize();
    signal_ready(1);
    return NULL;
  }
  /* Every rank has just left the table check's MPI_Allgather: the traces'
   * common time origin. */
  char pname[32];
  snprintf(pname, sizeof pname, "rank %d", rank);
  ws__ext_trace_process(rank, pname);
  ws__ext_trace_rebase();
  g_sent_to = calloc((size_t)size, sizeof *g_sent_to);
  g_recvd_from = calloc((size_t)size, sizeof *g_recvd_from);
  g_lifeline_thief = calloc((size_t)size, 1);
  if (!g_sent_to || !g_recvd_from || !g_lifeline_thief)
    comm_no_memory();
  lifelines_init(rank, size);
  /* Collective: every rank calls it, right after the table check. */
  g_wait_us = poll_us / (node_has_room(rank) ? 40 : 10);
  if (g_wait_us < 1)
    g_wait_us = 1;
  g_rng = 0x9e3779b97f4a7c15ull * (uint64_t)(rank + 1);
  __atomic_store_n(&rt->distributed, size > 1, __ATOMIC_RELAXED);
  signal_ready(0);

  g_comm_cpu0 = comm_cpu();
  int32_t status = size > 1 ? exchange(size, poll_us) : wait_finish();
  if (size > 1)
    finish_job(rank, size);
  else
    record_comm_cpu();
  MPI_Comm_free(&g_c);
  MPI_Finalize();
  pthread_mutex_lock(&g_mtx);
  g_status = status;
  g_done = 1;
  if (g_serve_frame)
    ws__ext_child_done(g_serve_frame); /* the serving thread may go */
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mtx);
  return NULL;
}

/* ---- Entry points (tasks.c) ------------------------------------------------
 */

static void on_exit_handler(int status, void *arg) {
  (void)arg;
  ws_mpi_finalize(status);
}

/* Ranks > 0: a task that calls exit() takes its rank out of the job, and
 * with status 0 mpirun would wait for the others, who would wait for that
 * rank's results: end with a non-zero status instead, so that mpirun ends
 * the job and names the rank. */
static void on_exit_server(int status, void *arg) {
  (void)arg;
  pthread_mutex_lock(&g_mtx);
  int done = g_done;
  pthread_mutex_unlock(&g_mtx);
  if (done)
    return;
  fprintf(stderr,
          "ws-mpi: rank %d called exit(%d) before the end of the job; ending "
          "the job\n",
          ws_mpi__rt.rank, status);
  fflush(NULL);
  _exit(status ? status : 1);
}

/* The launcher's rank of this process, before MPI is initialised. */
static int launcher_rank(void) {
  static const char *const vars[] = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK",
                                     "PMI_RANK"};
  for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
    const char *v = getenv(vars[i]);
    if (v && *v)
      return atoi(v);
  }
  return 0;
}

/* Every rank would write the same WS_TRACE / WS_STATS=json: file: give
 * each its own, "x.json" -> "x.rank<r>.json" ("x" -> "x.rank<r>"), before
 * the pool starts and reads them.  Rank 0 writes the job's whole trace to
 * the name given (merge_traces). */
static void per_rank_file(const char *var, const char *prefix, int rank) {
  const char *v = getenv(var);
  size_t plen = strlen(prefix);
  if (!v || strncmp(v, prefix, plen) != 0 || !v[plen])
    return;
  const char *path = v + plen;
  size_t n = strlen(path);
  size_t stem = n > 5 && !strcmp(path + n - 5, ".json") ? n - 5 : n;
  char buf[1100];
  int len = snprintf(buf, sizeof buf, "%s%.*s.rank%d%s", prefix, (int)stem,
                     path, rank, path + stem);
  if (len > 0 && (size_t)len < sizeof buf)
    setenv(var, buf, 1);
}

int ws_mpi__comm_start(void) {
  if (!launched())
    return 0;
  int lrank = launcher_rank();
  const char *trace = getenv("WS_TRACE");
  if (trace && *trace)
    g_trace_job = strdup(trace);
  const char *lsize = getenv("OMPI_COMM_WORLD_SIZE");
  if (!lsize)
    lsize = getenv("PMI_SIZE");
  if (!lsize || atoi(lsize) != 1) { /* one rank keeps the names */
    per_rank_file("WS_TRACE", "", lrank);
    per_rank_file("WS_STATS", "json:", lrank);
  }
  ws__ext_stats_json(write_json_member);
  /* This thread is worker 0: rank 0's main, the others' serving thread.
   * (The comm thread gets a record of its own when it first spawns.) */
  ws_init(0);
  if (pthread_create(&g_comm, NULL, comm_main, NULL) != 0) {
    fprintf(stderr, "ws-mpi: cannot create the communication thread\n");
    exit(1);
  }
  g_comm_started = 1;
  pthread_mutex_lock(&g_mtx);
  while (!g_ready)
    pthread_cond_wait(&g_cv, &g_mtx);
  int failed = g_init_failed;
  pthread_mutex_unlock(&g_mtx);
  if (failed) {
    pthread_join(g_comm, NULL);
    exit(1);
  }
  if (ws_mpi__rt.rank == 0)
    /* A main that exits rather than returns still ends the job. */
    on_exit(on_exit_handler, NULL);
  else
    on_exit(on_exit_server, NULL);
  return 1;
}

void ws_mpi__comm_finish(int status) {
  if (!g_comm_started)
    return; /* one rank without MPI: no thread to end */
  pthread_mutex_lock(&g_mtx);
  g_finish_req = 1;
  g_status = status;
  pthread_cond_broadcast(&g_cv);
  pthread_mutex_unlock(&g_mtx);
  pthread_join(g_comm, NULL);
}

static void serve_noop(void *captures) { (void)captures; }
static const ws_site k_serve_site = {"ws-mpi: serving thread's start", NULL, 0};

int ws_mpi__serve(void) {
  ws_frame hold = WS_FRAME_INIT;
  pthread_mutex_lock(&g_mtx);
  int done = g_done;
  if (!done) {
    /* A first spawn makes this thread the frame's owner (the extra child
     * alone would not); the extra child is released by the comm thread at
     * the end. */
    ws_spawn(&hold, serve_noop, NULL, 0, WS_TIER_NORMAL, &k_serve_site);
    ws__ext_child_add(&hold);
    g_serve_frame = &hold;
  }
  pthread_mutex_unlock(&g_mtx);
  /* Runs tasks -- the stand-ins the comm thread spawns -- until then. */
  if (!done)
    ws_wait(&hold);
  pthread_join(g_comm, NULL);
  return g_status;
}

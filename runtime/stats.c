/*
 * stats.c -- the per-worker counters' readers: ws_stats_get / reset /
 * print, and what WS_STATS asks for at shutdown (the table on stderr, or a
 * JSON file).  Counters are written only by their worker (worker.h); this
 * file only reads them, with relaxed loads.
 */
#include "observe.h"
#include "worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Adds a record's counters into out; its deques' high-water mark into
 * *hwm (w: NULL for the shared record). */
static void add_raw(const ws__stats_rt *s, ws__worker *w, ws_stats *out,
                    uint64_t *hwm) {
  uint64_t *o = (uint64_t *)out;
  for (size_t k = 0; k < WS__NSTATS; k++)
    /* Relaxed: a snapshot; exact once the pool is quiescent. */
    o[k] += atomic_load_explicit(&s->v[k], memory_order_relaxed);
  if (w) {
    /* ws_spawn_inline's counters (fast.c), kept apart so that its inline
     * code needs no pointer to this record's. */
    uint64_t fs, fe;
    ws__fast_counts(w, &fs, &fe);
    out->spawned += fs;
    out->executed[WS_TIER_NORMAL] += fe;
  }
  if (w)
    for (int t = 0; t < WS_NUM_TIERS; t++) {
      int64_t h = atomic_load_explicit(&w->dq[t].hwm, memory_order_relaxed);
      if (h > 0 && (uint64_t)h > *hwm)
        *hwm = (uint64_t)h;
    }
}

/* Raw counters of row i: worker i, or (i == p->n) the application threads
 * beyond worker 0 -- their records (pool.c) and the shared record of
 * threads that had none. */
static void read_raw(ws__pool *p, int i, ws_stats *out) {
  memset(out, 0, sizeof *out);
  uint64_t hwm = 0;
  if (i < p->n) {
    add_raw(&p->workers[i]->stats, p->workers[i], out, &hwm);
  } else {
    add_raw(&p->ext, NULL, out, &hwm);
    /* Acquire: pairs with the release store of a claimed record. */
    int ns = atomic_load_explicit(&p->nslots, memory_order_acquire);
    for (int j = p->n; j < ns; j++)
      add_raw(&p->workers[j]->stats, p->workers[j], out, &hwm);
  }
  out->deque_hwm = hwm;
}

/* Counters since the last ws_stats_reset (raw minus the saved base). */
static void read_record(ws__pool *p, int i, ws_stats *out) {
  read_raw(p, i, out);
  uint64_t *o = (uint64_t *)out;
  const uint64_t *b = (const uint64_t *)&p->base[i];
  for (size_t k = 0; k < WS__NSTATS; k++)
    if (k != WS__STAT_IDX(deque_hwm))
      o[k] -= b[k];
}

static void add_into(ws_stats *total, const ws_stats *s) {
  uint64_t *t = (uint64_t *)total;
  const uint64_t *v = (const uint64_t *)s;
  for (size_t k = 0; k < WS__NSTATS; k++)
    if (k == WS__STAT_IDX(deque_hwm))
      t[k] = v[k] > t[k] ? v[k] : t[k];
    else
      t[k] += v[k];
}

void ws__stats_collect(ws__pool *p, ws_stats *total, ws_stats *per_worker,
                       int capacity) {
  if (total)
    memset(total, 0, sizeof *total);
  for (int i = 0; i <= p->n; i++) {
    ws_stats s;
    read_record(p, i, &s);
    if (per_worker && i < capacity) /* row p->n: see read_raw */
      per_worker[i] = s;
    if (total)
      add_into(total, &s);
  }
}

int ws_stats_get(ws_stats *total, ws_stats *per_worker, int capacity) {
  ws__pool *p = ws__pool_acquire();
  if (!p) {
    ws__pool_release();
    if (total)
      memset(total, 0, sizeof *total);
    return 0;
  }
  int n = p->n;
  ws__stats_collect(p, total, per_worker, capacity < n ? capacity : n);
  ws__pool_release();
  return n;
}

/* ---- Labelled rows (ws_stats_label) ----------------------------------------
 *
 * Per record index: the label, the pool it was set in (a label of an
 * earlier pool is not shown), and, for application records beyond the
 * workers, the raw counters at the last ws_stats_reset (their row is
 * printed apart from `ext`, whose saved base includes them).  A label is
 * written by its record's holder and read by the printer: `g_label_pool`
 * is published with release after the text, read with acquire. */
#define WS__LABELS (WS_MAX_WORKERS + WS__APP_SLOTS)
static char g_label[WS__LABELS][16];
static ws__pool *_Atomic g_label_pool[WS__LABELS];
static ws_stats g_label_base[WS__LABELS];

int ws_stats_label(const char *label) {
  if (!label || !*label)
    return WS_EINVAL;
  ws__tls *tls = &ws__tls_self;
  ws__worker *w = tls->w ? tls->w : ws__attach(tls);
  if (!w || w->id < 0 || w->id >= WS__LABELS)
    return WS_ENOMEM;
  char *dst = g_label[w->id];
  size_t k = 0;
  for (; k < sizeof g_label[0] - 1 && label[k]; k++)
    dst[k] = (label[k] == ' ' || label[k] == '\t') ? '_' : label[k];
  dst[k] = 0;
  /* Release: pairs with labelled()'s acquire; the text is written. */
  atomic_store_explicit(&g_label_pool[w->id], w->pool, memory_order_release);
  return WS_OK;
}

/* Record i's label in pool p, or NULL. */
static const char *labelled(ws__pool *p, int i) {
  if (i < 0 || i >= WS__LABELS)
    return NULL;
  return atomic_load_explicit(&g_label_pool[i], memory_order_acquire) == p
             ? g_label[i]
             : NULL;
}

/* An application record's counters since the last reset. */
static void read_app(ws__pool *p, int j, ws_stats *out) {
  memset(out, 0, sizeof *out);
  uint64_t hwm = 0;
  add_raw(&p->workers[j]->stats, p->workers[j], out, &hwm);
  out->deque_hwm = hwm;
  uint64_t *o = (uint64_t *)out;
  const uint64_t *b = (const uint64_t *)&g_label_base[j];
  for (size_t k = 0; k < WS__NSTATS; k++)
    if (k != WS__STAT_IDX(deque_hwm))
      o[k] -= b[k];
}

/* The counters themselves are never zeroed (only their owner writes them,
 * and the shutdown's quiescence check relies on them): reset saves their
 * current values as the new zero.  The high-water marks are restarted. */
void ws_stats_reset(void) {
  ws__pool *p = ws__pool_acquire();
  if (p) {
    for (int i = 0; i <= p->n; i++)
      read_raw(p, i, &p->base[i]);
    int ns = atomic_load_explicit(&p->nslots, memory_order_acquire);
    for (int j = p->n; j < ns && j < WS__LABELS; j++) {
      ws_stats raw;
      memset(&g_label_base[j], 0, sizeof g_label_base[j]);
      read_app(p, j, &raw); /* (raw: the base is zero now) */
      g_label_base[j] = raw;
    }
    for (int i = 0; i < ns; i++)
      for (int t = 0; t < WS_NUM_TIERS; t++)
        atomic_store_explicit(&p->workers[i]->dq[t].hwm, 0,
                              memory_order_relaxed);
  }
  ws__pool_release();
}

/* ---- The table ------------------------------------------------------------
 */

/* One column of the table: a counter and the width it is printed in.  The
 * busy/idle times are printed in milliseconds. */
typedef struct column {
  const char *head;
  int width;
  size_t offset; /* of a uint64_t inside ws_stats */
} column;

#define COL(head, width, field)                                                \
  { head, width, offsetof(ws_stats, field) }
static const column k_columns[] = {
    COL("ex.crit", 8, executed[WS_TIER_CRITICAL]),
    COL("ex.high", 8, executed[WS_TIER_HIGH]),
    COL("ex.norm", 10, executed[WS_TIER_NORMAL]),
    COL("ex.low", 8, executed[WS_TIER_LOW]),
    COL("stolen", 8, stolen),
    COL("attempts", 9, steal_attempts),
    COL("failures", 9, steal_failures),
    COL("batches", 7, batch_steals),
    COL("moved", 7, batch_moved),
    COL("spins", 8, spins),
    COL("yields", 7, yields),
    COL("parks", 6, parks),
    COL("wakeups", 7, wakeups),
    COL("promoted", 8, promotions),
    COL("preempt", 7, preemptions),
    COL("cancel", 6, cancelled),
    COL("timeout", 7, timed_out),
    COL("inline", 7, inline_runs),
    COL("hwm", 6, deque_hwm),
    COL("req", 6, required_runs),
    COL("pref", 6, preferred_runs),
    COL("pref.x", 6, preferred_elsewhere),
};
#undef COL

static void print_row(FILE *f, const char *name, const ws_stats *s) {
  uint64_t ex =
      s->executed[0] + s->executed[1] + s->executed[2] + s->executed[3];
  fprintf(f, "%6s %10llu %10llu", name, (unsigned long long)s->spawned,
          (unsigned long long)ex);
  for (size_t i = 0; i < sizeof k_columns / sizeof k_columns[0]; i++) {
    uint64_t v;
    memcpy(&v, (const char *)s + k_columns[i].offset, sizeof v);
    fprintf(f, " %*llu", k_columns[i].width, (unsigned long long)v);
  }
  fprintf(f, " %9.1f %9.1f\n", (double)s->busy_ns / 1e6,
          (double)s->idle_ns / 1e6);
}

static void print_table(ws__pool *p, FILE *f) {
  fprintf(f, "ws statistics (%d workers)\n", p->n);
  fprintf(f, "%6s %10s %10s", "worker", "spawned", "executed");
  for (size_t i = 0; i < sizeof k_columns / sizeof k_columns[0]; i++)
    fprintf(f, " %*s", k_columns[i].width, k_columns[i].head);
  fprintf(f, " %9s %9s\n", "busy_ms", "idle_ms");
  ws_stats total;
  memset(&total, 0, sizeof total);
  for (int i = 0; i < p->n; i++) {
    ws_stats s;
    read_record(p, i, &s);
    add_into(&total, &s);
    char name[16];
    const char *l = labelled(p, i);
    if (l) /* cut to the column as before; the precision tells GCC
            * (-Wformat-truncation, gcc-runtime's -Werror) */
      snprintf(name, sizeof name, "%.15s", l);
    else
      snprintf(name, sizeof name, "%d", i);
    print_row(f, name, &s);
  }
  /* The ext row: every application record beyond the workers and the
   * shared record, minus the labelled records, which get rows of their
   * own (in the natural order of their labels). */
  ws_stats ext;
  read_record(p, p->n, &ext);
  add_into(&total, &ext);
  int ns = atomic_load_explicit(&p->nslots, memory_order_acquire);
  int *rows = malloc(sizeof *rows * (size_t)(ns > p->n ? ns - p->n : 1));
  int nrows = 0;
  for (int j = p->n; rows && j < ns; j++)
    if (labelled(p, j))
      rows[nrows++] = j;
  for (int a = 1; a < nrows; a++) /* insertion sort: a few rows */
    for (int b = a; b > 0 && strverscmp(labelled(p, rows[b - 1]),
                                        labelled(p, rows[b])) > 0;
         b--) {
      int x = rows[b];
      rows[b] = rows[b - 1];
      rows[b - 1] = x;
    }
  uint64_t *e = (uint64_t *)&ext;
  for (int r = 0; r < nrows; r++) {
    ws_stats s;
    read_app(p, rows[r], &s);
    const uint64_t *v = (const uint64_t *)&s;
    for (size_t k = 0; k < WS__NSTATS; k++)
      if (k != WS__STAT_IDX(deque_hwm))
        e[k] -= v[k];
    print_row(f, labelled(p, rows[r]), &s);
  }
  free(rows);
  /* Shown unless labelled rows took everything it held. */
  int ext_used = nrows == 0;
  for (size_t k = 0; k < WS__NSTATS; k++)
    if (k != WS__STAT_IDX(deque_hwm))
      ext_used |= e[k] != 0;
  if (ext_used)
    print_row(f, "ext", &ext);
  print_row(f, "total", &total);
}

void ws_stats_print(void *stream) {
  FILE *f = stream ? (FILE *)stream : stderr;
  ws__pool *p = ws__pool_acquire();
  if (p)
    print_table(p, f);
  else
    fprintf(f, "ws statistics: no pool is running\n");
  ws__pool_release();
}

/* JSON (WS_STATS=json:PATH): stats_json.c. */

void ws__stats_report(ws__pool *p) {
  if (p->cfg.stats_table)
    print_table(p, stderr);
  if (p->cfg.stats_json[0])
    ws__stats_write_json(p, p->cfg.stats_json);
}

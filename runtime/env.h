/*
 * env.h -- every WS_* environment variable, parsed and validated in one
 * place (env.c).  docs/environment.md documents them for users.
 */
#ifndef WS_ENV_H
#define WS_ENV_H

#include <stddef.h>

#pragma GCC visibility push(hidden)
#define WS__MAX_WORKERS 1024
#define WS__MAX_STEAL_BATCH 64

typedef enum ws__wait_policy {
  WS__WAIT_ADAPTIVE = 0, /* spin, yield, then park with back-off */
  WS__WAIT_ACTIVE = 1,   /* spin and yield, never park */
  WS__WAIT_PASSIVE = 2   /* park almost at once */
} ws__wait_policy;

enum { WS__BIND_NONE, WS__BIND_THREADS, WS__BIND_CORES };

/* WS_CAPS / ws_caps_define: capability names (bit i: names[i]) and the
 * worker ranges holding them. */
#define WS__MAX_CAP_RANGES 256
typedef struct ws__caps_cfg {
  int ncaps;
  char names[64][32]; /* WS_MAX_CAPS names of at most WS_CAP_NAME_MAX */
  int nranges;
  struct {
    int cap, lo, hi; /* workers lo..hi hold bit `cap` */
  } ranges[WS__MAX_CAP_RANGES];
} ws__caps_cfg;

/* Parses a WS_CAPS value into *out: 0, or -1 (malformed; *out is then
 * empty). */
int ws__caps_parse(const char *spec, ws__caps_cfg *out);
/* The capabilities of worker `id` under `c`. */
unsigned long long ws__caps_of(const ws__caps_cfg *c, int id);
/* The bit of capability `name` (length len), or -1. */
int ws__caps_bit(const ws__caps_cfg *c, const char *name, size_t len);

typedef struct ws__config {
  int num_workers;   /* WS_NUM_WORKERS; 0: the CPUs in the affinity mask */
  int steal_batch;   /* WS_STEAL_BATCH, 1..64, default 32 */
  int starvation_ms; /* WS_STARVATION_MS, >= 1, default 5000 */
  ws__wait_policy wait_policy; /* WS_WAIT_POLICY */
  int stats_table;             /* WS_STATS=1 */
  char stats_json[1024];       /* WS_STATS=json:PATH ("" if none) */
  int bind;                    /* WS_BIND: WS__BIND_* */
  char trace_path[1024];       /* WS_TRACE=PATH ("" if none) */
  int trace_buffer;            /* WS_TRACE_BUFFER, events per worker */
  ws__caps_cfg caps;           /* WS_CAPS (or ws_caps_define) */
} ws__config;

/* Reads the environment.  Each bad value prints one line on stderr naming
 * the variable, the value and what is accepted, and the default is used. */
void ws__config_load(ws__config *cfg);

/* CPUs in this process's affinity mask (at least 1). */
int ws__cpu_count(void);

/* mpi_hooks.c: says once on stderr that an MPI launcher started this
 * program without libws-mpi (independent copies). */
void ws__mpi_hint(void);

#pragma GCC visibility pop

#endif /* WS_ENV_H */

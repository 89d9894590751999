/*
 * env.c -- parsing and validation of the WS_* environment variables.
 */
#include "env.h"
#include "ws.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ws__cpu_count(void) {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) {
    int n = CPU_COUNT(&set);
    if (n > 0)
      return n;
  }
  return 1;
}

static void bad_value(const char *var, const char *value, const char *accepted,
                      const char *dflt) {
  fprintf(stderr, "ws: %s=\"%s\" is not valid (accepted: %s); using %s\n", var,
          value, accepted, dflt);
}

/* Parses a whole decimal integer in [lo, hi]; 0 on failure. */
static int parse_int(const char *s, long lo, long hi, int *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end != '\0' || v < lo || v > hi)
    return 0;
  *out = (int)v;
  return 1;
}

/* A set but empty variable counts as unset. */
static const char *get(const char *name) {
  const char *v = getenv(name);
  return v && *v ? v : NULL;
}

/* WS_CAPS: name=LIST[;name=LIST]..., LIST = ITEM[,ITEM]..., ITEM = N or
 * N-M (worker indexes, N <= M < WS__MAX_WORKERS), a name [A-Za-z_][A-Za-z0-9_]*
 * of at most WS_CAP_NAME_MAX characters, each defined once, at most
 * WS_MAX_CAPS names.  Empty segments (a trailing ';') are ignored. */
int ws__caps_parse(const char *spec, ws__caps_cfg *out) {
  memset(out, 0, sizeof *out);
  const char *s = spec;
  while (*s) {
    if (*s == ';') {
      s++;
      continue;
    }
    const char *name = s;
    if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
      goto bad;
    while (*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
           (*s >= '0' && *s <= '9'))
      s++;
    size_t len = (size_t)(s - name);
    if (len > WS_CAP_NAME_MAX || *s != '=' || out->ncaps == WS_MAX_CAPS ||
        ws__caps_bit(out, name, len) >= 0)
      goto bad;
    int cap = out->ncaps++;
    memcpy(out->names[cap], name, len);
    out->names[cap][len] = '\0';
    s++; /* '=' */
    for (;;) {
      char *end;
      long lo, hi;
      if (*s < '0' || *s > '9')
        goto bad;
      lo = hi = strtol(s, &end, 10);
      s = end;
      if (*s == '-') {
        s++;
        if (*s < '0' || *s > '9')
          goto bad;
        hi = strtol(s, &end, 10);
        s = end;
      }
      if (lo > hi || hi >= WS__MAX_WORKERS ||
          out->nranges == WS__MAX_CAP_RANGES)
        goto bad;
      out->ranges[out->nranges].cap = cap;
      out->ranges[out->nranges].lo = (int)lo;
      out->ranges[out->nranges].hi = (int)hi;
      out->nranges++;
      if (*s != ',')
        break;
      s++;
    }
    if (*s != ';' && *s != '\0')
      goto bad;
  }
  return 0;
bad:
  memset(out, 0, sizeof *out);
  return -1;
}

unsigned long long ws__caps_of(const ws__caps_cfg *c, int id) {
  unsigned long long caps = 0;
  for (int i = 0; i < c->nranges; i++)
    if (id >= c->ranges[i].lo && id <= c->ranges[i].hi)
      caps |= 1ull << c->ranges[i].cap;
  return caps;
}

int ws__caps_bit(const ws__caps_cfg *c, const char *name, size_t len) {
  for (int i = 0; i < c->ncaps; i++)
    if (strlen(c->names[i]) == len && !memcmp(c->names[i], name, len))
      return i;
  return -1;
}

void ws__config_load(ws__config *cfg) {
  ws__mpi_hint(); /* with the static libws.a too: see mpi_hooks.c */
  memset(cfg, 0, sizeof *cfg);
  cfg->steal_batch = 32;
  cfg->starvation_ms = 5000;
  cfg->wait_policy = WS__WAIT_ADAPTIVE;
  cfg->bind = WS__BIND_THREADS;
  const char *v;
  char dflt[64];

  if ((v = get("WS_NUM_WORKERS")) &&
      !parse_int(v, 1, WS__MAX_WORKERS, &cfg->num_workers)) {
    snprintf(dflt, sizeof dflt, "the default (%d, the CPUs available)",
             ws__cpu_count());
    bad_value("WS_NUM_WORKERS", v, "an integer from 1 to 1024", dflt);
    cfg->num_workers = 0;
  }
  if ((v = get("WS_STEAL_BATCH")) &&
      !parse_int(v, 1, WS__MAX_STEAL_BATCH, &cfg->steal_batch)) {
    bad_value("WS_STEAL_BATCH", v, "an integer from 1 to 64",
              "the default (32)");
    cfg->steal_batch = 32;
  }
  if ((v = get("WS_STARVATION_MS")) &&
      !parse_int(v, 1, INT_MAX, &cfg->starvation_ms)) {
    bad_value("WS_STARVATION_MS", v, "an integer >= 1 (milliseconds)",
              "the default (5000)");
    cfg->starvation_ms = 5000;
  }
  if ((v = get("WS_WAIT_POLICY"))) {
    if (!strcmp(v, "adaptive"))
      cfg->wait_policy = WS__WAIT_ADAPTIVE;
    else if (!strcmp(v, "active"))
      cfg->wait_policy = WS__WAIT_ACTIVE;
    else if (!strcmp(v, "passive"))
      cfg->wait_policy = WS__WAIT_PASSIVE;
    else
      bad_value("WS_WAIT_POLICY", v, "adaptive, active or passive",
                "the default (adaptive)");
  }
  if ((v = get("WS_STATS"))) {
    if (!strcmp(v, "0"))
      ;
    else if (!strcmp(v, "1"))
      cfg->stats_table = 1;
    else if (!strncmp(v, "json:", 5) && v[5] &&
             strlen(v + 5) < sizeof cfg->stats_json)
      strcpy(cfg->stats_json, v + 5);
    else
      bad_value("WS_STATS", v, "0, 1 or json:PATH", "the default (0)");
  }
  if ((v = get("WS_BIND"))) {
    if (!strcmp(v, "none"))
      cfg->bind = WS__BIND_NONE;
    else if (!strcmp(v, "threads"))
      cfg->bind = WS__BIND_THREADS;
    else if (!strcmp(v, "cores"))
      cfg->bind = WS__BIND_CORES;
    else
      bad_value("WS_BIND", v, "none, threads or cores",
                "the default (threads)");
  }
  if ((v = get("WS_TRACE"))) {
    if (strlen(v) < sizeof cfg->trace_path)
      strcpy(cfg->trace_path, v);
    else
      bad_value("WS_TRACE", v, "a file path shorter than 1024 bytes",
                "no trace");
  }
  if ((v = get("WS_CAPS")) && ws__caps_parse(v, &cfg->caps) != 0)
    bad_value("WS_CAPS", v,
              "name=workers[;name=workers]..., workers like 0,2-3, at most "
              "64 names of [A-Za-z_][A-Za-z0-9_]* up to 31 characters",
              "the default (no capabilities)");
  /* 0 here means the default, WS__TRACE_BUFFER_DEFAULT (observe.h). */
  if ((v = get("WS_TRACE_BUFFER")) &&
      !parse_int(v, 1, 100000000, &cfg->trace_buffer)) {
    bad_value("WS_TRACE_BUFFER", v,
              "an integer from 1 to 100000000 (events per worker)",
              "the default (1000000)");
    cfg->trace_buffer = 0;
  }
}

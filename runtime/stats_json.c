/*
 * stats_json.c -- WS_STATS=json:PATH: the per-worker statistics as a JSON
 * document, schema version 1 (documented in docs/formats.md, read by
 * tools/ws-stats).  Every ws_stats field appears by its C name, so the file
 * and the API cannot drift apart without this table changing too.
 */
#include "observe.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WS__STATS_JSON_VERSION 1

/* Every ws_stats field but `executed` (an object by tier name), in the
 * order of the struct. */
static const struct {
  const char *name;
  size_t offset;
} k_fields[] = {
#define FIELD(f)                                                               \
  { #f, offsetof(ws_stats, f) }
    FIELD(spawned),        FIELD(stolen),         FIELD(steal_attempts),
    FIELD(steal_failures), FIELD(batch_steals),   FIELD(batch_moved),
    FIELD(spins),          FIELD(yields),         FIELD(parks),
    FIELD(wakeups),        FIELD(promotions),     FIELD(preemptions),
    FIELD(cancelled),      FIELD(timed_out),      FIELD(inline_runs),
    FIELD(deque_hwm),      FIELD(busy_ns),        FIELD(idle_ns),
    FIELD(required_runs),  FIELD(preferred_runs), FIELD(preferred_elsewhere),
#undef FIELD
};

/* Indexed by ws_tier; written highest tier first, as in the table. */
static const char *const k_tier_names[WS_NUM_TIERS] = {"low", "normal", "high",
                                                       "critical"};

void ws__json_string(FILE *f, const char *s) {
  if (!s) {
    fputs("null", f);
    return;
  }
  fputc('"', f);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    switch (*c) {
    case '"':
      fputs("\\\"", f);
      break;
    case '\\':
      fputs("\\\\", f);
      break;
    case '\n':
      fputs("\\n", f);
      break;
    case '\t':
      fputs("\\t", f);
      break;
    default:
      if (*c < 0x20)
        fprintf(f, "\\u%04x", *c);
      else
        fputc(*c, f); /* UTF-8 passes through unchanged */
    }
  }
  fputc('"', f);
}

static void json_record(FILE *f, const ws_stats *s, int id) {
  fputc('{', f);
  if (id >= 0)
    fprintf(f, "\"id\": %d, ", id);
  fputs("\"executed\": {", f);
  for (int t = WS_NUM_TIERS - 1; t >= 0; t--)
    fprintf(f, "\"%s\": %llu%s", k_tier_names[t],
            (unsigned long long)s->executed[t], t ? ", " : "}");
  for (size_t i = 0; i < sizeof k_fields / sizeof k_fields[0]; i++) {
    uint64_t v;
    memcpy(&v, (const char *)s + k_fields[i].offset, sizeof v);
    fprintf(f, ", \"%s\": %llu", k_fields[i].name, (unsigned long long)v);
  }
  fputc('}', f);
}

static const char *wait_policy_name(ws__wait_policy p) {
  switch (p) {
  case WS__WAIT_ACTIVE:
    return "active";
  case WS__WAIT_PASSIVE:
    return "passive";
  default:
    return "adaptive";
  }
}

void (*ws__stats_json_extra)(FILE *f);

void ws__stats_write_json(ws__pool *p, const char *path) {
  int n = p->n;
  /* Rows 0..n-1: the workers; row n: the further application threads. */
  ws_stats total, *per = calloc((size_t)n + 1, sizeof *per);
  if (!per) {
    fprintf(stderr, "ws: WS_STATS: out of memory; %s not written\n", path);
    return;
  }
  ws__stats_collect(p, &total, per, n + 1);
  ws_stats ext = per[n];

  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "ws: WS_STATS: cannot write %s: %s\n", path,
            strerror(errno));
    free(per);
    return;
  }
  const ws__config *c = &p->cfg;
  fprintf(f, "{\"version\": %d,\n \"config\": {\"workers\": %d, ",
          WS__STATS_JSON_VERSION, n);
  fprintf(f,
          "\"wait_policy\": \"%s\", \"steal_batch\": %d, "
          "\"starvation_ms\": %d, \"bind\": \"%s\", \"trace\": ",
          wait_policy_name(c->wait_policy), c->steal_batch, c->starvation_ms,
          c->bind == WS__BIND_CORES     ? "cores"
          : c->bind == WS__BIND_THREADS ? "threads"
                                        : "none");
  ws__json_string(f, c->trace_path[0] ? c->trace_path : NULL);
  fprintf(f, ", \"trace_buffer\": %d},\n \"workers\": [",
          c->trace_buffer > 0 ? c->trace_buffer : WS__TRACE_BUFFER_DEFAULT);
  for (int i = 0; i < n; i++) {
    fputs(i ? ",\n  " : "\n  ", f);
    json_record(f, &per[i], i);
  }
  fputs("\n ],\n \"external\": ", f);
  json_record(f, &ext, -1);
  fputs(",\n \"totals\": ", f);
  json_record(f, &total, -1);
  if (ws__stats_json_extra)
    ws__stats_json_extra(f);
  fputs("}\n", f);
  int bad = ferror(f);
  if (fclose(f) != 0 || bad)
    fprintf(stderr, "ws: WS_STATS: error writing %s: %s\n", path,
            strerror(errno));
  free(per);
}

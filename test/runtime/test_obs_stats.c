/*
 * test_obs_stats.c -- WS_STATS=json:PATH (docs/formats.md, schema 1).
 *
 * A run of known shape (a task tree of every tier on 3 workers, plus tasks
 * spawned by an application thread, whose row is "external") writes the
 * file at ws_shutdown; the test
 * parses it and checks the schema (every field by name), that it agrees
 * with ws_stats_get taken just before, and that it adds up: executed ==
 * spawned == the tasks the test spawned, totals == workers + external.
 * Then an unwritable path must give one error line, not a crash.
 */
#include "obs_util.h"
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <stdatomic.h>

#define WORKERS 3
#define EXT_TASKS 100

static const char *const k_fields[] = {
    "spawned",        "stolen",         "steal_attempts",
    "steal_failures", "batch_steals",   "batch_moved",
    "spins",          "yields",         "parks",
    "wakeups",        "promotions",     "preemptions",
    "cancelled",      "timed_out",      "inline_runs",
    "deque_hwm",      "busy_ns",        "idle_ns",
    "required_runs",  "preferred_runs", "preferred_elsewhere"};
#define NFIELDS (sizeof k_fields / sizeof k_fields[0])
static const char *const k_tiers[WS_NUM_TIERS] = {"low", "normal", "high",
                                                  "critical"};

static atomic_long g_ran;

typedef struct {
  int depth;
} tree_args;

static void tree(void *p) {
  tree_args a = *(tree_args *)p;
  atomic_fetch_add(&g_ran, 1);
  if (a.depth == 0)
    return;
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < 3; i++) {
    tree_args c = {a.depth - 1};
    ws_spawn(&f, tree, &c, sizeof c, (a.depth + i) % WS_NUM_TIERS, NULL);
  }
  ws_wait(&f);
}

static long tree_size(int depth) {
  return depth ? 1 + 3 * tree_size(depth - 1) : 1;
}

static void leaf(void *p) {
  (void)p;
  atomic_fetch_add(&g_ran, 1);
}

static void *external(void *arg) {
  (void)arg;
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < EXT_TASKS; i++)
    ws_spawn(&f, leaf, NULL, 0, WS_TIER_LOW, NULL);
  ws_wait(&f);
  return NULL;
}

static uint64_t field(const ws_stats *s, const char *name) {
#define F(x)                                                                   \
  if (!strcmp(name, #x))                                                       \
  return s->x
  F(spawned);
  F(stolen);
  F(steal_attempts);
  F(steal_failures);
  F(batch_steals);
  F(batch_moved);
  F(spins);
  F(yields);
  F(parks);
  F(wakeups);
  F(promotions);
  F(preemptions);
  F(cancelled);
  F(timed_out);
  F(inline_runs);
  F(deque_hwm);
  F(busy_ns);
  F(idle_ns);
  F(required_runs);
  F(preferred_runs);
  F(preferred_elsewhere);
#undef F
  return UINT64_MAX;
}

/* Checks one record of the file: every field present and a count; returns
 * its executed sum (all tiers). */
static double check_record(const obs_json *r, const char *what) {
  CHECK(r && r->type == OBS_OBJ, "%s: not an object", what);
  const obs_json *ex = obs_get(r, "executed");
  CHECK(ex && ex->type == OBS_OBJ && obs_len(ex) == WS_NUM_TIERS,
        "%s: executed is not an object of 4 tiers", what);
  double sum = 0;
  for (int t = 0; t < WS_NUM_TIERS; t++) {
    double v = obs_num(obs_get(ex, k_tiers[t]));
    CHECK(v >= 0, "%s: executed.%s missing", what, k_tiers[t]);
    sum += v;
  }
  for (size_t i = 0; i < NFIELDS; i++)
    CHECK(obs_num(obs_get(r, k_fields[i])) >= 0, "%s: field %s missing", what,
          k_fields[i]);
  return sum;
}

static void run_and_check(void) {
  char path[256], env[300];
  obs_temp_path(path, sizeof path, "stats");
  snprintf(env, sizeof env, "json:%s", path);
  setenv("WS_STATS", env, 1);
  CHECK(ws_init(WORKERS) == WS_OK, "ws_init");

  int depth = (int)ws_test_scaled(7, 5);
  long expected = tree_size(depth) + EXT_TASKS;
  atomic_store(&g_ran, 0);
  ws_frame f = WS_FRAME_INIT;
  tree_args a = {depth};
  ws_spawn(&f, tree, &a, sizeof a, WS_TIER_NORMAL, NULL);
  pthread_t th;
  CHECK(pthread_create(&th, NULL, external, NULL) == 0, "pthread_create");
  pthread_join(th, NULL);
  ws_wait(&f);
  CHECK(atomic_load(&g_ran) == expected, "ran %ld of %ld tasks",
        atomic_load(&g_ran), expected);

  ws_stats per[WORKERS], total;
  CHECK(ws_stats_get(&total, per, WORKERS) == WORKERS, "ws_stats_get");
  CHECK(ws_shutdown() == WS_OK, "ws_shutdown");
  unsetenv("WS_STATS");

  char *text = obs_slurp(path);
  CHECK(text != NULL, "%s was not written", path);
  obs_json *doc = text ? obs_json_parse(text) : NULL;
  CHECK(doc != NULL, "%s is not valid JSON", path);
  if (!doc) {
    free(text);
    unlink(path);
    return;
  }
  CHECK(obs_num(obs_get(doc, "version")) == 1, "version is not 1");
  const obs_json *cfg = obs_get(doc, "config");
  CHECK(obs_num(obs_get(cfg, "workers")) == WORKERS, "config.workers");
  CHECK(!strcmp(obs_str(obs_get(cfg, "wait_policy")), "adaptive"),
        "config.wait_policy");
  CHECK(obs_num(obs_get(cfg, "steal_batch")) >= 1, "config.steal_batch");
  CHECK(obs_num(obs_get(cfg, "starvation_ms")) >= 1, "config.starvation_ms");
  CHECK(obs_get(cfg, "bind") && obs_get(cfg, "trace") &&
            obs_get(cfg, "trace_buffer"),
        "config.bind/trace/trace_buffer missing");

  const obs_json *workers = obs_get(doc, "workers");
  CHECK(workers && workers->type == OBS_ARR && obs_len(workers) == WORKERS,
        "workers is not an array of %d", WORKERS);
  double spawned = 0, executed = 0, hwm = 0;
  for (size_t i = 0; i < obs_len(workers); i++) {
    const obs_json *w = obs_at(workers, i);
    char what[32];
    snprintf(what, sizeof what, "workers[%zu]", i);
    CHECK(obs_num(obs_get(w, "id")) == (double)i, "%s: id", what);
    double ex = check_record(w, what);
    executed += ex;
    spawned += obs_num(obs_get(w, "spawned"));
    double h = obs_num(obs_get(w, "deque_hwm"));
    hwm = h > hwm ? h : hwm;
    /* Counters that no longer move once the pool is quiescent must equal
     * the API's snapshot (idle workers keep spinning, so not those). */
    const char *stable[] = {"spawned", "cancelled", "timed_out", "inline_runs"};
    for (size_t k = 0; k < sizeof stable / sizeof stable[0]; k++)
      CHECK(obs_num(obs_get(w, stable[k])) == (double)field(&per[i], stable[k]),
            "%s: %s differs from ws_stats_get", what, stable[k]);
    for (int t = 0; t < WS_NUM_TIERS; t++)
      CHECK(obs_num(obs_get(obs_get(w, "executed"), k_tiers[t])) ==
                (double)per[i].executed[t],
            "%s: executed.%s differs from ws_stats_get", what, k_tiers[t]);
  }
  const obs_json *ext = obs_get(doc, "external");
  const obs_json *tot = obs_get(doc, "totals");
  double ext_ex = check_record(ext, "external");
  double tot_ex = check_record(tot, "totals");
  CHECK(obs_get(ext, "id") == NULL && obs_get(tot, "id") == NULL,
        "external/totals carry an id");
  /* The external thread spawned its EXT_TASKS; it may also have stolen
   * tree tasks while it waited, whose children it spawned. */
  CHECK(obs_num(obs_get(ext, "spawned")) >= EXT_TASKS,
        "external spawned %g, expected at least %d",
        obs_num(obs_get(ext, "spawned")), EXT_TASKS);
  if (obs_num(obs_get(ext, "deque_hwm")) > hwm)
    hwm = obs_num(obs_get(ext, "deque_hwm"));
  spawned += obs_num(obs_get(ext, "spawned"));
  executed += ext_ex;
  CHECK(spawned == (double)expected, "spawned sums to %g, expected %ld",
        spawned, expected);
  CHECK(executed == spawned, "executed %g != spawned %g", executed, spawned);
  CHECK(tot_ex == executed, "totals.executed %g != %g", tot_ex, executed);
  CHECK(obs_num(obs_get(tot, "spawned")) == spawned, "totals.spawned");
  CHECK(obs_num(obs_get(tot, "deque_hwm")) == hwm, "totals.deque_hwm is "
                                                   "not the maximum");
  /* Each total is workers + external (hwm aside). */
  for (size_t i = 0; i < NFIELDS; i++) {
    if (!strcmp(k_fields[i], "deque_hwm"))
      continue;
    double sum = obs_num(obs_get(ext, k_fields[i]));
    for (size_t w = 0; w < obs_len(workers); w++)
      sum += obs_num(obs_get(obs_at(workers, w), k_fields[i]));
    CHECK(sum == obs_num(obs_get(tot, k_fields[i])),
          "totals.%s %g != workers + external %g", k_fields[i],
          obs_num(obs_get(tot, k_fields[i])), sum);
  }
  obs_json_free(doc);
  free(text);
  unlink(path);
}

/* An unwritable path: one line naming the variable and the path. */
static void bad_path(void) {
  const char *path = "/nonexistent-ws-dir/stats.json";
  char env[300];
  snprintf(env, sizeof env, "json:%s", path);
  setenv("WS_STATS", env, 1);
  CHECK(ws_init(2) == WS_OK, "ws_init");
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, leaf, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  obs_capture cap;
  obs_capture_begin(&cap);
  ws_shutdown();
  char *err = obs_capture_end(&cap);
  unsetenv("WS_STATS");
  CHECK(obs_count(err, "ws: WS_STATS: cannot write /nonexistent-ws-dir/") == 1,
        "no single error line for an unwritable path");
  CHECK(obs_count(err, "\n") == 1, "more than one line on stderr");
  free(err);
}

int main(void) {
  run_and_check();
  bad_path();
  return ws_test_finish("test_obs_stats");
}

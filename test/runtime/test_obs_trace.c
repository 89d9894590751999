/*
 * test_obs_trace.c -- WS_TRACE=PATH and WS_TRACE_BUFFER (docs/formats.md).
 *
 *  1. A small run on 3 workers with labelled tasks: the file parses as
 *     JSON; one thread_name per worker; exactly one task slice ("X", cat
 *     "task") per task executed, labelled by site (label, else file:line)
 *     with its tier; slices of one track nest properly (what Perfetto
 *     needs); steal events name another worker; nothing dropped.
 *  2. WS_TRACE_BUFFER=5: events are dropped, counted in otherData, and one
 *     note is printed; kept + dropped task slices == tasks executed.
 *  3. Bad WS_TRACE_BUFFER / unwritable WS_TRACE: one line each.
 *  4. Written at exit too: a child (this program, re-executed) that returns
 *     from main without ws_shutdown, and one that calls exit() inside a
 *     task while other workers run, both leave a valid trace and
 *     statistics file (and, after a clean return, agreeing counts).
 */
#include "obs_util.h"
#include "test_util.h"
#include "ws.h"

#include <spawn.h>
#include <stdatomic.h>
#include <sys/wait.h>

extern char **environ;

static const ws_site k_alpha = {"alpha", "test_obs_trace.c", 1};
static const ws_site k_noname = {NULL, "obs.c", 42};
static const ws_site k_quote = {"say \"hi\"\\now", "test_obs_trace.c", 3};

static atomic_long g_ran;

typedef struct {
  int depth;
} node_args;

static void spin_a_little(void) {
  volatile int x = 0;
  for (int i = 0; i < 2000; i++)
    x += i;
}

/* alpha (high) tasks spawn two obs.c:42 (low) children. */
static void child(void *p) {
  (void)p;
  atomic_fetch_add(&g_ran, 1);
  spin_a_little();
}

static void alpha(void *p) {
  (void)p;
  atomic_fetch_add(&g_ran, 1);
  ws_frame f = WS_FRAME_INIT;
  ws_spawn(&f, child, NULL, 0, WS_TIER_LOW, &k_noname);
  ws_spawn(&f, child, NULL, 0, WS_TIER_LOW, &k_noname);
  spin_a_little();
  ws_wait(&f);
}

static void quoted(void *p) {
  (void)p;
  atomic_fetch_add(&g_ran, 1);
}

static long run_tasks(int nalpha, int nquote) {
  atomic_store(&g_ran, 0);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < nalpha; i++)
    ws_spawn(&f, alpha, NULL, 0, WS_TIER_HIGH, &k_alpha);
  for (int i = 0; i < nquote; i++)
    ws_spawn(&f, quoted, NULL, 0, WS_TIER_CRITICAL, &k_quote);
  ws_wait(&f);
  return atomic_load(&g_ran);
}

static long executed_total(void) {
  ws_stats t;
  ws_stats_get(&t, NULL, 0);
  return (long)(t.executed[0] + t.executed[1] + t.executed[2] + t.executed[3]);
}

static long ns(const obs_json *v) { return (long)(obs_num(v) * 1000.0 + 0.5); }

typedef struct {
  long ts, end;
} span;

static int by_start(const void *a, const void *b) {
  const span *x = a, *y = b;
  if (x->ts != y->ts)
    return x->ts < y->ts ? -1 : 1;
  return x->end > y->end ? -1 : x->end < y->end; /* longer (outer) first */
}

/* Slices of one track must be disjoint or nested. */
static int nests(span *s, size_t n) {
  qsort(s, n, sizeof *s, by_start);
  long stack[512];
  int top = 0;
  for (size_t i = 0; i < n; i++) {
    while (top && stack[top - 1] <= s[i].ts)
      top--;
    if (top && s[i].end > stack[top - 1])
      return 0;
    if (top < 512)
      stack[top++] = s[i].end;
  }
  return 1;
}

static obs_json *load(const char *path, char **text) {
  *text = obs_slurp(path);
  CHECK(*text != NULL, "%s not written", path);
  obs_json *doc = *text ? obs_json_parse(*text) : NULL;
  CHECK(doc != NULL, "%s is not valid JSON", path);
  return doc;
}

static void full_trace(void) {
  enum { W = 3 };
  char path[256];
  obs_temp_path(path, sizeof path, "trace");
  setenv("WS_TRACE", path, 1);
  unsetenv("WS_TRACE_BUFFER");
  CHECK(ws_init(W) == WS_OK, "ws_init");
  int nalpha = (int)ws_test_scaled(300, 60), nquote = 20;
  long ran = run_tasks(nalpha, nquote);
  CHECK(ran == nalpha * 3L + nquote, "ran %ld", ran);
  long executed = executed_total();
  CHECK(executed == ran, "executed %ld != ran %ld", executed, ran);
  CHECK(ws_shutdown() == WS_OK, "ws_shutdown");
  unsetenv("WS_TRACE");

  char *text;
  obs_json *doc = load(path, &text);
  if (!doc)
    goto out;
  const obs_json *ev = obs_get(doc, "traceEvents");
  CHECK(ev && ev->type == OBS_ARR, "no traceEvents array");
  int names[W] = {0};
  long slices = 0, n_alpha = 0, n_noname = 0, n_quote = 0, steals = 0;
  span *spans[W];
  size_t nspans[W] = {0};
  for (int i = 0; i < W; i++)
    spans[i] = malloc(sizeof(span) * obs_len(ev));
  double pid = -2;
  for (size_t i = 0; i < obs_len(ev); i++) {
    const obs_json *e = obs_at(ev, i);
    const char *ph = obs_str(obs_get(e, "ph"));
    const char *name = obs_str(obs_get(e, "name"));
    const char *cat = obs_str(obs_get(e, "cat"));
    double tid = obs_num(obs_get(e, "tid"));
    if (pid == -2)
      pid = obs_num(obs_get(e, "pid"));
    CHECK(obs_num(obs_get(e, "pid")) == pid && pid >= 0, "event %zu: pid", i);
    CHECK(tid >= 0 && tid < W && tid == (int)tid, "event %zu: tid %g", i, tid);
    if (tid < 0 || tid >= W)
      continue;
    int t = (int)tid;
    if (!strcmp(ph, "M")) {
      if (!strcmp(name, "thread_name")) {
        char want[32];
        snprintf(want, sizeof want, "worker %d", t);
        CHECK(!strcmp(obs_str(obs_get(obs_get(e, "args"), "name")), want),
              "thread_name of %d", t);
        names[t]++;
      }
      continue;
    }
    CHECK(obs_num(obs_get(e, "ts")) >= 0, "event %zu: ts", i);
    if (!strcmp(ph, "X")) {
      long dur = ns(obs_get(e, "dur"));
      CHECK(dur >= 0, "event %zu: dur", i);
      spans[t][nspans[t]++] =
          (span){ns(obs_get(e, "ts")), ns(obs_get(e, "ts")) + dur};
    }
    if (!strcmp(ph, "X") && !strcmp(cat, "task")) {
      slices++;
      const char *tier = obs_str(obs_get(obs_get(e, "args"), "tier"));
      if (!strcmp(name, "alpha")) {
        n_alpha++;
        CHECK(!strcmp(tier, "high"), "alpha at tier %s", tier);
      } else if (!strcmp(name, "obs.c:42")) {
        n_noname++;
        CHECK(!strcmp(tier, "low"), "obs.c:42 at tier %s", tier);
      } else if (!strcmp(name, k_quote.label)) {
        n_quote++;
        CHECK(!strcmp(tier, "critical"), "quoted at tier %s", tier);
      } else {
        CHECK(0, "unexpected task slice '%s'", name);
      }
    } else if (!strcmp(ph, "i")) {
      CHECK(!strcmp(name, "steal"), "instant event '%s'", name);
      double victim = obs_num(obs_get(obs_get(e, "args"), "victim"));
      CHECK(victim >= 0 && victim < W && victim != tid, "steal victim %g",
            victim);
      CHECK(obs_num(obs_get(obs_get(e, "args"), "tasks")) >= 1,
            "steal of no task");
      steals++;
    } else if (!strcmp(ph, "X")) {
      CHECK(!strcmp(name, "park"), "slice '%s' of cat '%s'", name, cat);
    } else {
      CHECK(0, "unexpected phase '%s'", ph);
    }
  }
  for (int t = 0; t < W; t++) {
    CHECK(names[t] == 1, "worker %d has %d thread_name events", t, names[t]);
    CHECK(nests(spans[t], nspans[t]), "slices of worker %d overlap", t);
    free(spans[t]);
  }
  CHECK(slices == executed, "%ld task slices for %ld tasks", slices, executed);
  CHECK(n_alpha == nalpha && n_noname == 2L * nalpha && n_quote == nquote,
        "slices by label: %ld %ld %ld", n_alpha, n_noname, n_quote);
  const obs_json *other = obs_get(doc, "otherData");
  CHECK(obs_num(obs_get(other, "workers")) == W, "otherData.workers");
  CHECK(obs_num(obs_get(other, "dropped_events")) == 0, "events dropped");
  CHECK(obs_num(obs_get(other, "buffer_events")) == 1000000,
        "default buffer size");
  fprintf(stderr, "trace: %ld task slices, %ld steals\n", slices, steals);
  obs_json_free(doc);
out:
  free(text);
  unlink(path);
}

static void small_buffer(void) {
  enum { W = 2, CAP = 5 };
  char path[256];
  obs_temp_path(path, sizeof path, "trace");
  setenv("WS_TRACE", path, 1);
  setenv("WS_TRACE_BUFFER", "5", 1);
  CHECK(ws_init(W) == WS_OK, "ws_init");
  long ran = run_tasks(40, 10);
  long executed = executed_total();
  CHECK(executed == ran, "executed %ld != ran %ld", executed, ran);
  obs_capture cap;
  obs_capture_begin(&cap);
  CHECK(ws_shutdown() == WS_OK, "ws_shutdown");
  char *err = obs_capture_end(&cap);
  unsetenv("WS_TRACE");
  unsetenv("WS_TRACE_BUFFER");
  CHECK(obs_count(err, "events dropped") == 1 &&
            obs_count(err, "WS_TRACE_BUFFER") == 1,
        "no single dropped-events note");
  free(err);

  char *text;
  obs_json *doc = load(path, &text);
  if (!doc)
    goto out;
  const obs_json *ev = obs_get(doc, "traceEvents");
  long per_worker[W] = {0}, slices = 0;
  for (size_t i = 0; i < obs_len(ev); i++) {
    const obs_json *e = obs_at(ev, i);
    if (!strcmp(obs_str(obs_get(e, "ph")), "M"))
      continue;
    int t = (int)obs_num(obs_get(e, "tid"));
    if (t >= 0 && t < W)
      per_worker[t]++;
    if (!strcmp(obs_str(obs_get(e, "cat")), "task"))
      slices++;
  }
  for (int t = 0; t < W; t++)
    CHECK(per_worker[t] <= CAP, "worker %d kept %ld events (cap %d)", t,
          per_worker[t], CAP);
  const obs_json *other = obs_get(doc, "otherData");
  double dropped = obs_num(obs_get(other, "dropped_events"));
  double dropped_tasks = obs_num(obs_get(other, "dropped_task_slices"));
  CHECK(dropped > 0 && dropped >= dropped_tasks, "dropped %g / %g", dropped,
        dropped_tasks);
  CHECK(obs_num(obs_get(other, "buffer_events")) == CAP, "buffer_events");
  CHECK(slices + (long)dropped_tasks == executed,
        "kept %ld + dropped %g task slices != %ld tasks", slices, dropped_tasks,
        executed);
  obs_json_free(doc);
out:
  free(text);
  unlink(path);
}

static void bad_values(void) {
  setenv("WS_TRACE_BUFFER", "abc", 1);
  setenv("WS_TRACE", "/nonexistent-ws-dir/trace.json", 1);
  obs_capture cap;
  obs_capture_begin(&cap);
  CHECK(ws_init(1) == WS_OK, "ws_init");
  char *err = obs_capture_end(&cap);
  CHECK(obs_count(err, "ws: WS_TRACE_BUFFER=\"abc\" is not valid") == 1,
        "no error line for WS_TRACE_BUFFER=abc");
  CHECK(obs_count(err, "ws: WS_TRACE: cannot write /nonexistent-ws-dir/") == 1,
        "no error line for an unwritable WS_TRACE");
  CHECK(obs_count(err, "\n") == 2, "not exactly two lines");
  free(err);
  CHECK(run_tasks(3, 1) == 10, "tasks without a trace");
  obs_capture_begin(&cap);
  ws_shutdown();
  err = obs_capture_end(&cap);
  CHECK(err[0] == '\0', "shutdown printed something");
  free(err);
  unsetenv("WS_TRACE");
  unsetenv("WS_TRACE_BUFFER");
}

/* ---- 4. At exit -----------------------------------------------------------
 */

static void exit_inside(void *p) {
  (void)p;
  exit(0); /* the other worker may be running tasks meanwhile */
}

/* The child: argv[1] is "return" or "exit-in-task". */
static int child_main(const char *mode) {
  CHECK(ws_init(2) == WS_OK, "ws_init");
  run_tasks(20, 5);
  if (!strcmp(mode, "exit-in-task")) {
    ws_frame f = WS_FRAME_INIT;
    for (int i = 0; i < 50; i++)
      ws_spawn(&f, alpha, NULL, 0, WS_TIER_HIGH, &k_alpha);
    ws_spawn(&f, exit_inside, NULL, 0, WS_TIER_LOW, NULL);
    ws_wait(&f);
  }
  return ws_test_failures ? 1 : 0; /* no ws_shutdown: the atexit handler */
}

static void check_at_exit(const char *mode) {
  char trace[256], stats[256], env[300];
  obs_temp_path(trace, sizeof trace, "trace");
  obs_temp_path(stats, sizeof stats, "stats");
  setenv("WS_TRACE", trace, 1);
  snprintf(env, sizeof env, "json:%s", stats);
  setenv("WS_STATS", env, 1);
  char self[] = "/proc/self/exe", arg[32];
  snprintf(arg, sizeof arg, "%s", mode);
  char *argv[] = {self, arg, NULL};
  pid_t pid;
  int status = -1;
  CHECK(posix_spawn(&pid, self, NULL, NULL, argv, environ) == 0, "posix_spawn");
  waitpid(pid, &status, 0);
  unsetenv("WS_TRACE");
  unsetenv("WS_STATS");
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: child status %d",
        mode, status);
  char *ttext, *stext;
  obs_json *tdoc = load(trace, &ttext), *sdoc = load(stats, &stext);
  if (tdoc && sdoc) {
    const obs_json *ev = obs_get(tdoc, "traceEvents");
    long slices = 0, names = 0;
    for (size_t i = 0; i < obs_len(ev); i++) {
      const obs_json *e = obs_at(ev, i);
      slices += !strcmp(obs_str(obs_get(e, "cat")), "task");
      names += !strcmp(obs_str(obs_get(e, "name")), "thread_name");
    }
    CHECK(names == 2, "%s: %ld thread names", mode, names);
    const obs_json *ex = obs_get(obs_get(sdoc, "totals"), "executed");
    long executed = 0;
    for (size_t i = 0; i < obs_len(ex); i++)
      executed += (long)obs_num(ex->items[i]);
    if (!strcmp(mode, "return"))
      CHECK(slices == executed && executed == 20 * 3 + 5,
            "%s: %ld slices, %ld executed", mode, slices, executed);
    else
      CHECK(slices >= 20 * 3 + 5, "%s: %ld slices", mode, slices);
  }
  obs_json_free(tdoc);
  obs_json_free(sdoc);
  free(ttext);
  free(stext);
  unlink(trace);
  unlink(stats);
}

int main(int argc, char **argv) {
  if (argc > 1)
    return child_main(argv[1]);
  full_trace();
  small_buffer();
  bad_values();
  check_at_exit("return");
  check_at_exit("exit-in-task");
  return ws_test_finish("test_obs_trace");
}

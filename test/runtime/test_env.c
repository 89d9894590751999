/*
 * test_env.c -- WS_* environment variables, checked in child processes
 * (this program re-executed with "child" and one variable set):
 *  - a bad value prints exactly one line on stderr naming the variable, the
 *    value and the accepted values, and the default is used;
 *  - good values are accepted silently and take effect (worker count,
 *    statistics table / JSON at exit, wait policies, binding).
 */
#include "child_util.h"
#include "test_util.h"
#include "ws.h"

#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

static _Atomic long g_count;

static void tree(void *p) {
  int n = *(int *)p;
  atomic_fetch_add(&g_count, 1);
  if (n < 2)
    return;
  ws_frame f = WS_FRAME_INIT;
  int a = n - 1, b = n - 2;
  ws_spawn(&f, tree, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_spawn(&f, tree, &b, sizeof b, WS_TIER_LOW, NULL);
  ws_wait(&f);
}

static int child(void) {
  ws_frame f = WS_FRAME_INIT;
  int n = 15;
  ws_spawn(&f, tree, &n, sizeof n, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  printf("workers=%d count=%ld\n", ws_num_workers(), atomic_load(&g_count));
  fflush(stdout);
  return 0; /* atexit: WS_STATS output, shutdown */
}

static int lines(const char *s) {
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

static int workers_of(const ws_child_result *r) {
  int w = -1;
  const char *p = strstr(r->out, "workers=");
  if (p)
    sscanf(p, "workers=%d", &w);
  return w;
}

static void bad(const char *self, const char *setting, const char *var,
                const char *accepted) {
  ws_child_result r;
  ws_child_run(self, setting, &r);
  const char *value = strchr(setting, '=') + 1;
  CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: child failed",
        setting);
  CHECK(ws_child_ws_lines(r.err) == 1 && lines(r.err) == 1,
        "%s: want one line, got:\n%s", setting, r.err);
  CHECK(strstr(r.err, var) && strstr(r.err, value) && strstr(r.err, accepted),
        "%s: message lacks the variable, value or accepted values: %s", setting,
        r.err);
  CHECK(strstr(r.out, "count=1973"), "%s: wrong result: %s", setting, r.out);
}

static void good(const char *self, const char *setting, int want_workers) {
  ws_child_result r;
  ws_child_run(self, setting, &r);
  CHECK(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0, "%s: child failed",
        setting);
  CHECK(ws_child_ws_lines(r.err) == 0, "%s: unexpected message: %s", setting,
        r.err);
  CHECK(strstr(r.out, "count=1973"), "%s: wrong result: %s", setting, r.out);
  if (want_workers > 0)
    CHECK(workers_of(&r) == want_workers, "%s: %d workers, want %d", setting,
          workers_of(&r), want_workers);
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "child"))
    return child();
  const char *self = "/proc/self/exe";
  char self_path[4096];
  ssize_t len = readlink(self, self_path, sizeof self_path - 1);
  if (len > 0) {
    self_path[len] = '\0';
    self = self_path;
  }
  cpu_set_t set;
  sched_getaffinity(0, sizeof set, &set);
  int cpus = CPU_COUNT(&set);

  const char *bad_workers[] = {"WS_NUM_WORKERS=abc", "WS_NUM_WORKERS=0",
                               "WS_NUM_WORKERS=1025", "WS_NUM_WORKERS=-3",
                               "WS_NUM_WORKERS=4x"};
  for (int i = 0; i < 5; i++) {
    bad(self, bad_workers[i], "WS_NUM_WORKERS", "1 to 1024");
    ws_child_result r;
    ws_child_run(self, bad_workers[i], &r);
    CHECK(workers_of(&r) == cpus, "%s: %d workers, want the default %d",
          bad_workers[i], workers_of(&r), cpus);
  }
  bad(self, "WS_STEAL_BATCH=65", "WS_STEAL_BATCH", "1 to 64");
  bad(self, "WS_STEAL_BATCH=0", "WS_STEAL_BATCH", "1 to 64");
  bad(self, "WS_STARVATION_MS=0", "WS_STARVATION_MS", ">= 1");
  bad(self, "WS_STARVATION_MS=soon", "WS_STARVATION_MS", ">= 1");
  bad(self, "WS_WAIT_POLICY=fast", "WS_WAIT_POLICY",
      "adaptive, active or passive");
  bad(self, "WS_STATS=2", "WS_STATS", "0, 1 or json:PATH");
  bad(self, "WS_STATS=json:", "WS_STATS", "0, 1 or json:PATH");
  bad(self, "WS_BIND=all", "WS_BIND", "none, threads or cores");

  good(self, "WS_NUM_WORKERS=3", 3);
  good(self, "WS_NUM_WORKERS=1", 1);
  good(self, "WS_STEAL_BATCH=64", 0);
  good(self, "WS_STARVATION_MS=1", 0);
  good(self, "WS_WAIT_POLICY=active", 0);
  good(self, "WS_WAIT_POLICY=passive", 0);
  good(self, "WS_WAIT_POLICY=adaptive", 0);
  good(self, "WS_BIND=cores", 0);
  good(self, "WS_BIND=none", 0);
  good(self, "WS_BIND=threads", 0);
  good(self, "WS_STATS=0", 0);

  /* WS_STATS=1: the table on stderr at exit, one row per worker. */
  ws_child_result r;
  ws_child_run(self, "WS_STATS=1", &r);
  CHECK(strstr(r.err, "ws statistics") && strstr(r.err, "total"),
        "WS_STATS=1 printed no table: %s", r.err);
  CHECK(lines(r.err) == cpus + 4, "table of %d lines for %d workers:\n%s",
        lines(r.err), cpus, r.err);
  /* WS_STATS=json:PATH */
  char path[64], setting[128];
  snprintf(path, sizeof path, "/tmp/ws_test_env_%d.json", (int)getpid());
  snprintf(setting, sizeof setting, "WS_STATS=json:%s", path);
  unlink(path);
  ws_child_run(self, setting, &r);
  FILE *f = fopen(path, "r");
  CHECK(f != NULL, "no JSON file %s", path);
  if (f) {
    char buf[16384];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    /* The schema is docs/formats.md's; here only: it is our run's. */
    CHECK(buf[0] == '{' && strstr(buf, "\"workers\"") &&
              strstr(buf, "\"spawned\": 1973"),
          "JSON content: %s", buf);
    unlink(path);
  }
  return ws_test_finish("test_env");
}

/*
 * test_stats_label.c -- ws_stats_label: a labelled application thread gets
 * a row of its own in the statistics table, with exactly its counts, and
 * leaves the `ext` row; worker rows are renamed; rows of labelled threads
 * come in the natural order of their labels; ws_stats_reset zeroes them.
 *
 * At one worker (worker 0, main, labelled "main 0": printed "main_0"),
 * three application threads alive at once: "t10" and "t2" labelled, one
 * not.  Each spawns a known number of tasks into its own frame and waits;
 * the rows' `spawned` counts are compared (a task may run elsewhere).
 */
#include "test_util.h"
#include <pthread.h>
#include <stdatomic.h>
#include <ws.h>

static atomic_long ran;
static void task(void *p) {
  (void)p;
  atomic_fetch_add(&ran, 1);
}

static void spawn_some(int n) {
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < n; i++)
    ws_spawn(&f, task, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
}

typedef struct job {
  const char *label; /* NULL: not labelled */
  int tasks;
} job;

/* The threads stay (holding their records: a record given back may go to
 * the next thread that spawns) until main has read the table. */
static pthread_barrier_t done, read_out;

static void *thread_main(void *arg) {
  job *j = arg;
  if (j->label)
    CHECK(ws_stats_label(j->label) == WS_OK, "ws_stats_label(%s)", j->label);
  spawn_some(j->tasks);
  pthread_barrier_wait(&done);
  pthread_barrier_wait(&read_out);
  return NULL;
}

/* The `spawned` column of the row named `name` in the printed table, -1 if
 * there is no such row; *order receives the row's position. */
static long row_spawned(const char *table, const char *name, int *order) {
  char want[32];
  snprintf(want, sizeof want, "\n%6s ", name);
  const char *r = strstr(table, want);
  if (!r)
    return -1;
  if (order) {
    *order = 0;
    for (const char *c = table; c < r; c++)
      *order += *c == '\n';
  }
  return strtol(r + strlen(want), NULL, 10);
}

static char *table_text(void) {
  FILE *f = tmpfile();
  if (!f)
    return NULL;
  ws_stats_print(f);
  long len = ftell(f);
  rewind(f);
  char *buf = calloc(1, (size_t)len + 2);
  buf[0] = '\n'; /* every row starts after a newline */
  if (fread(buf + 1, 1, (size_t)len, f) != (size_t)len)
    buf[1] = 0;
  fclose(f);
  return buf;
}

int main(void) {
  CHECK(ws_stats_label(NULL) == WS_EINVAL, "NULL label");
  CHECK(ws_stats_label("") == WS_EINVAL, "empty label");
  CHECK(ws_init(1) == WS_OK, "ws_init(1)");
  CHECK(ws_stats_label("main 0") == WS_OK, "label worker 0");
  spawn_some(7);
  job jobs[] = {{"t10", 30}, {"t2", 20}, {NULL, 11}};
  pthread_t th[3];
  pthread_barrier_init(&done, NULL, 4);
  pthread_barrier_init(&read_out, NULL, 4);
  for (int i = 0; i < 3; i++)
    CHECK(pthread_create(&th[i], NULL, thread_main, &jobs[i]) == 0,
          "pthread_create");
  pthread_barrier_wait(&done);

  char *t = table_text();
  CHECK(t != NULL, "no table");
  if (t) {
    int o_main = -1, o_t2 = -1, o_t10 = -1, o_ext = -1, o_total = -1;
    CHECK(row_spawned(t, "0", NULL) == -1, "worker 0 still named 0:\n%s", t);
    CHECK(row_spawned(t, "main_0", &o_main) == 7,
          "worker 0's row (label with a blank) spawned %ld, expected 7:\n%s",
          row_spawned(t, "main_0", NULL), t);
    CHECK(row_spawned(t, "t2", &o_t2) == 20, "t2 spawned %ld, expected 20",
          row_spawned(t, "t2", NULL));
    CHECK(row_spawned(t, "t10", &o_t10) == 30, "t10 spawned %ld, expected 30",
          row_spawned(t, "t10", NULL));
    CHECK(row_spawned(t, "ext", &o_ext) == 11,
          "ext spawned %ld, expected 11 (the unlabelled thread only):\n%s",
          row_spawned(t, "ext", NULL), t);
    CHECK(row_spawned(t, "total", &o_total) == 68, "total spawned %ld",
          row_spawned(t, "total", NULL));
    CHECK(o_main < o_t2 && o_t2 < o_t10 && o_t10 < o_ext && o_ext < o_total,
          "row order: main_0 %d, t2 %d, t10 %d, ext %d, total %d", o_main, o_t2,
          o_t10, o_ext, o_total);
    free(t);
  }
  ws_stats_reset();
  t = table_text();
  if (t) {
    CHECK(row_spawned(t, "t10", NULL) == 0 && row_spawned(t, "t2", NULL) == 0,
          "after ws_stats_reset:\n%s", t);
    CHECK(row_spawned(t, "total", NULL) == 0, "total after reset:\n%s", t);
    free(t);
  }
  pthread_barrier_wait(&read_out);
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);
  CHECK(atomic_load(&ran) == 68, "%ld tasks ran", atomic_load(&ran));
  ws_shutdown();
  return ws_test_finish("test_stats_label");
}

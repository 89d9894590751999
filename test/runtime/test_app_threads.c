/*
 * test_app_threads.c -- application threads and the pool (issue 12): any
 * thread may spawn and wait, in any order, blocking or exiting as it
 * likes, and the program completes at any worker count, 1 included.
 *
 *  1. five threads: main and four pthreads each compute fib with tasks and
 *     waits; one of the four starts the pool (and so, with the first
 *     design, became worker 0) and exits first;
 *  2. the thread that started the pool blocks in read() on a pipe while
 *     the others spawn and wait;
 *  3. a thread exits right after its first spawn's wait; another exits
 *     with tasks it spawned and never waited for (they still run);
 *  4. fork(): spawn and wait, fork, then spawn and wait again in the child
 *     (a fresh pool) and in the parent, both with the right result.
 * Each at 1, 2 and 8 workers (fork: 1, 2 and 4).  A hang is caught by an
 * alarm (the test fails instead of waiting for ctest's time-out).
 */
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int n;
  long *out;
} fib_args;

static void fib_task(void *p);

/* fib(n) with a task per call above the cut-off, as the plugin writes it. */
static long fib(int n) {
  if (n < 2)
    return n;
  long x = 0, y;
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n - 1, &x};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  y = fib(n - 2);
  ws_wait(&f);
  return x + y;
}

static void fib_task(void *p) {
  fib_args *a = p;
  *a->out = fib(a->n);
}

static long fib_serial(int n) {
  return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

#define FIB_N 22
static long g_fib_want;

/* ---- 1. five threads; a pthread starts the pool and exits first ---------- */

static _Atomic int g_pool_started;

static void *starter(void *arg) {
  long *out = arg;
  *out = fib(FIB_N); /* its first spawn starts the pool */
  atomic_store(&g_pool_started, 1);
  return NULL; /* and the thread exits */
}

static void *computer(void *arg) {
  long *out = arg;
  for (int r = 0; r < 3; r++) {
    long v = fib(FIB_N);
    if (v != g_fib_want)
      *out = v;
    else if (r == 2)
      *out = v;
  }
  return NULL;
}

static void five_threads(void) {
  atomic_store(&g_pool_started, 0);
  long res[5] = {0};
  pthread_t th[4];
  pthread_create(&th[0], NULL, starter, &res[0]);
  while (!atomic_load(&g_pool_started))
    usleep(100);
  pthread_join(th[0], NULL); /* the pool's first thread is gone */
  for (int i = 1; i < 4; i++)
    pthread_create(&th[i], NULL, computer, &res[i]);
  computer(&res[4]); /* main */
  for (int i = 1; i < 4; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 5; i++)
    CHECK(res[i] == g_fib_want, "thread %d: fib(%d) = %ld, want %ld", i, FIB_N,
          res[i], g_fib_want);
}

/* ---- 2. the pool's first thread blocks in read() ------------------------- */

typedef struct {
  int fd;
  long result;
  char byte;
  _Atomic int ready;
} blocker_args;

static void *blocker(void *arg) {
  blocker_args *b = arg;
  b->result = fib(FIB_N); /* starts the pool (the first to spawn) */
  atomic_store(&b->ready, 1);
  if (read(b->fd, &b->byte, 1) != 1) /* blocks until main writes */
    b->byte = 0;
  b->result += fib(10); /* and uses the runtime again */
  return NULL;
}

static void blocked_in_read(void) {
  int fds[2];
  CHECK(pipe(fds) == 0, "pipe");
  blocker_args b = {.fd = fds[0]};
  atomic_init(&b.ready, 0);
  pthread_t bt;
  pthread_create(&bt, NULL, blocker, &b);
  while (!atomic_load(&b.ready))
    usleep(100);
  long res[3] = {0};
  pthread_t th[2];
  for (int i = 0; i < 2; i++)
    pthread_create(&th[i], NULL, computer, &res[i]);
  computer(&res[2]);
  for (int i = 0; i < 2; i++)
    pthread_join(th[i], NULL);
  for (int i = 0; i < 3; i++)
    CHECK(res[i] == g_fib_want, "while a thread blocks: %ld, want %ld", res[i],
          g_fib_want);
  CHECK(write(fds[1], "x", 1) == 1, "write");
  pthread_join(bt, NULL);
  CHECK(b.byte == 'x' && b.result == g_fib_want + fib_serial(10),
        "the blocked thread: %ld", b.result);
  close(fds[0]);
  close(fds[1]);
}

/* ---- 3. threads that exit ------------------------------------------------ */

static _Atomic long g_leftover_ran;

static void leftover(void *p) {
  (void)p;
  atomic_fetch_add(&g_leftover_ran, 1);
}

static void *exit_after_wait(void *arg) {
  long *out = arg;
  *out = fib(12);
  return NULL;
}

/* Spawns into a frame that outlives the thread (a static one, one per
 * call) and exits without waiting: the C API allows it, the plugin never
 * writes it.  What is still queued at the exit runs in the exiting thread;
 * what thieves took runs where they took it. */
static ws_frame g_static_frames[8];
static int g_static_next;

static void *exit_without_wait(void *arg) {
  ws_frame *f = arg;
  for (int i = 0; i < 100; i++)
    ws_spawn(f, leftover, NULL, 0, WS_TIER_NORMAL, NULL);
  return NULL;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void exiting_threads(void) {
  for (int round = 0; round < 20; round++) {
    long r = 0;
    pthread_t t;
    pthread_create(&t, NULL, exit_after_wait, &r);
    pthread_join(t, NULL);
    CHECK(r == fib_serial(12), "round %d: %ld", round, r);
  }
  atomic_store(&g_leftover_ran, 0);
  pthread_t t;
  pthread_create(&t, NULL, exit_without_wait,
                 &g_static_frames[g_static_next++ % 8]);
  pthread_join(t, NULL);
  double deadline = now_s() + 20;
  while (atomic_load(&g_leftover_ran) < 100 && now_s() < deadline)
    usleep(100);
  CHECK(atomic_load(&g_leftover_ran) == 100,
        "tasks left by an exiting thread: %ld of 100 ran",
        atomic_load(&g_leftover_ran));
}

/* ---- 4. fork --------------------------------------------------------------*/

static void forked(int workers) {
  CHECK(fib(FIB_N) == g_fib_want, "before fork");
  fflush(NULL);
  pid_t pid = fork();
  CHECK(pid >= 0, "fork");
  if (pid == 0) {
    alarm(60);
    long v = fib(FIB_N); /* a fresh pool in the child */
    int ok = v == g_fib_want && ws_num_workers() == workers;
    ok = ok && ws_shutdown() == WS_OK;
    _exit(ok ? 0 : 1);
  }
  CHECK(fib(FIB_N) == g_fib_want, "parent after fork");
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
        "child at %d workers: status %d", workers, status);
}

static void with_workers(int workers, void (*scenario)(void),
                         const char *name) {
  char v[16];
  snprintf(v, sizeof v, "%d", workers);
  setenv("WS_NUM_WORKERS", v, 1); /* read when the scenario starts the pool */
  scenario();
  CHECK(ws_num_workers() == workers, "%s: %d workers, want %d", name,
        ws_num_workers(), workers);
  CHECK(ws_shutdown() == WS_OK, "%s at %d workers: shutdown", name, workers);
  fprintf(stderr, "%s at %d workers: done\n", name, workers);
}

static int g_fork_workers;
static void fork_scenario(void) { forked(g_fork_workers); }

int main(void) {
  alarm(ws_test_small() ? 300 : 120); /* a hang fails the test */
  g_fib_want = fib_serial(FIB_N);
  const int counts[] = {1, 2, 8};
  for (int i = 0; i < 3; i++) {
    with_workers(counts[i], five_threads, "five threads");
    with_workers(counts[i], blocked_in_read, "blocked in read");
    with_workers(counts[i], exiting_threads, "exiting threads");
  }
  const int fork_counts[] = {1, 2, 4};
  for (int i = 0; i < 3; i++) {
    g_fork_workers = fork_counts[i];
    with_workers(fork_counts[i], fork_scenario, "fork");
  }
  return ws_test_finish("test_app_threads");
}

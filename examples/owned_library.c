/* owned_library: one worker alone may call a library that is not
 * thread-safe (a legacy codec with a static scratch buffer here; a GPU
 * context, an interpreter or a GUI toolkit in real programs).  The worker
 * that holds the capability `lib` owns it: tasks that call the library say
 * `requires(lib)` and run only there, while every other task (the bulk of
 * the work) runs on any worker, in parallel with them.
 *   wscc -O2 owned_library.c -o owned_library
 *   WS_NUM_WORKERS=4 WS_CAPS="lib=3" WS_STATS=1 ./owned_library 400
 * Without WS_CAPS the program gives `lib` to worker 0, the main thread
 * (like a GUI thread): its library tasks run while main waits.  A requirement
 * that no worker meets (WS_CAPS="lib=9" with 4 workers) is refused at the
 * spawn with a `ws:` line; the program then calls the library itself.
 * The library notices calls from a second thread (it is meant to have one
 * owner): the program checks that there were none, and its digest against
 * a serial computation. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ws.h>

/* ---- The library: global state, no locks ---------------------------- */
static char lib_scratch[64]; /* like asctime's or strtok's buffer */
static long lib_calls;       /* a plain counter: racy if called by two */
static pthread_t lib_owner;
static int lib_has_owner, lib_foreign_calls;

static uint64_t lib_encode(uint64_t v) {
  if (!lib_has_owner) {
    lib_owner = pthread_self();
    lib_has_owner = 1;
  } else if (!pthread_equal(lib_owner, pthread_self())) {
    lib_foreign_calls++; /* a second thread: the library's contract broken */
  }
  lib_calls++;
  snprintf(lib_scratch, sizeof lib_scratch, "%016llx", (unsigned long long)v);
  uint64_t h = 1469598103934665603ull;
  for (const char *p = lib_scratch; *p; p++)
    h = (h ^ (unsigned char)*p) * 1099511628211ull;
  return h;
}
/* ---------------------------------------------------------------------- */

static uint64_t compute(int i) { /* the parallel part */
  uint64_t x = (uint64_t)i + 12345;
  for (int r = 0; r < 30000; r++)
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull + (uint64_t)r;
  return x;
}

#define MAXN 100000

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 400;
  if (n < 1 || n > MAXN) {
    fprintf(stderr, "usage: %s [items in 1..%d]\n", argv[0], MAXN);
    return 2;
  }
  /* Before the pool starts: WS_CAPS wins when set. */
  if (!getenv("WS_CAPS"))
    ws_caps_define("lib=0");
  static uint64_t value[MAXN], code[MAXN];
  for (int i = 0; i < n; i++) {
#pragma ws task shared(value)
    value[i] = compute(i);
  }
#pragma ws taskwait
  for (int i = 0; i < n; i++) {
    /* Encoded on the library's worker (v is the task's copy: the next
     * task overwrites value[i]); the other workers keep computing. */
    uint64_t v = value[i];
#pragma ws task requires(lib) shared(code)
    code[i] = lib_encode(v);
#pragma ws task shared(value)
    value[i] = compute(i + n);
  }
#pragma ws taskwait
  /* A spawn refused (no worker holds `lib`) did not run: encode here. */
  for (int i = 0; i < n; i++)
    if (!code[i])
      code[i] = lib_encode(compute(i));

  uint64_t digest = 0, want = 0;
  for (int i = 0; i < n; i++)
    digest = digest * 31 + code[i] + value[i];
  for (int i = 0; i < n; i++) {
    uint64_t v = compute(i), h = 1469598103934665603ull;
    char buf[64];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)v);
    for (const char *p = buf; *p; p++)
      h = (h ^ (unsigned char)*p) * 1099511628211ull;
    want = want * 31 + h + compute(i + n);
  }
  int ok = digest == want && lib_calls == n && lib_foreign_calls == 0;
  printf("%d items: %ld library calls, %d from a second thread, digest "
         "%016llx (%s)\n",
         n, lib_calls, lib_foreign_calls, (unsigned long long)digest,
         ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}

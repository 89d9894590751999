/* pipeline: a two-stage pipeline with an ordered sink, driven by polling
 * task handles (`#pragma ws task handle(h)`).  The main thread keeps at
 * most DEPTH chunks in flight: stage A of a chunk is a task; as soon as A
 * is done (its handle says so, without blocking) stage B of that chunk is
 * spawned; the sink consumes chunks strictly in order, each as soon as its B
 * is done.  When a round finds nothing to do, main waits for the one task
 * the sink needs next (ws_handle_wait: it runs other tasks meanwhile, or
 * that task itself) rather than for all of them.
 *   wscc -O2 pipeline.c -o pipeline && ./pipeline 200
 * Checks its digest against a serial computation.  Without the plugin the
 * directives are ignored: every statement has run by the time its handle
 * is read, and a handle never used for a spawn reads WS_HANDLE_NONE, which
 * `finished` counts as done -- the same program, serially. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ws.h>

#define DEPTH 8 /* chunks in flight */
#define MAXCHUNKS 4096

static uint64_t stage_a(int chunk) { /* e.g. decode: some work per chunk */
  uint64_t x = (uint64_t)chunk * 0x9e3779b97f4a7c15ull + 1;
  for (int r = 0; r < 20000 + chunk % 7 * 3000; r++)
    x = (x ^ (x >> 29)) * 0xbf58476d1ce4e5b9ull + (uint64_t)r;
  return x;
}

static uint64_t stage_b(uint64_t a) { /* e.g. compress */
  uint64_t x = a;
  for (int r = 0; r < 10000 + (int)(a % 5) * 4000; r++)
    x = (x ^ (x >> 31)) * 0x94d049bb133111ebull + 7;
  return x;
}

/* The sink folds the chunks in order: order matters for the digest. */
static uint64_t fold(uint64_t digest, uint64_t b) {
  return digest * 1000003u ^ b;
}

/* Done, cancelled, or never spawned (the serial elision). */
static int finished(const ws_handle *h) {
  int s = ws_handle_state(h);
  return s != WS_HANDLE_PENDING && s != WS_HANDLE_RUNNING;
}

/* Handles live as long as the frame they were spawned into (main's): one
 * per chunk and stage, never reused for a second spawn (ws.h, Handles). */
static ws_handle ha[MAXCHUNKS], hb[MAXCHUNKS];
static uint64_t mid[MAXCHUNKS], out[MAXCHUNKS];
static char b_started[MAXCHUNKS];

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 200;
  if (n < 1 || n > MAXCHUNKS) {
    fprintf(stderr, "usage: %s [chunks in 1..%d]\n", argv[0], MAXCHUNKS);
    return 2;
  }
  int started = 0, emitted = 0;
  uint64_t digest = 0;
  while (emitted < n) {
    int progress = 0;
    /* Feed: start stage A while the window has room. */
    for (; started < n && started - emitted < DEPTH; started++, progress++) {
      int i = started;
#pragma ws task handle(ha[i]) shared(mid)
      mid[i] = stage_a(i);
    }
    /* Stage B of each chunk whose A is done (polled, not waited for). */
    for (int i = emitted; i < started; i++)
      if (!b_started[i] && finished(&ha[i])) {
        b_started[i] = 1;
        progress++;
#pragma ws task handle(hb[i]) shared(out, mid)
        out[i] = stage_b(mid[i]);
      }
    /* The ordered sink. */
    while (emitted < started && b_started[emitted] && finished(&hb[emitted])) {
      digest = fold(digest, out[emitted]);
      emitted++;
      progress++;
    }
    /* Nothing moved: wait for the one task the sink needs next. */
    if (!progress)
      ws_handle_wait(b_started[emitted] ? &hb[emitted] : &ha[emitted]);
  }

  uint64_t want = 0;
  for (int i = 0; i < n; i++)
    want = fold(want, stage_b(stage_a(i)));
  printf("pipeline of %d chunks: digest %016llx (%s)\n", n,
         (unsigned long long)digest, digest == want ? "ok" : "WRONG");
  return digest == want ? 0 : 1;
}

/*
 * tree_search.c -- a UTS-like tree search (Olivier et al., "UTS: an
 * unbalanced tree search benchmark", 2006) as distributed ws tasks:
 * `#pragma ws task distributed shared(sub[i])`.  Each node's children come
 * from a hash of its state, so the tree is irregular and only known while it
 * is searched: the ranks balance it by stealing.
 *
 * Build and run (4 ranks of 1 worker on one machine; drop --oversubscribe
 * and add --hostfile hosts to spread the ranks over machines):
 *
 *   wscc --mpi -O2 tree_search.c -o tree_search
 *   WS_NUM_WORKERS=1 WS_STATS=1 mpirun --oversubscribe -n 4 ./tree_search 13
 *
 * (as root: mpirun --allow-run-as-root ...).  `./tree_search 13` alone is a
 * one-rank run with the same result; built with plain `wscc` the tasks are
 * ordinary ones, and without the plugin (cc) the program is serial.  The
 * argument is the tree's depth limit (default 13: about 14 million nodes).
 * The C API form of the same task (libws-mpi by hand): docs/distributed.md.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* A node travels by value: no pointers inside. */
typedef struct node {
  uint64_t state;
  int depth, max_depth;
} node;

static uint64_t mix(uint64_t x) {
  for (int r = 0; r < 16; r++) { /* some work per node, like UTS's SHA-1 */
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
  }
  return x;
}

static int children(const node *n) {
  return n->depth >= n->max_depth ? 0 : (int)(n->state % 9); /* mean 4 */
}

static node child(const node *n, int i) {
  node c = {mix(n->state * 31 + (uint64_t)i + 1), n->depth + 1, n->max_depth};
  return c;
}

static uint64_t search_serial(node n) {
  uint64_t count = 1;
  for (int i = 0, k = children(&n); i < k; i++)
    count += search_serial(child(&n, i));
  return count;
}

/* Nodes this far from the leaves are searched serially: a distributed task
 * should be worth a message (tens of microseconds at least). */
#define SERIAL_HEIGHT 7

static uint64_t search(node n) {
  if (n.max_depth - n.depth <= SERIAL_HEIGHT)
    return search_serial(n);
  uint64_t count = 1, sub[8];
  int k = children(&n);
  for (int i = 0; i < k; i++) {
    node c = child(&n, i); /* travels by value: no pointers inside */
#pragma ws task distributed shared(sub[i])
    sub[i] = search(c);
  }
#pragma ws taskwait
  /* sub[] holds the results, wherever the tasks ran */
  for (int i = 0; i < k; i++)
    count += sub[i];
  return count;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) { /* rank 0; the others serve */
  node root = {0x5eedull, 0, argc > 1 ? atoi(argv[1]) : 13};
  double t0 = now();
  uint64_t count = search(root);
  double t1 = now();
  printf("tree of depth %d: %llu nodes, %.3f s\n", root.max_depth,
         (unsigned long long)count, t1 - t0);
  if (getenv("TREE_CHECK")) { /* the serial count, for the tests */
    uint64_t want = search_serial(root);
    printf("serial: %llu nodes: %s\n", (unsigned long long)want,
           want == count ? "ok" : "WRONG");
    return want == count ? 0 : 1;
  }
  return 0;
}

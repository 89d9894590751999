/*
 * dist_serial.h -- the serial parts of the distributed kernels that the
 * libws-mpi tests (test/mpi/dist_kernels.c) and the distributed bench
 * (bench/mpi/dist.c) share: a UTS-like tree, fib and nqueens, each with its
 * serial reference.  Everything here travels by value (no pointers inside).
 * All static inline: a program may use any part of it.
 *
 * DIST_MIX_ROUNDS (default 16) is the work per tree node: that many rounds
 * of splitmix64's finaliser, as UTS's SHA-1 step.  It also shapes the tree
 * (a node's children come from its hash), so a size means another tree
 * when it changes.
 *
 * DIST_SERIAL_EXTERN: only the prototypes of uts_serial, fib_serial and
 * nq_serial (the recursive serial kernels, where the time goes); a file
 * defining DIST_SERIAL_DEFINE holds their external definitions.  The bench
 * (bench/mpi) builds them once into an object linked first into both of
 * its programs, so that the hot code sits at the same addresses with and
 * without libws-mpi and their difference is the runtime's, not the code
 * layout's (which moved either build by +-5%).
 */
#ifndef WS_TEST_DIST_SERIAL_H
#define WS_TEST_DIST_SERIAL_H

#include <stdint.h>

#ifndef DIST_MIX_ROUNDS
#define DIST_MIX_ROUNDS 16
#endif

#if defined DIST_SERIAL_DEFINE
#define DIST_SERIAL_FN __attribute__((noinline))
#else
#define DIST_SERIAL_FN static inline
#endif

/* ---- UTS-like tree: node i's children come from a hash of its state ---- */

typedef struct node {
  uint64_t state;
  int depth;
  int max_depth;
} node;

static inline uint64_t mix(uint64_t x) {
  for (int r = 0; r < DIST_MIX_ROUNDS; r++) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    x ^= x >> 31;
  }
  return x;
}

static inline int children(const node *n) {
  if (n->depth >= n->max_depth)
    return 0;
  return (int)(n->state % 9); /* 0..8, mean 4 */
}

static inline node child(const node *n, int i) {
  node c = {mix(n->state * 31 + (uint64_t)i + 1), n->depth + 1, n->max_depth};
  return c;
}

#ifdef DIST_SERIAL_EXTERN
uint64_t uts_serial(node n);
#else
DIST_SERIAL_FN uint64_t uts_serial(node n) {
  uint64_t count = 1;
  int k = children(&n);
  for (int i = 0; i < k; i++)
    count += uts_serial(child(&n, i));
  return count;
}
#endif

/* ---- fib ---- */

#ifdef DIST_SERIAL_EXTERN
long fib_serial(int n);
#else
DIST_SERIAL_FN long fib_serial(int n) {
  return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}
#endif

/* ---- nqueens: the board is a fixed-size array ---- */

#define NQ_MAX 16
typedef struct board {
  int n, row;
  signed char col[NQ_MAX];
} board;

static inline int safe(const board *b, int c) {
  for (int r = 0; r < b->row; r++) {
    int d = b->col[r] - c;
    if (d == 0 || d == b->row - r || -d == b->row - r)
      return 0;
  }
  return 1;
}

#ifdef DIST_SERIAL_EXTERN
long nq_serial(board b);
#else
DIST_SERIAL_FN long nq_serial(board b) {
  if (b.row == b.n)
    return 1;
  long count = 0;
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
      count += nq_serial(nb);
    }
  return count;
}
#endif

#endif /* WS_TEST_DIST_SERIAL_H */

/*
 * nqueens.c -- counts the placements of N queens as distributed ws tasks
 * (`#pragma ws task distributed`).  The board travels by value, as a
 * fixed-size array in a struct; each count comes back as a result element
 * (shared(sub[c])).
 *
 * Build and run (2 ranks of 1 worker on one machine; --hostfile hosts for
 * several machines):
 *
 *   wscc --mpi -O2 nqueens.c -o nqueens
 *   WS_NUM_WORKERS=1 WS_STATS=1 mpirun --oversubscribe -n 2 ./nqueens 13
 *
 * (as root: mpirun --allow-run-as-root ...).  `./nqueens 13` alone is a
 * one-rank run.  It checks its count against the known values.
 */
#include <stdio.h>
#include <stdlib.h>

#define MAXN 16

typedef struct board {
  int n, row;
  signed char col[MAXN]; /* the queen of each placed row */
} board;

static int safe(const board *b, int c) {
  for (int r = 0; r < b->row; r++) {
    int d = b->col[r] - c;
    if (d == 0 || d == b->row - r || -d == b->row - r)
      return 0;
  }
  return 1;
}

static long serial(board b) {
  if (b.row == b.n)
    return 1;
  long count = 0;
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
      count += serial(nb);
    }
  return count;
}

#define DISTRIBUTED_ROWS 3 /* the first rows are tasks; below, serial */

static long solve(board b) {
  if (b.row >= DISTRIBUTED_ROWS || b.row == b.n)
    return serial(b);
  long sub[MAXN] = {0};
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
#pragma ws task distributed shared(sub[c])
      sub[c] = solve(nb);
    }
#pragma ws taskwait
  long count = 0;
  for (int c = 0; c < b.n; c++)
    count += sub[c];
  return count;
}

int main(int argc, char **argv) { /* rank 0; the others serve */
  static const long known[MAXN + 1] = {
      1,   1,   0,    0,     2,     10,     4,       40,      92,
      352, 724, 2680, 14200, 73712, 365596, 2279184, 14772512};
  int n = argc > 1 ? atoi(argv[1]) : 13;
  if (n < 1 || n > MAXN) {
    fprintf(stderr, "usage: %s [N in 1..%d]\n", argv[0], MAXN);
    return 2;
  }
  board b = {n, 0, {0}};
  long count = solve(b);
  printf("%d queens: %ld placements (%s)\n", n, count,
         count == known[n] ? "ok" : "WRONG");
  return count == known[n] ? 0 : 1;
}

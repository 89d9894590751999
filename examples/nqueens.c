/* nqueens: count the placements of N queens, one task per partial board.
 *   wscc -O2 nqueens.c -o nqueens && ./nqueens 11
 * Checks itself against a serial count. */
#include <stdio.h>
#include <stdlib.h>

#define MAX_N 16

/* Whether a queen at (row, col) is safe from the queens in rows 0..row-1. */
static int safe(const char *cols, int row, int col) {
  for (int r = 0; r < row; r++) {
    int c = cols[r];
    if (c == col || c - col == row - r || col - c == row - r)
      return 0;
  }
  return 1;
}

static long count_serial(char *cols, int n, int row) {
  if (row == n)
    return 1;
  long total = 0;
  for (int col = 0; col < n; col++)
    if (safe(cols, row, col)) {
      cols[row] = (char)col;
      total += count_serial(cols, n, row + 1);
    }
  return total;
}

static long count(const char *cols_in, int n, int row) {
  if (row == n)
    return 1;
  if (n - row <= 6) { /* small subtrees: serial */
    char cols[MAX_N];
    for (int r = 0; r < row; r++)
      cols[r] = cols_in[r];
    return count_serial(cols, n, row);
  }
  long found[MAX_N] = {0};
  for (int col = 0; col < n; col++) {
    if (!safe(cols_in, row, col))
      continue;
    /* Each task gets its own copy of the board (arrays are copied). */
    char cols[MAX_N];
    for (int r = 0; r < row; r++)
      cols[r] = cols_in[r];
    cols[row] = (char)col;
#pragma ws task shared(found)
    found[col] = count(cols, n, row + 1);
  }
#pragma ws taskwait
  long total = 0;
  for (int col = 0; col < n; col++)
    total += found[col];
  return total;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 11;
  if (n < 1 || n > MAX_N) {
    fprintf(stderr, "nqueens: N must be in 1..%d\n", MAX_N);
    return 2;
  }
  char cols[MAX_N] = {0};
  long got = count(cols, n, 0), want = count_serial(cols, n, 0);
  printf("nqueens(%d) = %ld [%s]\n", n, got, got == want ? "ok" : "WRONG");
  return got == want ? 0 : 1;
}

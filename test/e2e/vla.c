/* Variably modified types (issue 13, item 7): two- and three-dimensional
 * VLAs shared by tasks and parallel for loops, VLA parameters (pointers to
 * VLAs) copied into tasks and shared by loops, sizeof of a shared VLA in a
 * task, bounds that change after the declaration, a loop inside a task
 * sharing a VLA, and depend clauses on VLA elements.  Checked against the
 * serial elision. */
#include <stdio.h>

static double trace(int n, double a[n][n]) {
  double t = 0;
#pragma ws parallel for reduction(+ : t)
  for (int i = 0; i < n; i++)
    t += a[i][i];
  return t;
}

static void scale_rows(int n, int m, double a[n][m], double f) {
  for (int i = 0; i < n; i++) {
#pragma ws task
    for (int j = 0; j < m; j++) /* a: a copied pointer to a VLA */
      a[i][j] *= f + i;
  }
}

static long sizes(int n) {
  int k = n + 1;
  char grid[n][k][3];
  long s1 = 0, s2 = 0;
  n = 1; /* the VLA keeps the bounds it was declared with */
#pragma ws task shared(grid, s1, s2)
  {
    s1 = (long)sizeof grid;
    s2 = (long)(sizeof grid[0] + sizeof grid[0][0]);
    grid[0][0][0] = 1;
  }
#pragma ws taskwait
  return s1 * 1000 + s2 * 10 + grid[0][0][0];
}

static double matmul(int n) {
  double a[n][n], b[n][n], c[n][n];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      a[i][j] = i + 0.5 * j;
      b[i][j] = (i == j) ? 2.0 : 0.25;
    }
#pragma ws parallel for grainsize(2)
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      double s = 0;
      for (int k = 0; k < n; k++)
        s += a[i][k] * b[k][j];
      c[i][j] = s;
    }
  scale_rows(n, n, c, 0.5);
  return trace(n, c);
}

static long cube_in_task(int n) {
  long cube[n][n][n];
  long total = 0;
#pragma ws task shared(cube, total)
  {
#pragma ws parallel for
    for (int i = 0; i < n; i++)
      for (int j = 0; j < n; j++)
        for (int k = 0; k < n; k++)
          cube[i][j][k] = (long)i * 100 + j * 10 + k;
#pragma ws task shared(cube, total)
    for (int i = 0; i < n; i++)
      total += cube[i][i][i];
  }
#pragma ws taskwait
  return total + cube[n - 1][0][n - 1];
}

static long wavefront(int n) {
  long w[n][n];
  for (int i = 0; i < n; i++)
    w[i][0] = w[0][i] = 1;
  for (int i = 1; i < n; i++)
    for (int j = 1; j < n; j++) {
#pragma ws task shared(w) depend(in                                            \
                                 : w[i - 1][j], w[i][j - 1]) depend(out        \
                                                                    : w[i][j])
      w[i][j] = (w[i - 1][j] + w[i][j - 1]) % 1000003;
    }
#pragma ws taskwait
  return w[n - 1][n - 1];
}

int main(void) {
  printf("matmul %.3f\n", matmul(9));
  printf("sizes %ld\n", sizes(5));
  printf("cube_in_task %ld\n", cube_in_task(6));
  printf("wavefront %ld\n", wavefront(12));
  return 0;
}

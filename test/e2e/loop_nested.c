/* parallel for nested in parallel for, in tasks, with tasks in its body, and
 * its data-sharing clauses: shared by default (arrays, scalars written
 * through atomics, struct members), firstprivate/private/default(none),
 * static locals and globals, counters of sequential inner loops declared
 * before the loop (private), priority, name, if, __func__. */
#include <stdio.h>
#include <string.h>

#define R 64
#define C 48

static long grid[R][C];
static long global_scale = 3;

struct stats {
  long cells;
  long sum;
};

static long nested_loops(void) {
  long total = 0;
#pragma ws parallel for reduction(+ : total) grainsize(4)
  for (int r = 0; r < R; r++) {
    long row = 0;
#pragma ws parallel for reduction(+ : row) grainsize(8) priority(high)
    for (int c = 0; c < C; c++) {
      grid[r][c] = (long)r * C + c;
      row += grid[r][c] * global_scale;
    }
    total += row;
  }
  return total;
}

static long c89_counters(void) {
  int i, j;
  long a[R][C];
  long sum = 0;
#pragma ws parallel for
  for (i = 0; i < R; i++)
    for (j = 0; j < C; j++)
      a[i][j] = (long)i * j;
  for (i = 0; i < R; i++)
    for (j = 0; j < C; j++)
      sum += a[i][j];
  return sum + i;
}

static void in_task(long *out) {
  long part[4] = {0, 0, 0, 0};
  for (int t = 0; t < 4; t++) {
#pragma ws task shared(part)
    {
      long s = 0;
#pragma ws parallel for reduction(+ : s) name("inner")
      for (int k = t * 1000; k < (t + 1) * 1000; k++)
        s += k % 13;
      part[t] = s;
    }
  }
#pragma ws taskwait
  *out = part[0] + part[1] + part[2] + part[3];
}

static long task_in_body(void) {
  long cells[16];
#pragma ws parallel for
  for (int k = 0; k < 16; k++) {
    long v = 0;
#pragma ws task shared(v)
    v = (long)k * k;
#pragma ws taskwait
    cells[k] = v + 1;
  }
  long s = 0;
  for (int k = 0; k < 16; k++)
    s += cells[k];
  return s;
}

static void clauses(int n) {
  struct stats st = {0, 0};
  int counter = 0;
  int offset = 10, scratch = -1;
  static int hits[100];
  const char *name = 0;
  long out[100];
#pragma ws parallel for shared(st, counter)                                    \
    firstprivate(offset) private(scratch) if (n > 0)
  for (int k = 0; k < n; k++) {
    scratch = k * 2;
    __atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&st.cells, 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&st.sum, scratch, __ATOMIC_RELAXED);
    hits[k] += 1;
    out[k] = k + offset;
    if (k == 0)
      name = __func__;
  }
  long chk = 0;
  for (int k = 0; k < n; k++)
    chk += out[k] * hits[k];
  printf("clauses: counter=%d cells=%ld sum=%ld chk=%ld in %s\n", counter,
         st.cells, st.sum, chk, name ? name : "-");

  long acc = 0;
  int scale = 2;
#pragma ws parallel for default(none) shared(out) firstprivate(scale) \
    reduction(+: acc) schedule(static)
  for (int k = 0; k < 100; k++)
    acc += out[k % 50] * scale;
  printf("default(none): %ld\n", acc);
}

int main(void) {
  printf("nested: %ld\n", nested_loops());
  printf("grid corner: %ld %ld\n", grid[R - 1][C - 1], grid[3][5]);
  printf("c89 counters: %ld\n", c89_counters());
  long t = 0;
  in_task(&t);
  printf("in task: %ld\n", t);
  printf("task in body: %ld\n", task_in_body());
  clauses(100);
  return 0;
}

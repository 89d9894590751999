/* depend: chains of out/inout tasks and fans of in tasks over array
 * elements and sections, mutexinoutset, taskwait depend, an if(false) task
 * with depend, tasks created by every thread; and taskloop: grainsize,
 * num_tasks, nogroup, firstprivate and lastprivate, inside and outside a
 * region. */
#include <unistd.h>

#include "omp_test.h"

#define N 64

int main(void) {
  /* A wavefront: cell (i, j) after (i-1, j) and (i, j-1). */
  static long grid[N][N];
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < N; i++)
    for (int j = 0; j < N; j++) {
#pragma omp task depend(in                                                     \
                        : grid[i > 0 ? i - 1 : 0][j],                          \
                          grid[i][j > 0 ? j - 1 : 0]) depend(out               \
                                                             : grid[i][j])     \
    firstprivate(i, j)
      {
        long up = i > 0 ? grid[i - 1][j] : 0;
        long left = j > 0 ? grid[i][j - 1] : 0;
        grid[i][j] = (up + left + 1) % 1000003;
      }
    }
  printf("wavefront: %ld\n", grid[N - 1][N - 1]);

  /* A writer, readers, then a writer that must see every reader done. */
  int x = 0, seen[8], after = -1;
#pragma omp parallel
#pragma omp single
  {
#pragma omp task depend(out : x) shared(x)
    {
      usleep(1000);
      x = 5;
    }
    for (int k = 0; k < 8; k++) {
#pragma omp task depend(in : x) shared(x, seen) firstprivate(k)
      {
        usleep(200);
        seen[k] = x;
      }
    }
#pragma omp task depend(inout : x) shared(x, seen, after)
    {
      int sum = 0;
      for (int k = 0; k < 8; k++)
        sum += seen[k];
      after = sum;
      x = 6;
    }
#pragma omp taskwait depend(in : x)
    /* Only the tasks on x were waited for; x is final here. */
    after += x * 1000;
  }
  printf("readers saw %d\n", after);

  /* mutexinoutset: exclusive, in any order. */
  long acc = 0;
#pragma omp parallel
#pragma omp single
  {
    for (int k = 1; k <= 50; k++) {
#pragma omp task depend(mutexinoutset : acc) shared(acc) firstprivate(k)
      acc = acc + k;
    }
#pragma omp taskwait
  }
  printf("mutexinoutset: %ld\n", acc);

  /* if(false) with depend: waits for its predecessor, runs at once. */
  int y = 0, z = -1;
#pragma omp parallel
#pragma omp single
  {
#pragma omp task depend(out : y) shared(y)
    {
      usleep(1000);
      y = 7;
    }
#pragma omp task depend(in : y) if (0) shared(y, z)
    z = y;
    z += 1;
  }
  printf("if(false) after its predecessor: %d\n", z);

  /* Every thread builds its own chain (dependences among its siblings). */
  long chains[64] = {0};
  int nt = 1;
#pragma omp parallel
  {
    int id = omp_get_thread_num();
    long v = 0;
    for (int k = 0; k < 30; k++) {
#pragma omp task depend(inout : v) shared(v) firstprivate(k)
      v = v * 3 + k;
    }
#pragma omp taskwait
    chains[id] = v;
#pragma omp single
    nt = omp_get_num_threads();
  }
  int chains_ok = 1;
  for (int i = 1; i < nt; i++)
    chains_ok &= chains[i] == chains[0];
  CHECK("a chain per thread", chains_ok);
  printf("chain: %ld\n", chains[0]);

  /* taskloop. */
  static int hit[1000];
  long total = 0;
#pragma omp parallel
#pragma omp single
  {
#pragma omp taskloop grainsize(7)
    for (int i = 0; i < 1000; i++)
      hit[i]++;
#pragma omp taskloop num_tasks(13)
    for (int i = 0; i < 1000; i++)
      hit[i]++;
#pragma omp taskgroup
    {
#pragma omp taskloop nogroup
      for (int i = 0; i < 1000; i++)
        hit[i]++;
    }
  }
  for (int i = 0; i < 1000; i++)
    total += hit[i];
  printf("taskloop: %ld\n", total);

  int base = 10, lastv = -1;
#pragma omp parallel
#pragma omp single
#pragma omp taskloop firstprivate(base) lastprivate(lastv) grainsize(4)
  for (int i = 0; i < 100; i++)
    lastv = base + i;
  printf("taskloop lastprivate: %d\n", lastv);

  long outside = 0;
#pragma omp taskloop shared(outside)
  for (int i = 0; i < 10; i++) {
#pragma omp atomic
    outside += i;
  }
  printf("taskloop outside a region: %ld\n", outside);
  return failures != 0;
}

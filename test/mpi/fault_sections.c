/*
 * fault_sections.c -- `firstprivate(a[lo:len])` sections of a distributed
 * task when memory runs out (issue 15).  The spawn copies the sections into
 * a buffer from the heap; when that allocation fails, the task must still
 * give the right result (it runs at once in the spawner, on the arrays
 * themselves), never abort.  run_mpi.sh (mode faults) runs this program
 * under test/faults/faultshim.so with allocations failing from the N-th on
 * (or every K-th), armed around the kernel only, and compares its output
 * with the serial elision's.
 *
 * The kernel: a weighted n-queens whose distributed tasks take the column
 * weights as a section, and a prefix sum over sections of a table, with
 * results as scalars and array elements.
 */
#include "dist_serial.h" /* board, safe */

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

#define NQ 9

static long weigh(const board *b, const int *w) {
  long s = 0;
  for (int r = 0; r < b->n; r++)
    s += (long)w[r] * (b->col[r] + 1);
  return s;
}

/* The sum over all solutions of their weights. */
static long queens(board b, const int *w) {
  if (b.row == b.n)
    return weigh(&b, w);
  long sub[NQ] = {0}, total = 0;
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
      if (nb.row <= 3) {
#pragma ws task distributed shared(sub[c]) firstprivate(w [0:b.n])
        sub[c] = queens(nb, w);
      } else {
        sub[c] = queens(nb, w);
      }
    }
#pragma ws taskwait
  for (int c = 0; c < b.n; c++)
    total += sub[c];
  return total;
}

/* Sums of 16 slices of a table, each a task with its slice as a section
 * (written to by the task: its copy, or the table itself when it runs in
 * place, which the sums below do not read again). */
static void slices(int *t, int n, long *sums, long *all) {
  int k = n / 16;
  for (int s = 0; s < 16; s++) {
    int lo = s * k;
#pragma ws task distributed firstprivate(t [lo:k]) shared(sums[s])
    {
      long x = 0;
      for (int i = lo; i < lo + k; i++)
        x += t[i];
      t[lo] = -1;
      sums[s] = x;
    }
  }
  long a = 0;
#pragma ws task distributed shared(a) firstprivate(t [0:8])
  for (int i = 0; i < 8; i++)
    a += t[i] > 0 ? t[i] : 0;
#pragma ws taskwait
  *all = a;
}

static void call(const char *name) {
  void (*f)(void) = (void (*)(void))dlsym(RTLD_DEFAULT, name);
  if (f)
    f();
}

int main(void) {
  int w[NQ], *t = malloc(4096 * sizeof *t);
  if (!t)
    return 2;
  for (int i = 0; i < NQ; i++)
    w[i] = 3 * i + 1;
  for (int i = 0; i < 4096; i++)
    t[i] = i % 97;
  long sums[16] = {0}, all = 0;
  board b = {NQ, 0, {0}};
  int warm = 0; /* the pool starts before the faults */
#pragma ws task shared(warm)
  warm = 1;
#pragma ws taskwait
  if (!warm)
    return 2;
  call("ws_fault_arm"); /* with the shim: allocations fail from now on */
  long q = queens(b, w);
  slices(t, 4096, sums, &all);
  call("ws_fault_disarm");
  long s = 0;
  for (int i = 0; i < 16; i++)
    s = s * 31 + sums[i];
  printf("queens %ld slices %ld first %ld\n", q, s, all);
  free(t);
  return 0;
}

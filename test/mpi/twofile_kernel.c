/*
 * twofile_kernel.c -- a distributed kernel in a file without main (issue
 * 15): main is in twofile_main.c, compiled without the plugin and calling
 * nothing of ws.  Linked by `wscc --mpi`, the program still joins the job
 * before main (libws-mpi's __wrap_main): rank 0 runs main once, the other
 * ranks serve (run_mpi.sh, mode plugin, checks the output against the serial
 * elision and that every rank ran tasks).
 */
#include "twofile.h"

long tf_fib(int n) {
  if (n < 18)
    return n < 2 ? n : tf_fib(n - 1) + tf_fib(n - 2);
  long x = 0, y = 0;
#pragma ws task distributed shared(x)
  x = tf_fib(n - 1);
#pragma ws task distributed shared(y)
  y = tf_fib(n - 2);
#pragma ws taskwait
  return x + y;
}

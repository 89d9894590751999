/*
 * twofile_main.c -- main of the two-file program (twofile_kernel.c has the
 * distributed tasks).  Plain C: no ws header, no ws_mpi_init.  Its lines are
 * printed once whatever the number of ranks.
 */
#include "twofile.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 25;
  printf("two files: main runs once\n");
  printf("fib(%d) = %ld\n", n, tf_fib(n));
  return 0;
}

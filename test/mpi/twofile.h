/* twofile.h -- the two-file program's interface (twofile_kernel.c,
 * twofile_main.c). */
#ifndef WS_TEST_TWOFILE_H
#define WS_TEST_TWOFILE_H
long tf_fib(int n);
#endif

/* parallel for over every canonical loop form: integer types of every width
 * and signedness, pointers, < <= > >= !=, ++ -- += -= and `i = i +- s`,
 * decreasing loops, steps > 1, empty and single-iteration loops, bounds near
 * the type limits, and loops the plugin must run serially (their trip count
 * cannot be computed exactly).  Every loop reports the number of iterations,
 * an order-independent digest of the values it saw and, when the variable
 * is declared before the loop, its value after the loop: all must match the
 * serial build. */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

static unsigned long long hash(long long v) {
  unsigned long long x = (unsigned long long)v * 0x9E3779B97F4A7C15ull;
  return x ^ (x >> 29);
}

static void report(const char *what, long long n, unsigned long long h) {
  printf("%-28s n=%lld h=%016llx\n", what, n, h);
}

static char text[1000];

int main(void) {
  long long n;
  unsigned long long h;
  volatile int zero = 0; /* keeps bounds opaque to the compiler */

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (int i = 0; i < 1000; i++)
    n++, h ^= hash(i);
  report("int <", n, h);

  n = 0, h = 0;
  int i;
#pragma ws parallel for reduction(+ : n) reduction(^ : h) grainsize(7)
  for (i = 3; i <= 999; i += 3)
    n++, h ^= hash(i);
  report("int <= +=3", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h) num_tasks(5)
  for (i = 1000; i > zero; i--)
    n++, h ^= hash(i);
  report("int > --", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h) schedule(static)
  for (i = 500; i >= -500; i -= 7)
    n++, h ^= hash(i);
  report("int >= -=7", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h) schedule(dynamic)
  for (i = -90; i != 90; i = i + 5)
    n++, h ^= hash(i);
  report("int != i=i+5", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (i = 90; 0 < i; i = i - 4)
    n++, h ^= hash(i);
  report("int reversed, i=i-4", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
  unsigned u;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (u = 100; u > 0; u--)
    n++, h ^= hash(u);
  report("unsigned > --", n, h);
  printf("  exit u=%u\n", u);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (u = UINT_MAX - 21; u < UINT_MAX; u += 3)
    n++, h ^= hash(u);
  report("unsigned near UINT_MAX", n, h);
  printf("  exit u=%u\n", u);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (u = UINT_MAX; u >= 1; u -= 65537)
    n++, h ^= hash(u);
  report("unsigned full range", n, h);
  printf("  exit u=%u\n", u);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (int k = INT_MAX - 10; k < INT_MAX; k++)
    n++, h ^= hash(k);
  report("int near INT_MAX", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (int k = INT_MIN; k <= INT_MIN + 10; k++)
    n++, h ^= hash(k);
  report("int near INT_MIN", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (int k = INT_MAX - 5; k < INT_MAX; k += 5)
    n++, h ^= hash(k);
  report("int INT_MAX step 5", n, h);

  n = 0, h = 0;
  char c;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (c = 'a'; c <= 'z'; c++)
    n++, h ^= hash(c);
  report("char", n, h);
  printf("  exit c=%d\n", c);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (signed char sc = 127; sc > -128; sc--)
    n++, h ^= hash(sc);
  report("signed char full", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (unsigned char uc = 0; uc < 255; uc++)
    n++, h ^= hash(uc);
  report("unsigned char", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (short s = -300; s < 300; s += 7)
    n++, h ^= hash(s);
  report("short", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (unsigned short us = 65535; us > 0; us -= 4369)
    n++, h ^= hash(us);
  report("unsigned short", n, h);

  n = 0, h = 0;
  long l;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (l = LONG_MIN; l < LONG_MAX - LONG_MAX / 8; l += LONG_MAX / 8)
    n++, h ^= hash(l);
  report("long huge steps", n, h);
  printf("  exit l=%ld\n", l);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (long long ll = LLONG_MAX; ll > LLONG_MAX - 1000; ll--)
    n++, h ^= hash(ll);
  report("long long near LLONG_MAX", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (long long ll = LLONG_MIN + 3; ll > LLONG_MIN; ll--)
    n++, h ^= hash(ll);
  report("long long to LLONG_MIN", n, h);

  n = 0, h = 0;
  size_t z;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (z = 10; z != 0; z -= 2)
    n++, h ^= hash((long long)z);
  report("size_t != -=2", n, h);
  printf("  exit z=%zu\n", z);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (size_t k = SIZE_MAX - 100; k < SIZE_MAX; k++)
    n++, h ^= hash((long long)k);
  report("size_t near SIZE_MAX", n, h);

  n = 0, h = 0;
  size_t len = 77;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (int k = 0; k < len; k++) /* compares as size_t */
    n++, h ^= hash(k);
#pragma GCC diagnostic pop
  report("int against size_t", n, h);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (uint64_t k = UINT64_MAX; k > UINT64_MAX - 50; k -= 7)
    n++, h ^= hash((long long)k);
  report("uint64 near UINT64_MAX", n, h);

  /* Pointers. */
  for (int k = 0; k < 1000; k++)
    text[k] = (char)(k % 61);
  n = 0, h = 0;
  char *p;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (p = text; p != text + 1000; p++)
    n++, h ^= hash(*p + 1000 * (p - text));
  report("char * !=", n, h);
  printf("  exit p=text+%td\n", p - text);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (p = text + 999; p >= text + 1; p -= 3)
    n++, h ^= hash(*p + 1000 * (p - text));
  report("char * >= -=3", n, h);
  printf("  exit p=text+%td\n", p - text);

  n = 0, h = 0;
  const char *end = text + 500;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (const char *q = text; end > q; q += 2)
    n++, h ^= hash(*q);
  report("const char * reversed", n, h);

  /* Empty and single-iteration loops. */
  n = 0, h = 0;
  i = 42;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (i = 5; i < 5; i++)
    n++, h ^= hash(i);
  report("empty", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (i = 5; i <= 5; i++)
    n++, h ^= hash(i);
  report("single", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (i = 5; i > 6; i--)
    n++, h ^= hash(i);
  report("empty decreasing", n, h);
  printf("  exit i=%d\n", i);

  /* Loops that cannot be counted exactly run serially, as written. */
  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (i = -5; i != 3u; i++)
    n++, h ^= hash(i);
  report("negative int != unsigned", n, h);
  printf("  exit i=%d\n", i);

  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (u = 5; u != 3; u += 0xFFFFFFFFu)
    n++, h ^= hash(u);
  report("unsigned wrapping step", n, h);
  printf("  exit u=%u\n", u);

  n = 0, h = 0;
  int step = zero; /* zero step, loop does not run since the test fails */
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (i = 10; i < 5; i += step)
    n++, h ^= hash(i);
  report("zero step, no trip", n, h);

  /* continue in the body, and the loop variable used after an if. */
  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h)
  for (int k = 0; k < 300; k++) {
    if (k % 3 == 0)
      continue;
    n++, h ^= hash(k);
  }
  report("continue", n, h);

  /* if(false) runs serially in place; the result is the same. */
  n = 0, h = 0;
#pragma ws parallel for reduction(+ : n) reduction(^ : h) if (zero)
  for (i = 0; i < 100; i++)
    n++, h ^= hash(i);
  report("if(0)", n, h);
  printf("  exit i=%d\n", i);
  return 0;
}

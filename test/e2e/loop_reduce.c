/* Every reduction operator (+ * - & | ^ && || min max) on integer and
 * floating types, several reductions in one loop, against the serial build;
 * and bit-identical floating-point sums at any worker count for a fixed
 * grain (docs/parallel-for.md section 2): the ws build must produce exactly
 * the fixed-tree sum, the serial build the left-to-right sum, and the program
 * prints only whether the result is one of those two. */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define N 300
static void reduce_int(void) {
  int s = 5, p = 3, d = 100, an = (int)~(int)2, o = 0x10, x = 3, la = 1, lo = 0;
  int mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    int v = (int)(k % 23);
    s += v;
    p *= (int)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (int)~(int)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (int)(1 << (k % 6));
    x ^= (int)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (int)(v + 1) : mn;
    mx = v + 9 > mx ? (int)(v + 9) : mx;
  }
  printf("int                  + %d * %d - %d & %d | %d ^ %d && %d || %d min "
         "%d max %d\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_unsigned(void) {
  unsigned s = 5, p = 3, d = 100, an = (unsigned)~(unsigned)2, o = 0x10, x = 3,
           la = 1, lo = 0;
  unsigned mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    unsigned v = (unsigned)(k % 23);
    s += v;
    p *= (unsigned)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (unsigned)~(unsigned)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (unsigned)(1 << (k % 6));
    x ^= (unsigned)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (unsigned)(v + 1) : mn;
    mx = v + 9 > mx ? (unsigned)(v + 9) : mx;
  }
  printf("unsigned             + %u * %u - %u & %u | %u ^ %u && %u || %u min "
         "%u max %u\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_long_long(void) {
  long long s = 5, p = 3, d = 100, an = (long long)~(long long)2, o = 0x10,
            x = 3, la = 1, lo = 0;
  long long mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    long long v = (long long)(k % 23);
    s += v;
    p *= (long long)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (long long)~(long long)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (long long)(1 << (k % 6));
    x ^= (long long)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (long long)(v + 1) : mn;
    mx = v + 9 > mx ? (long long)(v + 9) : mx;
  }
  printf("long long            + %lld * %lld - %lld & %lld | %lld ^ %lld && "
         "%lld || %lld min %lld max %lld\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_unsigned_long_long(void) {
  unsigned long long s = 5, p = 3, d = 100,
                     an = (unsigned long long)~(unsigned long long)2, o = 0x10,
                     x = 3, la = 1, lo = 0;
  unsigned long long mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    unsigned long long v = (unsigned long long)(k % 23);
    s += v;
    p *= (unsigned long long)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (unsigned long long)~(unsigned long long)(k % 61 == 0 ? 1 << (k % 5)
                                                                : 0);
    o |= (unsigned long long)(1 << (k % 6));
    x ^= (unsigned long long)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (unsigned long long)(v + 1) : mn;
    mx = v + 9 > mx ? (unsigned long long)(v + 9) : mx;
  }
  printf("unsigned long long   + %llu * %llu - %llu & %llu | %llu ^ %llu && "
         "%llu || %llu min %llu max %llu\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_short(void) {
  short s = 5, p = 3, d = 100, an = (short)~(short)2, o = 0x10, x = 3, la = 1,
        lo = 0;
  short mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    short v = (short)(k % 23);
    s += v;
    p *= (short)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (short)~(short)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (short)(1 << (k % 6));
    x ^= (short)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (short)(v + 1) : mn;
    mx = v + 9 > mx ? (short)(v + 9) : mx;
  }
  printf("short                + %d * %d - %d & %d | %d ^ %d && %d || %d min "
         "%d max %d\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_signed_char(void) {
  signed char s = 5, p = 3, d = 100, an = (signed char)~(signed char)2,
              o = 0x10, x = 3, la = 1, lo = 0;
  signed char mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    signed char v = (signed char)(k % 23);
    s += v;
    p *= (signed char)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (signed char)~(signed char)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (signed char)(1 << (k % 6));
    x ^= (signed char)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (signed char)(v + 1) : mn;
    mx = v + 9 > mx ? (signed char)(v + 9) : mx;
  }
  printf("signed char          + %d * %d - %d & %d | %d ^ %d && %d || %d min "
         "%d max %d\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_unsigned_char(void) {
  unsigned char s = 5, p = 3, d = 100, an = (unsigned char)~(unsigned char)2,
                o = 0x10, x = 3, la = 1, lo = 0;
  unsigned char mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    unsigned char v = (unsigned char)(k % 23);
    s += v;
    p *= (unsigned char)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (unsigned char)~(unsigned char)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (unsigned char)(1 << (k % 6));
    x ^= (unsigned char)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (unsigned char)(v + 1) : mn;
    mx = v + 9 > mx ? (unsigned char)(v + 9) : mx;
  }
  printf("unsigned char        + %u * %u - %u & %u | %u ^ %u && %u || %u min "
         "%u max %u\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_long(void) {
  long s = 5, p = 3, d = 100, an = (long)~(long)2, o = 0x10, x = 3, la = 1,
       lo = 0;
  long mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    long v = (long)(k % 23);
    s += v;
    p *= (long)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (long)~(long)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (long)(1 << (k % 6));
    x ^= (long)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (long)(v + 1) : mn;
    mx = v + 9 > mx ? (long)(v + 9) : mx;
  }
  printf("long                 + %ld * %ld - %ld & %ld | %ld ^ %ld && %ld || "
         "%ld min %ld max %ld\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_size_t(void) {
  size_t s = 5, p = 3, d = 100, an = (size_t) ~(size_t)2, o = 0x10, x = 3,
         la = 1, lo = 0;
  size_t mn = 50, mx = 7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&: an) reduction(|: o) reduction(^: x) reduction(&&: la) \
    reduction(||: lo) reduction(min: mn) reduction(max: mx) grainsize(16)
  for (int k = 0; k < N; k++) {
    size_t v = (size_t)(k % 23);
    s += v;
    p *= (size_t)(k % 97 == 0 ? 2 : 1);
    d -= v;
    an &= (size_t) ~(size_t)(k % 61 == 0 ? 1 << (k % 5) : 0);
    o |= (size_t)(1 << (k % 6));
    x ^= (size_t)(k * 7);
    la = la && k != 299;
    lo = lo || v == 21;
    mn = v + 1 < mn ? (size_t)(v + 1) : mn;
    mx = v + 9 > mx ? (size_t)(v + 9) : mx;
  }
  printf("size_t               + %zu * %zu - %zu & %zu | %zu ^ %zu && %zu || "
         "%zu min %zu max %zu\n",
         s, p, d, an, o, x, la, lo, mn, mx);
}

static void reduce_float(void) {
  float s = 5, p = 3, d = 100, la = 1, lo = 0, mn = 50, mx = -7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&&: la) reduction(||: lo) reduction(min: mn) reduction(max: mx)
  for (int k = 0; k < N; k++) {
    float v = (float)(k % 23) - 4;
    s += v;
    p *= k % 97 == 0 ? 2 : 1;
    d -= v;
    la = la && v != 100;
    lo = lo || v == 17;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
  }
  printf("float                + %g * %g - %g && %g || %g min %g max %g\n", s,
         p, d, la, lo, mn, mx);
}

static void reduce_double(void) {
  double s = 5, p = 3, d = 100, la = 1, lo = 0, mn = 50, mx = -7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&&: la) reduction(||: lo) reduction(min: mn) reduction(max: mx)
  for (int k = 0; k < N; k++) {
    double v = (double)(k % 23) - 4;
    s += v;
    p *= k % 97 == 0 ? 2 : 1;
    d -= v;
    la = la && v != 100;
    lo = lo || v == 17;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
  }
  printf("double               + %g * %g - %g && %g || %g min %g max %g\n", s,
         p, d, la, lo, mn, mx);
}

static void reduce_long_double(void) {
  long double s = 5, p = 3, d = 100, la = 1, lo = 0, mn = 50, mx = -7;
#pragma ws parallel for reduction(+: s) reduction(*: p) reduction(-: d) \
    reduction(&&: la) reduction(||: lo) reduction(min: mn) reduction(max: mx)
  for (int k = 0; k < N; k++) {
    long double v = (long double)(k % 23) - 4;
    s += v;
    p *= k % 97 == 0 ? 2 : 1;
    d -= v;
    la = la && v != 100;
    lo = lo || v == 17;
    mn = v < mn ? v : mn;
    mx = v > mx ? v : mx;
  }
  printf(
      "long double          + %Lg * %Lg - %Lg && %Lg || %Lg min %Lg max %Lg\n",
      s, p, d, la, lo, mn, mx);
}

/* Reductions into an empty loop leave the variables alone. */
static void reduce_empty(int n) {
  double s = 1.5, mn = -2.0;
  int m = 3;
#pragma ws parallel for reduction(+ : s) reduction(min : mn) reduction(* : m)
  for (int k = 0; k < n; k++) {
    s += k;
    mn = k < mn ? k : mn;
    m *= k;
  }
  printf("empty: %g %g %d\n", s, mn, m);
}

/* The fixed tree of docs/parallel-for.md: leaves of nearly equal size,
 * combined left (lower range) OP right, halving at m = f + (e - f) / 2. */
static double term(long k) { return 1.0 / (double)(k + 1) * (k % 2 ? -1 : 1); }

static double leaf(long trips, long leaves, long f) {
  long base = trips / leaves, extra = trips % leaves;
  long lo = f * base + (f < extra ? f : extra);
  long hi = (f + 1) * base + (f + 1 < extra ? f + 1 : extra);
  double s = 0.0;
  for (long k = lo; k < hi; k++)
    s += term(k);
  return s;
}

static double tree(long trips, long leaves, long f, long e) {
  if (e - f == 1)
    return leaf(trips, leaves, f);
  long m = f + (e - f) / 2;
  double a = tree(trips, leaves, f, m);
  return a + tree(trips, leaves, m, e);
}

static void check(const char *what, double got, double serial, double fixed) {
  printf("%s: %s; the fixed tree %s the serial sum\n", what,
         memcmp(&got, &serial, sizeof got) == 0 ||
                 memcmp(&got, &fixed, sizeof got) == 0
             ? "bit-identical"
             : "WRONG",
         memcmp(&serial, &fixed, sizeof got) == 0 ? "equals" : "differs from");
}

static void deterministic(void) {
  const long n = 100000;
  double serial = 0.25;
  for (long k = 0; k < n; k++)
    serial += term(k);

  double s = 0.25;
#pragma ws parallel for reduction(+ : s) grainsize(1000)
  for (long k = 0; k < n; k++)
    s += term(k);
  check("grainsize(1000)", s, serial, 0.25 + tree(n, n / 1000, 0, n / 1000));

  s = 0.25;
#pragma ws parallel for reduction(+ : s) num_tasks(7) schedule(static)
  for (long k = 0; k < n; k++)
    s += term(k);
  check("num_tasks(7) static", s, serial, 0.25 + tree(n, 7, 0, 7));

  s = 0.25;
#pragma ws parallel for reduction(+ : s)
  for (long k = 0; k < n; k++)
    s += term(k);
  check("default grain", s, serial, 0.25 + tree(n, 256, 0, 256));
}

int main(void) {
  reduce_int();
  reduce_unsigned();
  reduce_long_long();
  reduce_unsigned_long_long();
  reduce_short();
  reduce_signed_char();
  reduce_unsigned_char();
  reduce_long();
  reduce_size_t();
  reduce_float();
  reduce_double();
  reduce_long_double();
  reduce_empty(0);
  deterministic();
  return 0;
}

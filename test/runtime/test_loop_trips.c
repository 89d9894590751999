/*
 * test_loop_trips.c -- the trip-count recipe of docs/parallel-for.md checked
 * against what C actually does.
 *
 * For many loops `for (T i = a; i OP b; i += s)` (and `-= s`) with T, the
 * type of b and the type of s all varied -- narrow and wide, signed and
 * unsigned, mixed -- the test runs the loop serially with the real C types
 * and compares with the recipe:
 *   - when the recipe says "parallel with N trips", the serial loop must stop
 *     after exactly N iterations without its induction variable ever wrapping,
 *     and the mapping i_k = (T)(A + k * S) must give the values it visited;
 *   - when the recipe says "run it serially", the serial loop must wrap,
 *     overflow or never stop -- or be the one case the recipe declines on
 *     purpose: a signed T compared in an unsigned type that visits or stops
 *     at a negative value.
 *
 * The recipe's helper is the static inline ws_loop_trip_count; if ws.h does
 * not provide it (yet), the reference copy below (identical to the one in
 * docs/parallel-for.md) is tested.
 */
#include "ws.h"

#include "test_util.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The loops below compare mixed types on purpose: that is what is tested. */
#ifdef __clang__
#pragma clang diagnostic ignored "-Wsign-compare"
#pragma clang diagnostic ignored "-Wtautological-constant-out-of-range-compare"
#pragma clang diagnostic ignored "-Wtautological-unsigned-zero-compare"
#endif
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wtype-limits"

#ifndef WS_LOOP_LT
/* ---- Reference copy of the helper (docs/parallel-for.md) ---------------- */
#define WS_LOOP_LT 0 /* i <  b */
#define WS_LOOP_LE 1 /* i <= b */
#define WS_LOOP_GT 2 /* i >  b */
#define WS_LOOP_GE 3 /* i >= b */
#define WS_LOOP_NE 4 /* i != b */

static inline uint64_t ws_loop_key_signed(int64_t v) {
  return (uint64_t)v ^ (UINT64_C(1) << 63);
}

static inline int ws_loop_trip_count(uint64_t a, uint64_t b, int op,
                                     int step_neg, uint64_t step_mag,
                                     uint64_t vmin, uint64_t vmax,
                                     uint64_t *trips) {
  int runs;
  *trips = 0;
  switch (op) {
  case WS_LOOP_LT:
    runs = a < b;
    break;
  case WS_LOOP_LE:
    runs = a <= b;
    break;
  case WS_LOOP_GT:
    runs = a > b;
    break;
  case WS_LOOP_GE:
    runs = a >= b;
    break;
  case WS_LOOP_NE:
    runs = a != b;
    break;
  default:
    return 0;
  }
  if (!runs)
    return 1; /* the test fails at once: zero trips */
  if (a < vmin || a > vmax || step_mag == 0)
    return 0;
  uint64_t q; /* trips - 1 */
  if (!step_neg) {
    switch (op) {
    case WS_LOOP_LT:
      q = (b - a - 1) / step_mag;
      break;
    case WS_LOOP_LE:
      q = (b - a) / step_mag;
      break;
    case WS_LOOP_NE:
      if (b < a || (b - a) % step_mag != 0)
        return 0;
      q = (b - a) / step_mag - 1;
      break;
    default:
      return 0; /* > or >= with a rising variable */
    }
    uint64_t last = a + q * step_mag; /* <= b: no overflow */
    if (last > vmax || vmax - last < step_mag)
      return 0; /* the value that ends the loop would leave T */
  } else {
    switch (op) {
    case WS_LOOP_GT:
      q = (a - b - 1) / step_mag;
      break;
    case WS_LOOP_GE:
      q = (a - b) / step_mag;
      break;
    case WS_LOOP_NE:
      if (a < b || (a - b) % step_mag != 0)
        return 0;
      q = (a - b) / step_mag - 1;
      break;
    default:
      return 0; /* < or <= with a falling variable */
    }
    uint64_t last = a - q * step_mag; /* >= b: no underflow */
    if (last < vmin || last - vmin < step_mag)
      return 0;
  }
  *trips = q + 1; /* q < UINT64_MAX here: q == UINT64_MAX needs last at an
                     end of the 64-bit range, which the check above rejects */
  return 1;
}
#endif

/* ---- The harness ------------------------------------------------------------
 */

static long cases, parallel_cases, serial_cases, declined_cases, skipped;
#define CAP                                                                    \
  1000 /* serial iterations before a loop counts as endless (the               \
         sampled loops that stop do so well before) */
#define IS_SIGNED(type) ((type)-1 < (type)0)

enum { SIM_STOPS, SIM_WRAPS, SIM_ENDLESS };
static const char *const op_text[] = {"<", "<=", ">", ">=", "!="};

/* One combination of types: T (induction variable), BT (bound), ST (step).
 * The recipe part is what the plugin emits; the serial part is plain C. */
#define TRIP_CASE(NAME, T, TMIN, TMAX, BT, ST)                                 \
  static void NAME(T a, BT b, ST s, int op, int minus) {                       \
    typedef __typeof__((T)0 + (BT)0) C; /* type of `i OP b` */                 \
    /* ---- the recipe ---- */                                                 \
    uint64_t ka, kb, vmin, vmax;                                               \
    if (IS_SIGNED(C)) {                                                        \
      ka = ws_loop_key_signed((int64_t)(C)a);                                  \
      kb = ws_loop_key_signed((int64_t)(C)b);                                  \
      vmin = ws_loop_key_signed((int64_t)(C)(TMIN));                           \
      vmax = ws_loop_key_signed((int64_t)(C)(TMAX));                           \
    } else {                                                                   \
      ka = (uint64_t)(C)a;                                                     \
      kb = (uint64_t)(C)b;                                                     \
      vmin = IS_SIGNED(T) ? 0 : (uint64_t)(C)(TMIN);                           \
      vmax = (uint64_t)(C)(TMAX);                                              \
    }                                                                          \
    int neg = IS_SIGNED(ST) && s < 0;                                          \
    uint64_t mag = neg ? 0 - (uint64_t)(int64_t)s : (uint64_t)s;               \
    if (minus && mag != 0)                                                     \
      neg = !neg;                                                              \
    uint64_t trips;                                                            \
    int parallel =                                                             \
        ws_loop_trip_count(ka, kb, op, neg, mag, vmin, vmax, &trips);          \
    uint64_t A = IS_SIGNED(T) ? (uint64_t)(int64_t)a : (uint64_t)a;            \
    uint64_t S = neg ? 0 - mag : mag;                                          \
    /* ---- the serial loop, with C's own types ---- */                        \
    T i = a;                                                                   \
    uint64_t n = 0;                                                            \
    int outcome = SIM_STOPS, mismatch = 0, negative = 0;                       \
    for (;;) {                                                                 \
      negative |= i < 0;                                                       \
      int test = op == 0   ? i < b                                             \
                 : op == 1 ? i <= b                                            \
                 : op == 2 ? i > b                                             \
                 : op == 3 ? i >= b                                            \
                           : i != b;                                           \
      if (!test)                                                               \
        break;                                                                 \
      if (parallel && n < trips && (T)(A + n * S) != i)                        \
        mismatch = 1;                                                          \
      if (++n > CAP) {                                                         \
        outcome = SIM_ENDLESS;                                                 \
        break;                                                                 \
      }                                                                        \
      __int128 exact = (__int128)i + (minus ? -(__int128)s : (__int128)s);     \
      /* `i += s` is computed in the type of i + s: a signed overflow there    \
       * is undefined behaviour, so do not execute it -- it counts as wrap. */ \
      typedef __typeof__(i + s) SUM;                                           \
      __int128 sum_lim = (__int128)1 << (8 * sizeof(SUM) - 1);                 \
      if (IS_SIGNED(SUM) && (exact < -sum_lim || exact >= sum_lim)) {          \
        outcome = SIM_WRAPS;                                                   \
        break;                                                                 \
      }                                                                        \
      T next = i;                                                              \
      if (minus)                                                               \
        next -= s;                                                             \
      else                                                                     \
        next += s;                                                             \
      if ((__int128)next != exact || exact < (__int128)(TMIN) ||               \
          exact > (__int128)(TMAX)) {                                          \
        outcome = SIM_WRAPS;                                                   \
        break;                                                                 \
      }                                                                        \
      i = next;                                                                \
    }                                                                          \
    cases++;                                                                   \
    if (outcome == SIM_ENDLESS && parallel && trips > CAP) {                   \
      skipped++; /* too long to run; nothing to compare */                     \
      return;                                                                  \
    }                                                                          \
    double da = (double)a, db = (double)b, ds = (double)s;                     \
    if (parallel) {                                                            \
      parallel_cases++;                                                        \
      CHECK(outcome == SIM_STOPS && n == trips && !mismatch,                   \
            "%s: i=%.0f; i %s %.0f; i %s %.0f: recipe %llu trips, serial "     \
            "%s after %llu%s",                                                 \
            #NAME, da, op_text[op], db, minus ? "-=" : "+=", ds,               \
            (unsigned long long)trips,                                         \
            outcome == SIM_STOPS   ? "stops"                                   \
            : outcome == SIM_WRAPS ? "wraps"                                   \
                                   : "runs on",                                \
            (unsigned long long)n, mismatch ? " (values differ)" : "");        \
    } else if (outcome == SIM_STOPS && IS_SIGNED(T) && !IS_SIGNED(C) &&        \
               negative) {                                                     \
      declined_cases++; /* the documented conservative case */                 \
    } else {                                                                   \
      serial_cases++;                                                          \
      CHECK(outcome != SIM_STOPS,                                              \
            "%s: i=%.0f; i %s %.0f; i %s %.0f: recipe says serial, but the "   \
            "loop stops cleanly after %llu",                                   \
            #NAME, da, op_text[op], db, minus ? "-=" : "+=", ds,               \
            (unsigned long long)n);                                            \
    }                                                                          \
  }

TRIP_CASE(i8_int_int, int8_t, INT8_MIN, INT8_MAX, int, int)
TRIP_CASE(u8_int_int, uint8_t, 0, UINT8_MAX, int, int)
TRIP_CASE(i8_uns_int, int8_t, INT8_MIN, INT8_MAX, unsigned, int)
TRIP_CASE(u8_int_uns, uint8_t, 0, UINT8_MAX, int, unsigned)
TRIP_CASE(i16_ll_uns, int16_t, INT16_MIN, INT16_MAX, long long, unsigned)
TRIP_CASE(u16_u8_ll, uint16_t, 0, UINT16_MAX, uint8_t, long long)
TRIP_CASE(i32_i32_i32, int32_t, INT32_MIN, INT32_MAX, int32_t, int32_t)
TRIP_CASE(i32_u32_i32, int32_t, INT32_MIN, INT32_MAX, uint32_t, int32_t)
TRIP_CASE(i32_i64_u64, int32_t, INT32_MIN, INT32_MAX, int64_t, uint64_t)
TRIP_CASE(u32_u32_i32, uint32_t, 0, UINT32_MAX, uint32_t, int32_t)
TRIP_CASE(u32_i64_i64, uint32_t, 0, UINT32_MAX, int64_t, int64_t)
TRIP_CASE(i64_i64_i64, int64_t, INT64_MIN, INT64_MAX, int64_t, int64_t)
TRIP_CASE(i64_u64_i64, int64_t, INT64_MIN, INT64_MAX, uint64_t, int64_t)
TRIP_CASE(u64_u64_u64, uint64_t, 0, UINT64_MAX, uint64_t, uint64_t)
TRIP_CASE(u64_i64_i64, uint64_t, 0, UINT64_MAX, int64_t, int64_t)
TRIP_CASE(u64_i32_u32, uint64_t, 0, UINT64_MAX, int32_t, uint32_t)

/* Narrow induction variables: every start value, a spread of bounds and
 * steps. */
#define NARROW(NAME, T, TMIN, TMAX, BT, ST)                                    \
  do {                                                                         \
    static const long long bounds[] = {                                        \
        -70000, -300, -129, -128, -127, -3,  -1,  0,     1,     2,    50,      \
        126,    127,  128,  254,  255,  256, 300, 32767, 65535, 70000};        \
    static const long long steps[] = {0,   1,   2,    3,    5,    64,          \
                                      127, 128, 255,  256,  -1,   -2,          \
                                      -3,  -7,  -128, -255, 70000};            \
    for (int k = 0; k < 52; k++)                                               \
      for (long long a = k < 48 ? (TMIN) + 5 * k : (TMAX) - (51 - k),          \
                     once = 1;                                                 \
           once; once = 0)                                                     \
        for (size_t ib = 0; ib < sizeof bounds / sizeof *bounds; ib++)         \
          for (size_t is = 0; is < sizeof steps / sizeof *steps; is++)         \
            for (int op = 0; op < 5; op++)                                     \
              for (int minus = 0; minus < 2; minus++)                          \
                NAME((T)a, (BT)bounds[ib], (ST)steps[is], op, minus);          \
  } while (0)

/* Wider induction variables: start and bound near the same end of the range
 * or near zero, close enough together that the serial loop stays short. */
#define WIDE(NAME, T, TMIN, TMAX, BT, ST, SMIN, SMAX)                          \
  do {                                                                         \
    const T anchors[] = {(TMIN), (T)((TMIN) + 1), (T)0, (T)((TMAX)-1),         \
                         (TMAX)};                                              \
    static const int deltas[] = {-9, -4, -1, 0, 1, 2, 5, 10};                  \
    const ST steps[] = {0,                                                     \
                        1,                                                     \
                        2,                                                     \
                        3,                                                     \
                        4,                                                     \
                        (ST)-1,                                                \
                        (ST)-2,                                                \
                        (ST)-3,                                                \
                        (SMAX),                                                \
                        (SMIN),                                                \
                        (ST)((SMAX) / 2)};                                     \
    for (size_t x = 0; x < sizeof anchors / sizeof *anchors; x++)              \
      for (size_t da = 0; da < sizeof deltas / sizeof *deltas; da++)           \
        for (size_t db = 0; db < sizeof deltas / sizeof *deltas; db++)         \
          for (size_t is = 0; is < sizeof steps / sizeof *steps; is++)         \
            for (int op = 0; op < 5; op++)                                     \
              for (int minus = 0; minus < 2; minus++) {                        \
                T a =                                                          \
                    (T)((uint64_t)anchors[x] + (uint64_t)(int64_t)deltas[da]); \
                BT b = (BT)((uint64_t)anchors[x] +                             \
                            (uint64_t)(int64_t)deltas[db]);                    \
                NAME(a, b, steps[is], op, minus);                              \
              }                                                                \
  } while (0)

int main(void) {
  NARROW(i8_int_int, int8_t, INT8_MIN, INT8_MAX, int, int);
  NARROW(u8_int_int, uint8_t, 0, UINT8_MAX, int, int);
  NARROW(i8_uns_int, int8_t, INT8_MIN, INT8_MAX, unsigned, int);
  NARROW(u8_int_uns, uint8_t, 0, UINT8_MAX, int, unsigned);
  WIDE(i16_ll_uns, int16_t, INT16_MIN, INT16_MAX, long long, unsigned, 0,
       UINT_MAX);
  WIDE(u16_u8_ll, uint16_t, 0, UINT16_MAX, uint8_t, long long, LLONG_MIN,
       LLONG_MAX);
  WIDE(i32_i32_i32, int32_t, INT32_MIN, INT32_MAX, int32_t, int32_t, INT32_MIN,
       INT32_MAX);
  WIDE(i32_u32_i32, int32_t, INT32_MIN, INT32_MAX, uint32_t, int32_t, INT32_MIN,
       INT32_MAX);
  WIDE(i32_i64_u64, int32_t, INT32_MIN, INT32_MAX, int64_t, uint64_t, 0,
       UINT64_MAX);
  WIDE(u32_u32_i32, uint32_t, 0, UINT32_MAX, uint32_t, int32_t, INT32_MIN,
       INT32_MAX);
  WIDE(u32_i64_i64, uint32_t, 0, UINT32_MAX, int64_t, int64_t, INT64_MIN,
       INT64_MAX);
  WIDE(i64_i64_i64, int64_t, INT64_MIN, INT64_MAX, int64_t, int64_t, INT64_MIN,
       INT64_MAX);
  WIDE(i64_u64_i64, int64_t, INT64_MIN, INT64_MAX, uint64_t, int64_t, INT64_MIN,
       INT64_MAX);
  WIDE(u64_u64_u64, uint64_t, 0, UINT64_MAX, uint64_t, uint64_t, 0, UINT64_MAX);
  WIDE(u64_i64_i64, uint64_t, 0, UINT64_MAX, int64_t, int64_t, INT64_MIN,
       INT64_MAX);
  WIDE(u64_i32_u32, uint64_t, 0, UINT64_MAX, int32_t, uint32_t, 0, UINT32_MAX);

  /* The helper on its own, at the very ends of the 64-bit range. */
  uint64_t t;
  const uint64_t M = UINT64_MAX;
  CHECK(ws_loop_trip_count(0, M, WS_LOOP_LT, 0, 1, 0, M, &t) && t == M,
        "0 <= i < 2^64-1: %llu", (unsigned long long)t);
  CHECK(!ws_loop_trip_count(0, M, WS_LOOP_LE, 0, 1, 0, M, &t),
        "0 <= i <= 2^64-1 wraps");
  CHECK(ws_loop_trip_count(M, 0, WS_LOOP_GT, 1, 1, 0, M, &t) && t == M,
        "2^64-1 >= i > 0: %llu", (unsigned long long)t);
  CHECK(ws_loop_trip_count(1, M - 1, WS_LOOP_LE, 0, M - 1, 0, M, &t) && t == 1,
        "one trip with a huge step");
  CHECK(!ws_loop_trip_count(1, M, WS_LOOP_LE, 0, M - 1, 0, M, &t),
        "1 <= i <= 2^64-1 by 2^64-2 reaches 2^64-1, then wraps");
  CHECK(ws_loop_trip_count(0, M - 1, WS_LOOP_NE, 0, M - 1, 0, M, &t) && t == 1,
        "!= with a huge step");
  CHECK(!ws_loop_trip_count(0, 5, 9, 0, 1, 0, M, &t), "bad op");

  printf("test_loop_trips: %ld loops: %ld parallel, %ld serial, %ld declined "
         "(signed i below 0 in an unsigned test), %ld too long\n",
         cases, parallel_cases, serial_cases, declined_cases, skipped);
  return ws_test_finish("test_loop_trips");
}

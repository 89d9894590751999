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
 * The recipe's helper is ws.h's static inline ws_loop_trip_count, the one
 * the plugin's output calls (its only copy); the end of main() checks it
 * alone at the ends of the 64-bit range, signed and unsigned, with negative
 * steps.
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
  CHECK(ws_loop_trip_count(5, 5, WS_LOOP_LT, 0, 0, 0, M, &t) && t == 0,
        "a test that fails at once: 0 trips, even with step 0");
  CHECK(!ws_loop_trip_count(0, 5, WS_LOOP_LT, 0, 0, 0, M, &t) && t == 0,
        "step 0 never stops");
  CHECK(!ws_loop_trip_count(0, 5, WS_LOOP_LT, 1, 1, 0, M, &t),
        "< with a falling variable");
  CHECK(!ws_loop_trip_count(5, 0, WS_LOOP_GT, 0, 1, 0, M, &t),
        "> with a rising variable");
  CHECK(!ws_loop_trip_count(0, 7, WS_LOOP_NE, 0, 2, 0, M, &t),
        "!= stepping over the bound");
  CHECK(ws_loop_trip_count(0, 8, WS_LOOP_NE, 0, 2, 0, M, &t) && t == 4,
        "!= landing on the bound: %llu", (unsigned long long)t);
  CHECK(ws_loop_trip_count(8, 0, WS_LOOP_NE, 1, 2, 0, M, &t) && t == 4,
        "!= falling onto the bound: %llu", (unsigned long long)t);

  /* Signed keys: the whole int64 range, negative steps, both ends. */
  const uint64_t KMIN = ws_loop_key_signed(INT64_MIN);
  const uint64_t KMAX = ws_loop_key_signed(INT64_MAX);
  CHECK(KMIN == 0 && KMAX == M &&
            ws_loop_key_signed(-1) < ws_loop_key_signed(0),
        "signed keys keep int64 order");
  CHECK(ws_loop_trip_count(ws_loop_key_signed(-5), ws_loop_key_signed(5),
                           WS_LOOP_LT, 0, 1, KMIN, KMAX, &t) &&
            t == 10,
        "-5 <= i < 5: %llu", (unsigned long long)t);
  CHECK(ws_loop_trip_count(ws_loop_key_signed(5), ws_loop_key_signed(-5),
                           WS_LOOP_GE, 1, 3, KMIN, KMAX, &t) &&
            t == 4,
        "i = 5; i >= -5; i -= 3: %llu", (unsigned long long)t);
  CHECK(ws_loop_trip_count(KMAX, KMIN, WS_LOOP_GT, 1, 1, KMIN, KMAX, &t) &&
            t == M,
        "INT64_MAX >= i > INT64_MIN: %llu", (unsigned long long)t);
  CHECK(!ws_loop_trip_count(KMAX, KMIN, WS_LOOP_GE, 1, 1, KMIN, KMAX, &t),
        "i >= INT64_MIN going down never stops without overflow");
  CHECK(!ws_loop_trip_count(ws_loop_key_signed(INT64_MAX - 2), KMAX, WS_LOOP_LE,
                            0, 2, KMIN, KMAX, &t),
        "i <= INT64_MAX by 2 overflows");
  CHECK(ws_loop_trip_count(ws_loop_key_signed(INT64_MAX - 4), KMAX, WS_LOOP_LT,
                           0, 2, KMIN, KMAX, &t) &&
            t == 2,
        "i = INT64_MAX - 4; i < INT64_MAX; i += 2 stops at INT64_MAX: %llu",
        (unsigned long long)t);
  CHECK(!ws_loop_trip_count(ws_loop_key_signed(INT64_MAX - 3), KMAX, WS_LOOP_LT,
                            0, 2, KMIN, KMAX, &t),
        "i = INT64_MAX - 3; i < INT64_MAX; i += 2 overflows");
  /* An int32 variable compared as int64: its keys' range is narrower. */
  const uint64_t K32MIN = ws_loop_key_signed(INT32_MIN);
  const uint64_t K32MAX = ws_loop_key_signed(INT32_MAX);
  CHECK(!ws_loop_trip_count(ws_loop_key_signed(0),
                            ws_loop_key_signed(INT32_MAX), WS_LOOP_LE, 0, 1,
                            K32MIN, K32MAX, &t),
        "int32 i <= INT32_MAX overflows");
  CHECK(ws_loop_trip_count(ws_loop_key_signed(0), ws_loop_key_signed(INT32_MAX),
                           WS_LOOP_LT, 0, 1, K32MIN, K32MAX, &t) &&
            t == (uint64_t)INT32_MAX,
        "int32 i < INT32_MAX: %llu", (unsigned long long)t);
  /* Unsigned with a negative step: down to 0 and below. */
  CHECK(ws_loop_trip_count(10, 0, WS_LOOP_GT, 1, 1, 0, UINT32_MAX, &t) &&
            t == 10,
        "unsigned i = 10; i > 0; i--: %llu", (unsigned long long)t);
  CHECK(!ws_loop_trip_count(10, 0, WS_LOOP_GE, 1, 1, 0, UINT32_MAX, &t),
        "unsigned i >= 0 going down wraps");
  CHECK(!ws_loop_trip_count((uint64_t)UINT32_MAX + 1, 0, WS_LOOP_GT, 1, 1, 0,
                            UINT32_MAX, &t),
        "a start outside the type's keys");

  printf("test_loop_trips: %ld loops: %ld parallel, %ld serial, %ld declined "
         "(signed i below 0 in an unsigned test), %ld too long\n",
         cases, parallel_cases, serial_cases, declined_cases, skipped);
  return ws_test_finish("test_loop_trips");
}

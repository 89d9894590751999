/*
 * test_call.c -- ws_spawn_call (runtime/call.c): existing functions spawned
 * by pointer with their signature described at run time.
 *
 *   signatures   0 args; int(int,int); double(double,float,int64); 14 mixed
 *                and 32 mixed arguments (both register classes spill to the
 *                stack; the 32 take the heap-captures path); void with a
 *                pointer argument; char/short sign and zero extension both
 *                ways; uint64/int64 extremes; float, long double, pointer
 *                and C-named (int, long, size_t) types; a narrow result
 *                writes only its own bytes
 *   concurrency  a recursive fib whose every call spawns its two children
 *                through ws_spawn_call, and 10^5 flat calls each with its own
 *                result slot, all summed and checked
 *   copying      the caller overwrites its values, pointer array and type
 *                array right after the spawn: the call sees the old ones
 *   options      tier, undeferred (done when spawn returns), timeout wrapper,
 *                cancelled taskgroup (fn not called, *ret untouched)
 *   errors       bad/void types, nargs < 0 or too many, NULL pointers,
 *                refused options -> WS_EINVAL and nothing spawned
 * at 1 worker (nothing runs before ws_wait, so copying is tested for sure)
 * and at 4.
 */
#include "test_util.h"
#include "ws.h"

#include <stdatomic.h>
#include <stdint.h>

static _Atomic long g_calls; /* how many of the functions below ran */

/* ---- The called functions ---------------------------------------------- */

static int answer(void) {
  atomic_fetch_add(&g_calls, 1);
  return 42;
}

static int add(int a, int b) {
  atomic_fetch_add(&g_calls, 1);
  return a + b;
}

static double mix3(double a, float b, int64_t c) {
  return a * 2.0 + (double)b * 3.0 + (double)c;
}

/* Records every argument (through `out`, the 7th) and returns a checksum;
 * 14 arguments: 9 integer-class, 5 float-class, and the mixed ones. */
typedef struct many_seen {
  int8_t a;
  uint16_t b;
  int32_t c;
  int64_t d;
  float e;
  double f;
  uint64_t h;
  double i;
  int j;
  long k;
  double l;
  float m;
  size_t n;
  unsigned o;
} many_seen;

static int64_t many(int8_t a, uint16_t b, int32_t c, int64_t d, float e,
                    double f, many_seen *out, uint64_t h, double i, int j,
                    long k, double l, float m, size_t n, unsigned o) {
  *out = (many_seen){a, b, c, d, e, f, h, i, j, k, l, m, n, o};
  /* In uint64_t: wraps, never overflows. */
  return (int64_t)((uint64_t)a * 1 + (uint64_t)b * 3 + (uint64_t)c * 5 +
                   (uint64_t)d * 7 + (uint64_t)(int64_t)e * 11 +
                   (uint64_t)(int64_t)f * 13 + h * 17 +
                   (uint64_t)(int64_t)i * 19 + (uint64_t)j * 23 +
                   (uint64_t)k * 29 + (uint64_t)(int64_t)l * 31 +
                   (uint64_t)(int64_t)m * 37 + n * 41 + (uint64_t)o * 43);
}

/* 32 arguments (WS_CALL_MAX_ARGS), in four interleaved classes; the result
 * weights each by its position, so a swap or a shift shows. */
#define P4(t, x) t x##0, t x##1, t x##2, t x##3
static double sum32(P4(int64_t, a), P4(double, b), P4(int32_t, c), P4(float, d),
                    P4(int8_t, e), P4(double, f), P4(uint16_t, g),
                    P4(float, h)) {
  double v[32] = {a0, a1, a2, a3, b0, b1, b2, b3, c0, c1, c2,
                  c3, d0, d1, d2, d3, e0, e1, e2, e3, f0, f1,
                  f2, f3, g0, g1, g2, g3, h0, h1, h2, h3};
  double s = 0;
  for (int i = 0; i < 32; i++)
    s += v[i] * (i + 1);
  return s;
}

static void write_pair(int *out, int a, int b) {
  atomic_fetch_add(&g_calls, 1);
  out[0] = a * 10;
  out[1] = b * 10;
}

static int widen_s8(int8_t x) { return x; }
static int widen_u8(uint8_t x) { return x; }
static int widen_s16(short x) { return x; }
static int widen_u16(uint16_t x) { return x; }
static int8_t narrow_s8(int x) { return (int8_t)x; }
static uint8_t narrow_u8(int x) { return (uint8_t)x; }
static int16_t narrow_s16(int x) { return (int16_t)x; }
static uint32_t narrow_u32(int64_t x) { return (uint32_t)x; }

static uint64_t u64_add(uint64_t a, uint64_t b) { return a + b; }
static int64_t i64_id(int64_t x) { return x; }
static float f_half(float x) { return x / 2; }
static long double ld_mul(long double a, long double b) { return a * b; }
static char *ptr_next(char *p) { return p + 1; }
static size_t c_names(int a, unsigned b, long c, unsigned long d, size_t e) {
  return (size_t)a + b + (size_t)c + d + e;
}

/* Native fib, for the expected values. */
static long fib_ref(int n) {
  return n < 2 ? n : fib_ref(n - 1) + fib_ref(n - 2);
}

/* fib whose every call spawns its two children through ws_spawn_call. */
static long fib_call(int n) {
  if (n < 2)
    return n;
  ws_frame f = WS_FRAME_INIT;
  long x = -1, y = -1;
  int n1 = n - 1, n2 = n - 2;
  ws_type t[] = {WS_TYPE_INT};
  void *a1[] = {&n1}, *a2[] = {&n2};
  int rc1 =
      ws_spawn_call(&f, (ws_call_fn)fib_call, WS_TYPE_LONG, &x, 1, t, a1, NULL);
  int rc2 =
      ws_spawn_call(&f, (ws_call_fn)fib_call, WS_TYPE_LONG, &y, 1, t, a2, NULL);
  ws_wait(&f);
  if (rc1 != WS_OK || rc2 != WS_OK)
    return -1000000; /* poisons the sum */
  return x + y;
}

static int64_t square(int64_t i) { return i * i; }

/* ---- Helpers --------------------------------------------------------------
 */

static uint64_t spawned_total(void) {
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  return s.spawned;
}

#define FN(f) ((ws_call_fn)(f))

/* ---- Tests ----------------------------------------------------------------
 */

static void test_signatures(void) {
  ws_frame f = WS_FRAME_INIT;

  int r_answer = 0;
  long calls0 = atomic_load(&g_calls);
  CHECK(ws_spawn_call(&f, FN(answer), WS_TYPE_INT, &r_answer, 0, NULL, NULL,
                      NULL) == WS_OK,
        "spawn answer");

  int a = 19, b = 23, r_add = 0;
  ws_type t_add[] = {WS_TYPE_INT, WS_TYPE_INT};
  void *v_add[] = {&a, &b};
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r_add, 2, t_add, v_add,
                      NULL) == WS_OK,
        "spawn add");

  double d = 1.25;
  float fl = 0.5f;
  int64_t big = -(INT64_C(1) << 40);
  double r_mix = 0;
  ws_type t_mix[] = {WS_TYPE_DOUBLE, WS_TYPE_FLOAT, WS_TYPE_INT64};
  void *v_mix[] = {&d, &fl, &big};
  CHECK(ws_spawn_call(&f, FN(mix3), WS_TYPE_DOUBLE, &r_mix, 3, t_mix, v_mix,
                      NULL) == WS_OK,
        "spawn mix3");

  /* 14 arguments plus the pointer: stack arguments in both classes. */
  many_seen seen;
  memset(&seen, 0, sizeof seen);
  many_seen *seen_p = &seen;
  int8_t ma = -7;
  uint16_t mb = 65000;
  int32_t mc = -2000000000;
  int64_t md = INT64_C(-5000000000);
  float me = 1.5f;
  double mf = -2.25, mi = 1e6, ml = -3.0;
  uint64_t mh = UINT64_C(0xfedcba9876543210);
  int mj = -123;
  long mk = 1L << 33;
  float mm = 8.0f;
  size_t mn = 77;
  unsigned mo = 4000000000u;
  int64_t r_many = 0;
  ws_type t_many[] = {WS_TYPE_INT8,    WS_TYPE_UINT16, WS_TYPE_INT32,
                      WS_TYPE_INT64,   WS_TYPE_FLOAT,  WS_TYPE_DOUBLE,
                      WS_TYPE_POINTER, WS_TYPE_UINT64, WS_TYPE_DOUBLE,
                      WS_TYPE_INT,     WS_TYPE_LONG,   WS_TYPE_DOUBLE,
                      WS_TYPE_FLOAT,   WS_TYPE_SIZE,   WS_TYPE_UINT};
  void *v_many[] = {&ma, &mb, &mc, &md, &me, &mf, &seen_p, &mh,
                    &mi, &mj, &mk, &ml, &mm, &mn, &mo};
  CHECK(ws_spawn_call(&f, FN(many), WS_TYPE_INT64, &r_many, 15, t_many, v_many,
                      NULL) == WS_OK,
        "spawn many");

  /* 32 arguments: a record over WS_INLINE_CAPTURE (heap captures). */
  int64_t a32[4] = {1, -2, 3, -4};
  double b32[4] = {0.5, 1.5, -2.5, 3.5}, f32[4] = {-1, 2, -3, 4};
  int32_t c32[4] = {100, -200, 300, -400};
  float d32[4] = {0.25f, -0.75f, 1.25f, 9.0f}, h32[4] = {5, 6, 7, 8};
  int8_t e32[4] = {-128, 127, -1, 1};
  uint16_t g32[4] = {65535, 0, 1, 32768};
  ws_type t32[32];
  void *v32[32];
  for (int i = 0; i < 4; i++) {
    t32[i] = WS_TYPE_INT64, v32[i] = &a32[i];
    t32[4 + i] = WS_TYPE_DOUBLE, v32[4 + i] = &b32[i];
    t32[8 + i] = WS_TYPE_INT32, v32[8 + i] = &c32[i];
    t32[12 + i] = WS_TYPE_FLOAT, v32[12 + i] = &d32[i];
    t32[16 + i] = WS_TYPE_INT8, v32[16 + i] = &e32[i];
    t32[20 + i] = WS_TYPE_DOUBLE, v32[20 + i] = &f32[i];
    t32[24 + i] = WS_TYPE_UINT16, v32[24 + i] = &g32[i];
    t32[28 + i] = WS_TYPE_FLOAT, v32[28 + i] = &h32[i];
  }
  double r32 = 0;
  CHECK(ws_spawn_call(&f, FN(sum32), WS_TYPE_DOUBLE, &r32, 32, t32, v32,
                      NULL) == WS_OK,
        "spawn sum32");

  int pair[2] = {0, 0};
  int *pair_p = pair;
  int pa = 4, pb = -9;
  ws_type t_pair[] = {WS_TYPE_POINTER, WS_TYPE_INT, WS_TYPE_INT};
  void *v_pair[] = {&pair_p, &pa, &pb};
  CHECK(ws_spawn_call(&f, FN(write_pair), WS_TYPE_VOID, NULL, 3, t_pair, v_pair,
                      NULL) == WS_OK,
        "spawn write_pair");

  /* Extension of narrow arguments and narrowing of narrow results. */
  int8_t s8 = -5;
  uint8_t u8 = 250;
  short s16 = -30000;
  uint16_t u16 = 65001;
  int r_s8 = 0, r_u8 = 0, r_s16 = 0, r_u16 = 0;
  ws_type t_s8[] = {WS_TYPE_INT8}, t_u8[] = {WS_TYPE_UINT8},
          t_s16[] = {WS_TYPE_INT16}, t_u16[] = {WS_TYPE_UINT16};
  void *v_s8[] = {&s8}, *v_u8[] = {&u8}, *v_s16[] = {&s16}, *v_u16[] = {&u16};
  CHECK(ws_spawn_call(&f, FN(widen_s8), WS_TYPE_INT, &r_s8, 1, t_s8, v_s8,
                      NULL) == WS_OK,
        "spawn widen_s8");
  CHECK(ws_spawn_call(&f, FN(widen_u8), WS_TYPE_INT, &r_u8, 1, t_u8, v_u8,
                      NULL) == WS_OK,
        "spawn widen_u8");
  CHECK(ws_spawn_call(&f, FN(widen_s16), WS_TYPE_INT, &r_s16, 1, t_s16, v_s16,
                      NULL) == WS_OK,
        "spawn widen_s16");
  CHECK(ws_spawn_call(&f, FN(widen_u16), WS_TYPE_INT, &r_u16, 1, t_u16, v_u16,
                      NULL) == WS_OK,
        "spawn widen_u16");

  /* Narrow results land in 8-byte slots filled with 0xAA: only the type's
   * own bytes may change. */
  int k200 = 200, kneg = -100, k40000 = 40000;
  int64_t kbig = INT64_C(0x1234567890);
  unsigned char r_ns8[8], r_nu8[8], r_ns16[8], r_nu32[8];
  memset(r_ns8, 0xAA, 8), memset(r_nu8, 0xAA, 8), memset(r_ns16, 0xAA, 8),
      memset(r_nu32, 0xAA, 8);
  ws_type t_int[] = {WS_TYPE_INT}, t_i64[] = {WS_TYPE_INT64};
  void *v_neg[] = {&kneg}, *v_200[] = {&k200}, *v_40000[] = {&k40000},
       *v_big[] = {&kbig};
  CHECK(ws_spawn_call(&f, FN(narrow_s8), WS_TYPE_INT8, r_ns8, 1, t_int, v_neg,
                      NULL) == WS_OK,
        "spawn narrow_s8");
  CHECK(ws_spawn_call(&f, FN(narrow_u8), WS_TYPE_UINT8, r_nu8, 1, t_int, v_200,
                      NULL) == WS_OK,
        "spawn narrow_u8");
  CHECK(ws_spawn_call(&f, FN(narrow_s16), WS_TYPE_INT16, r_ns16, 1, t_int,
                      v_40000, NULL) == WS_OK,
        "spawn narrow_s16");
  CHECK(ws_spawn_call(&f, FN(narrow_u32), WS_TYPE_UINT32, r_nu32, 1, t_i64,
                      v_big, NULL) == WS_OK,
        "spawn narrow_u32");

  /* 64-bit extremes. */
  uint64_t umax = UINT64_MAX, two = 2, r_uadd = 0, r_umax = 0;
  uint64_t zero = 0;
  int64_t imin = INT64_MIN, r_imin = 0;
  ws_type t_uu[] = {WS_TYPE_UINT64, WS_TYPE_UINT64};
  void *v_wrap[] = {&umax, &two}, *v_max[] = {&umax, &zero};
  void *v_imin[] = {&imin};
  CHECK(ws_spawn_call(&f, FN(u64_add), WS_TYPE_UINT64, &r_uadd, 2, t_uu, v_wrap,
                      NULL) == WS_OK,
        "spawn u64_add wrap");
  CHECK(ws_spawn_call(&f, FN(u64_add), WS_TYPE_UINT64, &r_umax, 2, t_uu, v_max,
                      NULL) == WS_OK,
        "spawn u64_add max");
  CHECK(ws_spawn_call(&f, FN(i64_id), WS_TYPE_INT64, &r_imin, 1, t_i64, v_imin,
                      NULL) == WS_OK,
        "spawn i64_id");

  /* float, long double, pointer, C names. */
  float fx = 3.0f, r_half = 0;
  long double la = 1.5L, lb = 1e300L * 1e10L, r_ld = 0;
  char text[] = "ws", *text_p = text, *r_ptr = NULL;
  int ca = -1;
  unsigned cb = 2;
  long cc = 3;
  unsigned long cd = 4;
  size_t ce = 5, r_c = 0;
  ws_type t_f[] = {WS_TYPE_FLOAT},
          t_ld[] = {WS_TYPE_LONG_DOUBLE, WS_TYPE_LONG_DOUBLE},
          t_p[] = {WS_TYPE_POINTER},
          t_c[] = {WS_TYPE_INT, WS_TYPE_UINT, WS_TYPE_LONG, WS_TYPE_ULONG,
                   WS_TYPE_SIZE};
  void *v_f[] = {&fx}, *v_ld[] = {&la, &lb}, *v_p[] = {&text_p},
       *v_c[] = {&ca, &cb, &cc, &cd, &ce};
  CHECK(ws_spawn_call(&f, FN(f_half), WS_TYPE_FLOAT, &r_half, 1, t_f, v_f,
                      NULL) == WS_OK,
        "spawn f_half");
  CHECK(ws_spawn_call(&f, FN(ld_mul), WS_TYPE_LONG_DOUBLE, &r_ld, 2, t_ld, v_ld,
                      NULL) == WS_OK,
        "spawn ld_mul");
  CHECK(ws_spawn_call(&f, FN(ptr_next), WS_TYPE_POINTER, &r_ptr, 1, t_p, v_p,
                      NULL) == WS_OK,
        "spawn ptr_next");
  CHECK(ws_spawn_call(&f, FN(c_names), WS_TYPE_SIZE, &r_c, 5, t_c, v_c, NULL) ==
            WS_OK,
        "spawn c_names");

  /* A result dropped (ret NULL) still makes the call. */
  CHECK(ws_spawn_call(&f, FN(answer), WS_TYPE_INT, NULL, 0, NULL, NULL, NULL) ==
            WS_OK,
        "spawn answer, no ret");

  CHECK(ws_wait(&f) == WS_OK, "wait");

  CHECK(r_answer == 42, "answer: %d", r_answer);
  CHECK(r_add == 42, "add: %d", r_add);
  CHECK(r_mix == mix3(d, fl, big), "mix3: %.17g != %.17g", r_mix,
        mix3(d, fl, big));
  many_seen direct;
  int64_t expect_many =
      many(ma, mb, mc, md, me, mf, &direct, mh, mi, mj, mk, ml, mm, mn, mo);
  CHECK(r_many == expect_many, "many: %lld != %lld", (long long)r_many,
        (long long)expect_many);
  CHECK(seen.a == ma && seen.b == mb && seen.c == mc && seen.d == md &&
            seen.e == me && seen.f == mf && seen.h == mh && seen.i == mi &&
            seen.j == mj && seen.k == mk && seen.l == ml && seen.m == mm &&
            seen.n == mn && seen.o == mo,
        "many: arguments seen differ (a=%d b=%u c=%d d=%lld h=%llx j=%d k=%ld "
        "n=%zu o=%u)",
        seen.a, seen.b, seen.c, (long long)seen.d, (unsigned long long)seen.h,
        seen.j, seen.k, seen.n, seen.o);
  double expect32 =
      sum32(a32[0], a32[1], a32[2], a32[3], b32[0], b32[1], b32[2], b32[3],
            c32[0], c32[1], c32[2], c32[3], d32[0], d32[1], d32[2], d32[3],
            e32[0], e32[1], e32[2], e32[3], f32[0], f32[1], f32[2], f32[3],
            g32[0], g32[1], g32[2], g32[3], h32[0], h32[1], h32[2], h32[3]);
  CHECK(r32 == expect32, "sum32: %.17g != %.17g", r32, expect32);
  CHECK(pair[0] == 40 && pair[1] == -90, "write_pair: %d %d", pair[0], pair[1]);
  CHECK(r_s8 == -5, "widen_s8: %d", r_s8);
  CHECK(r_u8 == 250, "widen_u8: %d", r_u8);
  CHECK(r_s16 == -30000, "widen_s16: %d", r_s16);
  CHECK(r_u16 == 65001, "widen_u16: %d", r_u16);
  int8_t ns8;
  uint8_t nu8;
  int16_t ns16;
  uint32_t nu32;
  memcpy(&ns8, r_ns8, 1), memcpy(&nu8, r_nu8, 1), memcpy(&ns16, r_ns16, 2),
      memcpy(&nu32, r_nu32, 4);
  CHECK(ns8 == -100, "narrow_s8: %d", ns8);
  CHECK(nu8 == 200, "narrow_u8: %d", nu8);
  CHECK(ns16 == (int16_t)40000, "narrow_s16: %d", ns16);
  CHECK(nu32 == 0x34567890u, "narrow_u32: %x", nu32);
  for (int i = 1; i < 8; i++)
    CHECK(r_ns8[i] == 0xAA && r_nu8[i] == 0xAA &&
              (i < 2 || r_ns16[i] == 0xAA) && (i < 4 || r_nu32[i] == 0xAA),
          "narrow result wrote past its size at byte %d", i);
  CHECK(r_uadd == 1, "u64 wrap: %llu", (unsigned long long)r_uadd);
  CHECK(r_umax == UINT64_MAX, "u64 max: %llx", (unsigned long long)r_umax);
  CHECK(r_imin == INT64_MIN, "i64 min: %lld", (long long)r_imin);
  CHECK(r_half == 1.5f, "f_half: %g", (double)r_half);
  CHECK(r_ld == la * lb, "ld_mul: %Lg != %Lg", r_ld, la * lb);
  CHECK(r_ptr == text + 1, "ptr_next: %p != %p", (void *)r_ptr,
        (void *)(text + 1));
  CHECK(r_c == (size_t)-1 + 2 + 3 + 4 + 5, "c_names: %zu", r_c);
  CHECK(atomic_load(&g_calls) - calls0 == 4, "counted calls: %ld",
        atomic_load(&g_calls) - calls0);
}

/* The caller's values, pointer array and type array are rewritten right
 * after each spawn; every call must see what was there at its spawn. */
static void test_copying(void) {
  enum { N = 64 };
  ws_frame f = WS_FRAME_INIT;
  int results[N];
  int x = 0, y = 0;
  int dummy_x = -1000000, dummy_y = -1000000;
  ws_type types[2];
  void *args[2];
  for (int i = 0; i < N; i++) {
    results[i] = -1;
    x = i, y = 1000 * i;
    types[0] = types[1] = WS_TYPE_INT;
    args[0] = &x, args[1] = &y;
    CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &results[i], 2, types, args,
                        NULL) == WS_OK,
          "spawn %d", i);
    /* Overwrite all of it: values, pointers, types. */
    x = y = -7;
    args[0] = &dummy_x, args[1] = &dummy_y;
    types[0] = types[1] = WS_TYPE_DOUBLE;
  }
  /* A 32-argument record (heap captures) too. */
  ws_type t32[32];
  void *v32[32];
  int64_t i_a[4] = {1, 2, 3, 4}, r = 0;
  double d_b[4] = {5, 6, 7, 8}, d_f[4] = {21, 22, 23, 24};
  int32_t i_c[4] = {9, 10, 11, 12};
  float f_d[4] = {13, 14, 15, 16}, f_h[4] = {29, 30, 31, 32};
  int8_t i_e[4] = {17, 18, 19, 20};
  uint16_t u_g[4] = {25, 26, 27, 28};
  for (int i = 0; i < 4; i++) {
    t32[i] = WS_TYPE_INT64, v32[i] = &i_a[i];
    t32[4 + i] = WS_TYPE_DOUBLE, v32[4 + i] = &d_b[i];
    t32[8 + i] = WS_TYPE_INT32, v32[8 + i] = &i_c[i];
    t32[12 + i] = WS_TYPE_FLOAT, v32[12 + i] = &f_d[i];
    t32[16 + i] = WS_TYPE_INT8, v32[16 + i] = &i_e[i];
    t32[20 + i] = WS_TYPE_DOUBLE, v32[20 + i] = &d_f[i];
    t32[24 + i] = WS_TYPE_UINT16, v32[24 + i] = &u_g[i];
    t32[28 + i] = WS_TYPE_FLOAT, v32[28 + i] = &f_h[i];
  }
  double r32 = 0;
  CHECK(ws_spawn_call(&f, FN(sum32), WS_TYPE_DOUBLE, &r32, 32, t32, v32,
                      NULL) == WS_OK,
        "spawn sum32");
  for (int i = 0; i < 32; i++)
    t32[i] = WS_TYPE_INT8, v32[i] = &r;
  for (int i = 0; i < 4; i++)
    i_a[i] = 0, d_b[i] = d_f[i] = 0, i_c[i] = 0, f_d[i] = f_h[i] = 0,
    i_e[i] = 0, u_g[i] = 0;
  CHECK(ws_wait(&f) == WS_OK, "wait");
  for (int i = 0; i < N; i++)
    CHECK(results[i] == 1001 * i, "copy %d: %d != %d", i, results[i], 1001 * i);
  double expect = 0; /* argument k (1-based) is k, weighted by k */
  for (int k = 1; k <= 32; k++)
    expect += (double)k * k;
  CHECK(r32 == expect, "sum32 copied: %.17g != %.17g", r32, expect);
}

static void test_fib(int n) {
  ws_frame f = WS_FRAME_INIT;
  long r = -1;
  ws_type t[] = {WS_TYPE_INT};
  void *a[] = {&n};
  CHECK(ws_spawn_call(&f, FN(fib_call), WS_TYPE_LONG, &r, 1, t, a, NULL) ==
            WS_OK,
        "spawn fib");
  CHECK(ws_wait(&f) == WS_OK, "wait fib");
  CHECK(r == fib_ref(n), "fib(%d): %ld != %ld", n, r, fib_ref(n));
}

static void test_flat(long n) {
  ws_frame f = WS_FRAME_INIT;
  int64_t *res = malloc((size_t)n * sizeof *res);
  ws_type t[] = {WS_TYPE_INT64};
  for (long i = 0; i < n; i++) {
    int64_t v = i;
    void *a[] = {&v};
    res[i] = -1;
    if (ws_spawn_call(&f, FN(square), WS_TYPE_INT64, &res[i], 1, t, a, NULL) !=
        WS_OK) {
      CHECK(0, "spawn square %ld", i);
      break;
    }
  }
  CHECK(ws_wait(&f) == WS_OK, "wait flat");
  int64_t sum = 0, expect = 0;
  long wrong = 0;
  for (long i = 0; i < n; i++) {
    sum += res[i];
    expect += (int64_t)i * i;
    wrong += res[i] != (int64_t)i * i;
  }
  CHECK(wrong == 0 && sum == expect, "flat: %ld wrong, sum %lld != %lld", wrong,
        (long long)sum, (long long)expect);
  free(res);
}

static void test_options(void) {
  int a = 1, b = 2;
  ws_type t[] = {WS_TYPE_INT, WS_TYPE_INT};
  void *v[] = {&a, &b};

  /* Undeferred: done by the time the spawn returns. */
  ws_frame f = WS_FRAME_INIT;
  int r = 0;
  ws_task_opts o = {0};
  o.flags = WS_TASK_UNDEFERRED;
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, t, v, &o) == WS_OK,
        "spawn undeferred");
  CHECK(r == 3, "undeferred: %d before the wait", r);
  CHECK(ws_wait(&f) == WS_OK, "wait");

  /* Tier, and a timeout (the call goes through the timeout wrapper). */
  int r_hi = 0, r_to = 0;
  ws_task_opts hi = {0}, to = {0};
  hi.tier = WS_TIER_HIGH;
  to.timeout_ms = 60000;
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r_hi, 2, t, v, &hi) == WS_OK,
        "spawn high");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r_to, 2, t, v, &to) == WS_OK,
        "spawn timeout");
  CHECK(ws_wait(&f) == WS_OK, "wait");
  CHECK(r_hi == 3 && r_to == 3, "tier %d, timeout %d", r_hi, r_to);

  /* A cancelled taskgroup skips the call: fn not run, *ret untouched. */
  ws_frame g = WS_FRAME_INIT;
  ws_taskgroup_begin(&g);
  ws_cancel(&g);
  long calls0 = atomic_load(&g_calls);
  int r_c = 77;
  CHECK(ws_spawn_call(&g, FN(add), WS_TYPE_INT, &r_c, 2, t, v, NULL) == WS_OK,
        "spawn into cancelled group");
  CHECK(ws_wait(&g) == WS_ECANCELED, "wait cancelled group");
  CHECK(r_c == 77 && atomic_load(&g_calls) == calls0,
        "cancelled call ran: ret %d, calls +%ld", r_c,
        atomic_load(&g_calls) - calls0);
}

static void test_errors(void) {
  ws_frame f = WS_FRAME_INIT;
  int a = 1, b = 2, r = -5;
  ws_type good[] = {WS_TYPE_INT, WS_TYPE_INT};
  ws_type bad_hi[] = {WS_TYPE_INT, (ws_type)99};
  ws_type bad_neg[] = {(ws_type)-1, WS_TYPE_INT};
  ws_type bad_void[] = {WS_TYPE_INT, WS_TYPE_VOID};
  ws_type bad_edge[] = {WS_TYPE_INT, (ws_type)(WS_TYPE_SIZE + 1)};
  void *v[] = {&a, &b};
  void *v_null[] = {&a, NULL};
  ws_task_opts bad_opts = {0};
  bad_opts.num_deps = -1; /* refused by ws_spawn_ex */
  ws_type t33[WS_CALL_MAX_ARGS + 1];
  void *v33[WS_CALL_MAX_ARGS + 1];
  for (int i = 0; i <= WS_CALL_MAX_ARGS; i++)
    t33[i] = WS_TYPE_INT, v33[i] = &a;

  long calls0 = atomic_load(&g_calls);
  uint64_t spawned0 = spawned_total();
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, bad_hi, v, NULL) ==
            WS_EINVAL,
        "type 99");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, bad_neg, v, NULL) ==
            WS_EINVAL,
        "type -1");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, bad_void, v, NULL) ==
            WS_EINVAL,
        "void argument");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, bad_edge, v, NULL) ==
            WS_EINVAL,
        "type past the last");
  CHECK(ws_spawn_call(&f, FN(add), (ws_type)99, &r, 2, good, v, NULL) ==
            WS_EINVAL,
        "return type 99");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, -1, good, v, NULL) ==
            WS_EINVAL,
        "nargs -1");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, WS_CALL_MAX_ARGS + 1, t33,
                      v33, NULL) == WS_EINVAL,
        "nargs over the maximum");
  CHECK(ws_spawn_call(&f, NULL, WS_TYPE_INT, &r, 2, good, v, NULL) == WS_EINVAL,
        "NULL fn");
  CHECK(ws_spawn_call(NULL, FN(add), WS_TYPE_INT, &r, 2, good, v, NULL) ==
            WS_EINVAL,
        "NULL frame");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, NULL, v, NULL) ==
            WS_EINVAL,
        "NULL arg_types");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, good, NULL, NULL) ==
            WS_EINVAL,
        "NULL args");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, good, v_null, NULL) ==
            WS_EINVAL,
        "NULL args[1]");
  CHECK(ws_spawn_call(&f, FN(add), WS_TYPE_INT, &r, 2, good, v, &bad_opts) ==
            WS_EINVAL,
        "refused options");
  CHECK(ws_wait(&f) == WS_OK, "wait");
  CHECK(r == -5 && atomic_load(&g_calls) == calls0,
        "a refused call ran: ret %d, calls +%ld", r,
        atomic_load(&g_calls) - calls0);
  CHECK(spawned_total() == spawned0, "refused calls spawned %llu tasks",
        (unsigned long long)(spawned_total() - spawned0));

  /* NULL arrays are fine with no arguments. */
  CHECK(ws_spawn_call(&f, FN(answer), WS_TYPE_INT, &r, 0, NULL, NULL, NULL) ==
            WS_OK,
        "no arguments, NULL arrays");
  CHECK(ws_wait(&f) == WS_OK && r == 42, "answer %d", r);
}

static void run_all(int workers) {
  CHECK(ws_init(workers) == WS_OK, "init %d", workers);
  test_errors();
  test_signatures();
  test_copying();
  test_options();
  test_fib((int)ws_test_scaled(24, 18)); /* 150k calls; 8k */
  test_flat(ws_test_scaled(100000, 20000));
  CHECK(ws_shutdown() == WS_OK, "shutdown %d", workers);
}

int main(void) {
  run_all(1);
  run_all(4);
  return ws_test_finish("test_call");
}

// The lowering of parallel for: the trip-count helper (once per file),
// capture and reduction structs, identity and combine functions and the site
// before the function; the set-up, the serial path (the original loop, in
// place, with its lines) and the ws_parallel_for call in place of the loop;
// the outlined body over [lo, hi) after the function, with #line.  Then the
// output must compile with gcc, warning-free.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c

double dot(const double *x, const double *y, long n) {
  double sum = 0.0;
  int hi = 0;
#pragma ws parallel for reduction(+: sum) reduction(max: hi) grainsize(64)
  for (long i = 0; i < n; i++) {
    sum += x[i] * y[i];
    hi = x[i] > hi ? (int)x[i] : hi;
  }
  return sum + hi;
}

void scale(double *a, unsigned n, double f) {
  unsigned u;
  int calls = 0;
#pragma ws parallel for schedule(static) priority(high) if(n > 100) shared(calls)
  for (u = n; u > 0; u -= 2) {
    a[u - 1] *= f;
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
  }
  a[0] = u + calls;
}

// CHECK-NOT: __ws_loop_trip_count
// CHECK: struct __ws_cap_0 { const double *x; const double *y; uint64_t __ws_a; uint64_t __ws_s; }; struct __ws_red_0 { double sum; int hi; }; static void __ws_red_init_0(void *__ws_p) { struct __ws_red_0 *__ws_r = (struct __ws_red_0 *)__ws_p; __ws_r->sum = (double)0; __ws_r->hi = (int)(-2147483647LL - 1); } static void __ws_red_combine_0(void *__ws_into, const void *__ws_from) { struct __ws_red_0 *__ws_a = (struct __ws_red_0 *)__ws_into; const struct __ws_red_0 *__ws_b = (const struct __ws_red_0 *)__ws_from; __ws_a->sum = __ws_a->sum + __ws_b->sum; __ws_a->hi = __ws_b->hi > __ws_a->hi ? __ws_b->hi : __ws_a->hi; } static void __ws_loop_0(uint64_t __ws_lo, uint64_t __ws_hi, void *__ws_arg, void *__ws_part); static const ws_site __ws_site_0 = { "loop-rewrite.c:14", "{{.*}}loop-rewrite.c", 14 };
// CHECK-NEXT: #line 11 "{{.*}}loop-rewrite.c"
// CHECK-NEXT: double dot(const double *x, const double *y, long n) {
// CHECK-NEXT:   double sum = 0.0;
// CHECK-NEXT:   int hi = 0;
// CHECK-NEXT: { long __ws_init_0 = (long)(0); long __ws_b_0 = (long)(n); int __ws_neg_0 = 0; uint64_t __ws_mag_0 = 1; uint64_t __ws_trips_0 = 0; int __ws_ok_0 = ws_loop_trip_count(ws_loop_key_signed((int64_t)((long)__ws_init_0)), ws_loop_key_signed((int64_t)(__ws_b_0)), WS_LOOP_LT, __ws_neg_0, __ws_mag_0, 0x0000000000000000ULL, 0xffffffffffffffffULL, &__ws_trips_0); struct __ws_cap_0 __ws_lcap_0 = { .x = x, .y = y, .__ws_a = (uint64_t)(int64_t)__ws_init_0, .__ws_s = __ws_neg_0 ? 0 - __ws_mag_0 : __ws_mag_0 }; if (!__ws_ok_0 || __ws_trips_0 == 0) {
// CHECK-NEXT:   for (long i = 0; i < n; i++) { struct __ws_cap_0 *__ws_c = &__ws_lcap_0; const double *x = __ws_c->x; const double *y = __ws_c->y; (void)x; (void)y; (void)__ws_c; {
// CHECK-NEXT:     sum += x[i] * y[i];
// CHECK-NEXT:     hi = x[i] > hi ? (int)x[i] : hi;
// CHECK-NEXT:   } } } else { long long __ws_g_0 = (long long)(64); struct __ws_red_0 __ws_red_0; ws_loop __ws_l_0 = { .trips = __ws_trips_0, .grainsize = __ws_g_0 > 0 ? (uint64_t)__ws_g_0 : 0, .num_tasks = 0, .schedule = WS_SCHEDULE_AUTO, .tier = WS_TIER_NORMAL, .site = &__ws_site_0, .body = __ws_loop_0, .captures = &__ws_lcap_0, .red_size = sizeof(struct __ws_red_0), .red_init = __ws_red_init_0, .red_combine = __ws_red_combine_0 }; (void)ws_parallel_for(&__ws_l_0, &__ws_red_0); sum = sum + __ws_red_0.sum; hi = __ws_red_0.hi > hi ? __ws_red_0.hi : hi; } }
// CHECK-NEXT:   return sum + hi;
// CHECK-NEXT: }
// CHECK-NEXT: #line 14 "{{.*}}loop-rewrite.c"
// CHECK-NEXT: static void __ws_loop_0(uint64_t __ws_lo, uint64_t __ws_hi, void *__ws_arg, void *__ws_part) { struct __ws_cap_0 *__ws_c = (struct __ws_cap_0 *)__ws_arg; struct __ws_red_0 *__ws_r = (struct __ws_red_0 *)__ws_part; double sum = __ws_r->sum; int hi = __ws_r->hi; const double *x = __ws_c->x; const double *y = __ws_c->y; const uint64_t __ws_a = __ws_c->__ws_a, __ws_s = __ws_c->__ws_s; uint64_t __ws_k = __ws_lo; long i = (long)(__ws_a + __ws_k * __ws_s); (void)x; (void)y; (void)i; for (; __ws_k < __ws_hi; __ws_k++, i = (long)(__ws_a + __ws_k * __ws_s)) {
// CHECK-NEXT: #line 15 "{{.*}}loop-rewrite.c"
// CHECK-NEXT: {{^ +}}{
// CHECK-NEXT:     sum += x[i] * y[i];
// CHECK-NEXT:     hi = x[i] > hi ? (int)x[i] : hi;
// CHECK-NEXT:   } } __ws_r->sum = sum; __ws_r->hi = hi; }

// The trip count comes from ws.h's ws_loop_trip_count (no helper in the
// file); unsigned, decreasing, `-=`, the exit value of a variable declared
// before the loop, and a shared scalar.
// CHECK-NOT: __ws_loop_trip_count
// CHECK: struct __ws_cap_1 { double *a; double f; int *calls; uint64_t __ws_a; uint64_t __ws_s; };
// CHECK: { unsigned int __ws_init_1 = (unsigned int)(n); unsigned int __ws_b_1 = (unsigned int)(0); int __ws_s_1 = (2); int __ws_neg_1 = __ws_s_1 > 0; uint64_t __ws_mag_1 = (__ws_s_1 < 0 ? 0 - (uint64_t)(int64_t)__ws_s_1 : (uint64_t)__ws_s_1); uint64_t __ws_trips_1 = 0; int __ws_ok_1 = ws_loop_trip_count((uint64_t)((unsigned int)__ws_init_1), (uint64_t)(__ws_b_1), WS_LOOP_GT, __ws_neg_1, __ws_mag_1, 0x0000000000000000ULL, 0x00000000ffffffffULL, &__ws_trips_1); struct __ws_cap_1 __ws_lcap_1 = { .a = a, .f = f, .calls = &calls, .__ws_a = (uint64_t)__ws_init_1, .__ws_s = __ws_neg_1 ? 0 - __ws_mag_1 : __ws_mag_1 }; if (!__ws_ok_1 || __ws_trips_1 == 0 || !(n > 100)) {
// CHECK-NEXT:   for (u = n; u > 0; u -= 2) { struct __ws_cap_1 *__ws_c = &__ws_lcap_1; double *a = __ws_c->a; double f = __ws_c->f; (void)a; (void)f; (void)__ws_c; {
// CHECK-NEXT:     a[u - 1] *= f;
// CHECK-NEXT:     __atomic_fetch_add(&(*__ws_c->calls), 1, __ATOMIC_RELAXED);
// CHECK: .schedule = WS_SCHEDULE_STATIC, .tier = WS_TIER_HIGH,
// CHECK-SAME: u = (unsigned int)(__ws_lcap_1.__ws_a + __ws_trips_1 * __ws_lcap_1.__ws_s); } }
// CHECK-NEXT:   a[0] = u + calls;

// Clauses and loop forms of parallel for in the rewritten text: identities
// and combiners of every reduction operator, num_tasks, schedule, priority,
// name, private/firstprivate, pointer induction variables, != and
// `i = i + s`, the keys and ranges passed to the trip-count helper.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c

int level(void);

void reductions(const unsigned *v, const double *d, int n) {
  unsigned prod = 1, all = ~0u, any = 0, flip = 0, lo = 100;
  double mn = 1e9, mx = -1e9, diff = 0;
  float f = 0;
  int and_ = 1, or_ = 0;
#pragma ws parallel for reduction(*: prod) reduction(&: all) reduction(|: any) \
    reduction(^: flip) reduction(min: lo, mn) reduction(max: mx) \
    reduction(-: diff) reduction(+: f) reduction(&&: and_) reduction(||: or_)
  for (int i = 0; i < n; i = i + 1) {
    prod *= v[i];
    all &= v[i];
    any |= v[i];
    flip ^= v[i];
    lo = v[i] < lo ? v[i] : lo;
    mn = d[i] < mn ? d[i] : mn;
    mx = d[i] > mx ? d[i] : mx;
    diff -= d[i];
    f += (float)d[i];
    and_ = and_ && v[i];
    or_ = or_ || v[i];
  }
}
// CHECK: struct __ws_red_0 { unsigned int prod; unsigned int all; unsigned int any; unsigned int flip; unsigned int lo; double mn; double mx; double diff; float f; int and_; int or_; };
// CHECK-SAME: __ws_r->prod = (unsigned int)1; __ws_r->all = (unsigned int)~(unsigned int)0; __ws_r->any = (unsigned int)0; __ws_r->flip = (unsigned int)0; __ws_r->lo = (unsigned int)~(unsigned int)0; __ws_r->mn = __builtin_inf(); __ws_r->mx = -__builtin_inf(); __ws_r->diff = (double)0; __ws_r->f = (float)0; __ws_r->and_ = (int)1; __ws_r->or_ = (int)0; }
// CHECK-SAME: __ws_a->prod = __ws_a->prod * __ws_b->prod; __ws_a->all = __ws_a->all & __ws_b->all; __ws_a->any = __ws_a->any | __ws_b->any; __ws_a->flip = __ws_a->flip ^ __ws_b->flip; __ws_a->lo = __ws_b->lo < __ws_a->lo ? __ws_b->lo : __ws_a->lo; __ws_a->mn = __ws_b->mn < __ws_a->mn ? __ws_b->mn : __ws_a->mn; __ws_a->mx = __ws_b->mx > __ws_a->mx ? __ws_b->mx : __ws_a->mx; __ws_a->diff = __ws_a->diff + __ws_b->diff; __ws_a->f = __ws_a->f + __ws_b->f; __ws_a->and_ = __ws_a->and_ && __ws_b->and_; __ws_a->or_ = __ws_a->or_ || __ws_b->or_; }
// CHECK: int __ws_s_0 = (1); int __ws_neg_0 = __ws_s_0 < 0;
// CHECK: prod = prod * __ws_red_0.prod; all = all & __ws_red_0.all; any = any | __ws_red_0.any; flip = flip ^ __ws_red_0.flip; lo = __ws_red_0.lo < lo ? __ws_red_0.lo : lo; mn = __ws_red_0.mn < mn ? __ws_red_0.mn : mn; mx = __ws_red_0.mx > mx ? __ws_red_0.mx : mx; diff = diff + __ws_red_0.diff; f = f + __ws_red_0.f; and_ = and_ && __ws_red_0.and_; or_ = or_ || __ws_red_0.or_; } }

void clauses(char *s, char *e, long *out, long n) {
  long tmp = 0, base = 7;
  char *p;
#pragma ws parallel for num_tasks(n / 2) schedule(dynamic) priority(level()) \
    name("fill") private(tmp) firstprivate(base)
  for (p = s; p != e; p++) {
    tmp = *p + base;
    out[p - s] = tmp;
  }
  out[0] = p - s;
#pragma ws parallel for schedule(auto) priority(low)
  for (long i = n - 1; i >= 0; --i)
    out[i] += i;
}
// CHECK: struct __ws_cap_1 { long base; long *out; char *s; char *__ws_base; uint64_t __ws_s; }; static void __ws_loop_1(uint64_t __ws_lo, uint64_t __ws_hi, void *__ws_arg, void *__ws_part); static const ws_site __ws_site_1 = { "fill",
// CHECK: { char *__ws_init_1 = (char *)(s); char *__ws_b_1 = (char *)(e); int __ws_neg_1 = 0; uint64_t __ws_mag_1 = 1; uint64_t __ws_trips_1 = 0; int __ws_ok_1 = ws_loop_trip_count(ws_loop_key_signed(0), ws_loop_key_signed((int64_t)(__ws_b_1 - (char *)__ws_init_1)), WS_LOOP_NE, __ws_neg_1, __ws_mag_1, 0x0000000000000000ULL, 0xffffffffffffffffULL, &__ws_trips_1);
// CHECK-SAME: .__ws_base = __ws_init_1,
// CHECK-SAME: (void)tmp; if (
// CHECK: for (p = s; p != e; p++) { struct __ws_cap_1 *__ws_c = &__ws_lcap_1; long tmp; long base = __ws_c->base; long *out = __ws_c->out; char *s = __ws_c->s; (void)tmp; (void)base; (void)out; (void)s; (void)__ws_c; {
// CHECK: long long __ws_n_1 = (long long)(n / 2); long long __ws_prio_1 = (level()); ws_loop __ws_l_1 = { .trips = __ws_trips_1, .grainsize = 0, .num_tasks = __ws_n_1 > 0 ? (uint64_t)__ws_n_1 : 0, .schedule = WS_SCHEDULE_DYNAMIC, .tier = (__ws_prio_1 > 3 ? 3 : __ws_prio_1 < 0 ? 0 : (int)__ws_prio_1), .site = &__ws_site_1,
// CHECK-SAME: p = __ws_lcap_1.__ws_base + (ptrdiff_t)(__ws_trips_1 * __ws_lcap_1.__ws_s); } }
// CHECK: int __ws_neg_2 = 1; uint64_t __ws_mag_2 = 1;
// CHECK-SAME: , WS_LOOP_GE, __ws_neg_2,
// CHECK: .schedule = WS_SCHEDULE_AUTO, .tier = WS_TIER_LOW,
// CHECK: static void __ws_loop_1(
// CHECK-SAME: long tmp; long base = __ws_c->base;
// CHECK-SAME: char *const __ws_base = __ws_c->__ws_base; const uint64_t __ws_s = __ws_c->__ws_s; uint64_t __ws_k = __ws_lo; char *p = __ws_base + (ptrdiff_t)(__ws_k * __ws_s);

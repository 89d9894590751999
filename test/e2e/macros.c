/* ws directives produced by macros together with code (issue 13, item 2):
 * the statement a directive applies to may come from the same macro (as an
 * argument or from its body), a macro may hold a standalone directive and
 * code, several directives, a directive and a following return.  Checked
 * against the serial elision. */
#include <stdio.h>

#define SPAWN(s) _Pragma("ws task shared(a)") s
#define SYNC_INC(x) _Pragma("ws taskwait") x++;
#define SPAWN_BLOCK(...)                                                       \
  do {                                                                         \
    _Pragma("ws task shared(total)") { __VA_ARGS__ }                           \
  } while (0)
#define PARFOR(i, n) _Pragma("ws parallel for") for (int i = 0; i < (n); i++)
#define TWO(x, y) _Pragma("ws task shared(a)") x _Pragma("ws task shared(b)") y
#define GROUP(...)                                                             \
  _Pragma("ws taskgroup") { __VA_ARGS__ }
#define TWICE(s) SPAWN(s) SPAWN(s)
#define SQUARE(v) ((v) * (v))

static int spawn_then_return(int k) {
  int a = k;
  SPAWN(a += 10;) return a; /* the implicit wait comes first */
}

static int forms(void) {
  int a = 0, b = 0;
  long total = 0;
  SPAWN(a++;) b = 5;
  SYNC_INC(b)
  TWO(a += 2;, b += 3;)
  SYNC_INC(a)
  SPAWN_BLOCK(total += SQUARE(7); total += a;);
  SYNC_INC(b)
  GROUP(SPAWN(a += 100;) SPAWN_BLOCK(total += 1000;);)
  TWICE(__atomic_fetch_add(&a, 1, __ATOMIC_RELAXED);)
  SYNC_INC(total)
  return a * 100000 + b * 1000 + (int)total;
}

static long loop(int n) {
  long out[64] = {0};
  PARFOR(i, n) out[i] = SQUARE((long)i);
  long s = 0;
  for (int i = 0; i < 64; i++)
    s += out[i];
  return s;
}

int main(void) {
  printf("spawn_then_return %d\n", spawn_then_return(5));
  printf("forms %d\n", forms());
  printf("loop %ld\n", loop(50));
  return 0;
}

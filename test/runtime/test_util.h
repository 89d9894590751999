/*
 * test_util.h -- helpers shared by the runtime tests (header-only).
 *   CHECK(cond, fmt, ...)   prints file:line and the message, counts a failure
 *   ws_test_small()         1 under sanitizers (WS_TEST_SCALE=small)
 *   ws_test_scaled(n, s)    n, or s when small
 *   ws_test_finish()        prints PASS/FAIL, returns the exit status
 */
#ifndef WS_TEST_UTIL_H
#define WS_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ws_test_failures;

#define CHECK(cond, ...)                                                       \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      fprintf(stderr, __VA_ARGS__);                                            \
      fprintf(stderr, "\n");                                                   \
      ws_test_failures++;                                                      \
    }                                                                          \
  } while (0)

static inline int ws_test_small(void) {
  const char *s = getenv("WS_TEST_SCALE");
  return s && !strcmp(s, "small");
}

static inline long ws_test_scaled(long full, long small) {
  return ws_test_small() ? small : full;
}

static inline int ws_test_finish(const char *name) {
  if (ws_test_failures) {
    fprintf(stderr, "%s: FAIL (%d checks failed)\n", name, ws_test_failures);
    return 1;
  }
  fprintf(stderr, "%s: PASS\n", name);
  return 0;
}

#endif /* WS_TEST_UTIL_H */

/*
 * faultshim.c -- an LD_PRELOAD library that makes allocations and thread
 * creation fail on purpose, to test how libws degrades (test/faults/).
 *
 * It defines malloc, calloc, realloc, aligned_alloc, posix_memalign and
 * pthread_create.  Preloaded, these are the definitions every library of the
 * process binds to (libws, libffi, glibc's own exported calls).  Each
 * allocation is counted; the chosen ones return NULL (ENOMEM), the others
 * are served by glibc's allocator (__libc_malloc & co., exported by glibc
 * for exactly this use, so no dlsym is needed before the first allocation).
 * free is glibc's own: every block handed out here comes from it.
 *
 * Configuration (environment, read once at load):
 *   WS_FAULT_ALLOC_FROM=N    allocation calls N, N+1, ... fail (1-based)
 *   WS_FAULT_ALLOC_EVERY=K   allocation calls K, 2K, 3K, ... fail
 *   WS_FAULT_THREAD_FROM=N   pthread_create calls N, N+1, ... fail (EAGAIN)
 *   WS_FAULT_ARM=start|call  count from load (start, the default), or only
 *                            once the program calls ws_fault_arm() (call)
 *   WS_FAULT_REPORT=PATH     at exit, append one line of counts to PATH
 * 0 or unset disables a rule.  A bad value is a one-line message and the
 * rule stays off.
 *
 * Arming: a program under test allocates too (stdio buffers, its own data);
 * with WS_FAULT_ARM=call it looks up ws_fault_arm with dlsym(RTLD_DEFAULT)
 * (so it runs unchanged without the shim), arms after its own set-up and
 * disarms (ws_fault_disarm) before it checks and prints its results.
 * Counting restarts at each arm.  ws_fault_counts reads the counters.
 *
 * realloc(p, 0) (a free) and free itself are never failed.  glibc only: the
 * __libc_* entry points are glibc's.  (libws calls no mmap, so there is no
 * mmap rule: the mmap inside malloc and pthread_create is glibc-internal and
 * not interposable anyway; its failure shows up here as a failed malloc or
 * pthread_create, which these rules produce.)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void *__libc_memalign(size_t align, size_t size);

#define EXPORT __attribute__((visibility("default")))

typedef int (*create_fn)(pthread_t *, const pthread_attr_t *, void *(*)(void *),
                         void *);

static unsigned long alloc_from, alloc_every, thread_from;
static const char *report_path;
static create_fn real_create;
/* Relaxed throughout: independent counters, read after the threads that
 * bump them are done (or as an approximation). */
static atomic_int armed;
static atomic_ulong alloc_calls, alloc_failed, thread_calls, thread_failed;

static unsigned long env_count(const char *name) {
  const char *s = getenv(name);
  if (!s || !*s)
    return 0;
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (*end || errno || s[0] == '-') {
    /* No stdio here: it could allocate. */
    static const char msg[] = "faultshim: bad value ignored (need a count >= "
                              "0): ";
    fwrite(msg, 1, sizeof msg - 1, stderr);
    fwrite(name, 1, strlen(name), stderr);
    fwrite("\n", 1, 1, stderr);
    return 0;
  }
  return v;
}

__attribute__((constructor)) static void shim_init(void) {
  alloc_from = env_count("WS_FAULT_ALLOC_FROM");
  alloc_every = env_count("WS_FAULT_ALLOC_EVERY");
  thread_from = env_count("WS_FAULT_THREAD_FROM");
  report_path = getenv("WS_FAULT_REPORT");
  const char *arm = getenv("WS_FAULT_ARM");
  atomic_store_explicit(&armed, !(arm && strcmp(arm, "call") == 0),
                        memory_order_relaxed);
  real_create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
}

EXPORT void ws_fault_counts(unsigned long out[4]) {
  out[0] = atomic_load_explicit(&alloc_calls, memory_order_relaxed);
  out[1] = atomic_load_explicit(&alloc_failed, memory_order_relaxed);
  out[2] = atomic_load_explicit(&thread_calls, memory_order_relaxed);
  out[3] = atomic_load_explicit(&thread_failed, memory_order_relaxed);
}

__attribute__((destructor)) static void shim_report(void) {
  if (!report_path)
    return;
  atomic_store_explicit(&armed, 0, memory_order_relaxed);
  unsigned long c[4];
  ws_fault_counts(c);
  FILE *f = fopen(report_path, "a");
  if (!f)
    return;
  fprintf(f,
          "alloc_calls=%lu alloc_failed=%lu thread_calls=%lu "
          "thread_failed=%lu\n",
          c[0], c[1], c[2], c[3]);
  fclose(f);
}

EXPORT void ws_fault_arm(void) {
  atomic_store_explicit(&alloc_calls, 0, memory_order_relaxed);
  atomic_store_explicit(&alloc_failed, 0, memory_order_relaxed);
  atomic_store_explicit(&thread_calls, 0, memory_order_relaxed);
  atomic_store_explicit(&thread_failed, 0, memory_order_relaxed);
  atomic_store_explicit(&armed, 1, memory_order_relaxed);
}

EXPORT void ws_fault_disarm(void) {
  atomic_store_explicit(&armed, 0, memory_order_relaxed);
}

/* Counts one allocation call; non-zero if it must fail. */
static int alloc_fails(void) {
  if (!atomic_load_explicit(&armed, memory_order_relaxed))
    return 0;
  unsigned long n =
      atomic_fetch_add_explicit(&alloc_calls, 1, memory_order_relaxed) + 1;
  if ((alloc_from && n >= alloc_from) ||
      (alloc_every && n % alloc_every == 0)) {
    atomic_fetch_add_explicit(&alloc_failed, 1, memory_order_relaxed);
    errno = ENOMEM;
    return 1;
  }
  return 0;
}

EXPORT void *malloc(size_t size) {
  return alloc_fails() ? NULL : __libc_malloc(size);
}

EXPORT void *calloc(size_t n, size_t size) {
  return alloc_fails() ? NULL : __libc_calloc(n, size);
}

EXPORT void *realloc(void *p, size_t size) {
  if (p && size == 0)
    return __libc_realloc(p, size);
  return alloc_fails() ? NULL : __libc_realloc(p, size);
}

EXPORT void *aligned_alloc(size_t align, size_t size) {
  /* C11 asks for a power-of-two alignment; glibc's own checks follow. */
  if (align == 0 || (align & (align - 1))) {
    errno = EINVAL;
    return NULL;
  }
  return alloc_fails() ? NULL : __libc_memalign(align, size);
}

EXPORT int posix_memalign(void **out, size_t align, size_t size) {
  if (align < sizeof(void *) || (align & (align - 1)))
    return EINVAL;
  if (alloc_fails())
    return ENOMEM;
  void *p = __libc_memalign(align, size);
  if (!p)
    return ENOMEM;
  *out = p;
  return 0;
}

EXPORT int pthread_create(pthread_t *thread, const pthread_attr_t *attr,
                          void *(*start)(void *), void *arg) {
  if (atomic_load_explicit(&armed, memory_order_relaxed)) {
    unsigned long n =
        atomic_fetch_add_explicit(&thread_calls, 1, memory_order_relaxed) + 1;
    if (thread_from && n >= thread_from) {
      atomic_fetch_add_explicit(&thread_failed, 1, memory_order_relaxed);
      return EAGAIN;
    }
  }
  if (!real_create) /* called before our constructor: look it up now */
    real_create = (create_fn)dlsym(RTLD_NEXT, "pthread_create");
  return real_create(thread, attr, start, arg);
}

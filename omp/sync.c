/*
 * sync.c -- futex waits, word locks, `critical`, the OpenMP lock API, and
 * the line for entry points we do not implement.
 */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "omp.h"
#include "wso.h"

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

void wso_futex_wait(_Atomic uint32_t *addr, uint32_t expected) {
  syscall(SYS_futex, (void *)addr, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

void wso_futex_wake(_Atomic uint32_t *addr, int n) {
  syscall(SYS_futex, (void *)addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

_Atomic int wso_spin_ok = 1;

/* Spin a few microseconds: short phases between barriers should not pay a
 * futex round trip. */
int wso_event_spin(wso_event *e, uint32_t value, int spins) {
  /* Relaxed: a hint. */
  if (!atomic_load_explicit(&wso_spin_ok, memory_order_relaxed) ||
      wso_cfg.wait_passive)
    spins = 0;
  for (int i = 0; i < spins; i++) {
    /* Acquire: pairs with the writer's seq_cst change. */
    if (atomic_load_explicit(&e->v, memory_order_acquire) != value)
      return 1;
    cpu_relax();
  }
  return atomic_load_explicit(&e->v, memory_order_acquire) != value;
}

/* Spin, yield a little, then sleep. */
void wso_event_wait(wso_event *e, uint32_t value) {
  if (wso_event_spin(e, value, WSO_EVENT_SPINS))
    return;
  for (int i = 0; i < 8; i++) {
    if (atomic_load_explicit(&e->v, memory_order_acquire) != value)
      return;
    sched_yield();
  }
  wso_event_sleep(e, value);
}

void wso_event_sleep(wso_event *e, uint32_t value) {
  for (;;) {
    atomic_fetch_add_explicit(&e->sleepers, 1, memory_order_seq_cst);
    if (atomic_load_explicit(&e->v, memory_order_seq_cst) != value) {
      atomic_fetch_sub_explicit(&e->sleepers, 1, memory_order_relaxed);
      return;
    }
    wso_futex_wait(&e->v, value);
    atomic_fetch_sub_explicit(&e->sleepers, 1, memory_order_relaxed);
    if (atomic_load_explicit(&e->v, memory_order_acquire) != value)
      return;
  }
}

/* Drepper's three-state futex mutex ("Futexes are tricky", mutex 2). */
int wso_word_trylock(_Atomic uint32_t *w) {
  uint32_t zero = 0;
  /* Acquire: the critical section's reads see the last holder's writes. */
  return atomic_compare_exchange_strong_explicit(
      w, &zero, 1, memory_order_acquire, memory_order_relaxed);
}

void wso_word_lock(_Atomic uint32_t *w) {
  if (wso_word_trylock(w))
    return;
  for (int i = 0; i < 200; i++) {
    cpu_relax();
    if (atomic_load_explicit(w, memory_order_relaxed) == 0 &&
        wso_word_trylock(w))
      return;
  }
  /* Mark "held with sleepers" and sleep until we take it in that state. */
  while (atomic_exchange_explicit(w, 2, memory_order_acquire) != 0)
    wso_futex_wait(w, 2);
}

void wso_word_unlock(_Atomic uint32_t *w) {
  /* Release: pairs with the acquire of the next holder. */
  if (atomic_exchange_explicit(w, 0, memory_order_release) == 2)
    wso_futex_wake(w, 1);
}

void wso_unsupported(const char *name) {
  fprintf(stderr, "ws-omp: %s is not supported yet\n", name);
  fflush(stderr);
  _exit(2);
}

/* ---- critical ------------------------------------------------------------ */

/* The running task holds one lock more or less: tasks it creates meanwhile
 * are included (task.c, adopt). */
static inline void held(int d) { wso_self()->task->locks += d; }

/* The name's storage (32 zeroed bytes Clang shares between translation
 * units) holds the lock word itself: no allocation, no registry. */
WSO_EXPORT void __kmpc_critical(wso_ident *loc, int32_t gtid,
                                wso_critical_name *name) {
  (void)loc, (void)gtid;
  wso_word_lock((_Atomic uint32_t *)name);
  held(1);
}

WSO_EXPORT void __kmpc_critical_with_hint(wso_ident *loc, int32_t gtid,
                                          wso_critical_name *name,
                                          uint32_t hint) {
  (void)hint;
  __kmpc_critical(loc, gtid, name);
}

WSO_EXPORT void __kmpc_end_critical(wso_ident *loc, int32_t gtid,
                                    wso_critical_name *name) {
  (void)loc, (void)gtid;
  held(-1);
  wso_word_unlock((_Atomic uint32_t *)name);
}

/* ---- Locks --------------------------------------------------------------- */

/* omp_lock_t and omp_nest_lock_t are one pointer (libomp's omp.h layout, so
 * that binaries built against libomp's header work too).  A simple lock is
 * the lock word itself, in that pointer's storage; a nestable lock needs an
 * owner and a count, so the pointer points to them. */
typedef struct wso_nest_lock {
  _Atomic uint32_t word;
  int count;
  void *_Atomic owner; /* the owning task */
} wso_nest_lock;

/* Ownership belongs to tasks (OpenMP 3.0 and later), not threads. */
static void *lock_owner(void) { return wso_self()->task; }

WSO_EXPORT void omp_init_lock(omp_lock_t *l) {
  atomic_store_explicit((_Atomic uint32_t *)&l->_lk, 0, memory_order_relaxed);
}
WSO_EXPORT void omp_init_lock_with_hint(omp_lock_t *l, omp_sync_hint_t hint) {
  (void)hint;
  omp_init_lock(l);
}
WSO_EXPORT void omp_destroy_lock(omp_lock_t *l) { (void)l; }
WSO_EXPORT void omp_set_lock(omp_lock_t *l) {
  wso_word_lock((_Atomic uint32_t *)&l->_lk);
  held(1);
}
WSO_EXPORT void omp_unset_lock(omp_lock_t *l) {
  held(-1);
  wso_word_unlock((_Atomic uint32_t *)&l->_lk);
}
WSO_EXPORT int omp_test_lock(omp_lock_t *l) {
  if (!wso_word_trylock((_Atomic uint32_t *)&l->_lk))
    return 0;
  held(1);
  return 1;
}

static wso_nest_lock *nest_of(omp_nest_lock_t *l) {
  return (wso_nest_lock *)l->_lk;
}

WSO_EXPORT void omp_init_nest_lock(omp_nest_lock_t *l) {
  wso_nest_lock *n = calloc(1, sizeof *n);
  if (!n) {
    fprintf(stderr, "ws-omp: out of memory in omp_init_nest_lock\n");
    abort();
  }
  l->_lk = n;
}
WSO_EXPORT void omp_init_nest_lock_with_hint(omp_nest_lock_t *l,
                                             omp_sync_hint_t hint) {
  (void)hint;
  omp_init_nest_lock(l);
}
WSO_EXPORT void omp_destroy_nest_lock(omp_nest_lock_t *l) {
  free(l->_lk);
  l->_lk = NULL;
}
WSO_EXPORT void omp_set_nest_lock(omp_nest_lock_t *l) {
  wso_nest_lock *n = nest_of(l);
  void *me = lock_owner();
  /* Relaxed: only we can have stored our own identity. */
  if (atomic_load_explicit(&n->owner, memory_order_relaxed) == me) {
    n->count++;
    return;
  }
  wso_word_lock(&n->word);
  atomic_store_explicit(&n->owner, me, memory_order_relaxed);
  n->count = 1;
  held(1);
}
WSO_EXPORT void omp_unset_nest_lock(omp_nest_lock_t *l) {
  wso_nest_lock *n = nest_of(l);
  if (--n->count == 0) {
    held(-1);
    atomic_store_explicit(&n->owner, NULL, memory_order_relaxed);
    wso_word_unlock(&n->word);
  }
}
WSO_EXPORT int omp_test_nest_lock(omp_nest_lock_t *l) {
  wso_nest_lock *n = nest_of(l);
  void *me = lock_owner();
  if (atomic_load_explicit(&n->owner, memory_order_relaxed) == me)
    return ++n->count;
  if (!wso_word_trylock(&n->word))
    return 0;
  atomic_store_explicit(&n->owner, me, memory_order_relaxed);
  n->count = 1;
  held(1);
  return 1;
}

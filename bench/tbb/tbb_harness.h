// The oneTBB side of the harness: an arena of BENCH_WORKERS threads (the
// calling thread included), allowed to exceed the core count so that the
// oversubscribed runs mean the same thing as for the other runtimes.
#ifndef BENCH_TBB_HARNESS_H
#define BENCH_TBB_HARNESS_H

#include "harness.h"
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>
#include <oneapi/tbb/task_group.h>

struct tbb_pool {
  int workers = bench_workers();
  tbb::global_control limit{tbb::global_control::max_allowed_parallelism,
                            (size_t)workers};
  tbb::task_arena arena{workers};

  template <class F> void run(const F &f) { arena.execute(f); }
};

#endif

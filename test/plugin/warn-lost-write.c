// ws-lost-write (issue 16): a task that assigns, modifies or takes the
// address of a local that it copies only because locals are firstprivate by
// default is warned about, with a fix-it adding shared(x) -- the mistake of
// a port from OpenMP, where such a variable was shared by the enclosing
// parallel region.  No warning when firstprivate(x), private(x), shared(x)
// or a default clause is written; none under -w or with
// -fplugin-arg-ws-no-lost-write; an error under -Werror.
// RUN: %ws_cc -fsyntax-only -fdiagnostics-parseable-fixits %s 2>&1 | FileCheck %s --implicit-check-not=warning:
// RUN: %ws_cc -fsyntax-only -w %s 2>&1 | count 0
// RUN: %ws_cc -fsyntax-only -fplugin-arg-ws-no-lost-write %s 2>&1 | count 0
// RUN: not %ws_cc -fsyntax-only -Werror %s 2>&1 | FileCheck %s --check-prefix=WERROR
// RUN: %ws_rewrite -no-lost-write %s -- -I%ws_include 2>&1 >/dev/null | count 0
int work(int);
void scan(int *);

int lost(void) {
  int r = 0, n = 0, a[4] = {0}, got = 0, fp = 0, pv = 0, sh = 0, df = 0;
  int *p = &got;
#pragma ws task
  r = work(21);
// CHECK: warn-lost-write.c:[[@LINE-1]]:3: warning: the task assigns 'r', its own copy (locals are firstprivate by default): the variable itself does not change [ws-lost-write]
// CHECK: warn-lost-write.c:[[@LINE-3]]:1: note: add 'shared(r)' to write the variable itself, or 'firstprivate(r)' to keep the copy and silence this
// CHECK: fix-it:"{{.*}}warn-lost-write.c":{[[@LINE-4]]:16-[[@LINE-4]]:16}:" shared(r)"
// WERROR: warn-lost-write.c:[[@LINE-4]]:3: error: the task assigns 'r'
#pragma ws task priority(high)
  {
    n += 2;
    a[1] = n;
    scan(&got);
    *p = 1; // through a pointer: the variable itself
  }
// CHECK: warn-lost-write.c:[[@LINE-5]]:5: warning: the task modifies 'n'
// CHECK: fix-it:"{{.*}}warn-lost-write.c":{[[@LINE-8]]:31-[[@LINE-8]]:31}:" shared(n)"
// CHECK: warn-lost-write.c:[[@LINE-6]]:5: warning: the task assigns 'a'
// CHECK: warn-lost-write.c:[[@LINE-6]]:11: warning: the task takes the address of 'got'
#pragma ws task firstprivate(fp) private(pv) shared(sh)
  {
    fp = 1;
    pv = 2;
    sh = fp + pv;
  }
#pragma ws task default(firstprivate)
  df = 3;
#pragma ws task
  {
    int own = 0; // the task's own variable
    own++;
    work(own + r);
  }
#pragma ws taskwait
  return r + n + a[1] + got + sh + df;
}

#!/usr/bin/env python3
"""run_faults.py -- the fault-injection matrix (see README.md here).

Runs faultprog under faultshim.so (LD_PRELOAD) once per fault configuration
and classifies each run.  Each run must end in one of:

  ok        exit 0, "faultprog: ok" (every result right), nothing on stderr
  ok+msg    the same with one line on stderr per degradation (at most
            three), each starting "ws: " (e.g. fewer workers than asked
            for, tracing off)
  exit-msg  a non-zero exit (no signal) with exactly one line on stderr,
            starting "ws: "

Anything else fails the test: a crash (a signal), a hang (no exit within
--timeout s), a wrong result (faultprog's "WRONG" lines, exit 3), a trace or
statistics file asked for that is neither valid JSON nor excused by a ws:
line, or any other output on stderr.  For the first crashes and hangs the
driver gets every thread's backtrace with gdb (when installed) into the log
and the output; after 12 failed runs it skips the rest (each then counts as
failed) so that a broken runtime cannot take the hang timeout hundreds of
times.  A self-test first checks that fake programs that crash, hang, print
a wrong result or an unclear message are classified as failures.

The cases (matrix()): allocations failing from the N-th call on, with N
every value up to 60 and then a geometric series past the run's total
number of allocation calls (from a calibration run without faults), so that
every phase of the program (pool start, descriptors, deque growth, loops,
depend tables, libffi calls, timed tasks) gets its first failure somewhere;
every k-th call; both rules; pthread_create failing from the N-th call,
alone and with allocation faults; WS_TRACE and WS_STATS=json files; the exit
under faults; 200 seeded random mixtures -- at 1 to 16 workers, with the
pool started by the first spawn, by ws_init, or before the faults.

Usage: run_faults.py --shim faultshim.so --prog faultprog [--log FILE]
                     [--jobs J] [--timeout S] [--seed N] [--quick]
Exit status 0 when every run ended acceptably.
"""
import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

ACCEPT = ("ok", "ok+msg", "exit-msg")


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shim", required=True)
    ap.add_argument("--prog", required=True)
    ap.add_argument("--log", default="faults.log")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=20.0,
                    help="seconds before a run counts as hung (default 20; "
                    "a run takes milliseconds)")
    ap.add_argument("--seed", type=int, default=12,
                    help="seed of the random mixtures (default 12)")
    ap.add_argument("--quick", action="store_true",
                    help="a small matrix (a smoke run)")
    ap.add_argument("--no-selftest", action="store_true",
                    help="skip the check that the classifier catches "
                    "crashes, hangs, wrong results and unclear messages")
    return ap.parse_args()


class Case:
    def __init__(self, workers, start, alloc_from=0, alloc_every=0,
                 thread_from=0, scale=1, out=None, exitfaults=False):
        self.workers = workers  # WS_NUM_WORKERS, or ws_init's argument
        # "lazy": the first spawn starts the pool (armed); "init":
        # ws_init(workers) once armed; "pre": started before arming.
        self.start = start
        self.init = start == "init"
        self.scale = scale
        self.alloc_from = alloc_from
        self.alloc_every = alloc_every
        self.thread_from = thread_from
        # "trace": WS_TRACE=FILE; "json": WS_STATS=json:FILE (their buffers
        # and writers under faults too); FILE is set by main().
        self.out = out
        self.out_file = None
        self.exitfaults = exitfaults  # the faults re-armed for the exit

    def env(self):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("WS_"):
                del e[k]
        e["WS_FAULT_ARM"] = "call"
        if self.alloc_from:
            e["WS_FAULT_ALLOC_FROM"] = str(self.alloc_from)
        if self.alloc_every:
            e["WS_FAULT_ALLOC_EVERY"] = str(self.alloc_every)
        if self.thread_from:
            e["WS_FAULT_THREAD_FROM"] = str(self.thread_from)
        if not self.init:
            e["WS_NUM_WORKERS"] = str(self.workers)
        if self.out == "trace":
            e["WS_TRACE"] = self.out_file
        elif self.out == "json":
            e["WS_STATS"] = "json:" + self.out_file
        return e

    def argv(self, prog):
        a = [prog]
        if self.init:
            a.append("init=%d" % self.workers)
        if self.start == "pre":
            a.append("prestart")
        if self.scale != 1:
            a.append("scale=%d" % self.scale)
        if self.exitfaults:
            a.append("exitfaults")
        return a

    def name(self):
        parts = [("init=%d" % self.workers) if self.init else
                 ("workers=%d" % self.workers)]
        if self.start == "pre":
            parts.append("prestart")
        if self.scale != 1:
            parts.append("scale=%d" % self.scale)
        if self.alloc_from:
            parts.append("alloc_from=%d" % self.alloc_from)
        if self.alloc_every:
            parts.append("alloc_every=%d" % self.alloc_every)
        if self.thread_from:
            parts.append("thread_from=%d" % self.thread_from)
        if self.out:
            parts.append(self.out)
        if self.exitfaults:
            parts.append("exitfaults")
        return " ".join(parts)

    def command(self, shim, prog):
        """A shell command that reproduces this run."""
        env = self.env()
        sets = ["LD_PRELOAD=" + shim] + [
            "%s=%s" % (k, env[k]) for k in sorted(env)
            if k.startswith("WS_")]
        return " ".join(sets + self.argv(prog))


BACKTRACES = [0]  # taken so far: the first MAX_BACKTRACES failures get one
MAX_BACKTRACES = 6
BT_LOCK = threading.Lock()


def backtrace(case, shim, prog, pid=None):
    """Every thread's backtrace: of the running pid (a hang), or of a
    re-run under gdb (a crash)."""
    gdb = shutil.which("gdb")
    if os.environ.get("WS_FAULTS_NO_GDB"):
        return "(selftest: no backtrace)"
    with BT_LOCK:
        if BACKTRACES[0] >= MAX_BACKTRACES:
            return "(no backtrace: %d taken already)" % MAX_BACKTRACES
        BACKTRACES[0] += 1
    if not gdb:
        return "(gdb not installed: no backtrace)"
    if pid is not None:
        cmd = [gdb, "-q", "-batch", "-p", str(pid), "-ex",
               "thread apply all bt 20"]
        env = None
    else:
        cmd = [gdb, "-q", "-batch", "-ex", "set startup-with-shell off",
               "-ex", "set environment LD_PRELOAD=" + shim,
               "-ex", "run", "-ex", "thread apply all bt 20", "--args"
               ] + case.argv(prog)
        env = case.env()
    try:
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, timeout=120)
        return r.stdout
    except subprocess.TimeoutExpired:
        return "(gdb timed out)"


FAILED = [0]  # failed runs so far; past MAX_FAILED the rest are skipped
MAX_FAILED = 12


def run(case, args):
    """Runs one case; returns (class, detail, seconds, extra log text)."""
    with BT_LOCK:
        if FAILED[0] >= MAX_FAILED:
            return ("SKIPPED", "not run: %d runs failed already" % MAX_FAILED,
                    0.0, "")
    r = run1(case, args)
    if r[0] not in ACCEPT:
        with BT_LOCK:
            FAILED[0] += 1
    return r


def run1(case, args):
    env = case.env()
    env["LD_PRELOAD"] = args.shim
    t0 = time.monotonic()
    p = subprocess.Popen(case.argv(args.prog), env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=args.timeout)
    except subprocess.TimeoutExpired:
        bt = backtrace(case, args.shim, args.prog, pid=p.pid)
        p.kill()
        out, err = p.communicate()
        return ("HANG", "no exit after %gs" % args.timeout,
                time.monotonic() - t0, bt)
    secs = time.monotonic() - t0
    lines = [l for l in err.splitlines() if l.strip()]
    okline = [l for l in out.splitlines() if l.startswith("faultprog: ok")]
    detail = okline[0][len("faultprog: ok "):] if okline else ""
    if p.returncode < 0:
        bt = backtrace(case, args.shim, args.prog)
        return ("CRASH", "signal %d; stderr: %s" % (-p.returncode,
                                                    " | ".join(lines[-3:])),
                secs, bt)
    if p.returncode == 3 or any("WRONG" in l for l in lines):
        return ("WRONG", " | ".join(lines[:5]), secs, "")
    clear = len(lines) == 1 and lines[0].startswith("ws: ")
    if p.returncode == 0 and okline:
        bad = check_output_file(case, lines)
        if bad:
            return ("WRONG", bad, secs, "")
        if not lines:
            return ("ok", detail, secs, "")
        # Each degradation says so once: a smaller pool, tracing off, ...
        if len(lines) <= 3 and all(l.startswith("ws: ") for l in lines):
            return ("ok+msg", detail + " | " + " | ".join(lines), secs, "")
        return ("UNCLEAR", "exit 0 but stderr: " + " | ".join(lines[:5]),
                secs, "")
    if p.returncode != 0 and clear:
        return ("exit-msg", "exit %d | %s" % (p.returncode, lines[0]), secs,
                "")
    return ("UNCLEAR", "exit %d, stderr: %s" % (p.returncode,
                                               " | ".join(lines[:5])),
            secs, "")


def check_output_file(case, lines):
    """A trace or statistics file asked for: written and valid JSON, or a
    `ws:` line saying why not.  Returns what is wrong, or None."""
    if not case.out:
        return None
    path = case.out_file
    said = any(("WS_TRACE" if case.out == "trace" else "WS_STATS") in l
               for l in lines)
    try:
        with open(path) as f:
            text = f.read()
    except OSError:
        text = ""
    if not text:
        return None if said else "no %s file and no message" % case.out
    try:
        json.loads(text)
    except ValueError as e:
        return "%s file %s is not valid JSON (%s)" % (case.out, path, e)
    return None


def calibrate(args, workers, start, scale=1):
    """Allocation calls the armed part makes without faults."""
    cls, detail, _, _ = run(Case(workers, start, scale=scale), args)
    if cls != "ok":
        sys.exit("faults: the run without faults failed (%s): %s" %
                 (cls, detail))
    fields = dict(kv.split("=") for kv in detail.split())
    return int(fields["alloc_calls"])


def from_values(total, dense, factor):
    """Every N up to dense, then a geometric series (factor) past total."""
    vals = list(range(1, dense + 1))
    v = float(dense)
    while v < total * 1.2:
        v *= factor
        vals.append(int(v))
    return vals


def matrix(args):
    q = args.quick
    cases = []
    workers = [1, 2, 4] if q else [1, 2, 4, 16]
    dense, factor = (20, 2.0) if q else (60, 1.3)
    # Allocations failing from the N-th on: the pool started by the first
    # spawn, by ws_init, or before the faults (every N hits a running pool).
    for w in workers:
        for start in ["lazy", "pre"]:
            total = calibrate(args, w, start)
            for n in from_values(total, dense, factor):
                cases.append(Case(w, start, alloc_from=n))
    total = calibrate(args, 4, "init")
    for n in from_values(total, 20, 2.0):
        cases.append(Case(4, "init", alloc_from=n))
    if not q:  # more tasks in flight: fib(22), wider frames, longer loops
        total = calibrate(args, 4, "pre", scale=3)
        for n in from_values(total, 10, 2.0):
            cases.append(Case(4, "pre", alloc_from=n, scale=3))
    # Every k-th allocation failing.
    everies = [1, 2, 3, 5, 7, 13, 50] if q else [
        1, 2, 3, 4, 5, 7, 11, 13, 17, 31, 50, 97, 200, 500, 1000]
    for w in workers:
        for start in ["lazy", "pre"]:
            for k in everies:
                cases.append(Case(w, start, alloc_every=k))
    for k in [3, 13, 97]:
        cases.append(Case(4, "init", alloc_every=k))
        if not q:
            cases.append(Case(16, "pre", alloc_every=k, scale=3))
    # Both rules: the first failures early, then a steady rate.
    for w in [1, 4, 16]:
        for n, k in [(5, 3), (100, 7), (500, 2), (1000, 31)]:
            cases.append(Case(w, "pre", alloc_from=n, alloc_every=k))
            if not q:
                cases.append(Case(w, "lazy", alloc_from=n, alloc_every=k))
    # Threads: none can be made, or only the first few.
    for w in [2, 4] if q else [2, 4, 16]:
        for t in sorted({1, 2, 3, w - 1, w}):
            for start in ["lazy", "init"]:
                cases.append(Case(w, start, thread_from=t))
    # Threads and memory together.
    for w in [4] if q else [4, 16]:
        for t, k in [(1, 3), (2, 7), (3, 50), (2, 97)]:
            cases.append(Case(w, "lazy", thread_from=t, alloc_every=k))
        cases.append(Case(w, "init", thread_from=2, alloc_from=30))
        cases.append(Case(w, "init", thread_from=1, alloc_from=200))
    # The trace and the JSON statistics under faults (their buffers, the
    # files' writers): allocations failing from N, at 4 workers; and with
    # the faults re-armed for the exit, where the files are written.
    for out in ["trace", "json"]:
        for n in from_values(2000, 20 if q else 60, 2.0):
            cases.append(Case(4, "lazy", alloc_from=n, out=out))
        for k in [2, 7, 31]:
            cases.append(Case(16, "lazy", alloc_every=k, out=out))
        for n in range(1, 9 if q else 25):
            cases.append(Case(4, "pre", alloc_from=n, out=out,
                              exitfaults=True))
        for k in [1, 2, 3]:
            cases.append(Case(4, "pre", alloc_every=k, out=out,
                              exitfaults=True))
    # The exit alone under faults (the pool's shutdown).
    for w in [1, 4, 16]:
        for n in [1, 2, 3, 5]:
            cases.append(Case(w, "pre", alloc_from=n, exitfaults=True))
    # Random mixtures (seeded: --seed reproduces them).
    rng = random.Random(args.seed)
    for _ in range(40 if q else 200):
        w = rng.choice([1, 2, 3, 4, 8, 16])
        start = rng.choice(["lazy", "pre", "init"])
        scale = rng.choice([1, 1, 1, 3])
        total = 10000 * scale
        c = Case(w, start, scale=scale)
        rule = rng.randrange(4)
        if rule in (0, 3):
            c.alloc_from = rng.randint(1, total)
        if rule in (1, 3) or rng.random() < 0.3:
            c.alloc_every = rng.randint(2, 300)
        if rule == 2 or rng.random() < 0.3:
            c.thread_from = rng.randint(1, w + 1)
        cases.append(c)
    return cases


SELFTEST = {
    # program body (sh) -> the class it must get
    "echo 'faultprog: ok alloc_calls=1'": "ok",
    "echo 'faultprog: ok x=1'; echo 'ws: fewer workers' >&2": "ok+msg",
    "echo 'ws: out of memory' >&2; exit 1": "exit-msg",
    "kill -SEGV $$": "CRASH",
    "exec sleep 30": "HANG",
    "echo 'faultprog: WRONG fib: got 1, want 2' >&2; exit 3": "WRONG",
    "echo 'faultprog: ok x=1'; echo 'malloc failed' >&2": "UNCLEAR",
    "echo 'ws: a' >&2; echo 'ws: b' >&2; exit 1": "UNCLEAR",
    "echo 'Segmentation fault' >&2; exit 139": "UNCLEAR",
    "exit 1": "UNCLEAR",
    "exit 0": "UNCLEAR",
}


def selftest(args):
    """The classifier must catch each kind of failure: fake programs."""
    import tempfile
    bad = []
    with tempfile.TemporaryDirectory() as d:
        a = argparse.Namespace(**vars(args))
        a.timeout = 1.0
        os.environ["WS_FAULTS_NO_GDB"] = "1"
        for i, (body, want) in enumerate(SELFTEST.items()):
            a.prog = os.path.join(d, "fake%d.sh" % i)
            with open(a.prog, "w") as f:
                f.write("#!/bin/sh\n" + body + "\n")
            os.chmod(a.prog, 0o755)
            got = run(Case(1, "lazy"), a)[0]
            if got != want:
                bad.append("%r: classified %s, want %s" % (body, got, want))
        del os.environ["WS_FAULTS_NO_GDB"]
        FAILED[0] = 0
    for b in bad:
        print("faults: selftest: " + b)
    return not bad


def main():
    args = parse_args()
    args.shim = os.path.abspath(args.shim)
    args.prog = os.path.abspath(args.prog)
    t0 = time.monotonic()
    if not args.no_selftest:
        if not selftest(args):
            return 1
        print("faults: selftest: %d fake programs classified right" %
              len(SELFTEST))
    cases = matrix(args)
    # The trace and statistics files of the runs that ask for one, kept
    # beside the log (a failure names its file).
    outdir = os.path.abspath(args.log) + ".files"
    shutil.rmtree(outdir, ignore_errors=True)
    os.makedirs(outdir)
    for i, c in enumerate(cases):
        if c.out:
            c.out_file = os.path.join(outdir, "%d.%s.json" % (i, c.out))
    results = [None] * len(cases)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = {ex.submit(run, c, args): i for i, c in enumerate(cases)}
        for f in concurrent.futures.as_completed(futs):
            results[futs[f]] = f.result()
    counts = {}
    bad = []
    with open(args.log, "w") as log:
        log.write("# faultprog under faultshim: one line per run\n")
        for c, (cls, detail, secs, extra) in zip(cases, results):
            counts[cls] = counts.get(cls, 0) + 1
            log.write("%-9s %-50s %6.2fs  %s\n" % (cls, c.name(), secs,
                                                   detail))
            if cls not in ACCEPT:
                bad.append((c, cls, detail, extra))
        for c, cls, detail, extra in bad:
            log.write("\n== %s: %s\n   %s\n   reproduce: %s\n%s\n" %
                      (cls, c.name(), detail, c.command(args.shim, args.prog),
                       extra))
    summary = ", ".join("%s %d" % (k, counts[k]) for k in sorted(counts))
    print("faults: %d runs in %.1fs: %s (log: %s)" %
          (len(cases), time.monotonic() - t0, summary, args.log))
    msgs = sorted({re.sub(r"\d+", "N", m) for c, (cls, d, _, _) in
                   zip(cases, results) if cls in ("ok+msg", "exit-msg")
                   for m in d.split(" | ") if m.startswith("ws: ")})
    for m in msgs:
        print("  message seen: " + m)
    for c, cls, detail, extra in bad:
        print("FAIL %s: %s: %s" % (cls, c.name(), detail))
        print("  reproduce: " + c.command(args.shim, args.prog))
        if extra and not extra.startswith("(no backtrace"):
            print("  " + "\n  ".join(extra.splitlines()[-40:]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

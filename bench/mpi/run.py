#!/usr/bin/env python3
"""bench/mpi/run.py -- the distributed-task bench (bench/mpi.sh documents the
options).  What it measures, per kernel (uts, fib, nqueens):

  plain   dist.plain, the program built without MPI (distributed tasks are
          ordinary tasks), one worker, started by `mpirun -n 1` as well: the
          launcher binds it to a core as it binds a one-rank job, so the two
          are compared under the same placement (the program does not use
          MPI; the launcher changes nothing else)
  1/2/4   `mpirun -n N dist`, one worker per rank (WS_NUM_WORKERS=1), with
          WS_STATS=1 so that rank 0 prints every rank's counters

Each RESULT line gives the kernel's wall time (MPI started, pool warm) and
rank 0's CPU in it; the per-rank table gives the distributed tasks each rank
ran.  Within a run the variants of a kernel alternate, so that a change in
the machine's load hits them alike; medians over the runs are reported.
The one-rank overhead is given twice: the ratio of the two medians, and
the median of each run's own ratio (the no-MPI and the one-rank run of a
kernel are adjacent in every run, so a drift of the machine over minutes
cancels in each pair).  Every run's figures are also written next to the
table (FILE.json for --results FILE.md).

Placement: `mpirun -n 1` binds the one-rank job to one core, with its
worker, its communication thread and Open MPI's two threads; the build
without MPI is started by `mpirun -n 1` too, so it gets the same core.  At
one rank the extra threads do not wake while the kernel runs (measured in
/proc/PID/task/*/status during fib 46: 0 context switches for Open MPI's
threads and, since the one-rank communication thread sleeps until the end,
for it too; docs/performance.md), so they take nothing from the worker's
core and both variants are bound alike: no --bind-to option is given.

--ranks 1 measures only the one-rank overhead (the build without MPI and
one rank; no idle phase): cheap enough for the many runs that a 5% goal
needs on a noisy machine.

idle: `mpirun -n 2 dist idle`: a small tree on both ranks, then serial code
on rank 0 while rank 1 has nothing to do.  Between rank 0's "SERIAL begin"
and "SERIAL end" lines this script reads rank 1's CPU time (every thread:
workers and communication thread) from /proc/PID/stat; CPU / wall is the
share of a core an idle rank costs.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
ROOT = os.path.dirname(BENCH)
KERNELS = ["uts", "fib", "nqueens"]
# fib 42: about 0.6 s at one rank, as long as the other two kernels (fib 40,
# 0.23 s, made the job's fixed costs -- the first steal across ranks, the
# last results travelling back, ~1 ms each -- a visible part of its time).
SIZES = {"uts": 13, "fib": 42, "nqueens": 13, "idle": 30}
QUICK = {"uts": 10, "fib": 32, "nqueens": 10, "idle": 10}
RANKS = [1, 2, 4]
MPIRUN = ["mpirun", "--allow-run-as-root", "--oversubscribe"]
RESULT = re.compile(r"RESULT kernel=(\S+) ranks=(\d+) time=(\S+) cpu=(\S+) "
                    r"result=(\d+)")


def die(msg):
    print("bench/mpi: " + msg, file=sys.stderr)
    sys.exit(2)


def parse_args():
    ap = argparse.ArgumentParser(prog="bench/mpi.sh")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--size", action="append", default=[])
    ap.add_argument("--wsbuild")
    ap.add_argument("--out", default=os.path.join(BENCH, "build", "mpi"))
    ap.add_argument("--cap", type=float, default=60)
    ap.add_argument("--ranks", default=",".join(map(str, RANKS)))
    ap.add_argument("--results",
                    default=os.path.join(BENCH, "results", "mpi.md"))
    a = ap.parse_args()
    a.kernels = [k for k in a.kernels.split(",") if k]
    try:
        a.ranks = sorted({int(r) for r in a.ranks.split(",") if r})
    except ValueError:
        a.ranks = []
    if 1 not in a.ranks or any(r not in RANKS for r in a.ranks):
        die("bad --ranks (a list of 1, 2, 4 that has 1)")
    for k in a.kernels:
        if k not in KERNELS:
            die("unknown kernel %s (uts, fib, nqueens)" % k)
    a.sizes = dict(QUICK if a.quick else SIZES)
    for s in a.size:
        k, _, v = s.partition("=")
        if k not in a.sizes or not v.isdigit():
            die("bad --size %s (K=N, K one of %s)" % (s, ",".join(a.sizes)))
        a.sizes[k] = int(v)
    if a.quick:
        a.runs = 1
    if a.runs < 1:
        die("--runs must be at least 1")
    return a


def find_build(a):
    cands = [a.wsbuild] if a.wsbuild else [
        os.path.join(ROOT, "build-bench"), os.path.join(ROOT, "build")]
    for c in cands:
        if c and os.path.exists(os.path.join(c, "lib", "libws-mpi.so")):
            return os.path.abspath(c)
    die("no build of libws with libws-mpi in %s (cmake --build it; MPI "
        "must be installed: scripts/setup.sh)" % " or ".join(cands))


def build(a, wsbuild):
    os.makedirs(a.out, exist_ok=True)
    lib = os.path.join(wsbuild, "lib")
    cflags = ["clang-19", "-O2", "-g", "-std=gnu11", "-Wall", "-Wextra",
              "-Werror", "-I" + os.path.join(ROOT, "include")]
    # The serial kernels, one object linked first into both programs: the
    # hot code is the same bytes at the same addresses in each (serial.c).
    # Linked first is not enough: .text starts after the PLT, which is
    # longer in the program that calls libws-mpi (fib_serial was at 0x1360
    # there, 0x1320 without MPI); each kernel on a page of its own is at
    # the same address in both.
    serial = os.path.join(a.out, "serial.o")
    subprocess.run(cflags + ["-falign-functions=4096", "-c",
                             os.path.join(HERE, "serial.c"), "-o", serial],
                   check=True)
    common = cflags + [serial, os.path.join(HERE, "dist.c"), "-L" + lib,
                       "-Wl,-rpath," + lib]
    progs = {"mpi": os.path.join(a.out, "dist"),
             "plain": os.path.join(a.out, "dist.plain")}
    subprocess.run(common + ["-o", progs["mpi"], "-lws-mpi", "-lws",
                             "-pthread"], check=True)
    subprocess.run(common + ["-DBENCH_PLAIN", "-o", progs["plain"], "-lws",
                             "-pthread"], check=True)
    return progs


def env():
    e = dict(os.environ)
    e["WS_NUM_WORKERS"] = "1"
    # Containers often forbid Open MPI's cross-process memory copy (CMA).
    e.setdefault("OMPI_MCA_btl_vader_single_copy_mechanism", "none")
    e.pop("WS_TRACE", None)
    return e


def run(cmd, a, stats=False):
    e = env()
    if stats:
        e["WS_STATS"] = "1"
    try:
        p = subprocess.run(cmd, env=e, capture_output=True, text=True,
                           timeout=a.cap)
    except subprocess.TimeoutExpired:
        return None, "timeout after %gs" % a.cap
    m = RESULT.search(p.stdout)
    if p.returncode != 0 or not m:
        return None, "status %d: %s" % (p.returncode, p.stderr[-400:])
    r = {"time": float(m.group(3)), "cpu": float(m.group(4)),
         "result": int(m.group(5))}
    ran = []
    lines = p.stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("ws-mpi: per-rank statistics"):
            for row in lines[i + 2:]:
                f = row.split()
                if not f or not f[0].isdigit():
                    break
                ran.append(int(f[2]))
    r["ran"] = ran
    return r, None


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def rank_pids(parent):
    """{rank: pid} of the processes that mpirun `parent` started."""
    out = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            if ppid != parent:
                continue
            with open("/proc/%s/environ" % d, "rb") as f:
                envs = f.read().split(b"\0")
        except OSError:
            continue
        for kv in envs:
            if kv.startswith(b"OMPI_COMM_WORLD_RANK="):
                out[int(kv.split(b"=", 1)[1])] = int(d)
    return out


def run_idle(a, prog, nranks):
    """CPU/wall of each rank > 0 during rank 0's serial phase."""
    hz = os.sysconf("SC_CLK_TCK")
    p = subprocess.Popen(MPIRUN + ["-n", str(nranks), prog, "idle",
                                   str(a.sizes["idle"])],
                         env=env(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    t0, c0, shares = None, None, None
    deadline = time.monotonic() + a.cap
    try:
        for line in p.stdout:
            if line.startswith("SERIAL begin"):
                pids = rank_pids(p.pid)
                others = {r: pid for r, pid in pids.items() if r > 0}
                c0 = {r: cpu_ticks(pid) for r, pid in others.items()}
                t0 = time.monotonic()
            elif line.startswith("SERIAL end") and c0:
                wall = time.monotonic() - t0
                shares = {r: (cpu_ticks(others[r]) - c0[r]) / hz / wall
                          for r in others}
            if time.monotonic() > deadline:
                break
        p.wait(timeout=max(1, deadline - time.monotonic()))
    except (subprocess.TimeoutExpired, OSError):
        p.kill()
        p.wait()
        return None
    return shares if p.returncode == 0 else None


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def commit():
    """The ws commit measured (+ if the tree has changes), or '?'."""
    try:
        c = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short",
                            "HEAD"], capture_output=True, text=True,
                           check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain",
                                "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()
        return c + ("+" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "?"


def main():
    started = time.strftime("%Y-%m-%d %H:%M", time.gmtime())
    load0 = os.getloadavg()[0]
    a = parse_args()
    wsbuild = find_build(a)
    progs = build(a, wsbuild)
    wrong = []
    # The serial reference of each kernel (untimed).
    expect = {}
    for k in a.kernels:
        r, err = run([progs["plain"], k, str(a.sizes[k]), "--check"], a)
        if not r:
            die("%s --check failed: %s" % (k, err))
        expect[k] = r["result"]
    ranks = a.ranks
    data = {(k, v): [] for k in a.kernels for v in ["plain"] + ranks}
    failures = []
    idle = {n: [] for n in (2, 4) if n in ranks}
    raw = []  # every run's figures, for FILE.json
    for run_i in range(a.runs):
        for k in a.kernels:
            args = [k, str(a.sizes[k])]
            # The build without MPI and one rank swap places every other
            # run, so that neither always runs right after the other (on
            # this VM a position in the sequence can carry a slowdown of
            # several percent into the one-rank overhead).
            order = ["plain"] + ranks
            if run_i % 2:
                order = [1, "plain"] + ranks[1:]
            for v in order:
                if v == "plain":
                    r, err = run(MPIRUN + ["-n", "1", progs["plain"]] + args,
                                 a)
                else:
                    r, err = run(MPIRUN + ["-n", str(v), progs["mpi"]] + args,
                                 a, stats=True)
                if not r:
                    failures.append("%s %s: %s" % (k, v, err))
                    continue
                if r["result"] != expect[k]:
                    wrong.append("%s at %s: %d, expected %d" %
                                 (k, v, r["result"], expect[k]))
                r["run"] = run_i
                data[(k, v)].append(r)
                raw.append(dict(r, kernel=k, variant=str(v)))
        for n in idle:
            s = run_idle(a, progs["mpi"], n)
            if s is None:
                failures.append("idle -n %d failed" % n)
            else:
                idle[n].append(max(s.values()))
                raw.append({"run": run_i, "kernel": "idle", "variant": str(n),
                            "share": max(s.values())})
        print("bench/mpi: run %d of %d done" % (run_i + 1, a.runs),
              file=sys.stderr)

    out = []
    load = os.getloadavg()[0]
    out.append("Distributed tasks (bench/mpi.sh%s): %d run(s), medians; "
               "one worker per rank; %s to %s UTC, ws %s; load average %.1f "
               "at the start, %.1f at the end, on %d CPUs"
               % (" " + " ".join(sys.argv[1:]) if sys.argv[1:] else "",
                  a.runs, started, time.strftime("%H:%M", time.gmtime()),
                  commit(), load0, load, os.cpu_count()))
    out.append("")
    out.append("| kernel | size | result | no MPI (s) | 1 rank (s) | "
               "2 ranks (s) | 4 ranks (s) | 2 ranks / 1 | 2 ranks / 1-rank "
               "CPU | rank 0 CPU/wall @2 | 1 rank / no MPI "
               "| same, paired | 1 rank / no MPI, CPU | least share @4 |")
    out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    goals = []
    nan = float("nan")
    for k in a.kernels:
        t = {v: med([r["time"] for r in data[(k, v)]])
             for v in ["plain"] + RANKS if (k, v) in data}
        cpu = {v: med([r["cpu"] for r in data[(k, v)]])
               for v in ["plain"] + RANKS if (k, v) in data}
        # On a loaded machine a lone process may get a fraction of a core:
        # the one-rank job's CPU time is what it would take on a core of
        # its own, and rank 0's CPU/wall at 2 ranks says whether the 2-rank
        # job had its cores (near 1: the next ratio estimates a quiet
        # machine's).
        ratio2 = t[2] / t[1] if 2 in ranks else nan
        ratio2_cpu = t[2] / cpu[1] if 2 in ranks else nan
        util2 = (med([r["cpu"] / r["time"] for r in data[(k, 2)]])
                 if 2 in ranks else nan)
        shares = [min(r["ran"]) / sum(r["ran"]) for r in data.get((k, 4), [])
                  if len(r["ran"]) == 4 and sum(r["ran"])]
        ok = not any(w.startswith(k + " ") for w in wrong) and all(
            data[(k, v)] for v in ["plain"] + ranks)
        over = t[1] / t["plain"] - 1
        over_cpu = cpu[1] / cpu["plain"] - 1
        # Each run's own ratio: its no-MPI and one-rank runs are adjacent.
        plain_of = {r["run"]: r for r in data[(k, "plain")]}
        pairs = [r["time"] / plain_of[r["run"]]["time"] - 1
                 for r in data[(k, 1)] if r["run"] in plain_of]
        over_paired = med(pairs)
        # The fastest run of each: the machine's interference only slows a
        # run (a quarter of one binary's runs can be 15-25% slow on this
        # VM at load average 1, in CPU time too), so the minima show the
        # cost of the code itself.
        over_min = (min(r["time"] for r in data[(k, 1)]) /
                    min(r["time"] for r in data[(k, "plain")]) - 1)
        share = med(shares)
        def cell(fmt, *xs):
            return "-" if any(x != x for x in xs) else fmt % xs
        out.append("| " + " | ".join([
            k, str(a.sizes[k]),
            "%s (%d)" % ("ok" if ok else "WRONG", expect[k]),
            cell("%.3f", t["plain"]), cell("%.3f", t[1]),
            cell("%.3f", t.get(2, nan)), cell("%.3f", t.get(4, nan)),
            cell("%.2f (1/%.2f)", ratio2, 1 / ratio2),
            cell("%.2f (1/%.2f)", ratio2_cpu, 1 / ratio2_cpu),
            cell("%.2f", util2), cell("%+.1f%%", 100 * over),
            cell("%+.1f%%", 100 * over_paired),
            cell("%+.1f%%", 100 * over_cpu),
            cell("%.1f%% (worst %.1f%%)", 100 * share,
                 100 * min(shares) if shares else nan)]) + " |")
        goals.append(("%s: right result at %s and without MPI" %
                      (k, "1 rank" if ranks == [1] else
                       ", ".join(map(str, ranks)) + " ranks"), ok))
        if 2 in ranks:
            goals.append(("%s: time @2 ranks <= 1/1.8 of @1 (%.2f <= 0.556; "
                          "against the one rank's CPU %.2f)" %
                          (k, ratio2, ratio2_cpu), ratio2 <= 1 / 1.8))
        if 4 in ranks:
            goals.append(("%s: every rank runs >= 15%% of the tasks @4 "
                          "(least %.1f%%, median over runs)" %
                          (k, 100 * share), share >= 0.15))
        goals.append(("%s: one rank within 5%% of no MPI (%+.1f%% wall, the "
                      "median of the runs' own ratios; %+.1f%% the ratio of "
                      "the medians; %+.1f%% CPU; %+.1f%% the fastest runs)" %
                      (k, 100 * over_paired, 100 * over, 100 * over_cpu,
                       100 * over_min), over_paired <= 0.05))
    for n in idle:
        v = med(idle[n])
        goals.append(("idle rank during rank 0's serial code, %d ranks: "
                      "%.1f%% of a core (< 10%%; busiest idle rank, median)"
                      % (n, 100 * v), v < 0.10))
    out.append("")
    out.append("Goals:")
    for text, met in goals:
        out.append("- [%s] %s" % ("x" if met else " ", text))
    for w in wrong:
        out.append("- WRONG: " + w)
    for f in failures:
        out.append("- FAILED: " + f)
    text = "\n".join(out) + "\n"
    print(text)
    os.makedirs(os.path.dirname(a.results), exist_ok=True)
    with open(a.results, "w") as f:
        f.write(text)
    with open(os.path.splitext(a.results)[0] + ".json", "w") as f:
        # One run of one variant a line.
        f.write('{"command": %s, "sizes": %s, "runs": [\n%s\n]}\n' % (
            json.dumps(sys.argv[1:]), json.dumps(a.sizes),
            ",\n".join(json.dumps(r) for r in raw)))
    sys.exit(1 if wrong or failures else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""The ws benchmark runner: builds every variant, runs them paired, prints
one table and writes it to bench/results/latest.md.  Options: see run.sh."""

import argparse
import os
import platform
import re
import resource
import shlex
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)

VARIANTS = ["seq", "ws", "ws-api", "omp-gcc", "omp-clang", "tbb", "lace"]
PEERS = ["omp-gcc", "omp-clang", "tbb", "lace"]

# kernel -> full args, quick args, worker counts, kind.  "time" kernels get
# the timing columns; the others report their own figure.
KERNELS = {
    "fib":       dict(full=["35"], quick=["24"], kind="time"),
    "nqueens":   dict(full=["12"], quick=["10"], kind="time"),
    "uts":       dict(full=["500", "8"], quick=["100", "6"], kind="time"),
    "mergesort": dict(full=[str(32 << 20)], quick=[str(1 << 20)], kind="time"),
    "flat":      dict(full=["10000000"], quick=["500000"], kind="time"),
    # parallel for through the plugin (issue 4's two loops)
    # (their set-up -- filling 0.3 and 1.6 GB -- takes longer than the timed
    # part, and the cap counts the whole process: `cap` is their minimum)
    "stencil":   dict(full=["4096", "10"], quick=["1024", "4"], kind="time",
                      cap=30),
    "dot":       dict(full=["100000000", "4"], quick=["4000000", "4"],
                      kind="time", cap=30),
    "priority":  dict(full=["10000", "100", "20"], quick=["2000", "100", "20"],
                      kind="priority"),
    "idle":      dict(full=["50", "9000", "16"], quick=["10", "9000", "16"],
                      kind="idle", workers=[2, 8]),
    "wake":      dict(full=["100", "25"], quick=["10", "25"], kind="wake",
                      workers=[2], runs=1, noseq=True),
    # Issue 14's comparison with Lace (trolando/lace): kernels in Lace's
    # shape, beside Lace's own programs for them (the `lace` variant, built
    # from LACE_SRC; `lace` names the Lace source, `lace_fn` the function
    # whose inclusive instructions callgrind counts for Lace).  Only seq,
    # ws, ws-api and lace: the point is ws against Lace.
    "lacefib":   dict(full=["35"], quick=["27"], kind="time",
                      variants=["seq", "ws", "ws-api", "lace"],
                      lace="benchmarks/fib/fib-lace.c", lace_fn="pfib_WRAP"),
    "lacequeens": dict(full=["12"], quick=["9"], kind="time",
                       variants=["seq", "ws", "lace"],
                       lace="benchmarks/queens/queens-lace.c"),
}
# Kernels whose instructions per task callgrind counts at 1 worker (see
# callgrind()): the suite's fib, and fib in Lace's shape.
CALLGRIND_KERNELS = ["fib", "lacefib"]
# parallel for: bench/loop_api.c (written by the loops engineer, ws only) is
# run as it is, once, and its own lines are quoted under the table.
LOOP_ARGS = dict(full=["100000000", "4096", "2", "4"],
                 quick=["2000000", "512", "2", "2"])
# kernels with a tbb form (priority has no natural task_group form)
TBB_KERNELS = {"fib", "nqueens", "uts", "mergesort", "flat", "stencil", "dot",
               "idle", "wake"}
GOAL_TIME_KERNELS = ["fib", "nqueens", "uts"]


def sh(cmd, **kw):
    return subprocess.run(cmd, shell=isinstance(cmd, str), text=True,
                          capture_output=True, **kw)


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- building

def build(args):
    """Builds libws/plugin if missing (cmake --build of the main project),
    then every variant; returns the variants that exist."""
    wsb = args.wsbuild
    lib = os.path.join(wsb, "lib", "libws.so")
    plugin = os.path.join(wsb, "lib", "ws-plugin.so")
    if not args.no_build:
        if not os.path.exists(os.path.join(wsb, "build.ninja")):
            log(f"configuring {wsb}")
            sh(["cmake", "-S", ROOT, "-B", wsb, "-G", "Ninja",
                "-DCMAKE_BUILD_TYPE=Release", "-DCMAKE_C_COMPILER=clang-19",
                "-DCMAKE_CXX_COMPILER=clang++-19", "-DWS_BUILD_TESTS=OFF"])
        for target, out in (("ws", lib), ("ws-plugin", plugin)):
            # Always ask ninja: it is a no-op when up to date.
            r = sh(["cmake", "--build", wsb, "-j2", "--target", target])
            if r.returncode != 0:
                log(f"note: cannot build {target} in {wsb} "
                    f"({(r.stdout + r.stderr).strip().splitlines()[-1:]})")
    have = {"seq", "omp-gcc", "omp-clang", "tbb"}
    if os.path.exists(lib):
        have.add("ws-api")
        if os.path.exists(plugin):
            have.add("ws")
    targets = {"seq": "seq", "omp-gcc": "omp-gcc", "omp-clang": "omp-clang",
               "tbb": "tbb", "ws-api": "api", "ws": "ws"}
    if "lace" in args.variants and lace_ready(args):
        have.add("lace")
        targets["lace"] = "lace"
    ok = set()
    for v in VARIANTS:
        if v not in have or v not in args.variants:
            continue
        if args.no_build:
            ok.add(v)
            continue
        kernels = " ".join(k for k in args.kernels if k in KERNELS
                           and v in kernel_variants(k))
        if not kernels:
            continue
        r = sh(["make", "-C", BENCH, "-j2", "-k", targets[v],
                f"OUT={args.out}", f"WSBUILD={wsb}", f"KERNELS={kernels}",
                f"LACE_SRC={args.lace_src or ''}"])
        if r.returncode != 0:
            log(f"note: some {v} builds failed:\n" +
                "\n".join(l for l in (r.stdout + r.stderr).splitlines()
                          if "error" in l)[:2000])
        ok.add(v)
    if "loop" in args.kernels and "ws-api" in ok and not args.no_build:
        sh(["make", "-C", BENCH, "loop", f"OUT={args.out}", f"WSBUILD={wsb}"])
    if "wake" in args.kernels and not args.no_build:
        sh(["make", "-C", BENCH, f"{args.out}/wake_floor", f"OUT={args.out}"])
    return ok


def kernel_variants(kernel):
    """The variants a kernel is built and run as: its own list, or every
    variant but `lace` (only the kernels with a Lace program have one)."""
    spec = KERNELS[kernel]
    return spec.get("variants", [v for v in VARIANTS if v != "lace"])


def lace_ready(args):
    """True when LACE_SRC names a Lace source tree with the benchmark
    programs the suite needs; otherwise says why not, in one line (recorded
    for the table too), and the lace rows are skipped."""
    src = args.lace_src
    wanted = [k for k in args.kernels if KERNELS.get(k, {}).get("lace")]
    if not wanted:
        return False
    if not src:
        args.lace_note = ("Lace: LACE_SRC is not set, so the `lace` rows "
                          "are skipped (how to run them: bench/README.md).")
    else:
        need = ["src/lace.c", "src/lace.h"] + [KERNELS[k]["lace"]
                                               for k in wanted]
        missing = [n for n in need
                   if not os.path.exists(os.path.join(src, n))]
        if not missing:
            return True
        args.lace_note = (f"Lace: LACE_SRC={src} is not a Lace source tree "
                          f"(no {', '.join(missing)}), so the `lace` rows are "
                          "skipped.")
    log(args.lace_note)
    return False


def binary(args, kernel, variant):
    p = os.path.join(args.out, f"{kernel}.{variant}")
    return p if os.path.exists(p) else None


# ---------------------------------------------------------------- running

RESULT_RE = re.compile(r"^RESULT (.*)$", re.M)


def run_one(args, kernel, variant, workers, kargs, extra_env=None,
            cap=None):
    """Runs one program; returns a dict of its RESULT fields, or None with a
    reason."""
    exe = binary(args, kernel, variant)
    env = dict(os.environ)
    w = str(workers)
    env.update(BENCH_WORKERS=w, WS_NUM_WORKERS=w, OMP_NUM_THREADS=w,
               OMP_PROC_BIND="false")
    if kernel == "priority":
        env["OMP_MAX_TASK_PRIORITY"] = "3"
    if extra_env:
        env.update(extra_env)
    # Lace's programs take the worker count as `-w` and print their own
    # lines (parsed by lace_result).
    cmd = [exe] + (["-w", w] if variant == "lace" else []) + kargs
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p0 = time.perf_counter()
    try:
        r = subprocess.run(cmd, env=env, text=True,
                           capture_output=True, timeout=cap or args.cap)
    except subprocess.TimeoutExpired:
        return None, f">{cap or args.cap:.1f}s"
    proc = time.perf_counter() - p0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if variant == "lace":
        fields = lace_result(r.stdout)
        if r.returncode != 0 or not fields:
            return None, (f"exit {r.returncode}: "
                          f"{(r.stdout + r.stderr).strip()[-200:]}")
    else:
        m = RESULT_RE.search(r.stdout)
        if r.returncode != 0 or not m:
            return None, f"exit {r.returncode}: {r.stderr.strip()[-200:]}"
        fields = dict(kv.split("=", 1) for kv in m.group(1).split())
        for k in list(fields):
            if k != "checksum":
                fields[k] = float(fields[k])
    # The whole process too (start-up, pool start and exit included): wall
    # seconds and CPU-seconds of this child.
    fields["proc"] = proc
    fields["pcpu"] = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime -
                                                       ru0.ru_stime)
    return fields, None


LACE_VALUE_RE = re.compile(r"^(?:fib\(\d+\)|Result: Q\(\d+\)) = (-?\d+)\s*$",
                           re.M)
LACE_TIME_RE = re.compile(r"^Time: ([0-9.eE+-]+)\s*$", re.M)


def lace_result(out):
    """The RESULT fields of a Lace benchmark program's output: `fib(N) = V`
    or `Result: Q(N) = V`, then `Time: S` (the wall time of its RUN(), pool
    started, as the suite's own `time`).  Lace reports no CPU time for the
    region, so only the whole-process `pcpu` exists for it.  None if the
    output does not have that form."""
    v, t = LACE_VALUE_RE.search(out), LACE_TIME_RE.search(out)
    if not v or not t:
        return None
    return {"time": float(t.group(1)),
            "checksum": format(int(v.group(1)) & (2**64 - 1), "016x")}


class Results:
    """The runs, and the statistic that sums up each point: the median
    (default), or with --stat min the minimum -- on a machine whose runs fall
    into a fast and a slow mode (docs/performance.md, session 7) the
    minimum is the steadier of the two."""

    def __init__(self, stat="median"):
        self.stat = stat
        self.runs = {}      # (kernel, variant, workers) -> [fields or None]
        self.failed = {}    # (kernel, variant, workers) -> reason
        self.checksums = {}  # kernel -> reference checksum
        self.mismatch = []
        self.tasks = {}
        self.callgrind = {}  # (kernel, variant) -> instructions per task
        self.callgrind_raw = {}  # kernel -> {variant: same, gross}
        self.caps = {}       # kernel -> cap used

    def add(self, key, fields, why):
        self.runs.setdefault(key, [])
        if fields is None:
            self.failed[key] = why
            return
        self.runs[key].append(fields)
        k = key[0]
        ref = self.checksums.setdefault(k, fields["checksum"])
        if fields["checksum"] != ref:
            self.mismatch.append(f"{k} {key[1]} @{key[2]}: checksum "
                                 f"{fields['checksum']} != {ref}")
        if "tasks" in fields and k not in self.tasks:
            self.tasks[k] = fields["tasks"]

    def med(self, key, field="time"):
        """The point's time (or `field`) by the chosen statistic."""
        vals = [f[field] for f in self.runs.get(key, []) if field in f]
        if not vals:
            return None
        return min(vals) if self.stat == "min" else statistics.median(vals)

    def med_ratio(self, key, num, den):
        vals = [f[num] / f[den] for f in self.runs.get(key, [])
                if num in f and f.get(den)]
        return statistics.median(vals) if vals else None

    def paired(self, kernel, a, b, w, field="time"):
        """Median over runs of time(a)/time(b), pair by pair (same round);
        with --stat min, the ratio of the two minima (a minimum of the
        pairs' ratios would pick the luckiest pair)."""
        ra = self.runs.get((kernel, a, w), [])
        rb = self.runs.get((kernel, b, w), [])
        if self.stat == "min":
            ma, mb = self.med((kernel, a, w), field), self.med((kernel, b, w),
                                                               field)
            return ma / mb if ma is not None and mb else None
        vals = [x[field] / y[field] for x, y in zip(ra, rb)
                if x.get("round") == y.get("round") and y[field] > 0]
        return statistics.median(vals) if vals else None


def run_kernel(args, res, kernel, variants):
    spec = KERNELS[kernel]
    kargs = spec["quick" if args.quick else "full"]
    kargs = args.sizes.get(kernel, kargs)
    workers = spec.get("workers", args.workers)
    runs = min(args.runs, spec.get("runs", args.runs))
    vs = [v for v in variants if v in kernel_variants(kernel)
          and binary(args, kernel, v)]
    if spec.get("noseq"):
        vs = [v for v in vs if v != "seq"]
    if kernel not in TBB_KERNELS:
        vs = [v for v in vs if v != "tbb"]
    # Reference checksum and task count from one untimed serial run.
    f = None
    if binary(args, kernel, "seq"):
        f, why = run_one(args, kernel, "seq", 1, kargs, {"BENCH_COUNT": "1"},
                         cap=max(60, 4 * args.cap))
        if f:
            res.checksums[kernel] = f["checksum"]
            if "tasks" in f:
                res.tasks[kernel] = f["tasks"]
        elif not spec.get("noseq"):
            log(f"{kernel}: reference run failed: {why}")
    par = [v for v in vs if v != "seq"]
    # A run may take up to 3x the serial time (or --cap, if larger) before it
    # is killed: the cap only exists to skip pathological points.
    saved_cap = args.cap
    args.cap = max(args.cap, spec.get("cap", 0))
    if f:
        args.cap = max(args.cap, 3 * f["time"])
    res.caps[kernel] = args.cap
    t0 = time.time()
    for r in range(runs):
        if "seq" in vs:
            f, why = run_one(args, kernel, "seq", 1, kargs)
            if f:
                f["round"] = r
            res.add((kernel, "seq", 1), f, why)
        for w in workers:
            # Alternate the order round by round so no variant always runs
            # right after the same neighbour (pairs are taken per round).
            k = r % max(1, len(par))
            for v in par[k:] + par[:k]:
                key = (kernel, v, w)
                if key in res.failed:
                    continue  # timed out or failed once: skip the rest
                f, why = run_one(args, kernel, v, w, kargs)
                if f:
                    f["round"] = r
                res.add(key, f, why)
    args.cap = saved_cap
    log(f"{kernel}: {len(vs)} variants x {runs} runs in {time.time()-t0:.0f}s")


def run_loop(args, res):
    exe = os.path.join(args.out, "loop_api")
    if not os.path.exists(exe):
        res.loop = ["(bench/loop_api.c not built: no libws)"]
        return
    la = args.sizes.get("loop", LOOP_ARGS["quick" if args.quick else "full"])
    try:
        r = subprocess.run([exe] + la, text=True, capture_output=True,
                           timeout=max(120, 10 * args.cap))
        res.loop = ([f"$ loop_api {' '.join(la)}"] +
                    (r.stdout + r.stderr).strip().splitlines())
        if r.returncode != 0:
            res.loop.append(f"(exit status {r.returncode})")
            res.loop_failed = True
    except subprocess.TimeoutExpired:
        res.loop = [f"$ loop_api {' '.join(la)}", "(timed out)"]


def run_wake_floor(args, res):
    """bench/wake_floor.c: a futex wake with no runtime (the floor under the
    wake kernel's latencies on this machine)."""
    exe = os.path.join(args.out, "wake_floor")
    if not os.path.exists(exe):
        return
    fa = ["10", "25"] if args.quick else ["100", "25"]
    try:
        r = subprocess.run([exe] + fa, text=True, capture_output=True,
                           timeout=120)
        res.floor = ([f"$ wake_floor {' '.join(fa)}"] +
                     (r.stdout + r.stderr).strip().splitlines())
    except subprocess.TimeoutExpired:
        res.floor = [f"$ wake_floor {' '.join(fa)}", "(timed out)"]


def callgrind(args, res, variants):
    """Instructions per task at 1 worker on the CALLGRIND_KERNELS, from the
    difference between two sizes (start-up costs cancel), minus the same for
    seq.  For Lace only the instructions inside the kernel's `lace_fn` (the
    root task, everything it runs included) are counted: at 1 worker Lace's
    worker spins in its steal loop until the root task arrives and after it
    ends, a number of instructions that depends on valgrind's thread
    switches, not on the size (the ws pool parks instead)."""
    n1, n2 = (15, 18) if args.quick else (22, 25)

    def fibn(n):
        a, b = 0, 1
        for _ in range(n):
            a, b = b, a + b
        return a

    tasks_of = {
        "fib": lambda n: 2 * (fibn(n + 1) - 1),      # two spawns per call
        "lacefib": lambda n: fibn(n + 1) - 1,        # one spawn per call
    }

    def instr(k, v, n):
        exe = binary(args, k, v)
        if not exe:
            return None
        env = dict(os.environ, BENCH_WORKERS="1", WS_NUM_WORKERS="1",
                   OMP_NUM_THREADS="1")
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
        if v == "lace":
            cmd += [f"--toggle-collect={KERNELS[k]['lace_fn']}", exe,
                    "-w", "1", str(n)]
        else:
            cmd += [exe, str(n)]
        try:
            r = subprocess.run(cmd, env=env, text=True, capture_output=True,
                               timeout=300)
        except (subprocess.TimeoutExpired, FileNotFoundError):
            return None
        m = re.search(r"Collected\s*:\s*(\d+)", r.stderr)
        return int(m.group(1)) if m else None

    for k in CALLGRIND_KERNELS:
        if k not in args.kernels:
            continue
        base = {}
        for v in ["seq"] + [v for v in variants if v != "seq"
                            and v in kernel_variants(k)]:
            a, b = instr(k, v, n1), instr(k, v, n2)
            if not a or not b:  # not run, or nothing collected
                continue
            base[v] = (b - a) / (tasks_of[k](n2) - tasks_of[k](n1))
        if "seq" in base:
            for v, per in base.items():
                if v != "seq":
                    res.callgrind[(k, v)] = per - base["seq"]
        res.callgrind_raw[k] = base
    res.callgrind_sizes = (n1, n2)


# ---------------------------------------------------------------- output

def fmt(x, spec=".3f", none=""):
    return none if x is None else format(x, spec)


def machine_info():
    def first(cmd):
        r = sh(cmd)
        return (r.stdout or r.stderr).strip().splitlines()[0] if (
            r.stdout or r.stderr) else "?"
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    tbbv = "?"
    try:
        txt = open("/usr/include/oneapi/tbb/version.h").read()
        mj = re.search(r"TBB_VERSION_MAJOR (\d+)", txt).group(1)
        mn = re.search(r"TBB_VERSION_MINOR (\d+)", txt).group(1)
        tbbv = f"oneTBB {mj}.{mn}"
    except (OSError, AttributeError):
        pass
    return [
        f"- machine: `nproc` = {first('nproc')}, CPU: {cpu}, "
        f"kernel {platform.release()}, load average at start "
        f"{os.getloadavg()[0]:.2f}",
        f"- clang: {first('clang-19 --version')}",
        f"- gcc: {first('gcc --version')}",
        f"- peers: libgomp (gcc 12), libomp-19, {tbbv}",
    ]


def lace_version(src):
    """Which Lace: the commit if LACE_SRC is a git checkout, and the version
    its CMakeLists.txt declares."""
    parts = []
    r = sh(["git", "-C", src, "rev-parse", "--short=12", "HEAD"])
    if r.returncode == 0 and r.stdout.strip():
        parts.append("commit " + r.stdout.strip())
    try:
        m = re.search(r"project\(lace\s+VERSION\s+([0-9.]+)",
                      open(os.path.join(src, "CMakeLists.txt")).read())
        if m:
            parts.append("version " + m.group(1))
    except OSError:
        pass
    return f"{src} (" + (", ".join(parts) or "version unknown") + ")"


def ws_name(variants):
    return "ws" if "ws" in variants else "ws-api"


def table(args, res, variants):
    wsv = ws_name(variants)
    ws_alts = [v for v in ("ws", "ws-api") if v in variants]
    ws_alts = [wsv] + [v for v in ws_alts if v != wsv]
    tw = args.workers
    lines = []
    hdr = (["kernel", "variant"] + [f"T{w} s" for w in tw] +
           ["Tseq/T2", "T1/T2", "T1/Tseq", "ns/task @1 wall / cpu", "instr/task @1",
            "CPU/wall @2", f"{wsv}÷this @" + "/".join(map(str, tw)),
            "other figures"])
    lines.append("| " + " | ".join(hdr) + " |")
    lines.append("|" + "---|" * len(hdr))
    for k in args.kernels:
        if k not in KERNELS:
            continue
        spec = KERNELS[k]
        kind = spec["kind"]
        for v in VARIANTS:
            if v not in variants:
                continue
            kw = spec.get("workers", tw)
            if not any((k, v, w) in res.runs for w in kw + [1]):
                continue
            row = [k, v]
            tseq = res.med((k, "seq", 1))
            if kind == "time":
                ts = {}
                for w in tw:
                    key = (k, "seq", 1) if v == "seq" else (k, v, w)
                    t = res.med(key)
                    ts[w] = t
                    why = res.failed.get(key)
                    if t is None:
                        row.append(why.split(":")[0] if why else "")
                    elif why:
                        row.append(fmt(t) + "*")
                    else:
                        row.append(fmt(t))
                t1, t2 = ts.get(1), ts.get(2)
                row.append(fmt(tseq / t2 if tseq and t2 else None, ".2f"))
                row.append(fmt(t1 / t2 if t1 and t2 and v != "seq" else None,
                               ".2f"))
                row.append(fmt(t1 / tseq if t1 and tseq else None, ".2f"))
                tasks = res.tasks.get(k)
                nst = ((t1 - tseq) / tasks * 1e9
                       if t1 and tseq and tasks and v != "seq" else None)
                c1 = res.med((k, v, 1), "cpu")
                cseq = res.med((k, "seq", 1), "cpu")
                nsc = ((c1 - cseq) / tasks * 1e9
                       if c1 and cseq and tasks and v != "seq" else None)
                row.append(fmt(nst, ".1f") + (" / " + fmt(nsc, ".1f")
                                             if nsc is not None else ""))
                cg = res.callgrind.get((k, v))
                row.append(fmt(cg, ".0f"))
                cw = res.med_ratio((k, v, 2 if v != "seq" else 1), "cpu",
                                   "time")
                row.append(fmt(cw, ".2f"))
            else:
                row += [""] * (len(tw) + 5)
                cw = res.med_ratio((k, v, 2), "cpu", "time")
                row.append(fmt(cw, ".2f"))
            if v not in (wsv, "seq") and kind == "time":
                rs = [res.paired(k, wsv, v, w) for w in tw]
                row.append("/".join(fmt(x, ".2f", "-") for x in rs))
            else:
                row.append("")
            row.append(other_figures(res, k, v, kind, spec))
            lines.append("| " + " | ".join(row) + " |")
    return lines


def other_figures(res, k, v, kind, spec):
    if kind == "priority":
        parts = []
        for w in [1, 2, 4]:
            key = (k, v, w)
            if res.runs.get(key):
                parts.append(f"@{w}: high rank {res.med(key, 'high_rank'):.0f}"
                             f", lows started {res.med(key, 'lows_before'):.0f}"
                             f", gap {res.med(key, 'rank_gap'):.0f}")
        return "; ".join(parts)
    if kind == "idle":
        parts = []
        for w in spec["workers"]:
            key = (k, "seq", 1) if v == "seq" else (k, v, w)
            cw = res.med_ratio(key, "cpu", "time")
            cpu, cseq = res.med(key, "cpu"), res.med((k, "seq", 1), "cpu")
            if cw is not None:
                parts.append(f"CPU/wall @{w} {cw:.2f}" + (
                    f" (CPU/CPUseq {cpu / cseq:.2f})"
                    if cpu and cseq and v != "seq" else ""))
            if v == "seq":
                break
        return ", ".join(parts)
    if kind == "wake":
        key = (k, v, 2)
        if res.runs.get(key):
            return (f"@2: p50 {res.med(key, 'p50_us'):.1f} us, "
                    f"p99 {res.med(key, 'p99_us'):.1f} us")
        return res.failed.get(key, "")
    if spec.get("lace") and v != "seq":
        # The whole process (start-up, pool start, exit), as issue 14's
        # first figures were taken; for the lace row also ws's ratio to it.
        parts = []
        for w in (1, 2):
            t = res.med((k, v, w), "proc")
            if t is not None:
                parts.append(f"@{w} {t:.3f}")
        txt = ("process wall " + ", ".join(parts) + " s") if parts else ""
        if v == "lace":
            wsv = "ws" if res.runs.get((k, "ws", 1)) else "ws-api"
            rs = [res.paired(k, wsv, v, w, "proc") for w in (1, 2)]
            if any(x is not None for x in rs):
                txt += (f"; {wsv}÷lace, process @1/2: " +
                        "/".join(fmt(x, ".2f", "-") for x in rs))
        return txt
    if k == "flat":
        t2 = res.med((k, v, 2))
        tasks = res.tasks.get(k)
        if t2 and tasks and v != "seq":
            return f"{tasks / t2 / 1e6:.0f} M tasks/s @2"
    return ""


def goals(args, res, variants):
    """The goals the project tracks, measured for the ws variant(s)."""
    out = []

    def line(name, target, val, ok, unit=""):
        if val is None:
            out.append(f"| {name} | {target} | not measured | - |")
        else:
            status = "met" if ok else "**MISSED**"
            out.append(f"| {name} | {target} | {val}{unit} | {status} |")

    for wsv in [v for v in ("ws", "ws-api") if v in variants]:
        tseq = res.med(("fib", "seq", 1))
        t1 = res.med(("fib", wsv, 1))
        tasks = res.tasks.get("fib")
        if tseq and t1 and tasks:
            ns = (t1 - tseq) / tasks * 1e9
            line(f"{wsv}: fib overhead/task @1", "<= 5 ns", f"{ns:.1f}",
                 ns <= 5, " ns")
        for k in CALLGRIND_KERNELS:
            cg = res.callgrind.get((k, wsv))
            if cg is not None:
                out.append(f"| {wsv}: {k} instructions/task @1 | (info) | "
                           f"{cg:.0f} | - |")
        for k in GOAL_TIME_KERNELS:
            a, b = res.med((k, wsv, 1)), res.med((k, wsv, 2))
            if a and b:
                line(f"{wsv}: {k} T1/T2", ">= 1.9", f"{a / b:.2f}",
                     a / b >= 1.9)
            r = res.paired(k, wsv, "tbb", 2)
            if r is not None:
                line(f"{wsv}: {k} time vs tbb @2", "<= 0.2x", f"{r:.2f}x",
                     r <= 0.2)
        for k, target in (("mergesort", 1.85), ("stencil", 1.8), ("dot", None)):
            ts, t2 = res.med((k, "seq", 1)), res.med((k, wsv, 2))
            if ts and t2 and target:
                line(f"{wsv}: {k} speedup @2", f">= {target}",
                     f"{ts / t2:.2f}", ts / t2 >= target)
            elif ts and t2:
                out.append(f"| {wsv}: {k} speedup @2 | (info) | "
                           f"{ts / t2:.2f} | - |")
        for w in (1, 2):
            r = res.paired("lacefib", wsv, "lace", w)
            if r is not None:
                line(f"{wsv}: lacefib time vs Lace @{w}", "<= 1.0x",
                     f"{r:.2f}x", r <= 1.0)
        ts, t1 = res.med(("flat", "seq", 1)), res.med(("flat", wsv, 1))
        t2, tasks = res.med(("flat", wsv, 2)), res.tasks.get("flat")
        if ts and t1 and tasks:
            ns = (t1 - ts) / tasks * 1e9
            line(f"{wsv}: flat overhead/task @1", "<= 10 ns", f"{ns:.1f}",
                 ns <= 10, " ns")
        if ts and t2:
            line(f"{wsv}: flat T2 vs seq", "< 1 (faster)", f"{t2 / ts:.2f}",
                 t2 < ts, "x")
        for w in KERNELS["idle"]["workers"]:
            cw = res.med_ratio(("idle", wsv, w), "cpu", "time")
            cpu, cseq = res.med(("idle", wsv, w), "cpu"), res.med(
                ("idle", "seq", 1), "cpu")
            if cw is not None:
                # On a loaded machine CPU/wall stays below 1 whatever the
                # idle workers do; CPU/CPUseq (the CPU the serial program
                # needs for the same work) does not depend on the load.
                rel = cpu / cseq if cpu and cseq else cw
                line(f"{wsv}: idle CPU/wall @{w} (CPU/CPUseq)", "<= 1.10",
                     f"{cw:.2f} ({rel:.2f})", max(cw, rel) <= 1.10)
        g = res.med(("priority", wsv, 2), "rank_gap")
        if g is not None:
            line(f"{wsv}: priority rank gap @2", "<= 150", f"{g:.0f}",
                 g <= 150)
        p = res.med(("wake", wsv, 2), "p50_us")
        if p is not None:
            line(f"{wsv}: wake p50 @2", "<= 20 us", f"{p:.1f}", p <= 20,
                 " us")
    if not out:
        return []
    return ["| goal | target | measured | status |", "|---|---|---|---|"] + out


def main():
    ap = argparse.ArgumentParser(description="ws benchmark suite")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--kernels", default=",".join(list(KERNELS) + ["loop"]))
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--runs", type=int, default=None)
    ap.add_argument("--stat", choices=["median", "min"], default="median")
    ap.add_argument("--workers", default=None)
    ap.add_argument("--cap", type=float, default=None)
    ap.add_argument("--size", action="append", default=[])
    ap.add_argument("--wsbuild", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--out", default=os.path.join(BENCH, "build"))
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--lace-src", default=os.environ.get("LACE_SRC"))
    ap.add_argument("--results", default=os.path.join(BENCH, "results",
                                                      "latest.md"))
    args = ap.parse_args()
    args.kernels = [k for k in args.kernels.split(",") if k]
    for k in args.kernels:
        if k not in KERNELS and k != "loop":
            ap.error(f"unknown kernel {k} (known: {', '.join(KERNELS)})")
    args.variants = [v for v in args.variants.split(",") if v]
    for v in args.variants:
        if v not in VARIANTS:
            ap.error(f"unknown variant {v} (known: {', '.join(VARIANTS)})")
    if "seq" not in args.variants:
        args.variants.insert(0, "seq")  # the reference is always needed
    if args.runs is None:
        args.runs = 1 if args.quick else 5
    if args.cap is None:
        args.cap = 5.0 if args.quick else 6.0
    args.workers = ([int(w) for w in args.workers.split(",")]
                    if args.workers else ([1, 2] if args.quick else [1, 2, 4]))
    if 1 not in args.workers:
        args.workers.insert(0, 1)
    args.sizes = {}
    for s in args.size:
        k, _, v = s.partition("=")
        args.sizes[k] = v.split()
    args.wsbuild = os.path.abspath(args.wsbuild)
    args.out = os.path.abspath(args.out)
    if args.lace_src:
        args.lace_src = os.path.abspath(args.lace_src)

    t0 = time.time()
    variants = build(args)
    variants = [v for v in VARIANTS if v in variants]
    log(f"variants: {', '.join(variants)}")
    res = Results(args.stat)
    for k in args.kernels:
        if k == "loop":
            run_loop(args, res)
        else:
            run_kernel(args, res, k, variants)
            if k == "wake":
                run_wake_floor(args, res)
    if (any(k in args.kernels for k in CALLGRIND_KERNELS)
            and not args.no_callgrind):
        callgrind(args, res, variants)
        log("callgrind done")

    cmd = "bench/run.sh " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    out = [f"# ws benchmark results ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
           "", f"Command: `{cmd.strip()}` ({time.time() - t0:.0f} s)", ""]
    out += machine_info()
    sizes = ", ".join(
        f"{k}({' '.join(args.sizes.get(k, KERNELS[k]['quick' if args.quick else 'full']))})"
        for k in args.kernels if k in KERNELS)
    own_caps = ", ".join(f"{k}: {KERNELS[k]['cap']:g} s" for k in args.kernels
                         if "cap" in KERNELS.get(k, {})) or "none longer"
    out += [f"- sizes: {sizes}",
            f"- {args.runs} runs per point ({args.stat}), cap {args.cap:g} s per "
            f"run ({own_caps}) or 3x the "
            f"serial time if larger (a capped point is skipped "
            f"for the remaining runs); "
            + ("ratios are paired run by run" if args.stat == "median"
               else "ratios are of the minima"), ""]
    if getattr(args, "lace_note", None):
        out += [f"- {args.lace_note}", ""]
    elif "lace" in variants:
        out += [f"- Lace: {lace_version(args.lace_src)}, its own benchmark "
                "programs built from LACE_SRC by `make -C bench lace` "
                "(clang-19 -O3)", ""]
    if "ws" not in variants:
        out += ["**The plugin variant `ws` was not available: `ws` figures "
                "are from `ws-api` (hand-written libws calls).**", ""]
    noise = [f"{k} {res.med_ratio((k, 'seq', 1), 'cpu', 'time'):.2f}"
             for k in args.kernels if KERNELS.get(k, {}).get("kind") == "time"
             and (res.med((k, "seq", 1)) or 0) > 0.1]
    if noise:
        out += ["- noise check, CPU/wall of the serial runs (1.00 on a quiet "
                "machine; lower means other processes took the CPU): " +
                ", ".join(noise), ""]
    out += table(args, res, variants)
    out += ["", f"Legend: T<w> = {args.stat} wall seconds at w workers (seq: its "
            "own time in every column); `>Ns` = capped; `*` = some runs "
            "capped or failed; ns/task = (T1 - Tseq)/tasks; instr/task = " +
            (("callgrind at 1 worker, n = %d..%d difference minus seq's "
              "(Lace: only inside its root task, see runner.py)" %
              res.callgrind_sizes) if hasattr(res, "callgrind_sizes")
             else "callgrind (not run)") + "; ÷this = "
            + ("paired median ratio" if args.stat == "median"
               else "ratio of the minima") + " of the ws time to this row's time (< 1: ws "
            "faster); lacefib, lacequeens = fib and nqueens in Lace's shape "
            "(bench/README.md); process wall = the whole program, start-up "
            "and exit included.", ""]
    raw = [f"{k}: " + ", ".join(f"{v} {x:.1f}" for v, x in b.items())
           for k, b in res.callgrind_raw.items() if b]
    if raw:
        out += ["Instructions per task at 1 worker before subtracting seq "
                "(callgrind, gross): " + "; ".join(raw), ""]
    if getattr(res, "loop", None):
        out += ["Parallel for (bench/loop_api.c, ws_parallel_for by hand, "
                "its own medians of 5):", "", "```"] + res.loop + ["```", ""]
    if getattr(res, "floor", None):
        out += ["Wake floor (bench/wake_floor.c: a thread woken by FUTEX_WAKE "
                "after the same idle time, no runtime):", "", "```"] + \
            res.floor + ["```", ""]
    g = goals(args, res, variants)
    if g:
        out += ["Goals:", ""] + g + [""]
    fails = [f"{k} {v} @{w}: {why}" for (k, v, w), why in res.failed.items()
             if not why.startswith(">")]
    if fails:
        out += ["Failures:", ""] + [f"- {f}" for f in fails] + [""]
    if res.mismatch:
        out += ["**CHECKSUM MISMATCH**:", ""] + [f"- {m}" for m in res.mismatch]
    text = "\n".join(out) + "\n"
    print(text)
    os.makedirs(os.path.dirname(args.results), exist_ok=True)
    with open(args.results, "w") as f:
        f.write(text)
    if getattr(res, "loop_failed", False):
        log("\n!!! loop_api failed (wrong result or error), see the table")
        sys.exit(1)
    if res.mismatch:
        log("\n!!! CHECKSUM MISMATCH: a variant computed a different result "
            "!!!\n" + "\n".join(res.mismatch))
        sys.exit(1)


if __name__ == "__main__":
    main()

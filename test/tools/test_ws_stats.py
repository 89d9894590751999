#!/usr/bin/env python3
"""Tests of tools/ws-stats and of the files libws writes (docs/formats.md).

    test_ws_stats.py --tool tools/ws-stats --data test/tools/data
                     [--program build/bin/micro_fib]

golden    the table for data/stats_sample.json equals data/stats_sample.txt
          (hand-checked: row sums, tiers, ns -> ms)
svg       --svg writes a well-formed SVG (xml.etree) with one bar per worker
          and series, a legend, axis labels, and bar heights that follow
          the data
errors    a file of another schema version, or not JSON: exit 1, one line
runtime   (--program) a real run with WS_STATS=json and WS_TRACE: both files
          parse with Python's json; the statistics match the schema and add
          up; the trace has one thread_name per worker and exactly one task
          slice per executed task; ws-stats reads the statistics file
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG_NS = "{http://www.w3.org/2000/svg}"
TIERS = ("critical", "high", "normal", "low")
FIELDS = ("spawned", "stolen", "steal_attempts", "steal_failures",
          "batch_steals", "batch_moved", "spins", "yields", "parks",
          "wakeups", "promotions", "preemptions", "cancelled", "timed_out",
          "inline_runs", "deque_hwm", "busy_ns", "idle_ns")

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL: " + msg, file=sys.stderr)


def run_tool(tool, *args, stdin=None):
    return subprocess.run([sys.executable, tool] + list(args), input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_golden(tool, data):
    r = run_tool(tool, os.path.join(data, "stats_sample.json"))
    check(r.returncode == 0, "golden: exit %d: %s" % (r.returncode, r.stderr))
    with open(os.path.join(data, "stats_sample.txt"), encoding="utf-8") as f:
        want = f.read()
    check(r.stdout == want, "golden: table differs:\n%s\n--- expected:\n%s"
          % (r.stdout, want))
    # The same through stdin.
    with open(os.path.join(data, "stats_sample.json"), encoding="utf-8") as f:
        r = run_tool(tool, "-", stdin=f.read())
    check(r.stdout == want, "golden: table from stdin differs")


def test_svg(tool, data, tmp):
    src = os.path.join(data, "stats_sample.json")
    out = os.path.join(tmp, "chart.svg")
    r = run_tool(tool, src, "--svg", out)
    check(r.returncode == 0, "svg: exit %d: %s" % (r.returncode, r.stderr))
    try:
        root = ET.parse(out).getroot()
    except (ET.ParseError, OSError) as e:
        check(False, "svg: not well-formed: %s" % e)
        return
    check(root.tag == SVG_NS + "svg", "svg: root is %s" % root.tag)
    check(root.get("width") and root.get("height") and root.get("viewBox"),
          "svg: no size/viewBox")
    with open(src, encoding="utf-8") as f:
        doc = json.load(f)
    nw = len(doc["workers"])
    bars = [e for e in root.iter(SVG_NS + "rect") if e.get("class") == "bar"]
    check(len(bars) == nw * 5, "svg: %d bars, expected %d" % (len(bars),
                                                             nw * 5))
    texts = [t.text or "" for t in root.iter(SVG_NS + "text")]
    for label in ("busy", "idle", "tasks stolen", "steal attempts",
                  "failed attempts", "worker", "milliseconds", "count",
                  "Time per worker", "Steals per worker"):
        check(label in texts, "svg: no text %r (legend/axis)" % label)
    for i in range(nw):
        check(str(i) in texts, "svg: no x label for worker %d" % i)
    legends = [g for g in root.iter(SVG_NS + "g") if g.get("class") ==
               "legend"]
    check(len(legends) == 2, "svg: %d legends" % len(legends))
    # Heights follow the data: within a panel, bar height / value is the
    # same for every bar (time bars: ms; steal bars: counts).
    time_vals = []
    for w in doc["workers"]:
        time_vals += [w["busy_ns"] / 1e6, w["idle_ns"] / 1e6]
    ratios = set()
    for bar, v in zip(bars[:2 * nw], time_vals):
        if v > 0:
            ratios.add(round(float(bar.get("height")) / v, 2))
        check(float(bar.get("height")) >= 0, "svg: negative bar height")
    check(len(ratios) == 1, "svg: time bar heights not proportional: %s"
          % sorted(ratios))
    titles = [t.text for b in bars for t in b.iter(SVG_NS + "title")]
    check(any("worker 1 tasks stolen: 30211" == t for t in titles),
          "svg: no tooltip for worker 1's steals")


def test_errors(tool, tmp):
    bad = os.path.join(tmp, "v2.json")
    with open(bad, "w", encoding="utf-8") as f:
        json.dump({"version": 2, "workers": []}, f)
    r = run_tool(tool, bad)
    check(r.returncode == 1 and "version 1" in r.stderr
          and r.stderr.count("\n") == 1 and r.stdout == "",
          "errors: version 2 accepted or not one line: %r" % r.stderr)
    with open(bad, "w", encoding="utf-8") as f:
        f.write("{\"version\": 1,")
    r = run_tool(tool, bad)
    check(r.returncode == 1 and "not valid JSON" in r.stderr,
          "errors: truncated JSON: %r" % r.stderr)
    r = run_tool(tool, os.path.join(tmp, "missing.json"))
    check(r.returncode == 1 and "cannot read" in r.stderr,
          "errors: missing file: %r" % r.stderr)


def check_record(rec, where):
    check(isinstance(rec, dict), "%s: not an object" % where)
    if not isinstance(rec, dict):
        return 0
    ex = rec.get("executed", {})
    for t in TIERS:
        check(isinstance(ex.get(t), int), "%s: executed.%s" % (where, t))
    for f in FIELDS:
        check(isinstance(rec.get(f), int) and rec[f] >= 0,
              "%s: field %s" % (where, f))
    return sum(ex.get(t, 0) for t in TIERS)


def test_runtime(tool, program, tmp):
    stats = os.path.join(tmp, "stats.json")
    trace = os.path.join(tmp, "trace.json")
    env = dict(os.environ, WS_STATS="json:" + stats, WS_TRACE=trace)
    # micro_fib N W: fib(N) on W workers (its last pool writes the files).
    r = subprocess.run([program, "14", "2"], env=env, capture_output=True,
                       text=True, timeout=120)
    check(r.returncode == 0, "runtime: %s failed: %s" % (program, r.stderr))
    with open(stats, encoding="utf-8") as f:
        doc = json.load(f)
    check(doc.get("version") == 1, "runtime: version")
    check(doc["config"]["workers"] == 2 and len(doc["workers"]) == 2,
          "runtime: workers")
    check(doc["config"]["trace"] == trace, "runtime: config.trace")
    executed = spawned = cancelled = 0
    for i, w in enumerate(doc["workers"]):
        check(w.get("id") == i, "runtime: workers[%d].id" % i)
        executed += check_record(w, "workers[%d]" % i)
        spawned += w["spawned"]
        cancelled += w["cancelled"]
    executed += check_record(doc["external"], "external")
    spawned += doc["external"]["spawned"]
    cancelled += doc["external"]["cancelled"]
    tot = doc["totals"]
    check_record(tot, "totals")
    check(executed + cancelled == spawned and spawned > 0,
          "runtime: executed %d + cancelled %d != spawned %d"
          % (executed, cancelled, spawned))
    check(sum(tot["executed"].values()) == executed
          and tot["spawned"] == spawned, "runtime: totals")
    with open(trace, encoding="utf-8") as f:
        tr = json.load(f)
    events = tr["traceEvents"]
    names = sorted(e["tid"] for e in events if e["ph"] == "M"
                   and e["name"] == "thread_name")
    check(names == [0, 1], "runtime: thread_name tids %s" % names)
    slices = sum(1 for e in events if e["ph"] == "X" and e["cat"] == "task")
    check(tr["otherData"]["dropped_events"] == 0, "runtime: dropped events")
    check(slices == executed, "runtime: %d task slices for %d tasks"
          % (slices, executed))
    r = run_tool(tool, stats)
    check(r.returncode == 0 and r.stdout.startswith(
        "ws statistics: 2 workers"), "runtime: ws-stats: %s" % r.stderr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--program")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="ws-stats-test-") as tmp:
        test_golden(args.tool, args.data)
        test_svg(args.tool, args.data, tmp)
        test_errors(args.tool, tmp)
        if args.program:
            test_runtime(args.tool, args.program, tmp)
    if failures:
        print("test_ws_stats: FAIL (%d checks failed)" % len(failures),
              file=sys.stderr)
        return 1
    print("test_ws_stats: PASS", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Compiles one small function per malformed directive (one per line of the
corpus) and checks that each gives an error diagnostic with file:line:col and
exit status 1: never success, never a crash (signal, status >= 128, or Clang's
"PLEASE submit a bug report")."""
import os
import re
import shlex
import subprocess
import sys

TEMPLATE = """int f(int n) {{
  int x = 0, y[4] = {{0}};
{directive}
  x += n + y[0];
  return x;
}}
"""


def main():
    corpus, workdir, compiler = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(workdir, exist_ok=True)
    failures = 0
    cases = [l.rstrip("\n") for l in open(corpus) if l.strip()]
    for i, directive in enumerate(cases):
        path = os.path.join(workdir, "case%02d.c" % i)
        with open(path, "w") as f:
            f.write(TEMPLATE.format(directive=directive))
        cmd = shlex.split(compiler) + ["-fsyntax-only", path]
        p = subprocess.run(cmd, capture_output=True, text=True)
        err = p.stderr
        problems = []
        if p.returncode != 1:
            problems.append("exit status %d (want 1)" % p.returncode)
        if "PLEASE submit" in err or "Stack dump" in err:
            problems.append("crash report")
        if not re.search(r"case%02d\.c:\d+:\d+: error: " % i, err):
            problems.append("no error diagnostic with line:col")
        if problems:
            failures += 1
            print("FAIL %r: %s\n%s" % (directive, "; ".join(problems), err))
    print("%d malformed directives, %d failures" % (len(cases), failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

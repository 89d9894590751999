#!/usr/bin/env python3
"""Builds the fuzzer's seed corpus and dictionary from the plugin's lit tests.

  make_corpus.py OUTDIR DICT  test/plugin/*.c test/plugin/Inputs/malformed.txt

Every ws directive of the lit sources (`#pragma ws ...`, a line with
`_Pragma("ws ...")`, a `#define` whose body holds one) becomes seeds in the
fuzzer's input format (ws_fuzz_rewrite.cpp): a template digit, the
directive line (without its `#pragma ws ` prefix), and the statement that
follows it in the lit file, if it is a complete statement of a few lines.
Each directive goes into the template that suits its kind, and into a second
one chosen by its position, both with its statement and with the template's
own.  A `.txt` file holds one directive per line (the malformed corpus).

The dictionary holds every word and punctuator of those directives, so
mutations insert clause names and separators whole.  Run at build time:
the corpus follows the lit tests as they change.
"""
import hashlib
import os
import re
import sys

NUM_TEMPLATES = 10
LOOP_TEMPLATE = 5  # "parallel for"
STANDALONE_TEMPLATES = (2, 3)  # inside a task, a loop body
MAX_STMT_LINES = 12


def strip_comment(line):
    """The line without a // comment (outside string and char literals)."""
    quote = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif line.startswith("//", i):
            return line[:i].rstrip()
        i += 1
    return line.rstrip()


def statement_after(lines, start):
    """The statement starting at lines[start], as text, or None if that line
    does not start one or it is not complete within a few lines."""
    out = []
    depth = 0
    for line in lines[start:start + MAX_STMT_LINES]:
        code = strip_comment(line)
        s = code.strip()
        if not out and (not s or s.startswith(("}", "//", "#else", "#endif"))):
            return None
        out.append(code)
        if s.startswith("#"):
            continue
        depth += s.count("{") + s.count("(") - s.count("}") - s.count(")")
        if depth < 0:
            return None
        if depth == 0 and (s.endswith(";") or s.endswith("}")):
            return "\n".join(out)
    return None


def directives(path):
    """(directive, statement or None) pairs of one lit source."""
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        raw = lines[i]
        # A continued directive line becomes one line.
        while raw.endswith("\\") and i + 1 < len(lines):
            i += 1
            raw = raw[:-1] + " " + lines[i].strip()
        s = strip_comment(raw).strip()
        i += 1
        m = re.match(r"#\s*pragma\s+ws\b\s*(.*)$", s)
        if m:
            yield m.group(1), statement_after(lines, i)
        elif s.startswith("#define") and '_Pragma("ws' in s:
            # The macro's first later use is its statement.
            name = re.match(r"#define\s+(\w+)", s)
            use = None
            if name:
                for j in range(i, len(lines)):
                    t = lines[j].strip()
                    if not t.startswith(("#", "//")) and re.search(
                            r"\b%s\b" % re.escape(name.group(1)), t):
                        use = statement_after(lines, j)
                        break
            yield s, use
        elif '_Pragma("ws' in s and not s.startswith(("//", "#")):
            yield s, None


def natural_template(directive):
    if "parallel" in directive:
        return LOOP_TEMPLATE
    d = directive.split()
    if d and d[0] in ("taskwait", "yield", "cancel", "cancellation"):
        return STANDALONE_TEMPLATES[0]
    return 0


def main():
    outdir, dict_path, sources = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(outdir, exist_ok=True)
    for old in os.listdir(outdir):
        os.remove(os.path.join(outdir, old))
    seeds = {}
    words = set()
    n = 0
    for path in sources:
        if path.endswith(".txt"):
            pairs = []
            for line in open(path, encoding="utf-8"):
                line = line.rstrip("\n")
                m = re.match(r"\s*#\s*pragma\s+ws\b\s*(.*)$", line)
                if line.strip():
                    pairs.append((m.group(1) if m else line, None))
        else:
            pairs = list(directives(path))
        for directive, stmt in pairs:
            n += 1
            nat = natural_template(directive)
            for t in {nat, n % NUM_TEMPLATES}:
                for body in {stmt, None}:
                    text = "%d%s\n%s" % (t, directive, body or "")
                    key = hashlib.sha1(text.encode()).hexdigest()
                    seeds[key] = text
            words.update(re.findall(r"[A-Za-z_]\w*|\d+|[^\s\w]", directive))
    for key, text in seeds.items():
        with open(os.path.join(outdir, key), "w", encoding="utf-8") as f:
            f.write(text)
    with open(dict_path, "w", encoding="utf-8") as f:
        f.write("# Generated by test/fuzz/make_corpus.py from the lit tests.\n")
        for w in sorted(words):
            f.write('"%s"\n' % w.replace("\\", "\\\\").replace('"', '\\"'))
        # The two spellings of a directive, and a line continuation.
        f.write('"#pragma ws "\n"_Pragma(\\"ws \\")"\n"\\\\\\x0a"\n')
    print("ws-fuzz corpus: %d seeds from %d directives in %d files"
          % (len(seeds), n, len(sources)))


if __name__ == "__main__":
    main()

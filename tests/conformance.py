#!/usr/bin/env python3
"""Conformance against the Universal Feed Parser's own test corpus.

Each corpus file carries its expectation in a comment, in feedparser's
terms:

    Description: feed title
    Expect:      not bozo and feed['title'] == 'Example Atom'

This runner parses every file with `rss2mail parse FILE --base URL`, maps
the JSON to feedparser's model (its key aliases: description -> summary or
subtitle, tagline -> subtitle, copyright -> rights, guid -> id, url -> href
...; dates as 9-tuples like time.struct_time), and evaluates the Expect line
with a small evaluator over Python's ast module: literals, names, subscripts,
attribute access, comparisons, and/or/not, len() and .get()/.has_key() -
nothing else runs, so a corpus file cannot execute code.

A case is *applicable* when
  - every field its expectation reads is one `rss2mail parse` prints (the
    COVERED paths below, after feedparser's aliases), and
  - it uses only the expression forms above, and
  - it needs no HTTP header beyond Content-Location (a file has none), and
  - its folder is not one where rss2mail splits the work differently on
    purpose (SKIP_DIRS: feedparser sanitizes HTML while parsing, rss2mail
    when it composes the mail; see docs/QUIRKS.md).
Departures on purpose (docs/QUIRKS.md, "Against feedparser's corpus")
stay counted as failures.

Output: per folder, passed/applicable; then each failure.  Exit status 1
when the overall rate of applicable cases is below --threshold (default:
the committed tests/conformance-threshold), 2 on a usage error.
Standard library only.
"""

import argparse
import ast
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Where feedparser's own harness serves the corpus from; base/ and http/
# expectations name this origin.
ORIGIN = "http://127.0.0.1:8097/"

# feedparser's folders where we differ by design, as a whole.
SKIP_DIRS = {
    "wellformed/sanitize": "HTML is sanitized when the mail is composed "
                           "(html.c), not in the parse output",
}

# feedparser's FeedParserDict.keymap: old names for the same fields.
KEYMAP = {
    "channel": "feed",
    "items": "entries",
    "guid": "id",
    "date": "updated",
    "date_parsed": "updated_parsed",
    "description": ["summary", "subtitle"],
    "description_detail": ["summary_detail", "subtitle_detail"],
    "url": ["href"],
    "modified": "updated",
    "modified_parsed": "updated_parsed",
    "issued": "published",
    "issued_parsed": "published_parsed",
    "copyright": "rights",
    "copyright_detail": "rights_detail",
    "tagline": "subtitle",
    "tagline_detail": "subtitle_detail",
}

DETAIL = {"type", "value", "base", "language"}
PERSON = {"name", "email", "href"}
DATES = ("published", "updated", "created")

# The fields `rss2mail parse` prints, in feedparser's names; a path is
# "feed.title_detail.type", lists (entries, content, tags ...) unindexed.
COVERED = {"bozo", "version", "encoding", "feed", "entries"}
for _obj in ("feed", "entries"):
    for _k in ("title", "link", "id", "author", "rights", "tags",
               "category", "links", "language"):
        COVERED.add(_obj + "." + _k)
    for _k in ("title_detail", "rights_detail"):
        COVERED.add(_obj + "." + _k)
        COVERED.update(_obj + "." + _k + "." + d for d in DETAIL)
    COVERED.add(_obj + ".author_detail")
    COVERED.update(_obj + ".author_detail." + p for p in PERSON)
    COVERED.update(_obj + ".tags." + t for t in ("term", "scheme", "label"))
    COVERED.update(_obj + ".links." + t for t in ("rel", "href", "type"))
    for _d in DATES:
        COVERED.add(_obj + "." + _d)
        COVERED.add(_obj + "." + _d + "_parsed")
for _k in ("subtitle", "subtitle_detail", "info", "info_detail",
           "generator", "ttl", "image"):
    COVERED.add("feed." + _k)
COVERED.update("feed.subtitle_detail." + d for d in DETAIL)
COVERED.update("feed.info_detail." + d for d in DETAIL)
COVERED.update("feed.image." + k for k in ("href", "title", "link"))
for _k in ("guidislink", "summary", "summary_detail", "content",
           "enclosures", "comments"):
    COVERED.add("entries." + _k)
COVERED.update("entries.summary_detail." + d for d in DETAIL)
COVERED.update("entries.content." + d for d in DETAIL)
COVERED.update("entries.enclosures." + k for k in ("href", "length", "type"))

NAMES = {"bozo", "bozo_exception", "version", "encoding", "feed", "entries",
         "channel", "items"}


class Unsupported(Exception):
    """The expectation uses something this runner does not evaluate."""


def canon(key):
    k = KEYMAP.get(key, key)
    return k[0] if isinstance(k, list) else k


def paths(node):
    """The field paths an expression reads, in canonical names."""
    out = set()

    def chain(n):
        keys = []
        while True:
            if isinstance(n, ast.Subscript):
                s = n.slice
                if type(s).__name__ == "Index":     # Python < 3.9
                    s = s.value
                if isinstance(s, ast.Constant) and isinstance(s.value, str):
                    keys.append(canon(s.value))
                elif not (isinstance(s, ast.Constant) and
                          isinstance(s.value, int)):
                    raise Unsupported("subscript")
                n = n.value
            elif isinstance(n, ast.Attribute):
                keys.append(canon(n.attr))
                n = n.value
            elif isinstance(n, ast.Call) and \
                    isinstance(n.func, ast.Attribute) and \
                    n.func.attr in ("get", "has_key") and n.args and \
                    isinstance(n.args[0], ast.Constant):
                keys.append(canon(n.args[0].value))
                n = n.func.value
            elif isinstance(n, ast.Name):
                keys.append(canon(n.id))
                break
            else:
                return None
        keys.reverse()
        return keys

    def walk(n):
        if isinstance(n, (ast.Subscript, ast.Attribute, ast.Name)) or (
                isinstance(n, ast.Call) and
                isinstance(n.func, ast.Attribute) and
                n.func.attr in ("get", "has_key")):
            keys = chain(n)
            if keys is not None:
                if keys[0] in ("True", "False", "None", "len"):
                    return
                if keys[0] == "category":
                    keys = ["tags", "term"]
                p = ".".join(keys)
                if keys[0] in ("feed", "entries") and len(keys) > 1 and \
                        keys[1] == "category":
                    p = keys[0] + ".tags.term"
                out.add(p)
                return
        for c in ast.iter_child_nodes(n):
            walk(c)
    walk(node)
    return out


class FPDict(dict):
    """feedparser's FeedParserDict lookups: aliases, attributes."""

    def lookup(self, key):
        if key == "category":
            tags = dict.get(self, "tags") or []
            if not tags:
                raise KeyError(key)
            return tags[0]["term"]
        if key in ("updated", "updated_parsed") and \
                not dict.__contains__(self, key):
            alt = key.replace("updated", "published")
            if dict.__contains__(self, alt):
                return dict.__getitem__(self, alt)
        k = KEYMAP.get(key, key)
        for c in (k if isinstance(k, list) else [k]):
            if dict.__contains__(self, c):
                return dict.__getitem__(self, c)
        return dict.__getitem__(self, key)

    def has(self, key):
        if key in ("updated", "updated_parsed"):
            return dict.__contains__(self, key)
        try:
            self.lookup(key)
        except KeyError:
            return False
        return True


def struct_time(iso):
    """'2003-12-31T10:14:55Z' -> time.struct_time's 9-tuple."""
    import datetime
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ")
    return (d.year, d.month, d.day, d.hour, d.minute, d.second,
            d.weekday(), d.timetuple().tm_yday, 0)


def model(j):
    """Our parse JSON in feedparser's shape."""
    def conv(o, key=""):
        if isinstance(o, dict):
            d = FPDict()
            if key.endswith("_detail") or key == "content":
                # feedparser writes an absent language as None
                d["language"] = None
            for k, v in o.items():
                if k.endswith("_parsed") and isinstance(v, str):
                    d[k] = struct_time(v)
                else:
                    d[k] = conv(v, k)
            return d
        if isinstance(o, list):
            return [conv(v, key) for v in o]
        return o
    return conv(j)


class Evaluator:
    def __init__(self, env):
        self.env = env

    def ev(self, n):
        m = getattr(self, "ev_" + type(n).__name__, None)
        if m is None:
            raise Unsupported(type(n).__name__)
        return m(n)

    def ev_Expression(self, n):
        return self.ev(n.body)

    def ev_Constant(self, n):
        return n.value

    def ev_Tuple(self, n):
        return tuple(self.ev(e) for e in n.elts)

    def ev_List(self, n):
        return [self.ev(e) for e in n.elts]

    def ev_Dict(self, n):
        return {self.ev(k): self.ev(v) for k, v in zip(n.keys, n.values)}

    def ev_Name(self, n):
        if n.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[n.id]
        if n.id not in self.env:
            raise Unsupported("name " + n.id)
        return self.env[n.id]

    def ev_Index(self, n):
        return self.ev(n.value)

    def ev_BoolOp(self, n):
        if isinstance(n.op, ast.And):
            v = True
            for e in n.values:
                v = self.ev(e)
                if not v:
                    return v
            return v
        v = False
        for e in n.values:
            v = self.ev(e)
            if v:
                return v
        return v

    def ev_UnaryOp(self, n):
        v = self.ev(n.operand)
        if isinstance(n.op, ast.Not):
            return not v
        if isinstance(n.op, ast.USub):
            return -v
        raise Unsupported("unary")

    def ev_BinOp(self, n):
        if isinstance(n.op, ast.Add):
            return self.ev(n.left) + self.ev(n.right)
        raise Unsupported("binop")

    OPS = {
        ast.Eq: lambda a, b: a == b, ast.NotEq: lambda a, b: a != b,
        ast.Lt: lambda a, b: a < b, ast.Gt: lambda a, b: a > b,
        ast.LtE: lambda a, b: a <= b, ast.GtE: lambda a, b: a >= b,
        ast.Is: lambda a, b: a is b, ast.IsNot: lambda a, b: a is not b,
        ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    }

    def ev_Compare(self, n):
        left = self.ev(n.left)
        for op, r in zip(n.ops, n.comparators):
            right = self.ev(r)
            if isinstance(op, (ast.In, ast.NotIn)) and \
                    isinstance(right, FPDict):
                ok = right.has(left)
                ok = ok if isinstance(op, ast.In) else not ok
            else:
                ok = self.OPS[type(op)](left, right)
            if not ok:
                return False
            left = right
        return True

    def ev_Subscript(self, n):
        obj = self.ev(n.value)
        key = self.ev(n.slice)
        if isinstance(obj, FPDict):
            return obj.lookup(key)
        return obj[key]

    def ev_Attribute(self, n):
        obj = self.ev(n.value)
        if isinstance(obj, FPDict):
            try:
                return obj.lookup(n.attr)
            except KeyError:
                raise AttributeError(n.attr)
        raise Unsupported("attribute " + n.attr)

    def ev_Call(self, n):
        if n.keywords:
            raise Unsupported("keywords")
        args = [self.ev(a) for a in n.args]
        f = n.func
        if isinstance(f, ast.Name) and f.id == "len" and len(args) == 1:
            return len(args[0])
        if isinstance(f, ast.Attribute):
            obj = self.ev(f.value)
            if isinstance(obj, FPDict):
                if f.attr == "get" and 1 <= len(args) <= 2:
                    try:
                        return obj.lookup(args[0])
                    except KeyError:
                        return args[1] if len(args) > 1 else None
                if f.attr == "has_key" and len(args) == 1:
                    return obj.has(args[0])
                if f.attr == "keys" and not args:
                    return list(obj.keys())
        raise Unsupported("call")


def read_case(path):
    """(expect, headers) from a corpus file's comment, or None."""
    with open(path, "rb") as fh:
        head = fh.read(8192).decode("latin-1")
    expect = None
    headers = {}
    for line in head.splitlines():
        m = re.match(r"\s*(Expect|Header|SkipUnless):\s*(.*)$", line)
        if m is None:
            continue
        if m.group(1) == "Expect":
            expect = m.group(2).strip()
        elif m.group(1) == "Header":
            k, _, v = m.group(2).partition(":")
            headers[k.strip().lower()] = v.strip()
        if path.endswith(".json") and expect:
            expect = expect.split("-->")[0].strip()
    if expect is None and path.endswith(".json"):
        m = re.search(r"Expect:\s*(.*?)\s*-->", head)
        expect = m.group(1) if m else None
    return (expect, headers) if expect else None


def applicable(rel, expect, headers):
    """None when applicable, else the reason it is not."""
    for d, why in SKIP_DIRS.items():
        if rel.startswith(d + "/"):
            return why
    extra = set(headers) - {"content-location"}
    if extra:
        return "needs HTTP header " + ", ".join(sorted(extra))
    try:
        tree = ast.parse(expect, mode="eval")
        ps = paths(tree)
    except (SyntaxError, Unsupported) as e:
        return "expression: %s" % e
    for p in ps:
        if p.split(".")[0] not in NAMES:
            return "reads " + p
        if p not in COVERED:
            return "reads " + p
    return None


def run_one(binary, corpus, rel, headers):
    url = ORIGIN + "tests/" + rel
    cl = headers.get("content-location")
    # as rss2mail takes the header (feed_url_base): a javascript:,
    # vbscript: or data: location is ignored
    if cl and not re.match(r"\s*(javascript|vbscript|data):", cl, re.I):
        from urllib.parse import urljoin
        url = urljoin(url, cl)
    p = subprocess.run([binary, "-q", "parse", os.path.join(corpus, rel),
                        "--base", url], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace").strip()
    return json.loads(p.stdout.decode("utf-8")), None


def evaluate(j, expect):
    m = model(j)
    env = {k: m.get(k) for k in ("bozo", "bozo_exception", "version",
                                  "encoding")}
    env["feed"] = env["channel"] = m.get("feed", FPDict())
    env["entries"] = env["items"] = m.get("entries", [])
    try:
        return bool(Evaluator(env).ev(ast.parse(expect, mode="eval")))
    except (KeyError, IndexError, AttributeError, TypeError, Unsupported):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", default=os.path.join(
        ROOT, "..", "shared", "corpora", "feedparser"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "build", "rss2mail"))
    ap.add_argument("--threshold", type=float, default=None,
                    help="minimum pass rate in percent")
    ap.add_argument("--quiet", action="store_true",
                    help="no list of failures")
    ap.add_argument("--show-skipped", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("only", nargs="*", help="corpus paths to run")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print("conformance: no corpus at %s" % a.corpus, file=sys.stderr)
        return 2
    if a.threshold is None:
        with open(os.path.join(HERE, "conformance-threshold")) as fh:
            a.threshold = float(fh.read().split()[0])
    cases = []
    for dp, dn, fn in os.walk(a.corpus):
        dn.sort()
        for f in sorted(fn):
            if not (f.endswith(".xml") or f.endswith(".json")):
                continue
            rel = os.path.relpath(os.path.join(dp, f), a.corpus)
            if a.only and not any(rel.startswith(o) for o in a.only):
                continue
            c = read_case(os.path.join(dp, f))
            if c is not None:
                cases.append((rel,) + c)
    todo = []
    skipped = []
    for rel, expect, headers in cases:
        why = applicable(rel, expect, headers)
        if why is None:
            todo.append((rel, expect, headers))
        else:
            skipped.append((rel, why))

    def job(c):
        rel, expect, headers = c
        j, err = run_one(a.bin, a.corpus, rel, headers)
        if j is None:
            return rel, expect, False, "parse failed: " + err
        return rel, expect, evaluate(j, expect), None

    with ThreadPoolExecutor(max_workers=a.jobs) as ex:
        results = list(ex.map(job, todo))
    per = {}
    fails = []
    for rel, expect, ok, err in results:
        folder = os.path.dirname(rel)
        p, n = per.get(folder, (0, 0))
        per[folder] = (p + ok, n + 1)
        if not ok:
            fails.append((rel, expect, err))
    if not a.quiet:
        for rel, expect, err in fails:
            print("FAIL %s\n     %s%s" % (rel, expect,
                  "\n     " + err if err else ""))
    if a.show_skipped:
        for rel, why in skipped:
            print("skip %s: %s" % (rel, why))
    print("%-32s %9s %6s" % ("folder", "passed", "rate"))
    tp = tn = 0
    for folder in sorted(per):
        p, n = per[folder]
        tp += p
        tn += n
        print("%-32s %4d/%-4d %5.1f%%" % (folder, p, n, 100.0 * p / n))
    rate = 100.0 * tp / tn if tn else 0.0
    print("applicable %d of %d cases (the rest read fields rss2mail does "
          "not print, or need HTTP headers; --show-skipped)" %
          (tn, len(cases)))
    print("passed %d of %d applicable: %.1f%% (threshold %.1f%%)" %
          (tp, tn, rate, a.threshold))
    return 0 if rate >= a.threshold else 1


if __name__ == "__main__":
    sys.exit(main())

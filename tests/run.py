#!/usr/bin/env python3
"""Run every test of rss2mail and end with one line "N passed, N failed".

  1. unit tests: each build/tests/test_* (cmocka), counted per test case
  2. fuzz corpus replay: each build/fuzz-replay/fuzz_* over its corpus
  3. integration tests: tests/integration/test_*.py (unittest), which start
     their own Dovecot and HTTP server
  4. layers: scripts/check-layers on the built objects (no include cycle
     between directories, no link cycle between objects) and its
     self-test on a fixture with planted cycles; one test each

Arguments select parts: `run.py unit`, `run.py integration test_pipeline`,
`run.py layers`.
Under CI (CI=true) a missing server is a failure, never a skip.
"""
import os
import re
import subprocess
import sys
import time
import unittest

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.environ.get("RSS2MAIL_BUILD") or os.path.join(TOP, "build")
os.environ["RSS2MAIL_BUILD"] = BUILD
passed = failed = skipped = 0
failures = []


def run_unit(only):
    global passed, failed
    d = os.path.join(BUILD, "tests")
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if not name.startswith("test_") or (only and name not in only):
            continue
        t0 = time.time()
        try:
            p = subprocess.run([os.path.join(d, name)], cwd=TOP,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=300)
            out = p.stdout.decode("utf-8", "replace")
            rc = p.returncode
        except subprocess.TimeoutExpired:
            out, rc = "timed out after 300 s\n", -1
        ok = sum(int(m) for m in re.findall(r"\[  PASSED  \] (\d+) test", out))
        bad = sum(int(m) for m in re.findall(r"\[  FAILED  \] (\d+) test", out))
        if rc != 0 and bad == 0:
            bad = 1          # crashed or timed out outside a test case
        passed += ok
        failed += bad
        status = "ok" if bad == 0 else "FAILED"
        print("unit %-24s %3d passed %3d failed  %.1fs  %s" %
              (name, ok, bad, time.time() - t0, status))
        # a test's one-line figures ("note: ...") are worth seeing
        for line in re.findall(r"^note: .*$", out, re.M):
            print("     " + line)
        if bad:
            failures.append("unit " + name)
            sys.stdout.write(out[-4000:])


def run_fuzz_replay(only):
    global passed, failed
    d = os.path.join(BUILD, "fuzz-replay")
    if not os.path.isdir(d):
        return
    for name in sorted(os.listdir(d)):
        if only and name not in only:
            continue
        target = name[len("fuzz_"):]
        corpus = os.path.join(TOP, "tests", "fuzz", "corpus", target)
        files = []
        if os.path.isdir(corpus):
            files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
        t0 = time.time()
        try:
            p = subprocess.run([os.path.join(d, name)] + files, cwd=TOP,
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=600)
            rc, out = p.returncode, p.stdout.decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            rc, out = -1, "timed out\n"
        ok = rc == 0 and len(files) > 0
        if ok:
            passed += 1
        else:
            failed += 1
            failures.append("fuzz replay " + name)
            if not files:
                out += "empty corpus %s\n" % corpus
            sys.stdout.write(out[-4000:])
        print("fuzz %-24s %4d inputs  %.1fs  %s" %
              (name, len(files), time.time() - t0, "ok" if ok else "FAILED"))


def run_layers(only):
    global passed, failed
    script = os.path.join(TOP, "scripts", "check-layers")
    for name, args in (("check-layers", []),
                       ("check-layers --self-test", ["--self-test"])):
        if only and name.split()[0] not in only:
            continue
        t0 = time.time()
        p = subprocess.run([sys.executable, script] + args, cwd=TOP,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode == 0:
            passed += 1
        else:
            failed += 1
            failures.append("layers " + name)
            sys.stdout.write(out[-4000:])
        print("layers %-26s %.1fs  %s" % (name, time.time() - t0,
                                          "ok" if p.returncode == 0
                                          else "FAILED"))


class Result(unittest.TextTestResult):
    pass


def run_integration(only):
    global passed, failed, skipped
    d = os.path.join(TOP, "tests", "integration")
    sys.path.insert(0, d)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for f in sorted(os.listdir(d)):
        if f.startswith("test_") and f.endswith(".py"):
            mod = f[:-3]
            if only and mod not in only:
                continue
            suite.addTests(loader.loadTestsFromName(mod))
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2,
                                     resultclass=Result)
    r = runner.run(suite)
    bad = len(r.failures) + len(r.errors) + len(r.unexpectedSuccesses)
    sk = len(r.skipped)
    if os.environ.get("CI") == "true" and sk:
        # under CI a skipped integration test (a missing server) fails
        bad += sk
        for t, why in r.skipped:
            failures.append("integration skipped under CI: %s (%s)" % (t, why))
        sk = 0
    for t, _ in r.failures + r.errors:
        failures.append("integration " + t.id())
    passed += r.testsRun - bad - sk
    failed += bad
    skipped += sk


def main():
    args = sys.argv[1:]
    parts = {"unit", "fuzz", "integration", "layers"}
    sel = [a for a in args if a in parts] or sorted(parts)
    only = [a for a in args if a not in parts]
    if "unit" in sel:
        run_unit(only)
    if "fuzz" in sel:
        run_fuzz_replay(only)
    if "layers" in sel:
        run_layers(only)
    if "integration" in sel:
        run_integration(only)
    for f in failures:
        print("FAILED: " + f)
    line = "%d passed, %d failed" % (passed, failed)
    if skipped:
        line += ", %d skipped" % skipped
    print(line)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

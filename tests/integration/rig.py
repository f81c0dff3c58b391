"""Shared helpers for integration tests that run the real rss2mail binary.

    rig.BIN                       build/rss2mail
    rig.run(cfg, "run", ...)      -> CompletedProcess (bounded by a timeout)
    rig.write_config(dir, text)   -> path, mode 0600
    rig.need_dovecot(test)        skip (a failure under CI) without Dovecot
    rig.state_rows(db, sql)       read the state database
    rig.feed_server(test, **kw)   a FeedServer started, stopped after test
    rig.kill_at_random(cfg, rnd, times)  -> how many runs died of kill -9
    rig.loopback_alias_works(addr)       True if addr binds here
    rig.one_error_line(test, r, code, *parts)  -> the run's one error line
"""
import os
import socket
import sqlite3
import subprocess
import tempfile
import time

import cyrus
import dovecot
from feedserver import FeedServer

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))
BUILD = os.environ.get("RSS2MAIL_BUILD") or os.path.join(TOP, "build")
BIN = os.path.join(BUILD, "rss2mail")
# under `make asan` memory and time bounds measure ASan's shadow memory and
# slowdown, not rss2mail: tests scale them by these factors
SANITIZED = os.path.basename(os.path.normpath(BUILD)) == "asan"
MEM_FACTOR = 8 if SANITIZED else 1
TIME_FACTOR = 4 if SANITIZED else 1
EXAMPLES = os.path.join(TOP, "examples")


SANITIZER_REPORTS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "runtime error:", "AddressSanitizer:DEADLYSIGNAL")


def check_sanitizers(stderr):
    """Under `make asan`, any sanitizer report fails the test that ran the
    binary, whatever exit status that test expected."""
    for s in SANITIZER_REPORTS:
        if s in (stderr or ""):
            raise AssertionError("sanitizer report:\n" + stderr[-8000:])


def run(cfg, *args, timeout=120, env=None):
    e = dict(os.environ)
    e.pop("RSS2MAIL_CONFIG", None)
    if env:
        e.update(env)
    r = subprocess.run([BIN, "-c", cfg] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, env=e, text=True,
                       errors="replace")
    check_sanitizers(r.stderr)
    return r


def write_config(d, text, name="config.ini"):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, 0o600)
    return path


def write_secret(d, secret, name="password"):
    path = os.path.join(d, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secret + "\n")
    return path


def tempdir(test):
    d = tempfile.mkdtemp(prefix="rss2mail-it-")
    test.addCleanup(subprocess.run, ["rm", "-rf", d])
    return d


def feed_server(test, **kw):
    """A FeedServer(**kw) started for one test (or class fixture: any
    object with addCleanup) and stopped after it."""
    srv = FeedServer(**kw).start()
    test.addCleanup(srv.stop)
    return srv


def need_dovecot(test):
    if not dovecot.Dovecot.available():
        test.skipTest("dovecot is not installed (scripts/install-deps)")


# The real IMAP servers the delivery tests run against, by name.
IMAP_SERVERS = {"dovecot": dovecot.Dovecot, "cyrus": cyrus.Cyrus}


def imap_server(test, kind="dovecot", **kw):
    """A started server of that kind, closed when the test ends; the test
    is skipped (a failure under CI) when the server is not installed."""
    cls = IMAP_SERVERS[kind]
    if not cls.available():
        test.skipTest("%s is not installed (scripts/install-deps)" % kind)
    srv = cls(**kw)
    test.addCleanup(srv.close)
    return srv


def kill_at_random(cfg, rnd, times, lo=0.02, hi=0.4, after=None):
    """Start `rss2mail -c cfg run` `times` times, each killed (SIGKILL)
    after rnd.uniform(lo, hi) seconds; after(), when given, is called once
    each run has ended.  Returns how many runs died of the kill (a run
    that finished first does not count)."""
    kills = 0
    for _ in range(times):
        p = subprocess.Popen([BIN, "-c", cfg, "run"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(lo, hi))
        p.kill()
        if p.wait(timeout=60) == -9:
            kills += 1
        if after:
            after()
    return kills


def loopback_alias_works(addr):
    """Whether a socket binds to addr (127.0.0.2 and its like exist on
    Linux loopback, not everywhere)."""
    s = socket.socket()
    try:
        s.bind((addr, 0))
        return True
    except OSError:
        return False
    finally:
        s.close()


def state_rows(db, sql, args=()):
    con = sqlite3.connect(db)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def error_lines(stderr):
    return [l for l in stderr.splitlines() if l.strip()]


def one_error_line(test, r, code, *parts):
    """Assert that run r exited with code and wrote exactly one error line,
    containing each of parts; returns that line."""
    test.assertEqual(r.returncode, code, r.stderr)
    errs = error_lines(r.stderr)
    test.assertEqual(len(errs), 1, r.stderr)
    for part in parts:
        test.assertIn(part, errs[0])
    return errs[0]


def read_maildir(root, folder=""):
    """Raw bytes of every message in a Maildir (new/ and cur/)."""
    base = root if not folder else os.path.join(
        root, "." + folder.replace("/", "."))
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(base, sub)
        if os.path.isdir(d):
            for n in sorted(os.listdir(d)):
                with open(os.path.join(d, n), "rb") as f:
                    out.append(f.read())
    return out

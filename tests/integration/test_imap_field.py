"""IMAP as real providers serve it (issue 13), against a real Dovecot posing
with a provider's capability list (dovecot.PROFILES):

  - which commands and literal forms go on the wire, read back from
    Dovecot's rawlog: Gmail (LITERAL-, no MULTIAPPEND): "{N+}" only for
    messages of at most 4096 bytes, "{N}" otherwise, one APPEND per
    message; Outlook (LITERAL+, no MULTIAPPEND): "{N+}" APPENDs sent
    without waiting for the replies before them;
  - through tests/tools/faultproxy.py: five connection cuts at random
    points and injected throttle replies and BYEs (which the proxy tells
    after the server did store the message): after the runs end, every
    entry is in the mailbox exactly once.
No timing is asserted: rates are `make bench-field`'s.
"""
import glob
import os
import random
import re
import sys
import unittest

import dovecot
import rig
import test_crash
from test_imap import ImapTestCase
from test_imap_append import make_msgs

sys.path.insert(0, os.path.join(rig.TOP, "tests", "tools"))
from faultproxy import FaultProxy   # noqa: E402

_APPEND = re.compile(rb"^(\S+) APPEND .*\{(\d+)(\+?)\}$")
_TAGGED = re.compile(rb"^(\S+) (OK|NO|BAD)\b")


def rawlog_lines(directory, suffix):
    """(timestamp, line) of every *.in or *.out rawlog line, in order."""
    out = []
    for path in sorted(glob.glob(os.path.join(directory, "*." + suffix))):
        with open(path, "rb") as f:
            for line in f.read().split(b"\n"):
                line = line.rstrip(b"\r")
                ts, sep, rest = line.partition(b" ")
                try:
                    out.append((float(ts), rest))
                except ValueError:
                    out.append((None, line))
    return out


class ProfileCase(ImapTestCase):
    PROFILE = None

    @classmethod
    def setUpClass(cls):
        if not dovecot.Dovecot.available():
            raise unittest.SkipTest("dovecot is not installed")
        import tempfile
        cls.raw = tempfile.mkdtemp(prefix="r2m-rawlog-")
        os.chmod(cls.raw, 0o777)
        cls.dc = dovecot.Dovecot(extra=dovecot.profile_config(cls.PROFILE) +
                                 dovecot.rawlog_config(cls.raw))

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        import shutil
        shutil.rmtree(cls.raw, ignore_errors=True)

    def append(self, folder, paths):
        rc, out, err = self.ctl("append", self.dc.url(), folder, *paths)
        self.assertEqual(rc, 0, err)
        self.assertIn("appended %d" % len(paths), out)
        got = self.dc.fetch_all(folder)
        want = []
        for p in paths:
            with open(p, "rb") as f:
                want.append(f.read().replace(b"\r\n", b"\n").replace(
                    b"\n", b"\r\n"))
        self.assertEqual(got, want)
        cmds = [(ts, _APPEND.match(l)) for ts, l in
                rawlog_lines(self.raw, "in")]
        return [(ts, m) for ts, m in cmds if m], want


class TestGmailProfile(ProfileCase):
    PROFILE = "gmail"

    def test_literal_minus_only_for_small_messages(self):
        d = self.tmp = __import__("tempfile").mkdtemp(prefix="r2m-gm-")
        self.addCleanup(__import__("shutil").rmtree, d, True)
        paths = make_msgs(d, 12, size=2000, prefix="g", big=(3, 4, 9))
        appends, want = self.append("Gmail", paths)
        # one APPEND per message (no MULTIAPPEND), in order
        self.assertEqual(len(appends), len(paths))
        for (ts, m), raw in zip(appends, want):
            n = int(m.group(2))
            self.assertEqual(n, len(raw))
            self.assertEqual(m.group(3) == b"+", n <= 4096,
                             m.group(0)[:120])
        self.assertTrue(any(int(m.group(2)) > 4096 for _, m in appends))
        self.assertTrue(any(int(m.group(2)) <= 4096 for _, m in appends))


    def test_check_names_the_mode(self):
        d = __import__("tempfile").mkdtemp(prefix="r2m-gmc-")
        self.addCleanup(__import__("shutil").rmtree, d, True)
        pwf = rig.write_secret(d, self.dc.password)
        cfg = rig.write_config(d, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "deliver = imap\nimap-url = %s\nimap-tls = none\n"
            "password-file = %s\nstate = %s/state.db\n\n"
            "[feed.lwn.net]\nurl = http://127.0.0.1:9/x.xml\n") % (
            self.dc.url(""), pwf, d))
        r = rig.run(cfg, "check")
        self.assertIn("server offers LITERAL- UIDPLUS COMPRESS=DEFLATE "
                      "NAMESPACE APPENDLIMIT=35651584; separator '/'",
                      r.stdout)
        self.assertIn("delivery: pipelined APPEND, LITERAL- up to 4096",
                      r.stdout)
        self.assertIn("sessions: up to 4 at once (imap-connections)",
                      r.stdout)


class TestOutlookProfile(ProfileCase):
    PROFILE = "outlook"

    def test_pipelined_literal_plus(self):
        d = __import__("tempfile").mkdtemp(prefix="r2m-ol-")
        self.addCleanup(__import__("shutil").rmtree, d, True)
        paths = make_msgs(d, 20, size=6000, prefix="o")
        # 50 ms round trip: a client that waited for each reply would send
        # the second APPEND a round trip after the first reply left
        proxy = FaultProxy(self.dc.port, delay_ms=25)
        self.addCleanup(proxy.close)
        url = "imap://%s@127.0.0.1:%d/" % (self.dc.user, proxy.port)
        rc, out, err = self.ctl("append", url, "Outlook", *paths)
        self.assertEqual(rc, 0, err)
        self.assertIn("appended 20", out)
        appends = [(ts, m) for ts, m in
                   ((ts, _APPEND.match(l)) for ts, l in
                    rawlog_lines(self.raw, "in")) if m]
        self.assertEqual(len(appends), 20)
        self.assertTrue(all(m.group(3) == b"+" for _, m in appends))
        # the server had more than one APPEND in hand before it sent its
        # first tagged reply to one of them
        tags = {m.group(1) for _, m in appends}
        replies = [ts for ts, l in rawlog_lines(self.raw, "out")
                   if _TAGGED.match(l) and _TAGGED.match(l).group(1) in tags]
        self.assertEqual(len(replies), 20)
        before = [ts for ts, _ in appends if ts is not None and
                  ts <= replies[0]]
        self.assertGreater(len(before), 1)
        self.assertEqual(len(self.dc.fetch_all("Outlook")), 20)


class TestFaults(unittest.TestCase):
    """Exactly once through five cuts and injected throttles and BYEs,
    on the Outlook profile (pipelined APPENDs)."""
    run_rss2mail = test_crash.Crash.run_rss2mail
    assert_exactly_once = test_crash.Crash.assert_exactly_once
    settle = test_crash.Crash.settle

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        for f in range(3):
            self.http.put("/f%d.xml" % f, test_crash.rss("f%d" % f, 100))
        self.dc = rig.imap_server(self, "dovecot",
                                  extra=dovecot.profile_config("outlook"))
        self.pw = rig.write_secret(self.dir, self.dc.password)
        rnd = random.Random(13)
        # connections 1..5 each cut at a random point of what the client
        # sends (log in, folders, searches and APPENDs alike), within its
        # first ~5 messages: what was in flight at a cut is found by
        # Message-ID, not appended again, and the faults below count
        # APPEND replies, so a cut must not swallow too many of them
        cuts = [(k, rnd.randrange(300, 40000)) for k in range(1, 6)]
        # by APPEND reply; an Outlook throttle and a BYE close the
        # connection, and the replies in flight then never come: those
        # two go last, so that every fault fires on 300 messages
        faults = [(5, "throttled"), (20, "overquota"), (40, "unavailable"),
                  (60, "outlook"), (100, "bye")]
        self.proxy = FaultProxy(self.dc.port, delay_ms=2, cut_after=cuts,
                                faults=faults)
        self.addCleanup(self.proxy.close)
        self.write_config()

    def write_config(self):
        test_crash.Crash.write_config(self)
        with open(self.cfg) as f:
            text = f.read()
        text = text.replace("127.0.0.1:%d" % self.dc.port,
                            "127.0.0.1:%d" % self.proxy.port)
        self.cfg = rig.write_config(self.dir, text)

    def test_cuts_throttles_and_byes(self):
        throttled = False
        for _ in range(15):
            r = self.run_rss2mail(timeout=300)
            throttled |= "mailbox throttled" in r.stderr
            if r.returncode == 0 and self.proxy.cuts >= 5 and \
                    len(self.proxy.injected) == 5:
                break
            self.assertIn(r.returncode, (0, 1, 75), r.stderr)
        self.assertEqual(self.proxy.cuts, 5)
        self.assertEqual(len(self.proxy.injected), 5, self.proxy.injected)
        self.settle()


if __name__ == "__main__":
    unittest.main()

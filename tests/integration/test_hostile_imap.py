"""A misbehaving IMAP server (tests/integration/fakeimap.py) against the
real binary (issue 8).

Each case: two good feeds delivered over IMAP to a server that closes
mid-literal, answers NO or BAD to APPEND, sends a gigantic literal, sends
junk, or never answers.  The run must end in bounded time and memory with
one clear error line per feed (each naming its feed), exit 1 (or 75 when
the mailbox as a whole was unusable), and nothing
marked delivered; then the next run against a real Dovecot, on the same
state, delivers every entry exactly once, and a third run delivers nothing.
`timeout` (config.c: the per-request HTTP timeout, also every IMAP wait) is
set to 1-2 s so the silent servers cost seconds, not minutes.
"""
import email
import email.policy
import os
import unittest

import dovecot
import fakeimap
import rig
from test_hostile_common import (ASAN, GOOD, GOOD_TOTAL, Hostile,
                                 TIME_SCALE, RSS_CAP_MB, measured_run)

# libetpan allocates a literal's declared size up front: only virtual
# memory, except under ASan, whose shadow of a 4 GB block is ~512 MB
GIANT_RSS_MB = RSS_CAP_MB if ASAN else 96


class HostileIMAP(unittest.TestCase):

    dc = None

    @classmethod
    def setUpClass(cls):
        if dovecot.Dovecot.available():
            cls.dc = dovecot.Dovecot()

    @classmethod
    def tearDownClass(cls):
        if cls.dc is not None:
            cls.dc.close()

    def setUp(self):
        self.h = Hostile(self)
        self.prefix = self._testMethodName.replace("test_", "T")

    def imap_config(self, url, password, timeout="2s"):
        pw = rig.write_secret(self.h.dir, password)
        return self.h.config([], "timeout = %s\n" % timeout, deliver=(
            "deliver = imap\nimap-url = %s\nimap-tls = none\n"
            "password-file = %s\nfolder = %s/{name}\n" %
            (url, pw, self.prefix)))

    def fake_run(self, behaviour, expect, limit=15, timeout="2s", kill=None,
                 **kw):
        """A run against FakeIMAP(behaviour); returns (result, server)."""
        srv = fakeimap.FakeIMAP(behaviour, **kw).start()
        self.addCleanup(srv.stop)
        cfg = self.imap_config(srv.url("Feeds"), "fake-pw", timeout)
        res = measured_run(cfg, "run", timeout=kill or limit + 4)
        self.assertIsNotNone(res.rc, "killed at the timeout: %r" % res)
        # 1: feeds failed; 75: the mailbox was unusable (temporary)
        self.assertIn(res.rc, (1, 75), res)
        self.assertLess(res.secs, limit * TIME_SCALE, res)
        self.assertLess(res.rss_mb, RSS_CAP_MB, res)
        lines = rig.error_lines(res.stderr)
        self.assertEqual(len(lines), len(GOOD), res.stderr)
        for (name, _, _), line in zip(GOOD, sorted(lines)):
            self.assertTrue(line.startswith("rss2mail: feed %s: " % name),
                            line)
            self.assertIn(expect, line)
            self.assertNotIn("fake-pw", line)
            self.assertLess(len(line), 600)
        for name, _, _ in GOOD:
            self.assertEqual(self.h.delivered(name), 0, name)
        self.h.assert_state_ok()
        return res, srv

    def then_dovecot(self):
        """The next runs, against a real server: exactly once."""
        rig.need_dovecot(self)
        dc = self.dc
        cfg = self.imap_config(dc.url("Feeds"), dc.password)
        self.h.age_journal()
        for attempt in range(2):
            res = measured_run(cfg, "run", timeout=60)
            self.assertEqual(res.rc, 0, res)
            for name, _, n in GOOD:
                raws = dc.fetch_all("%s/%s" % (self.prefix, name))
                ids = [email.message_from_bytes(
                    r, policy=email.policy.default)["Message-ID"]
                    for r in raws]
                self.assertEqual(len(raws), n, (attempt, name))
                self.assertEqual(len(set(ids)), n, (attempt, name))
                self.assertEqual(self.h.delivered(name), n)
        self.assertEqual(rig.state_rows(
            self.h.db, "SELECT count(*) FROM entries WHERE state != 2")[0][0],
            0)
        self.h.assert_state_ok()

    # --- APPEND refused -----------------------------------------------------

    def test_append_no(self):
        res, srv = self.fake_run("append-no", "APPEND refused by the test "
                                 "server")
        # the fake answers NO [UNAVAILABLE]: since issue 13 that is the
        # server shedding load (Yahoo), not a refused message: backed off,
        # retried, then left pending for the next run
        self.assertIn("mailbox throttled", res.stderr)
        self.assertTrue(srv.commands_named("APPEND"))
        self.then_dovecot()

    def test_append_bad_contained(self):
        # whatever the text, BAD is contained: nothing delivered, and the
        # next run delivers every entry exactly once
        self.fake_run("append-bad", "append to")
        self.then_dovecot()

    def test_append_bad_says_bad(self):
        # libetpan's mailimap_parse_response returns MAILIMAP_ERROR_PROTOCOL
        # for a tagged BAD, as for a lost connection; imap.c tells them
        # apart (last_was_bad) and the error carries the server's words
        res, srv = self.fake_run("append-bad", "APPEND syntax error (test "
                                 "server)")
        self.assertNotIn("connection lost", res.stderr)

    # --- the connection breaks ----------------------------------------------

    def test_close_mid_literal(self):
        res, srv = self.fake_run("close-mid-literal", "append to")
        self.assertEqual(srv.appended, [])
        self.then_dovecot()

    def test_close_before_tagged_ok(self):
        # the server stored the batch, then dropped the line before OK: the
        # client cannot know; its journal finds the messages next time by
        # Message-ID in the same server, and appends only what is missing
        res, srv = self.fake_run("close-before-ok", "append to")
        stored = len(srv.appended)
        self.assertGreater(stored, 0)
        srv.behaviour = "ok"
        cfg = self.imap_config(srv.url("Feeds"), "fake-pw")
        self.h.age_journal()
        res = measured_run(cfg, "run", timeout=30)
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(len(srv.appended), GOOD_TOTAL, srv.commands)
        ids = [email.message_from_bytes(r, policy=email.policy.default)
               ["Message-ID"] for r in srv.appended]
        self.assertEqual(len(set(ids)), GOOD_TOTAL)
        self.assertTrue(srv.commands_named("UID"))     # looked up first
        for name, _, n in GOOD:
            self.assertEqual(self.h.delivered(name), n)
        res = measured_run(cfg, "run", timeout=30)
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(len(srv.appended), GOOD_TOTAL)
        self.h.assert_state_ok()

    # --- hostile responses ------------------------------------------------

    def test_junk_greeting(self):
        res, srv = self.fake_run("junk", "no IMAP greeting: unreadable "
                                 "server response")
        self.assertLessEqual(srv.connections, 3)   # bounded reconnects
        self.then_dovecot()

    def test_junk_after_login(self):
        self.fake_run("junk-after-login", "unreadable server response")
        self.then_dovecot()

    def test_giant_literal_in_list(self):
        # a LIST response whose mailbox name is a literal declared as 4 GB,
        # 300 MB of it sent: libetpan would read it whole into memory; the
        # client must cut it (LIM_IMAP_LINE) with an ordinary error
        res, srv = self.fake_run("giant-literal", "imap 127.0.0.1",
                                 limit=6, giant_mb=300)
        self.assertLess(res.rss_mb, GIANT_RSS_MB, res)
        self.then_dovecot()

    def test_giant_literal_before_append_reply(self):
        # the same literal in an untagged FETCH before the APPEND reply
        res, srv = self.fake_run("giant-append", "append to", limit=6,
                                 giant_mb=300)
        self.assertLess(res.rss_mb, GIANT_RSS_MB, res)
        self.then_dovecot()

    def test_literal_cut_short(self):
        # a literal declared as 4 GB, 1 MB of it sent, then the server
        # hangs up: libetpan's literal loop takes read() == 0 as "0 bytes
        # more" and would spin on the closed socket forever; imap.c's
        # stream layer turns EOF into an error
        res, srv = self.fake_run("giant-literal", "imap 127.0.0.1",
                                 limit=3, kill=6, giant_mb=1)
        self.then_dovecot()

    # --- silence ----------------------------------------------------------

    def test_never_answers_append(self):
        res, srv = self.fake_run("silent-append", "append to", limit=8,
                                 timeout="1s")
        self.then_dovecot()

    def test_trickling_greeting(self):
        # a greeting that trickles one byte every 0.5 s: each read returns
        # within `timeout`, so only a budget on the time waited per
        # operation (imap.c cap_read: at most 2 x timeout) ends it
        res, srv = self.fake_run("trickle", "too slow", limit=6, kill=12,
                                 timeout="1s")
        self.then_dovecot()

    def test_never_greets(self):
        # connect, then silence: 3 connection attempts, each waiting
        # `timeout` (1 s) for the greeting, 1 s + 2 s of backoff between
        # them, and no LOGOUT waited for on the dead sessions
        res, srv = self.fake_run("silent", "no IMAP greeting", limit=8,
                                 timeout="1s")
        self.assertLessEqual(srv.connections, 3)
        self.then_dovecot()


if __name__ == "__main__":
    unittest.main()

"""imap-connections (issue 13, parallel sessions), against real Dovecot
and Cyrus:

  - several feeds in folders of their own, imap-connections = 4: every
    entry lands exactly once, and within each folder in the order it was
    journaled (UID order = the journal's order);
  - Dovecot's rawlog shows more than one session appending at the same
    time, never more than four, and a pass with one folder opens one;
  - kills at random moments (and at the crash points) with four sessions
    still give exactly once (test_crash's kill tests, folder per feed);
  - a session cut mid-batch by tests/tools/faultproxy.py hands its
    unconfirmed messages back: they stay pending, and the next run
    delivers each of them once.
No timing is asserted.
"""
import email
import glob
import os
import re
import shutil
import sys
import tempfile
import unittest

import dovecot
import rig
import test_crash
from test_imap_field import rawlog_lines

sys.path.insert(0, os.path.join(rig.TOP, "tests", "tools"))
from faultproxy import FaultProxy   # noqa: E402

FEEDS = 6
ENTRIES = 40
BIG = 250              # feed f0's entries: three batches of one folder
BODY = "<p>%s</p>" % ("A body long enough to take a while on the wire. " * 40)
_APPEND = re.compile(rb"^\S+ APPEND ")


def folders_exactly_once(test, dc, state_db, feeds, entries, big=None):
    """Each feed's entries in its own folder Feeds/<feed>, once each, in
    the journal's order (by UID); every row delivered.  big: f0's count
    when it differs."""
    for f in range(feeds):
        name = "f%d" % f
        want = big if f == 0 and big else entries
        raws = dc.fetch_all(dc.folder("Feeds/" + name))
        ids = [email.message_from_bytes(r)["X-RSS-ID"] for r in raws]
        test.assertEqual(len(ids), len(set(ids)), "%s: duplicates" % name)
        test.assertEqual(len(ids), want, name)
        order = [row[0] for row in rig.state_rows(
            state_db, "SELECT entry_id FROM entries WHERE feed = ? "
            "ORDER BY id", (name,))]
        test.assertEqual(ids, order, "%s: UID order is not entry order"
                         % name)
    rows = rig.state_rows(state_db, "SELECT state, count(*) FROM entries "
                          "GROUP BY state")
    test.assertEqual(dict(rows), {2: feeds * entries +
                                  ((big - entries) if big else 0)})


class Sessions(unittest.TestCase):
    SERVER = "dovecot"

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        test_crash.put_feeds(self.http, [BIG] + [ENTRIES] * (FEEDS - 1),
                             BODY)
        self.raw = None
        extra = ""
        if self.SERVER == "dovecot":
            self.raw = tempfile.mkdtemp(prefix="r2m-sessions-raw-")
            self.addCleanup(shutil.rmtree, self.raw, True)
            os.chmod(self.raw, 0o777)
            extra = dovecot.rawlog_config(self.raw)
            self.dc = rig.imap_server(self, self.SERVER, extra=extra)
        else:
            self.dc = rig.imap_server(self, self.SERVER)
        self.pw = rig.write_secret(self.dir, self.dc.password)
        self.db = os.path.join(self.dir, "state.db")

    def write_config(self, folder="Feeds/{name}", port=None, extra=""):
        text = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
                "to = me@example.org\ndeliver = imap\n"
                "imap-url = imap://%s@127.0.0.1:%d/\nimap-tls = none\n"
                "password-file = %s\nstate = %s\ntimeout = 10s\n"
                "imap-connections = 4\nfolder = %s\n%s" % (
                    self.dc.user, port or self.dc.port, self.pw, self.db,
                    folder, extra))
        for f in range(FEEDS):
            text += "\n[feed.f%d]\nurl = %s\n" % (f, self.http.url(
                "/f%d.xml" % f))
        self.cfg = rig.write_config(self.dir, text)

    def sessions(self):
        """Per rss2mail session in the rawlog: the timestamps of its
        APPEND commands (sessions without any left out)."""
        out = []
        for path in sorted(glob.glob(os.path.join(self.raw, "*.in"))):
            d = tempfile.mkdtemp(dir=self.dir)
            shutil.copy(path, d)
            ts = [t for t, line in rawlog_lines(d, "in")
                  if _APPEND.match(line)]
            if ts:
                out.append(ts)
        return out

    def test_parallel_in_order_exactly_once(self):
        # a 10 ms round trip, so that an append takes a while: f0's three
        # batches would interleave on two sessions if a folder's next
        # batch did not wait for the one in flight
        proxy = FaultProxy(self.dc.port, delay_ms=5)
        self.addCleanup(proxy.close)
        self.write_config(port=proxy.port)
        # the first batch waits a second after its OK with its session
        # held: the batches of other folders meanwhile go out on others
        r = rig.run(self.cfg, "run", env={"RSS2MAIL_TEST_STALL":
                                          "after-ok:1:1"})
        self.assertEqual(r.returncode, 0, r.stderr)
        if self.raw:
            ses = self.sessions()
            self.assertGreater(len(ses), 1, "one session appended")
            self.assertLessEqual(len(ses), 4, "more than imap-connections")
            spans = sorted((min(s), max(s)) for s in ses)
            self.assertTrue(any(spans[i + 1][0] < spans[i][1]
                                for i in range(len(spans) - 1)),
                            "no two sessions appended at once: %r" % spans)
        folders_exactly_once(self, self.dc, self.db, FEEDS, ENTRIES, BIG)
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        folders_exactly_once(self, self.dc, self.db, FEEDS, ENTRIES, BIG)

    def test_one_folder_one_session(self):
        # sessions counted as the proxy's connections, on either server
        proxy = FaultProxy(self.dc.port)
        self.addCleanup(proxy.close)
        self.write_config(folder="Feeds", port=proxy.port)
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(proxy.connections, 1)
        if self.raw:
            logins = glob.glob(os.path.join(self.raw, "*.in"))
            self.assertEqual(len(logins), 1, logins)
        self.assertEqual(self.dc.count(self.dc.folder("Feeds")),
                         (FEEDS - 1) * ENTRIES + BIG)

    def test_cut_session_hands_back(self):
        # connection 2 is the second session: cut in its first batch
        proxy = FaultProxy(self.dc.port, delay_ms=5,
                           cut_after=[(2, 30000)])
        self.addCleanup(proxy.close)
        self.write_config(port=proxy.port)
        r = rig.run(self.cfg, "run")
        self.assertEqual(proxy.cuts, 1)
        # only the mailbox failed: a temporary failure
        self.assertEqual(r.returncode, 75, r.stderr)
        pending = rig.state_rows(self.db, "SELECT count(*) FROM entries "
                                 "WHERE state = 1")[0][0]
        self.assertGreater(pending, 0, "the cut batch was not handed back")
        delivered = rig.state_rows(self.db, "SELECT count(*) FROM entries "
                                   "WHERE state = 2")[0][0]
        self.assertGreater(delivered, 0, "no other session delivered")
        self.assertTrue(self.dc.wait_idle(), "server sessions left")
        test_crash.Crash.age_journal(self)
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        folders_exactly_once(self, self.dc, self.db, FEEDS, ENTRIES, BIG)


class SessionsCyrus(Sessions):
    SERVER = "cyrus"


class CrashSessions(test_crash.Crash):
    """test_crash's kills with four sessions, a folder per feed."""
    test_spool_removed_by_hand = None
    test_server_stops_mid_run = None

    def write_config(self):
        text = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
                "to = me@example.org\ndeliver = imap\nimap-url = %s\n"
                "imap-tls = none\npassword-file = %s\nstate = %s/state.db\n"
                "timeout = 10s\nimap-connections = 4\n"
                "folder = Feeds/{name}\n" % (self.dc.url(""), self.pw,
                                             self.dir))
        for f in range(test_crash.FEEDS):
            text += "\n[feed.f%d]\nurl = %s\n" % (f, self.http.url(
                "/f%d.xml" % f))
        self.cfg = rig.write_config(self.dir, text)

    def assert_exactly_once(self):
        for f in range(test_crash.FEEDS):
            raws = self.dc.fetch_all(self.dc.folder("Feeds/f%d" % f))
            ids = [email.message_from_bytes(r)["X-RSS-ID"] for r in raws]
            self.assertEqual(len(ids), len(set(ids)), "duplicates")
            self.assertEqual(len(ids), test_crash.ENTRIES)
        db = os.path.join(self.dir, "state.db")
        self.assertEqual(dict(rig.state_rows(
            db, "SELECT state, count(*) FROM entries GROUP BY state")),
            {2: test_crash.TOTAL})
        self.assertFalse(os.path.exists(db + ".spool"))


class CrashSessionsCyrus(CrashSessions):
    SERVER = "cyrus"


if __name__ == "__main__":
    unittest.main()

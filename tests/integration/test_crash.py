"""Exactly once through crashes, against a real Dovecot: rss2mail is
killed with SIGKILL (as `kill -9`) right after its pending rows are
committed and before the append, right after the server's OK and before
the delivered rows are committed, and at random moments (which lands some
kills in the middle of a literal); Dovecot is stopped in the middle of a
run.  After the next runs, every entry is in the mailbox exactly once.
"""
import email
import os
import random
import shutil
import sqlite3
import subprocess
import time
import unittest

import dovecot
import rig
from feeds import rss

FEEDS = 3
ENTRIES = 100          # per feed: 300 messages, 3 batches of 100
TOTAL = FEEDS * ENTRIES


# each entry's body: long enough to spread the appends over the wire
BODY = ("<p>%s</p>" % ("Ünïcode body text, long enough to take a "
                       "while on the wire. " * 60))


def put_feeds(http, counts, body):
    """Serve feed f<i> at /f<i>.xml on http, with counts[i] entries of
    body each (titled "f<i> entry <n>", guids "f<i>-<n>")."""
    for f, n in enumerate(counts):
        name = "f%d" % f
        http.put("/%s.xml" % name, rss(
            "Feed " + name, n, name, entry="{prefix} entry {i}",
            link="http://example.org/{prefix}/{i}", description=body,
            cdata=True, channel_link="http://example.org/" + name))


class Crash(unittest.TestCase):
    SERVER = "dovecot"

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        put_feeds(self.http, [ENTRIES] * FEEDS, BODY)
        self.dc = rig.imap_server(self, self.SERVER)
        self.pw = rig.write_secret(self.dir, self.dc.password)
        self.write_config()

    def write_config(self):
        text = ("[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
                "to = me@example.org\ndeliver = imap\nimap-url = %s\n"
                "imap-tls = none\npassword-file = %s\nstate = %s/state.db\n"
                "timeout = 10s\n" % (self.dc.url("Feeds"), self.pw, self.dir))
        for f in range(FEEDS):
            text += "\n[feed.f%d]\nurl = %s\n" % (f, self.http.url(
                "/f%d.xml" % f))
        self.cfg = rig.write_config(self.dir, text)

    def run_rss2mail(self, env=None, timeout=120):
        return rig.run(self.cfg, "run", env=env, timeout=timeout)

    def assert_exactly_once(self):
        raws = self.dc.fetch_all(self.dc.folder("Feeds"))
        ids = []
        for raw in raws:
            m = email.message_from_bytes(raw)
            ids.append((m["X-RSS-Feed"], m["X-RSS-ID"]))
        dups = len(ids) - len(set(ids))
        self.assertEqual(dups, 0, "%d duplicates" % dups)
        self.assertEqual(len(set(ids)), TOTAL)
        rows = rig.state_rows(os.path.join(self.dir, "state.db"),
                              "SELECT state, count(*) FROM entries GROUP BY "
                              "state")
        self.assertEqual(dict(rows), {2: TOTAL})
        self.assertEqual(rig.state_rows(
            os.path.join(self.dir, "state.db"),
            "PRAGMA integrity_check")[0][0], "ok")
        # nothing pending: the spool of pending messages' bytes is gone
        self.assertFalse(os.path.exists(os.path.join(self.dir,
                                                     "state.db.spool")))

    def settle(self):
        r = self.run_rss2mail()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_exactly_once()
        # and one more: nothing moves
        r = self.run_rss2mail()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assert_exactly_once()

    def test_kill_at_each_point(self):
        # each kill lands in whatever the previous ones left: recovery
        # batches first, then new entries; a run with fewer batches than
        # N finishes (0) instead
        kills = 0
        for spec in ("before-append:1", "after-ok:1", "before-append:2",
                     "after-ok:2", "after-ok:1", "before-append:1"):
            r = self.run_rss2mail(env={"RSS2MAIL_TEST_CRASH": spec})
            self.assertIn(r.returncode, (-9, 0), spec + ": " + r.stderr)
            kills += r.returncode == -9
            if kills == 1:
                # killed with a journaled batch: its bytes are in the
                # spool, for the next run to append again if need be
                spool = os.path.join(self.dir, "state.db.spool")
                self.assertTrue(os.listdir(spool), spool)
        self.assertGreaterEqual(kills, 3)
        self.settle()

    def test_spool_removed_by_hand(self):
        # killed with a journaled batch, then the spool is deleted: the
        # next run cannot append those bytes again, looks them up (not
        # there), forgets the rows and composes the entries anew
        r = self.run_rss2mail(env={"RSS2MAIL_TEST_CRASH":
                                   "before-append:1"})
        self.assertEqual(r.returncode, -9, r.stderr)
        shutil.rmtree(os.path.join(self.dir, "state.db.spool"))
        self.age_journal()
        r = self.run_rss2mail()
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("missing from", r.stderr)
        self.assertIn("composing it again", r.stderr)
        self.settle()

    def age_journal(self):
        """Make the journal's append attempts look a minute old, so the
        next run does not wait RUN_SETTLE_SECONDS before it recovers (the
        kills below must land in appends, not in that wait)."""
        con = sqlite3.connect(os.path.join(self.dir, "state.db"))
        try:
            # a kill before the schema was made leaves nothing to age
            if not con.execute("SELECT 1 FROM sqlite_master WHERE "
                               "name = 'entries'").fetchone():
                return
            con.execute("UPDATE entries SET attempted = attempted - 60 "
                        "WHERE state = 1")
            con.commit()
        finally:
            con.close()

    def test_kill_at_random_moments(self):
        def after_each():
            # aging the journal skips the wait that covers an APPEND the
            # server is still saving after its client died: so let the
            # server finish first, as that wait would have
            self.assertTrue(self.dc.wait_idle(), "server sessions left")
            self.age_journal()
        # a cold run of these 300 messages takes a few tenths of a second:
        # kill somewhere inside it
        kills = rig.kill_at_random(self.cfg, random.Random(1234), 10,
                                   lo=0.01, hi=0.25, after=after_each)
        self.assertGreater(kills, 0)
        self.settle()

    def test_server_stops_mid_run(self):
        # stall after the first batch's OK, stop Dovecot meanwhile (its
        # stop takes ~3 s with our connection open, and the next batch is
        # journaled and waiting while the first is appended: the stall
        # outlasts the stop, so that batch meets a stopped server)
        p = subprocess.Popen(
            [rig.BIN, "-c", self.cfg, "run"], stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, RSS2MAIL_TEST_STALL="after-ok:1:8"))
        end = time.monotonic() + 30
        while time.monotonic() < end:
            try:
                if self.dc.count(self.dc.folder("Feeds")) >= 100:
                    break
            except dovecot.DovecotError:
                pass                        # not created yet
            time.sleep(0.1)
        self.dc.stop()
        err = p.communicate(timeout=120)[1]
        # only the mailbox failed: a temporary failure (EX_TEMPFAIL)
        self.assertEqual(p.returncode, 75, err)
        self.assertTrue(rig.error_lines(err))
        self.dc.start()                     # a new port: rewrite the config
        self.write_config()
        self.settle()


class CrashCyrus(Crash):
    """Exactly once under kills and a server stop, against Cyrus."""
    SERVER = "cyrus"


if __name__ == "__main__":
    unittest.main()

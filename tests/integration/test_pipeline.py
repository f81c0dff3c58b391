"""The whole pipeline, end to end, against real servers: three feeds (RSS
2.0, Atom 1.0, RDF; non-ASCII titles and bodies) served over HTTP by the
local feed server, `rss2mail run` into a throwaway Dovecot and into a
Maildir, every message read back and checked strictly; then the failure
cases, each a clear one-line error with nothing recorded.
"""
import datetime
import email
import email.policy
import email.utils
import os
import time
import unittest

import dovecot
import feeds
import mailcheck
import rig

FROM = "feeds@bridge.example.org"

# (feed name, example file, content type, {subject: entry date (UTC)})
FEEDS = [
    ("rail", "rail-notes.rss", "application/rss+xml", {
        "Reading on the train, offline": "2026-11-26T07:42:00",
        "Café au lait and a 9-minute delay": "2026-11-25T07:51:00",
    }),
    ("stellwerk", "stellwerk.atom", "application/atom+xml", {
        "Über Weichen, Signale und Geduld": "2026-11-26T18:30:00",
        "Das Stellpult von 1962": "2026-11-20T08:00:00",
    }),
    ("shinkansen", "shinkansen.rdf", "application/rdf+xml", {
        "富士山が見えた朝": "2026-11-23T23:15:00",
    }),
]
TOTAL = sum(len(f[3]) for f in FEEDS)


def example(name):
    with open(os.path.join(rig.EXAMPLES, name), "rb") as f:
        return f.read()


class Pipeline(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        for name, fname, ctype, _ in FEEDS:
            self.http.put("/%s.xml" % name, example(fname), ctype)

    def config(self, deliver, extra_feeds="", **kw):
        lines = ["; integration test config",
                 "[rss2mail]",
                 "from = Feed Bridge <%s>" % FROM,
                 "to = reader@example.org",
                 "state = %s/state.db" % self.dir,
                 "deliver = %s" % deliver]
        for k, v in kw.items():
            lines.append("%s = %s" % (k.replace("_", "-"), v))
        for name, _, _, _ in FEEDS:
            lines += ["", "[feed.%s]" % name,
                      "url = %s" % self.http.url("/%s.xml" % name)]
        return rig.write_config(self.dir, "\n".join(lines) + "\n" +
                                extra_feeds)

    def check_messages(self, raws):
        self.assertEqual(len(raws), TOTAL)
        want = {}
        for _, _, _, entries in FEEDS:
            want.update(entries)
        seen = set()
        for raw in raws:
            msg = mailcheck.strict(raw)        # raises on any MIME defect
            self.assertTrue(mailcheck.lines_ok(raw))
            self.assertEqual(email.utils.parseaddr(msg["From"])[1], FROM)
            self.assertIsNone(msg["DKIM-Signature"])
            self.assertIsNone(msg["Authentication-Results"])
            self.assertIsNone(msg["Received-SPF"])
            subject = str(msg["Subject"])
            self.assertIn(subject, want)
            seen.add(subject)
            date = email.utils.parsedate_to_datetime(msg["Date"])
            expect = datetime.datetime.fromisoformat(
                want[subject]).replace(tzinfo=datetime.timezone.utc)
            self.assertEqual(date, expect, subject)
            self.assertTrue(msg["Message-ID"])
            self.assertTrue(msg["X-RSS-Feed"].startswith("http://"))
            self.assertTrue(msg["X-RSS-ID"])
            self.assertEqual(msg.get_content_type(), "multipart/alternative")
            raw.decode("ascii")                # 7-bit on the wire
        self.assertEqual(seen, set(want))

    def check_second_run(self, cfg):
        self.http.clear_log()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        reqs = self.http.requests
        self.assertEqual(len(reqs), len(FEEDS))
        for q in reqs:
            h = q["headers"]
            self.assertTrue("if-none-match" in h or
                            "if-modified-since" in h, q)

    def into_imap(self, kind):
        dc = rig.imap_server(self, kind)
        pw = rig.write_secret(self.dir, dc.password)
        cfg = self.config("imap", imap_url=dc.url("Feeds"),
                          imap_tls="none", password_file=pw)
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        # one connection, one login for the whole run (counted before
        # the test's own login to read the messages back)
        time.sleep(0.3)                    # Dovecot's log is async
        self.assertEqual(dc.login_count(), 1, dc.log())
        self.check_messages(dc.fetch_all(dc.folder("Feeds")))
        self.check_second_run(cfg)
        self.assertEqual(len(dc.fetch_all(dc.folder("Feeds"))), TOTAL)

    def test_into_dovecot(self):
        self.into_imap("dovecot")

    def test_into_cyrus(self):
        self.into_imap("cyrus")

    def dotted_feed_name(self, kind, want):
        # issue 13: a feed named lwn.net with folder = Feeds/{name}: on a
        # server with '.' as separator the '.' inside the name becomes
        # '_' (imap_name.h); with '/' it stays, unless the server refuses
        # a '.' anyway (this Dovecot's Maildir++ storage): '_' again
        dc = rig.imap_server(self, kind)
        # stories of its own: the same ones as another feed's would be
        # cross-feed duplicates (dedupe = link, the default)
        self.http.put("/lwn.xml", feeds.rss("LWN", 2, "lwn",
                                            link="https://lwn.example/{i}"),
                      "application/rss+xml")
        pw = rig.write_secret(self.dir, dc.password)
        cfg = self.config("imap", extra_feeds=(
            "\n[feed.lwn.net]\nurl = %s\n" % self.http.url("/lwn.xml")),
            imap_url=dc.url(""), imap_tls="none", password_file=pw,
            folder="Feeds/{name}")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(want, dc.mailboxes())
        self.assertEqual(len(dc.fetch_all(want)), 2)
        self.assertEqual(len(dc.fetch_all(dc.folder("Feeds/rail"))), 2)
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(dc.fetch_all(want)), 2)

    def test_dotted_feed_name_into_cyrus(self):
        self.dotted_feed_name("cyrus", "INBOX.Feeds.lwn_net")

    def test_dotted_feed_name_into_dovecot(self):
        self.dotted_feed_name("dovecot", "Feeds/lwn_net")

    def test_into_maildir(self):
        md = os.path.join(self.dir, "Mail")
        cfg = self.config("maildir", maildir=md)
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        raws = [m.replace(b"\n", b"\r\n") for m in rig.read_maildir(md)]
        self.check_messages(raws)
        self.check_second_run(cfg)
        self.assertEqual(len(rig.read_maildir(md)), TOTAL)
        rows = rig.state_rows(os.path.join(self.dir, "state.db"),
                              "SELECT count(*) FROM entries WHERE state = 2")
        self.assertEqual(rows[0][0], TOTAL)

    def test_bad_config(self):
        cfg = rig.write_config(self.dir, "[rss2mail]\nfrom = a@b.example\n"
                               "to = c@d.example\nfomr = x\n")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 2)
        lines = rig.error_lines(r.stderr)
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("config.ini:4", lines[0])
        self.assertIn("fomr", lines[0])
        self.assertFalse(os.path.exists(os.path.join(self.dir, "state.db")))

    def failing_feed(self, url, expect):
        md = os.path.join(self.dir, "Mail")
        bad = "\n[feed.broken]\nurl = %s\n" % url
        cfg = self.config("maildir", extra_feeds=bad, maildir=md)
        r = rig.run(cfg, "run", timeout=90)
        self.assertEqual(r.returncode, 1, r.stderr)
        lines = rig.error_lines(r.stderr)
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("rss2mail: feed broken: "),
                        lines[0])
        self.assertIn(expect, lines[0])
        # the good feeds were all delivered; nothing recorded for the bad one
        self.assertEqual(len(rig.read_maildir(md)), TOTAL)
        db = os.path.join(self.dir, "state.db")
        self.assertEqual(rig.state_rows(
            db, "SELECT count(*) FROM entries WHERE feed = 'broken'")[0][0],
            0)
        err = rig.state_rows(db, "SELECT last_error FROM feeds WHERE "
                             "name = 'broken'")
        self.assertIn(expect, err[0][0])

    def test_unreachable_feed(self):
        port = dovecot.free_port()
        self.failing_feed("http://127.0.0.1:%d/feed.xml" % port,
                          "127.0.0.1")

    def test_html_page_is_not_a_feed(self):
        self.failing_feed(self.http.url("/html"), "not a feed")

    def test_refused_login(self):
        rig.need_dovecot(self)
        with dovecot.Dovecot() as dc:
            pw = rig.write_secret(self.dir, "wrong-password")
            cfg = self.config("imap", imap_url=dc.url("Feeds"),
                              imap_tls="none", password_file=pw)
            r = rig.run(cfg, "run")
            self.assertNotEqual(r.returncode, 0)
            lines = rig.error_lines(r.stderr)
            self.assertEqual(len(lines), len(FEEDS), r.stderr)
            for l in lines:
                self.assertIn("login", l.lower())
                self.assertIn("127.0.0.1", l)
            rows = rig.state_rows(os.path.join(self.dir, "state.db"),
                                  "SELECT count(*) FROM entries")
            self.assertEqual(rows[0][0], 0)
            self.assertEqual(dc.count("INBOX"), 0)


if __name__ == "__main__":
    unittest.main()

"""The Subscribe folder against a real Dovecot and a local web server:
messages put into the folder with IMAP APPEND (as a phone saves, forwards
or drafts one), then `rss2mail run`.

  - a site's address (its feed discovered through <link rel=alternate>)
    and a feed's address: a [feed.NAME] section named from the feed's
    title, a reply "Subscribed: NAME - URL" with the newest entry's title
    threaded under the request, and the feed delivered in that same pass;
  - pause, resume, unsubscribe by subject, and a feed's own message moved
    into the folder (recognized by X-RSS-Feed: the feed is paused);
  - an OPML attachment: imported, the reply lists what was added and what
    was skipped;
  - junk: a reply listing the commands, nothing changed;
  - a URL to a private address: refused (nothing fetched), and said so;
  - the same request seen by two passes, and a run killed after acting
    and before the reply or before the flags: handled once, one reply,
    one config entry;
  - subscribe-folder without deliver = imap is a config error.
"""
import email
import email.policy
import os
import signal
import subprocess
import time
import unittest

import rig
from feeds import rss
from feedserver import FeedServer

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>A Blog</title>
<id>urn:a-blog</id><updated>2026-11-02T00:00:00Z</updated>
<entry><title>Older post</title><id>urn:a-blog:1</id>
<updated>2026-10-01T00:00:00Z</updated><link href="http://example.org/1"/>
<summary>s</summary></entry>
<entry><title>Newest post</title><id>urn:a-blog:2</id>
<updated>2026-11-02T00:00:00Z</updated><link href="http://example.org/2"/>
<summary>s</summary></entry></feed>
"""

PAGE = """<!DOCTYPE html><html><head><title>A blog</title>
<link rel="alternate" type="application/atom+xml" title="A Blog"
      href="atom.xml"></head><body><p>Posts.</p></body></html>
"""

FOLDER = "Feeds/Subscribe"
ENV = {"RSS2MAIL_TEST_PUBLIC_ADDRS": "127.0.0.2"}


def request(subject, body="sent from my phone", headers=()):
    head = "From: me@example.org\r\nTo: me@example.org\r\n"
    head += "Message-ID: <req-%d@phone.example>\r\n" % abs(hash(
        (subject, body)))
    head += "Subject: %s\r\n" % subject
    for h in headers:
        head += h + "\r\n"
    return (head + "\r\n" + body + "\r\n").encode()


@unittest.skipUnless(rig.loopback_alias_works("127.0.0.2"),
                     "127.0.0.2 is not a local address here")
class Subscribe(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = FeedServer(host="127.0.0.2")
        self.http.start()
        self.addCleanup(self.http.stop)
        self.http.put("/blog/", PAGE.encode(), "text/html; charset=utf-8")
        self.http.put("/blog/atom.xml", ATOM.encode(),
                      "application/atom+xml")
        self.http.put("/news.xml", rss("News Site", 2, entry="News {i}"))
        self.http.put("/other.xml", rss("Other", 1))
        self.dc = rig.imap_server(self)
        self.pw = rig.write_secret(self.dir, self.dc.password)
        self.write_config()

    def write_config(self, feeds="", extra=""):
        self.cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
            "to = Me <me@example.org>\ndeliver = imap\nimap-url = %s\n"
            "imap-tls = none\npassword-file = %s\nstate = %s/state.db\n"
            "folder = Feeds/{name}\nsubscribe-folder = %s\ntimeout = 10s\n"
            "%s\n%s") % (self.dc.url(), self.pw, self.dir, FOLDER, extra,
                         feeds))

    def config_text(self):
        with open(self.cfg) as f:
            return f.read()

    def put(self, raw):
        """APPEND raw to the Subscribe folder, as a phone would."""
        c = self.dc.imap()
        try:
            name = self.dc.folder(FOLDER)
            c.create(name)
            typ, data = c.append(name, None, None, raw)
            self.assertEqual(typ, "OK", data)
        finally:
            c.logout()

    def run_pass(self, env=None, code=0):
        e = dict(ENV)
        e.update(env or {})
        r = rig.run(self.cfg, "run", env=e)
        if code is not None:
            self.assertEqual(r.returncode, code, r.stdout + r.stderr)
        return r

    def messages(self):
        return self.dc.fetch_all(self.dc.folder(FOLDER), with_meta=True)

    def replies(self):
        out = []
        for m in self.messages():
            if b"X-RSS2Mail-Reply:" in m["raw"]:
                msg = email.message_from_bytes(m["raw"],
                                               policy=email.policy.default)
                out.append((msg, m["flags"]))
        return out

    def requests(self):
        return [m for m in self.messages()
                if b"X-RSS2Mail-Reply:" not in m["raw"]]

    def one_reply(self):
        rs = self.replies()
        self.assertEqual(len(rs), 1, [str(r[0]["Subject"]) for r in rs])
        msg, flags = rs[0]
        self.assertNotIn("\\Seen", flags)      # to be noticed
        return msg, msg.get_content()

    def assert_handled(self):
        for m in self.requests():
            self.assertIn("\\Answered", m["flags"])
            self.assertIn("\\Seen", m["flags"])

    def killed_pass(self, point):
        """A pass killed (-9) by the test hook at its first `point`."""
        r = self.run_pass({"RSS2MAIL_TEST_CRASH": point + ":1"}, code=None)
        self.assertEqual(r.returncode, -9, r.stderr)

    def assert_replied(self, subject):
        """One reply, with that subject, and every request handled."""
        msg, _ = self.one_reply()
        self.assertEqual(str(msg["Subject"]), subject)
        self.assert_handled()

    # ---- subscribing -------------------------------------------------

    def test_a_site_address_finds_its_feed(self):
        self.put(request("look at this", "A nice blog: %s\r\n" %
                         self.http.url("/blog/")))
        self.run_pass()
        feed = self.http.url("/blog/atom.xml")
        text = self.config_text()
        self.assertIn("[feed.a-blog]\nurl = %s\n" % feed, text)
        self.assertIn("html-url = %s" % self.http.url("/blog/"), text)
        msg, body = self.one_reply()
        self.assertEqual(str(msg["Subject"]),
                         "Subscribed: a-blog \u2014 %s" % feed)
        self.assertIn("Newest: Newest post", body)
        self.assertEqual(msg["In-Reply-To"], self.requests()[0]["raw"]
                         .split(b"Message-ID: ")[1].split(b"\r\n")[0]
                         .decode())
        self.assertIn("feeds@example.org", str(msg["From"]))
        self.assertIn("me@example.org", str(msg["To"]))
        self.assert_handled()
        # subscribed before the pass: its entries came in the same run
        self.assertEqual(self.dc.count(self.dc.folder("Feeds/a-blog")), 2)

    def test_a_feed_address(self):
        url = self.http.url("/news.xml")
        self.put(request(url, ""))
        self.run_pass()
        self.assertIn("[feed.news-site]\nurl = %s\n" % url,
                      self.config_text())
        msg, body = self.one_reply()
        self.assertEqual(str(msg["Subject"]),
                         "Subscribed: news-site \u2014 %s" % url)
        self.assertIn("Newest: News 0", body)
        self.assert_handled()

    def test_a_feed_already_there_is_not_added_twice(self):
        url = self.http.url("/news.xml")
        self.write_config("[feed.news]\nurl = %s\n" % url)
        self.put(request("again", url))
        self.run_pass()
        self.assertEqual(self.config_text().count("[feed."), 1)
        msg, _ = self.one_reply()
        self.assertEqual(str(msg["Subject"]),
                         "Already subscribed: news \u2014 %s" % url)

    # ---- commands ------------------------------------------------------

    def test_pause_resume_unsubscribe(self):
        url = self.http.url("/news.xml")
        self.write_config("[feed.news]\nurl = %s\n\n[feed.other]\n"
                          "url = %s\n" % (url, self.http.url("/other.xml")))
        self.put(request("pause news"))
        self.run_pass()
        self.assertIn("[feed.news]\nurl = %s\npaused = yes\n" % url,
                      self.config_text())
        msg, _ = self.one_reply()
        self.assertEqual(str(msg["Subject"]), "Paused: news")
        # the pass ran on the edited config: the paused feed was not fetched
        self.assertEqual(self.http.requests_for("/news.xml"), [])
        self.assertEqual(len(self.http.requests_for("/other.xml")), 1)

        self.put(request("Re: RESUME news"))
        self.run_pass()
        self.assertNotIn("paused", self.config_text())
        self.assertIn("Resumed: news",
                      [str(m["Subject"]) for m, _ in self.replies()])
        self.assertEqual(self.dc.count(self.dc.folder("Feeds/news")), 2)

        self.put(request("unsubscribe news"))
        self.run_pass()
        self.assertNotIn("[feed.news]", self.config_text())
        self.assertIn("[feed.other]", self.config_text())
        self.assertIn("Unsubscribed: news",
                      [str(m["Subject"]) for m, _ in self.replies()])
        self.assertEqual(len(self.replies()), 3)
        self.assert_handled()

    def test_a_feed_message_moved_here_pauses_it(self):
        url = self.http.url("/news.xml")
        self.write_config("[feed.news]\nurl = %s\n" % url)
        self.run_pass()
        c = self.dc.imap()
        try:
            # the phone moves a delivered message into the folder
            src = self.dc.folder("Feeds/news")
            c.select(src)
            c.create(self.dc.folder(FOLDER))
            typ, _ = c.uid("COPY", "1", self.dc.folder(FOLDER))
            self.assertEqual(typ, "OK")
        finally:
            c.logout()
        self.run_pass()
        self.assertIn("paused = yes", self.config_text())
        msg, body = self.one_reply()
        self.assertEqual(str(msg["Subject"]), "Paused: news")
        self.assertIn('"resume news"', body)
        self.assert_handled()

    def test_unknown_name(self):
        self.write_config("[feed.news]\nurl = %s\n" %
                          self.http.url("/news.xml"))
        before = self.config_text()
        self.put(request("unsubscribe nosuch"))
        self.run_pass()
        self.assertEqual(self.config_text(), before)
        msg, body = self.one_reply()
        self.assertEqual(str(msg["Subject"]), "No feed named nosuch")
        self.assertIn("Your feeds: news", body)

    # ---- OPML ----------------------------------------------------------

    def test_opml_attachment(self):
        news = self.http.url("/news.xml")
        self.write_config("[feed.news]\nurl = %s\n" % news)
        opml = ("<?xml version='1.0'?><opml version='2.0'><head><title>"
                "mine</title></head><body>"
                "<outline text='Other' title='Other' type='rss' "
                "xmlUrl='%s'/>"
                "<outline text='News' type='rss' xmlUrl='%s'/>"
                "<outline text='Local' type='rss' xmlUrl='file:///etc/"
                "passwd'/></body></opml>") % (self.http.url("/other.xml"),
                                               news)
        import base64
        b64 = base64.encodebytes(opml.encode()).decode().replace(
            "\n", "\r\n")
        body = ("--BND\r\nContent-Type: text/plain\r\n\r\nmy feeds, see "
                "https://example.org/\r\n--BND\r\nContent-Type: "
                "application/octet-stream; name=\"feeds.opml\"\r\n"
                "Content-Disposition: attachment; filename=\"feeds.opml\""
                "\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64 +
                "--BND--\r\n")
        self.put(request("my feeds", body, headers=(
            "MIME-Version: 1.0",
            "Content-Type: multipart/mixed; boundary=\"BND\"")))
        self.run_pass()
        text = self.config_text()
        self.assertIn("[feed.other]\nurl = %s\n" % self.http.url(
            "/other.xml"), text)
        self.assertEqual(text.count("[feed."), 2)
        msg, body = self.one_reply()
        self.assertEqual(str(msg["Subject"]), "Imported: 1 added, 2 skipped")
        self.assertIn("added    other", body)
        self.assertIn("skipped  %s: already there as news" % news, body)
        self.assertIn("skipped  file:///etc/passwd", body)
        self.assert_handled()

    # ---- junk, hostile ---------------------------------------------------

    def test_junk_gets_the_commands(self):
        before = self.config_text()
        self.put(request("hello", "what can you do?"))
        self.put(b"\x00\x01\x02 not a message at all \xff\xfe\r\n")
        self.run_pass()
        self.assertEqual(self.config_text(), before)
        rs = self.replies()
        self.assertEqual(len(rs), 2)
        for msg, _ in rs:
            self.assertEqual(str(msg["Subject"]),
                             "rss2mail: what this folder understands")
            body = msg.get_content()
            self.assertIn('subject "unsubscribe NAME"', body)
            self.assertIn("an OPML file attached", body)
        # the one with a Message-ID is threaded under it
        self.assertTrue(any(m["In-Reply-To"] for m, _ in rs))
        self.assert_handled()

    def test_huge_request(self):
        before = self.config_text()
        self.put(request("big", self.http.url("/news.xml") + "\r\n" +
                         ("x" * 76 + "\r\n") * 16000))   # 1.2 MB
        self.put(request("unsubscribe nosuch"))    # the next one still runs
        self.run_pass()
        self.assertEqual(self.config_text(), before)
        subjects = sorted(str(m["Subject"]) for m, _ in self.replies())
        self.assertEqual(len(subjects), 2, subjects)
        self.assertTrue(subjects[1].startswith(
            "Not read: the message is too large ("), subjects)
        self.assertEqual(self.http.requests_for("/news.xml"), [])
        self.assert_handled()

    def test_a_title_the_config_would_cut(self):
        self.http.put("/odd.xml", rss("News ; Views #1", 1))
        self.put(request(self.http.url("/odd.xml")))
        self.run_pass()
        self.assertIn("[feed.news-views-1]\nurl = %s\ntitle = News; "
                      "Views#1\n" % self.http.url("/odd.xml"),
                      self.config_text())

    def test_the_daemon_reads_the_folder(self):
        other = self.http.url("/other.xml")
        self.write_config("[feed.other]\nurl = %s\n" % other,
                          "interval = 1s\nmin-interval = 1s\n")
        env = dict(os.environ)
        env.update(ENV)
        env.pop("RSS2MAIL_CONFIG", None)
        d = subprocess.Popen([rig.BIN, "-c", self.cfg, "-v", "daemon"],
                             stderr=subprocess.PIPE, text=True, env=env)
        self.addCleanup(d.kill)

        def wait(cond, what):
            end = time.monotonic() + 30
            while not cond() and time.monotonic() < end:
                time.sleep(0.2)
            if not cond():
                d.kill()
                self.fail("%s: %s" % (what, d.communicate()[1][-3000:]))

        wait(lambda: len(self.http.requests_for("/other.xml")) >= 1,
             "first pass")
        self.put(request("subscribe", self.http.url("/news.xml")))
        wait(lambda: len(self.replies()) == 1, "the reply")
        self.assertIn("[feed.news-site]", self.config_text())
        # the daemon took the edited config: the new feed is delivered
        wait(lambda: self.dc.folder("Feeds/news-site") in
             self.dc.mailboxes() and
             self.dc.count(self.dc.folder("Feeds/news-site")) == 2,
             "the new feed's entries")
        d.send_signal(signal.SIGTERM)
        self.assertEqual(d.wait(timeout=30), 0)
        self.assertEqual(len(self.replies()), 1)

    def test_private_address_refused(self):
        private = FeedServer(host="127.0.0.1")
        private.start()
        self.addCleanup(private.stop)
        private.put("/inner.xml", rss("inner", 1))
        before = self.config_text()
        self.put(request(private.url("/inner.xml")))
        self.run_pass()
        self.assertEqual(self.config_text(), before)
        self.assertEqual(private.requests_for("/inner.xml"), [])
        msg, _ = self.one_reply()
        self.assertIn("Not subscribed to %s" % private.url("/inner.xml"),
                      str(msg["Subject"]))
        self.assertIn("private address", str(msg["Subject"]))
        self.assert_handled()

    def test_discovery_failure_is_one_line_and_a_reply(self):
        bare = b"<html><body>no feed</body></html>"
        self.http.put("/nothing/", bare, "text/html")
        # the server's built-in /feed.xml would be the page's fallback
        self.http.put("/feed.xml", bare, "text/html")
        self.put(request(self.http.url("/nothing/")))
        self.put(request("pause ghost"))       # the next one still runs
        r = self.run_pass()
        self.assertEqual(len([l for l in r.stderr.splitlines()
                              if "no feed found" in l]), 1, r.stderr)
        self.assertEqual(len(self.replies()), 2)
        self.assert_handled()

    # ---- exactly once ----------------------------------------------------

    def test_two_passes_handle_a_request_once(self):
        url = self.http.url("/news.xml")
        self.put(request("subscribe", url))
        self.run_pass()
        self.run_pass()
        self.assertEqual(self.config_text().count("[feed."), 1)
        self.assertEqual(len(self.replies()), 1)
        # the reply itself is never taken for a request
        rows = rig.state_rows(os.path.join(self.dir, "state.db"),
                              "SELECT uid, step FROM requests")
        self.assertEqual(rows, [(1, 4)])

    def test_killed_after_the_edit(self):
        """The one window: the config edited, the journal still says
        ACTING.  The next pass acts again, and the action is idempotent."""
        url = self.http.url("/news.xml")
        self.put(request("subscribe", url))
        self.killed_pass("request-edited")
        self.assertEqual(self.config_text().count("[feed.news-site]"), 1)
        self.assertEqual(rig.state_rows(os.path.join(
            self.dir, "state.db"), "SELECT step FROM requests"), [(1,)])
        self.run_pass()
        self.assertEqual(self.config_text().count("[feed."), 1)
        self.assert_replied("Subscribed: news-site \u2014 %s" % url)

    def test_killed_after_acting(self):
        url = self.http.url("/news.xml")
        self.put(request("subscribe", url))
        self.killed_pass("request-acted")
        self.assertEqual(self.config_text().count("[feed.news-site]"), 1)
        self.assertEqual(self.replies(), [])
        self.assertNotIn("\\Answered", self.requests()[0]["flags"])
        self.run_pass()
        self.run_pass()
        self.assertEqual(self.config_text().count("[feed."), 1)
        self.assert_replied("Subscribed: news-site \u2014 %s" % url)

    def test_killed_after_appending_the_reply(self):
        """The reply is in the folder, the journal does not know: the next
        pass finds it by its Message-ID and does not append another."""
        self.write_config("[feed.news]\nurl = %s\n" %
                          self.http.url("/news.xml"))
        self.put(request("pause news"))
        self.killed_pass("request-appended")
        self.assertEqual(len(self.replies()), 1)
        self.run_pass()
        self.assert_replied("Paused: news")

    def test_killed_after_replying(self):
        self.write_config("[feed.news]\nurl = %s\n" %
                          self.http.url("/news.xml"))
        self.put(request("unsubscribe news"))
        self.killed_pass("request-replied")
        self.assertNotIn("[feed.news]", self.config_text())
        self.assertEqual(len(self.replies()), 1)
        self.assertNotIn("\\Answered", self.requests()[0]["flags"])
        self.run_pass()
        self.assert_replied("Unsubscribed: news")

    def test_new_uidvalidity_skips_answered(self):
        url = self.http.url("/news.xml")
        self.put(request("subscribe", url))
        self.run_pass()
        # the folder is recreated: same messages, a new UIDVALIDITY; the
        # answered request and our reply are not requests
        msgs = self.messages()
        c = self.dc.imap()
        try:
            name = self.dc.folder(FOLDER)
            c.select("INBOX")
            self.assertEqual(c.delete(name)[0], "OK")
            c.create(name)
            for m in msgs:
                flags = "(%s)" % " ".join(
                    f for f in m["flags"] if f != "\\Recent")
                c.append(name, flags, None, m["raw"])
        finally:
            c.logout()
        self.run_pass()
        self.assertEqual(len(self.replies()), 1)
        self.assertEqual(self.config_text().count("[feed."), 1)

    def test_check_reports_the_folder(self):
        self.put(request("hello"))
        r = rig.run(self.cfg, "check", env=ENV)
        self.assertIn("subscribe-folder %s: 1 request waiting" % FOLDER,
                      r.stdout)
        self.assertEqual(self.replies(), [])    # check changes nothing
        self.assertNotIn("\\Answered", self.requests()[0]["flags"])

    def test_a_feed_folder_is_not_read(self):
        """A feed delivering into the Subscribe folder would have each of
        its messages taken for a request: the folder is not read."""
        self.write_config("[feed.news]\nurl = %s\nfolder = %s\n" % (
            self.http.url("/news.xml"), FOLDER))
        r = self.run_pass()
        self.assertIn("subscribe-folder %s: it is also the folder of feed "
                      "news: not read" % FOLDER, r.stderr)
        self.assertEqual(len(self.messages()), 2)   # delivered all the same
        self.run_pass()
        self.assertEqual(self.replies(), [])
        self.assertNotIn("paused", self.config_text())

    def test_needs_imap(self):
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s/Mail\nstate = %s/state.db\n"
            "subscribe-folder = Feeds/Subscribe\n") % (self.dir, self.dir),
            name="maildir.ini")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertRegex(r.stderr, r"maildir\.ini:6: key 'subscribe-folder':"
                         r" only with deliver = imap")


if __name__ == "__main__":
    unittest.main()

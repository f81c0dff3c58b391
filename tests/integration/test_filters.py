"""Choosing what arrives (issue 18), through the real binary into a Maildir:
include/exclude on each field, exclude winning, a catastrophic pattern
bounded (the entry is delivered, one warning), max-age, bad patterns as
config errors (exit 2, one line naming file:line and key), filtered entries
recorded once and re-evaluated after `catchup --refilter`; cross-feed
de-duplication across three feeds carrying the same stories under other
ids and tracking parameters, also when the run is killed right after the
first feed's batch was stored, with a feed's own updates still delivered;
per-feed HTTP headers reaching the server and forbidden ones refused."""
import email
import email.header
import json
import os
import sqlite3
import time
import unittest

import rig

RECENT = time.strftime("%a, %d %b %Y %H:%M:%S +0000",
                       time.gmtime(time.time() - 86400))
OLD = "Mon, 06 Jan 2020 10:00:00 +0000"


def item(title, guid, link=None, date=RECENT, creator=None, tags=(),
         body="text"):
    out = "<item><title>%s</title><guid>%s</guid>" % (title, guid)
    if link:
        out += "<link>%s</link>" % link
    if date:
        out += "<pubDate>%s</pubDate>" % date
    if creator:
        out += "<dc:creator>%s</dc:creator>" % creator
    for t in tags:
        out += "<category>%s</category>" % t
    return out + "<description>%s</description></item>" % body


def feed(title, items):
    return ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
            "<channel><title>%s</title><link>http://example.org/</link>%s"
            "</channel></rss>" % (title, "".join(items))).encode()


def subjects(md):
    out = []
    for raw in rig.read_maildir(md):
        s = email.message_from_bytes(raw)["Subject"]
        out.append(str(email.header.make_header(
            email.header.decode_header(s))))
    return sorted(out)


class Base(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.md = os.path.join(self.dir, "Mail")
        self.http = rig.feed_server(self)

    def config(self, glob="", feeds=(("f", "/f.xml", ""),)):
        text = ("[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
                "maildir = %s\nstate = %s/state.db\n%s\n" % (
                    self.md, self.dir, glob))
        for name, path, extra in feeds:
            text += "[feed.%s]\nurl = %s\n%s\n" % (
                name, self.http.url(path), extra)
        return rig.write_config(self.dir, text)

    def run_ok(self, cfg, *args):
        r = rig.run(cfg, *(args or ("run",)))
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def listing(self, cfg):
        r = self.run_ok(cfg, "list", "--json")
        return {f["name"]: f for f in json.loads(r.stdout)}


class Filters(Base):

    STORIES = [
        item("Sponsored: a gadget", "1", "http://example.org/1"),
        item("Rust 2.0 released", "2", "http://example.org/2",
             creator="Jane Doe", tags=("lang",)),
        item("Weather today", "3", "http://weather.example.net/3",
             tags=("weather",), body="rain and wind"),
        item("Cooking tips", "4", "http://example.org/4",
             creator="Bob", body="soup recipes"),
    ]

    def test_each_field_and_both_keys(self):
        self.http.put("/f.xml", feed("F", self.STORIES))
        cases = [
            ("exclude = title:^Sponsored", ["Cooking tips",
                                            "Rust 2.0 released",
                                            "Weather today"]),
            ("include = author:Jane", ["Rust 2.0 released"]),
            ("include = tag:^weather$", ["Weather today"]),
            ("include = content:(?i)SOUP", ["Cooking tips"]),
            ("exclude = link:weather\\.example", ["Cooking tips",
                                                 "Rust 2.0 released",
                                                 "Sponsored: a gadget"]),
            # exclude wins over include; several lines of a key add up
            ("include = title:Rust\ninclude = title:Cooking\n"
             "exclude = author:Bob", ["Rust 2.0 released"]),
        ]
        for rules, want in cases:
            with self.subTest(rules=rules):
                self.dir = rig.tempdir(self)
                self.md = os.path.join(self.dir, "Mail")
                cfg = self.config(feeds=(("f", "/f.xml", rules),))
                self.run_ok(cfg)
                self.assertEqual(subjects(self.md), want)
                got = self.listing(cfg)["f"]
                self.assertEqual(got["delivered"], len(want))
                self.assertEqual(got["filtered"], 4 - len(want))

    def test_global_and_feed_rules_add_up(self):
        self.http.put("/f.xml", feed("F", self.STORIES))
        cfg = self.config("exclude = title:^Sponsored",
                          feeds=(("f", "/f.xml", "exclude = tag:weather"),))
        self.run_ok(cfg)
        self.assertEqual(subjects(self.md), ["Cooking tips",
                                             "Rust 2.0 released"])

    def test_filtered_stay_recorded_until_refilter(self):
        self.http.put("/f.xml", feed("F", self.STORIES))
        cfg = self.config(feeds=(("f", "/f.xml", "include = title:Rust"),))
        self.run_ok(cfg)
        self.assertEqual(len(subjects(self.md)), 1)
        # the rule goes away: the filtered entries are not re-evaluated
        cfg = self.config()
        self.run_ok(cfg)
        self.assertEqual(len(subjects(self.md)), 1)
        r = self.run_ok(cfg, "list")
        self.assertIn("filtered 3", r.stdout)
        self.run_ok(cfg, "catchup", "--refilter", "f")
        self.run_ok(cfg)
        self.assertEqual(len(subjects(self.md)), 4)
        self.assertEqual(self.listing(cfg)["f"]["filtered"], 0)

    def test_redos_is_bounded(self):
        evil = "a" * 40 + "!"
        self.http.put("/f.xml", feed("F", [
            item(evil, "x", "http://example.org/x"),
            item("Fine", "y", "http://example.org/y")]))
        cfg = self.config(feeds=(("f", "/f.xml",
                                  "exclude = title:^(a+)+$"),))
        t0 = time.monotonic()
        r = self.run_ok(cfg)
        self.assertLess(time.monotonic() - t0, 60)
        self.assertEqual(subjects(self.md), sorted([evil, "Fine"]))
        lines = [l for l in r.stderr.splitlines() if "gave up" in l]
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("feed f", lines[0])

    def test_max_age(self):
        self.http.put("/f.xml", feed("F", [
            item("Old story", "o", "http://example.org/o", date=OLD),
            item("New story", "n", "http://example.org/n"),
            item("Undated", "u", "http://example.org/u", date=None)]))
        cfg = self.config("max-age = 30d")
        self.run_ok(cfg)
        self.assertEqual(subjects(self.md), ["New story", "Undated"])
        self.assertEqual(self.listing(cfg)["f"]["filtered"], 1)

    def test_bad_patterns_are_config_errors(self):
        self.http.put("/f.xml", feed("F", self.STORIES))
        for key, rule in [("include", "title:(unclosed"),
                          ("exclude", "colour:x"),
                          ("exclude", "no colon"),
                          ("include", "title:[z-a]")]:
            with self.subTest(rule=rule):
                cfg = self.config(feeds=(("f", "/f.xml",
                                          "%s = %s" % (key, rule)),))
                r = rig.run(cfg, "run")
                self.assertEqual(r.returncode, 2, r.stderr)
                lines = rig.error_lines(r.stderr)
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertIn("config.ini:9: key '%s'" % key, lines[0])
                self.assertFalse(os.path.exists(self.md))


class Dedupe(Base):

    def stories(self, site, ids, tracking):
        return [item("Story %d" % i, "%s-%d" % (site, i),
                     "%s://Example.ORG%s/story/%d%s%s" % (
                         "http" if i % 2 else "HTTP",
                         ":80" if tracking else "", i,
                         "/" if site == "b" else "",
                         (tracking % i if "%d" in tracking else tracking)
                         if tracking else ""))
                for i in ids]

    # a is served at once, b and c a little later: a's copies come first
    def three(self, extra=""):
        self.http.put("/a.xml", feed("A", self.stories("a", range(3), "")))
        self.http.put("/b.xml", feed("B", self.stories(
            "b", range(3), "?utm_source=b&utm_medium=rss&x=1#top")),
            delay=0.5)
        self.http.put("/c.xml", feed("C", self.stories(
            "c", range(3), "?fbclid=%d")), delay=1)
        return self.config(extra, feeds=(("a", "/a.xml", ""),
                                         ("b", "/b.xml", ""),
                                         ("c", "/c.xml", "")))

    def test_each_story_once_across_three_feeds(self):
        cfg = self.three()
        self.run_ok(cfg)
        # b's links keep x=1: a different page, so b's stories are its own
        got = subjects(self.md)
        self.assertEqual(got.count("Story 0"), 2, got)
        self.assertEqual(len(got), 6, got)
        info = self.listing(cfg)
        self.assertEqual(info["a"]["duplicates"], 0)
        self.assertEqual(info["b"]["duplicates"], 0)
        self.assertEqual(info["c"]["duplicates"], 3)
        self.run_ok(cfg)                      # nothing more
        self.assertEqual(len(subjects(self.md)), 6)

    def tracking_only(self):
        self.http.put("/a.xml", feed("A", self.stories("a", range(3), "")))
        self.http.put("/b.xml", feed("B", self.stories(
            "b", range(3), "?utm_source=b&utm_campaign=%d#top")),
            delay=0.5)
        self.http.put("/c.xml", feed("C", self.stories(
            "c", range(3), "?fbclid=%d&gclid=z")), delay=1)
        return self.config(feeds=(("a", "/a.xml", ""), ("b", "/b.xml", ""),
                                  ("c", "/c.xml", "")))

    def assert_each_story_once_from_a(self, cfg):
        self.assertEqual(subjects(self.md),
                         ["Story 0", "Story 1", "Story 2"])
        info = self.listing(cfg)
        self.assertEqual([info[n]["duplicates"] for n in "abc"], [0, 3, 3])
        self.assertEqual([info[n]["delivered"] for n in "abc"], [3, 0, 0])
        return info

    def test_tracking_only_differences(self):
        cfg = self.tracking_only()
        self.run_ok(cfg)
        self.assert_each_story_once_from_a(cfg)

    def test_killed_after_the_first_batch(self):
        # SIGKILL right after the store took a's batch, long before the
        # pass would end: a's claims are journaled with its pending rows,
        # so the next run finds them and b's and c's copies stay out
        cfg = self.tracking_only()
        r = rig.run(cfg, "run", env={"RSS2MAIL_TEST_CRASH": "after-ok:1"})
        self.assertEqual(r.returncode, -9, r.stderr)
        db = os.path.join(self.dir, "state.db")
        self.assertEqual(rig.state_rows(db, "SELECT count(*) FROM entries "
                                        "WHERE state = 1"), [(3,)])
        self.assertEqual(len(subjects(self.md)), 3)
        # the append is a minute old: no wait for the mailbox to settle
        con = sqlite3.connect(db)
        with con:
            con.execute("UPDATE entries SET attempted = attempted - 60")
        con.close()
        self.run_ok(cfg)
        info = self.assert_each_story_once_from_a(cfg)
        self.assertEqual([info[n]["pending"] for n in "abc"], [0, 0, 0])

    def test_off_and_id(self):
        cfg = self.three("dedupe = off")
        self.run_ok(cfg)
        self.assertEqual(len(subjects(self.md)), 9)
        self.dir = rig.tempdir(self)
        self.md = os.path.join(self.dir, "Mail")
        self.http.put("/a.xml", feed("A", [item("S", "same", "http://a/1")]))
        self.http.put("/b.xml", feed("B", [item("S", "same", "http://b/2")]))
        cfg = self.config("dedupe = id", feeds=(("a", "/a.xml", ""),
                                                ("b", "/b.xml", "")))
        self.run_ok(cfg)
        self.assertEqual(subjects(self.md), ["S"])

    def test_own_updates_still_delivered(self):
        self.http.put("/a.xml", feed("A", [
            item("Typo in titel", "a1", "http://example.org/s")]))
        self.http.put("/b.xml", feed("B", [
            item("Typo in titel", "b1", "http://example.org/s?utm_id=1")]),
            delay=0.5)
        cfg = self.config("updates = new", feeds=(("a", "/a.xml", ""),
                                                  ("b", "/b.xml", "")))
        self.run_ok(cfg)
        self.assertEqual(subjects(self.md), ["Typo in titel"])
        self.http.put("/a.xml", feed("A", [
            item("Typo in title", "a1", "http://example.org/s")]))
        self.run_ok(cfg)
        self.assertEqual(subjects(self.md), ["Typo in titel",
                                             "Typo in title"])
        # b's copy was a duplicate: its changes bring nothing
        self.http.put("/b.xml", feed("B", [
            item("Typo fixed", "b1", "http://example.org/s?utm_id=1")]))
        self.run_ok(cfg)
        self.assertNotIn("Typo fixed", subjects(self.md))
        # the same link under a new id in its own feed is its own entry
        self.http.put("/a.xml", feed("A", [
            item("Typo in title", "a1", "http://example.org/s"),
            item("Reposted", "a2", "http://example.org/s")]))
        self.run_ok(cfg)
        self.assertIn("Reposted", subjects(self.md))


class Headers(Base):

    def test_headers_reach_the_server(self):
        self.http.put("/f.xml", feed("F", [item("S", "1", "http://x/1")]))
        secret = rig.write_secret(self.dir, "session=abc; theme=dark",
                                  "cookie")
        cfg = self.config("http-header = X-Global: everyone",
                          feeds=(("f", "/f.xml",
                                  "http-header = X-Api-Key: k1\n"
                                  "http-header = Accept: application/x-test\n"
                                  "http-header-command = Cookie: cat %s\n"
                                  % secret),))
        self.run_ok(cfg)
        h = self.http.requests_for("/f.xml")[-1]["headers"]
        self.assertEqual(h["x-global"], "everyone")
        self.assertEqual(h["x-api-key"], "k1")
        self.assertEqual(h["accept"], "application/x-test")
        self.assertEqual(h["cookie"], "session=abc; theme=dark")
        self.assertEqual(subjects(self.md), ["S"])

    def test_failing_header_command_fails_the_feed(self):
        self.http.put("/f.xml", feed("F", [item("S", "1", "http://x/1")]))
        cfg = self.config(feeds=(("f", "/f.xml",
                                  "http-header-command = Cookie: false"),))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("http-header-command", r.stderr)
        self.assertEqual(self.http.requests_for("/f.xml"), [])

    def test_forbidden_headers_refused(self):
        for h in ["Host: evil.example", "Content-Length: 5",
                  "If-None-Match: x", "if-modified-since: y",
                  "no colon here", "X-Empty:"]:
            with self.subTest(header=h):
                cfg = self.config(feeds=(("f", "/f.xml",
                                          "http-header = %s" % h),))
                r = rig.run(cfg, "run")
                self.assertEqual(r.returncode, 2, r.stderr)
                lines = rig.error_lines(r.stderr)
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertIn("config.ini:9: key 'http-header'", lines[0])


if __name__ == "__main__":
    unittest.main()

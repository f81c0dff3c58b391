"""Feed discovery from a site's address, through the real binary: `add`,
`parse` and `import-opml` given a web page instead of a feed.

  - <link rel="alternate"> in its variants: relative hrefs, several feeds
    (the main one taken, the others named, the comment feed last), type
    spellings (parameters, upper case), a main feed that fails (the next
    one is taken);
  - no link, but a common path serves a feed (the fallback);
  - no feed at all: one error line listing every URL tried, nothing
    added;
  - a redirect chain to the page (relative hrefs resolve against where
    it ended);
  - `add` records the feed's URL (and the page as html-url), and a run
    delivers from it; an address that cannot be reached is added as given
    with a warning (adding works offline).
"""
import json
import os
import unittest

import rig
from feeds import rss

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>
<id>urn:{title}</id><updated>2026-11-01T00:00:00Z</updated>
<entry><title>{title} one</title><id>urn:{title}:1</id>
<updated>2026-11-01T00:00:00Z</updated><link href="http://example.org/1"/>
<summary>s</summary></entry></feed>
"""

PAGE = """<!DOCTYPE html>
<html><head><title>A blog</title>
<link rel="stylesheet" href="style.css">
<link rel="alternate" type="application/rss+xml; charset=UTF-8"
      title="A blog &raquo; Comments Feed" href="comments/feed/">
<link rel="alternate" type="APPLICATION/ATOM+XML" title="A blog"
      href="atom.xml">
<link rel="alternate home" type="application/rss+xml" title="Podcast"
      href="/podcast.rss">
</head><body><h1>A blog</h1><p>Posts.</p></body></html>
"""

BARE = """<!DOCTYPE html><html><head><title>{t}</title></head>
<body><p>No feed linked here.</p></body></html>
"""


class Discover(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.md = os.path.join(self.dir, "Mail")
        self.http = rig.feed_server(self)
        h = self.http
        # a site linking three feeds, the comment feed first in the page
        h.put("/blog/", PAGE.encode(), "text/html; charset=utf-8")
        h.put("/blog/atom.xml", ATOM.format(title="main").encode(),
              "application/atom+xml")
        h.put("/blog/comments/feed/", rss("comments", 1))
        h.put("/podcast.rss", rss("podcast", 1))
        # a site linking none, with a feed at a common path
        h.put("/plain/", BARE.format(t="plain").encode(), "text/html")
        h.put("/plain/feed.xml", rss("plain", 2, entry="Plain {i}"))
        # the root's built-in /feed.xml would be every page's fallback
        h.put("/feed.xml", BARE.format(t="root").encode(), "text/html")
        h.put("/empty/", BARE.format(t="empty").encode(), "text/html")
        self.cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
            "to = me@example.org\nmaildir = %s\nstate = %s/state.db\n") % (
            self.md, self.dir))

    def text(self):
        with open(self.cfg) as f:
            return f.read()

    def test_add_finds_the_main_feed(self):
        page = self.http.url("/blog/")
        r = rig.run(self.cfg, "add", "blog", page)
        self.assertEqual(r.returncode, 0, r.stderr)
        main = self.http.url("/blog/atom.xml")
        self.assertIn("url = %s\n" % main, self.text())
        self.assertIn("html-url = %s\n" % page, self.text())
        self.assertIn(main, r.stdout)
        # the others are named, the comment feed last
        lines = r.stdout.splitlines()
        also = [l for l in lines if "also links" in l]
        self.assertEqual(len(also), 2, r.stdout)
        self.assertIn(self.http.url("/podcast.rss"), also[0])
        self.assertIn(self.http.url("/blog/comments/feed/"), also[1])
        self.assertIn("Comments", also[1])
        # only the main feed was fetched
        self.assertEqual(self.http.requests_for("/blog/comments/feed/"), [])
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(rig.read_maildir(self.md)), 1)

    def test_a_failing_main_feed_gives_way_to_the_next(self):
        self.http.remove("/blog/atom.xml")
        r = rig.run(self.cfg, "add", "blog", self.http.url("/blog/"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("url = %s\n" % self.http.url("/podcast.rss"),
                      self.text())

    def test_fallback_path(self):
        r = rig.run(self.cfg, "add", "plain", self.http.url("/plain/"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("url = %s\n" % self.http.url("/plain/feed.xml"),
                      self.text())
        # the common paths before it were asked, in order
        for p in ("/plain/feed", "/plain/rss.xml", "/plain/atom.xml"):
            self.assertEqual(len(self.http.requests_for(p)), 1, p)
        r = rig.run(self.cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(rig.read_maildir(self.md)), 2)

    def test_no_feed_lists_what_was_tried(self):
        before = self.text()
        page = self.http.url("/empty/")
        r = rig.run(self.cfg, "add", "empty", page)
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
        self.assertIn("no feed found at " + page, r.stderr)
        for p in ("/empty/feed", "/empty/feed/", "/empty/rss",
                  "/empty/rss.xml", "/empty/atom.xml", "/empty/index.xml",
                  "/empty/feed.xml", "/feed.xml"):
            self.assertIn(self.http.url(p) + " (", r.stderr)
        self.assertIn("HTTP 404", r.stderr)
        self.assertIn("not a feed", r.stderr)   # the root's /feed.xml
        self.assertEqual(self.text(), before)

    def test_not_a_page_nor_a_feed(self):
        self.http.put("/data.bin", b"\x00\x01\x02binary", "image/png")
        before = self.text()
        r = rig.run(self.cfg, "add", "bin", self.http.url("/data.bin"))
        self.assertEqual(r.returncode, 2)
        self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
        self.assertIn("not a feed", r.stderr)
        self.assertEqual(self.text(), before)

    def test_redirect_chain_to_the_page(self):
        start = self.http.url("/redirect/3?to=/blog/")
        r = rig.run(self.cfg, "add", "blog", start)
        self.assertEqual(r.returncode, 0, r.stderr)
        # hrefs resolved against the page where the chain ended
        self.assertIn("url = %s\n" % self.http.url("/blog/atom.xml"),
                      self.text())
        self.assertIn("html-url = %s\n" % self.http.url("/blog/"),
                      self.text())

    def test_a_feed_address_is_kept_as_given(self):
        url = self.http.url("/plain/feed.xml")
        r = rig.run(self.cfg, "add", "plain", url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(self.text().endswith("url = %s\n" % url),
                        self.text())
        self.assertNotIn("web page", r.stdout)

    def test_offline_add_keeps_the_address(self):
        url = "http://127.0.0.1:9/feed.xml"     # discard: refused
        r = rig.run(self.cfg, "add", "later", url)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("added as given", r.stderr)
        self.assertIn("url = %s\n" % url, self.text())

    def test_parse_a_page(self):
        r = rig.run(self.cfg, "parse", self.http.url("/redirect/2?to=/blog/"))
        self.assertEqual(r.returncode, 0, r.stderr)
        doc = json.loads(r.stdout)
        self.assertEqual(doc["feed"]["title"], "main")
        self.assertIn(self.http.url("/blog/atom.xml"), r.stderr)
        r = rig.run(self.cfg, "parse", self.http.url("/empty/"))
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(rig.error_lines(r.stderr)), 1, r.stderr)
        self.assertIn("no feed found", r.stderr)

    def test_import_opml_with_only_html_urls(self):
        opml = """<?xml version="1.0"?>
<opml version="2.0"><body>
 <outline text="Tech">
  <outline text="A blog" htmlUrl="%s"/>
  <outline text="Nothing here" htmlUrl="%s"/>
 </outline>
 <outline text="Plain" type="rss" xmlUrl="%s"/>
</body></opml>""" % (self.http.url("/blog/"), self.http.url("/empty/"),
                     self.http.url("/plain/feed.xml"))
        path = os.path.join(self.dir, "sites.opml")
        with open(path, "w") as f:
            f.write(opml)
        r = rig.run(self.cfg, "import-opml", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("2 added, 0 already present, 1 skipped", r.stdout)
        text = self.text()
        self.assertIn("url = %s\n" % self.http.url("/blog/atom.xml"), text)
        self.assertIn("html-url = %s\n" % self.http.url("/blog/"), text)
        self.assertIn("category = Tech", text)
        self.assertIn("no feed found at " + self.http.url("/empty/"),
                      r.stdout)


def read(path):
    with open(path) as f:
        return f.read()


@unittest.skipUnless(rig.loopback_alias_works("127.0.0.2"),
                     "127.0.0.2 is not a local address here")
class PrivateSpace(unittest.TestCase):
    """A public site's page that links an intranet feed."""

    ENV = {"RSS2MAIL_TEST_PUBLIC_ADDRS": "127.0.0.2"}

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.public = rig.feed_server(self, host="127.0.0.2")
        self.private = rig.feed_server(self, host="127.0.0.1")
        self.inner = self.private.url("/inner.xml")
        self.private.put("/inner.xml", rss("inner", 1))
        self.public.put("/", (
            '<html><head><link rel="alternate" type="application/rss+xml" '
            'href="%s"></head><body>x</body></html>' % self.inner).encode(),
            "text/html")
        # no fallback of the public site is a feed
        self.public.put("/feed.xml", b"<html></html>", "text/html")

    def config(self, extra=""):
        return rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "state = %s/state.db\n%s") % (self.dir, extra))

    def test_refused_without_allow_private(self):
        cfg = self.config()
        r = rig.run(cfg, "add", "x", self.public.url("/"), env=self.ENV)
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn(self.inner + " (refused to connect to private "
                      "address 127.0.0.1", r.stderr)
        self.assertEqual(self.private.requests_for("/inner.xml"), [])
        self.assertNotIn("[feed.x]", read(cfg))

    def test_allowed_with_allow_private(self):
        cfg = self.config("allow-private = yes\n")
        r = rig.run(cfg, "add", "x", self.public.url("/"), env=self.ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("url = %s\n" % self.inner, read(cfg))

    def test_a_private_page_may_link_private_feeds(self):
        self.private.put("/", (
            '<html><head><link rel="alternate" type="application/rss+xml" '
            'href="/inner.xml"></head></html>').encode(), "text/html")
        cfg = self.config()
        r = rig.run(cfg, "add", "x", self.private.url("/"), env=self.ENV)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("url = %s\n" % self.inner, read(cfg))


if __name__ == "__main__":
    unittest.main()

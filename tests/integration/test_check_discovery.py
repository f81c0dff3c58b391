"""`rss2mail check` on a feed whose url is a site's web page (issue 16):
the item fails, as a run would, and names the feed the page links, so the
user can set url to it; a page that links none says so."""
import os
import unittest

import rig
from feeds import rss


class CheckDiscovery(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        self.http.put("/feed.xml", rss("Blog", 2, "b", xml_decl=True))
        self.http.put("/comments.xml", rss("Comments", 1, "c"))
        self.http.put("/", (
            "<!DOCTYPE html><html><head><title>Blog</title>"
            "<link rel='alternate' type='application/rss+xml' "
            "title='Comments' href='/comments.xml'>"
            "<link rel='alternate' type='application/rss+xml' "
            "title='Blog' href='feed.xml'></head>"
            "<body><p>Hello</p></body></html>"), "text/html; charset=utf-8")
        self.http.put("/plain", "<html><body><p>No feed here.</p></body>"
                      "</html>", "text/html")

    def check(self, path):
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s/Mail\nstate = %s/state.db\n\n[feed.site]\n"
            "url = %s\n") % (self.dir, self.dir, self.http.url(path)))
        return rig.run(cfg, "check")

    def test_page_names_its_feed(self):
        r = self.check("/")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        line = [l for l in r.stdout.splitlines()
                if l[2:].startswith("feed site")][0]
        self.assertTrue(line.startswith("\u2717"), line)
        self.assertIn("the page's feed is %s" % self.http.url("/feed.xml"),
                      line)
        self.assertIn("it links others too", line)

    def test_page_without_feed(self):
        r = self.check("/plain")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("the page links no feed", r.stdout)

    def test_a_feed_is_still_fine(self):
        r = self.check("/feed.xml")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("\u2713 feed site: 2 entries", r.stdout)


if __name__ == "__main__":
    unittest.main()

"""full-text = auto | yes | no, end to end (issue 16): a teaser feed served
by the local HTTP server, whose entries say "Read more" and link to article
pages on the same server (navigation, a cookie banner, comments, an image),
is delivered to a Maildir with the whole article in place of the summary
and the article's image embedded; full-text = no keeps the summary and
asks for no page; a page that fails or is no article keeps the summary with
one line saying why; an entry once delivered never has its page fetched
again."""
import email
import email.policy
import os
import struct
import unittest
import zlib

import mailcheck
import rig
from feeds import rss


def png(w, h, rgb):
    """A real, small PNG (w x h, one colour)."""
    def chunk(t, d):
        return (struct.pack(">I", len(d)) + t + d +
                struct.pack(">I", zlib.crc32(t + d) & 0xffffffff))
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


COOKIE = "We use cookies to improve your experience on this site"
COMMENT = "Great post, I totally disagree with the second half"
MENU = "Subscribe to our newsletter"
TEASER = "Teaser line that only the feed carries"


def page(n, img):
    """An article page the way blog templates write them."""
    paras = "".join(
        "<p>Paragraph %d of story %d: the night train leaves the valley "
        "at nine, and the conductor, who has worked the line for thirty "
        "years, knows every passenger by the book they carry.  Snow on "
        "the tracks slows it, but never stops it, he says.</p>" % (k, n)
        for k in range(5))
    return ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
            "<title>Story %d | Rail Blog</title>"
            "<meta property='og:title' content='Story %d'>"
            "<meta name='author' content='Ada Page'></head><body>"
            "<header><nav class='menu'><ul><li><a href='/'>Home</a></li>"
            "<li><a href='/about'>About</a></li><li><a href='/news'>%s"
            "</a></li></ul></nav></header>"
            "<div class='cookie-banner' id='cookie-consent'><p>%s. "
            "<a href='/privacy'>Accept all</a></p></div>"
            "<main><article class='post'><h1>Story %d</h1>"
            "<p class='byline'>By Ada Page</p>"
            "<figure><img src='%s' alt='the night train'></figure>%s"
            "</article>"
            "<section id='comments' class='comments'><h3>3 comments</h3>"
            "<div class='comment'><p>%s.</p></div></section></main>"
            "<footer class='site-footer'><p>Copyright Rail Blog</p>"
            "</footer></body></html>" %
            (n, n, MENU, COOKIE, n, img, paras, COMMENT)).encode()


# an archive page of the extractor's corpus: links, no article
with open(os.path.join(rig.TOP, "tests", "data", "articles",
                       "notarticle-archive.html"), "rb") as _f:
    NOT_ARTICLE = _f.read()


def teaser(link):
    return ("<p>%s.</p><p><a href=\"%s\">Read more</a></p>" %
            (TEASER, link))


class FullText(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        self.http.put("/train.png", png(40, 30, (20, 120, 40)), "image/png")
        for n in (1, 2, 3):
            self.http.put("/post/%d" % n,
                          page(n, self.http.url("/train.png")),
                          "text/html; charset=utf-8")
        self.http.put("/archive", NOT_ARTICLE, "text/html")

    def feed(self, nums, extra=()):
        items = [{"title": "Story %d" % n, "guid": "story-%d" % n,
                  "link": self.http.url("/post/%d" % n),
                  "description": teaser(self.http.url("/post/%d" % n))}
                 for n in nums]
        self.http.put("/feed.xml", rss("Rail Blog", items=items +
                                       list(extra), cdata=True,
                                       xml_decl=True,
                                       channel_link=self.http.url("/")))

    def config(self, extra=""):
        md = os.path.join(self.dir, "Mail")
        return md, rig.write_config(self.dir, (
            "[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
            "to = me@example.org\nmaildir = %s\nstate = %s/state.db\n"
            "allow-private = yes\nimages = inline\n%s\n"
            "[feed.rail]\nurl = %s\n") % (
            md, self.dir, extra, self.http.url("/feed.xml")))

    def messages(self, md):
        out = []
        for raw in rig.read_maildir(md):
            msg = mailcheck.strict(raw.replace(b"\n", b"\r\n"))
            out.append(msg)
        return sorted(out, key=lambda m: str(m["Subject"]))

    @staticmethod
    def part(msg, ctype):
        return [p for p in msg.walk()
                if p.get_content_type() == ctype][0].get_content()

    def test_teasers_get_the_whole_article(self):
        self.feed([1, 2])
        md, cfg = self.config()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msgs = self.messages(md)
        self.assertEqual(len(msgs), 2)
        for n, msg in zip((1, 2), msgs):
            html = self.part(msg, "text/html")
            text = self.part(msg, "text/plain")
            for body in (html, text):
                self.assertIn("Paragraph 3 of story %d" % n, body)
                self.assertNotIn(COOKIE, body)
                self.assertNotIn(COMMENT, body)
                self.assertNotIn(MENU, body)
                self.assertNotIn(TEASER, body)      # the summary replaced
                self.assertNotIn("full text unavailable", body)
            # the article's image, embedded
            images = [p for p in msg.walk()
                      if p.get_content_maintype() == "image"]
            self.assertEqual(len(images), 1)
            # prepared for a phone (image.c): re-encoded, same size
            got = images[0].get_content()
            self.assertEqual(got[:8], b"\x89PNG\r\n\x1a\n")
            self.assertEqual(struct.unpack(">II", got[16:24]), (40, 30))
            self.assertIn("cid:" + images[0]["Content-ID"].strip("<>"),
                          html)
            # the feed has no author: the page's byline names it
            self.assertIn("Ada Page", str(msg["From"]))
        self.assertEqual(len(self.http.requests_for("/post/1")), 1)
        self.assertEqual(len(self.http.requests_for("/post/2")), 1)
        # one image URL, fetched once for both entries
        self.assertEqual(len(self.http.requests_for("/train.png")), 1)

        # a second run with one more entry: only the new entry's page
        self.feed([1, 2, 3])
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.messages(md)), 3)
        self.assertEqual(len(self.http.requests_for("/post/1")), 1)
        self.assertEqual(len(self.http.requests_for("/post/2")), 1)
        self.assertEqual(len(self.http.requests_for("/post/3")), 1)
        # and the pages do not make the entries look changed
        cfg2 = self.config("updates = new\n")[1]
        r = rig.run(cfg2, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.messages(md)), 3)
        self.assertEqual(len(self.http.requests_for("/post/1")), 1)

    def test_full_text_no_keeps_the_summary(self):
        self.feed([1, 2])
        md, cfg = self.config("full-text = no\n")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msgs = self.messages(md)
        self.assertEqual(len(msgs), 2)
        for msg in msgs:
            html = self.part(msg, "text/html")
            self.assertIn(TEASER, html)
            self.assertNotIn("Paragraph 3", html)
            self.assertNotIn("full text unavailable", html)
        self.assertEqual([r for r in self.http.requests
                          if r["path"].startswith("/post/")], [])

    def test_long_entries_are_not_teasers_under_auto(self):
        long_body = "<p>%s</p>" % " ".join(["word"] * 200)
        self.feed([], extra=[{"title": "Whole", "guid": "whole",
                              "link": self.http.url("/post/1"),
                              "description": long_body}])
        md, cfg = self.config()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(len(self.messages(md)), 1)
        self.assertEqual(self.http.requests_for("/post/1"), [])
        # full-text = yes fetches it all the same
        self.dir = rig.tempdir(self)
        md, cfg = self.config("full-text = yes\n")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        html = self.part(self.messages(md)[0], "text/html")
        self.assertIn("Paragraph 3 of story 1", html)
        self.assertEqual(len(self.http.requests_for("/post/1")), 1)

    def test_failing_pages_keep_the_summary_with_a_note(self):
        items = [{"title": "Gone", "guid": "gone",
                  "link": self.http.url("/missing"),
                  "description": teaser(self.http.url("/missing"))},
                 {"title": "Index", "guid": "index",
                  "link": self.http.url("/archive"),
                  "description": teaser(self.http.url("/archive"))},
                 {"title": "Picture", "guid": "picture",
                  "link": self.http.url("/train.png"),
                  "description": teaser(self.http.url("/train.png"))}]
        self.http.put("/feed.xml", rss("Rail Blog", items=items, cdata=True,
                                       xml_decl=True,
                                       channel_link=self.http.url("/")))
        md, cfg = self.config()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msgs = {str(m["Subject"]): m for m in self.messages(md)}
        self.assertEqual(sorted(msgs), ["Gone", "Index", "Picture"])
        notes = {"Gone": "full text unavailable: HTTP 404",
                 "Index": "full text unavailable: too little content",
                 "Picture": "full text unavailable: not a web page "
                            "(image/png)"}
        for subject, note in notes.items():
            for ctype in ("text/html", "text/plain"):
                body = self.part(msgs[subject], ctype)
                self.assertIn(TEASER, body)
                self.assertIn(note, body)
        self.assertEqual(len(self.http.requests_for("/missing")), 1)
        self.assertEqual(len(self.http.requests_for("/archive")), 1)

    def test_hostile_page_is_sanitized(self):
        bad = page(1, self.http.url("/train.png")).replace(
            b"<p>Paragraph 2", b"<script>alert('x')</script>"
            b"<p><a href='javascript:alert(1)'>click</a>"
            b"<img src='/nope.png' onerror='alert(2)'>"
            b"<iframe src='/evil'></iframe>"
            b"<form action='/steal'><input name='pw'></form></p>"
            b"<p onclick='alert(3)'>Paragraph 2")
        self.http.put("/post/1", bad, "text/html")
        self.feed([1])
        md, cfg = self.config()
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        html = self.part(self.messages(md)[0], "text/html")
        self.assertIn("Paragraph 3 of story 1", html)
        for bad in ("<script", "alert(", "javascript:", "onerror",
                    "onclick", "<iframe", "<form", "<input"):
            self.assertNotIn(bad, html)
        self.assertEqual(self.http.requests_for("/evil"), [])

    def test_private_page_refused_without_allow_private(self):
        # a feed on a public address (127.0.0.2 counts as public through
        # the test hook) whose entries link to a private one (127.0.0.1)
        pub = rig.feed_server(self, host="127.0.0.2")
        items = [{"title": "Story 1", "guid": "story-1",
                  "link": self.http.url("/post/1"),
                  "description": teaser(self.http.url("/post/1"))}]
        pub.put("/feed.xml", rss("Rail Blog", items=items, cdata=True,
                                 xml_decl=True))
        md = os.path.join(self.dir, "Mail")
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s\nstate = %s/state.db\n\n[feed.rail]\nurl = %s\n")
            % (md, self.dir, pub.url("/feed.xml")))
        hook = {"RSS2MAIL_TEST_PUBLIC_ADDRS": "127.0.0.2"}
        r = rig.run(cfg, "run", env=hook)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.http.requests_for("/post/1"), [])
        html = self.part(self.messages(md)[0], "text/html")
        self.assertIn(TEASER, html)
        self.assertIn("full text unavailable: refused to connect to "
                      "private address 127.0.0.1", html)


if __name__ == "__main__":
    unittest.main()

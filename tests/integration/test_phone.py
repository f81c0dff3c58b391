"""Every message fits a phone: rendered by headless Chromium at 360 px.

Most phone mail apps render a message's HTML in a WebView.  The golden
messages and messages rss2mail composes from posts built to be awkward
(tables of long identifiers, wide <pre>, a huge image, figures, an embedded
video, a URL with no break in it) are rendered at 360 x 740 by
tests/tools/phonecheck.py, which inlines cid: parts; each must need no
sideways scrolling, keep every image inside the width, set body text at
14 px or more, and stay readable in dark mode.
"""
import glob
import io
import os
import struct
import sys
import unittest
import zlib

import rig
from feeds import rss

sys.path.insert(0, os.path.join(rig.TOP, "tests", "tools"))
import phonecheck   # noqa: E402

WIDTH = 360
GOLDEN = sorted(glob.glob(os.path.join(rig.TOP, "tests", "data", "golden",
                                       "*.eml")))


def png(w, h):
    """A valid w x h PNG (one colour), made by hand."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + b"\x20\x60\xc0" * w for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


LONG_ID = "sha256:" + "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
POSTS = [
    ("A table of identifiers",
     "<p>Release checksums:</p><table><tr><th>file</th><th>digest</th>"
     "<th>size</th></tr>" + "".join(
         "<tr><td>rss2mail-%d.tar.gz</td><td>%s</td><td>%d</td></tr>" % (
             i, LONG_ID, 100000 + i) for i in range(5)) + "</table>"),
    ("Wide code",
     "<p>The fix:</p><pre>" + "x = compute_the_very_long_function_name("
     "argument_one, argument_two, argument_three, argument_four)\n" * 3 +
     "</pre><p>and <code>" + "a_really_long_identifier_" * 4 +
     "</code> inline.</p>"),
    ("A huge image",
     "<p>Panorama:</p><p><img src='%(base)s/img/wide.png' width='2400' "
     "height='300' alt='wide'></p><figure><img src='%(base)s/img/tall.png'"
     " alt='tall'><figcaption>A figure with a caption that goes on"
     "</figcaption></figure>"),
    ("A link with no break",
     "<p>See https://example.org/" + "very-long-path-segment-" * 12 +
     "end and <a href='https://example.org/x'>" + "A" * 90 + "</a>.</p>"),
    ("A video",
     "<p>Watch:</p><iframe width='1280' height='720' "
     "src='https://video.example/embed/1'></iframe><video width='1920' "
     "src='https://video.example/1.mp4' poster='%(base)s/img/wide.png'>"
     "</video><p>after the video</p>"),
    ("Nested layout tables",
     "<table width='800'><tr><td width='400'>left column text</td>"
     "<td width='400'>right column with <b>" + "W" * 60 + "</b></td></tr>"
     "</table><blockquote><blockquote><blockquote><p>" + "deep " * 40 +
     "</p></blockquote></blockquote></blockquote>"),
]


def entries(base):
    """POSTS as feeds.rss items, their images on the server at base."""
    return [{"title": t, "guid": "p%d" % i,
             "link": "https://example.org/p%d" % i,
             "description": body % {"base": base}}
            for i, (t, body) in enumerate(POSTS)]


class Phone(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        if not os.access(phonecheck.CHROMIUM, os.X_OK):
            if os.environ.get("CI") == "true":
                raise AssertionError("chromium is missing "
                                     "(scripts/install-deps)")
            raise unittest.SkipTest("chromium is not installed")

    def check(self, docs, dark=False):
        res = phonecheck.render(docs, WIDTH, dark=dark)
        self.assertEqual(len(res), len(docs))
        for r in res:
            name = r["name"]
            self.assertLessEqual(r["scrollWidth"], WIDTH,
                                 "%s scrolls sideways: %s" % (name, r))
            self.assertEqual(r["wide"], [], name)
            for im in r["images"]:
                self.assertGreaterEqual(im["left"], 0, (name, im))
                self.assertLessEqual(im["right"], WIDTH, (name, im))
            self.assertGreaterEqual(r["minFontPx"], 14, name)
            # WCAG AA for body text, in light and dark mode
            self.assertGreaterEqual(r["minContrast"], 4.5,
                                    (name, r["lowContrastText"]))
        return res

    def composed(self):
        d = rig.tempdir(self)
        http = rig.feed_server(self)
        http.put("/img/wide.png", png(2400, 300), "image/png")
        http.put("/img/tall.png", png(900, 1600), "image/png")
        http.put("/f.xml", rss("Phone test", items=entries(http.base),
                               cdata=True,
                               channel_link="https://example.org/"))
        md = os.path.join(d, "Mail")
        cfg = rig.write_config(d, (
            "[rss2mail]\nfrom = Feeds <feeds@example.org>\nto = me@example."
            "org\ndeliver = maildir\nmaildir = %s\nstate = %s/state.db\n"
            "allow-private = yes\n\n[feed.phone]\nurl = %s\n") % (
                md, d, http.url("/f.xml")))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        raws = rig.read_maildir(md)
        self.assertEqual(len(raws), len(POSTS))
        docs = []
        for i, raw in enumerate(raws):
            body = phonecheck.html_part(raw)
            self.assertIsNotNone(body)
            docs.append(("composed-%d" % i, body))
        return docs

    def golden(self):
        docs = []
        for path in GOLDEN:
            with open(path, "rb") as f:
                body = phonecheck.html_part(f.read())
            if body is not None:
                docs.append((os.path.basename(path), body))
        self.assertGreaterEqual(len(docs), 4)
        return docs

    def test_golden_messages_fit(self):
        self.check(self.golden())

    def test_awkward_posts_fit(self):
        res = self.check(self.composed())
        # the huge images were embedded and scaled into the width
        shown = [im for r in res for im in r["images"] if im["loaded"]]
        self.assertGreaterEqual(len(shown), 2, res)

    def test_dark_mode_readable(self):
        self.check(self.golden() + self.composed(), dark=True)


if __name__ == "__main__":
    unittest.main()

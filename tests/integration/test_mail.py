"""Mail made for a phone, end to end: an entry with two images served by
the local HTTP server arrives in Dovecot with both images embedded as
cid: parts of a multipart/related; `images = none` and `html = no` give
what they promise; every message is strictly valid MIME."""
import email
import email.policy
import os
import struct
import unittest
import zlib

import dovecot
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


def png_size(data):
    """(width, height) of a PNG, from its IHDR."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:8]
    return struct.unpack(">II", data[16:24])


class Mail(unittest.TestCase):

    def setUp(self):
        self.dir = rig.tempdir(self)
        self.http = rig.feed_server(self)
        self.http.put("/a.png", png(40, 30, (200, 30, 30)), "image/png")
        self.http.put("/b.png", png(20, 20, (30, 30, 200)), "image/png")
        body = ('<p>Two pictures from the line:</p>'
                '<p><img src="%s" alt="red train" width="400"></p>'
                '<p><img src="/b.png" alt="blue sky"></p>'
                '<p><img src="%s" width="1" height="1"></p>' %
                (self.http.url("/a.png"), self.http.url("/pixel.gif")))
        self.feed = rss("Bilder", items=[{
            "title": "Zwei Bilder", "guid": "img-1",
            "link": self.http.url("/post"), "description": body}],
            cdata=True, xml_decl=True, channel_link=self.http.url("/"))
        self.http.put("/feed.xml", self.feed)

    def config(self, extra):
        md = os.path.join(self.dir, "Mail")
        return md, rig.write_config(self.dir, (
            "[rss2mail]\nfrom = Feeds <feeds@example.org>\n"
            "to = me@example.org\nmaildir = %s\nstate = %s/state.db\n"
            "allow-private = yes\n%s\n[feed.pics]\nurl = %s\n") % (
            md, self.dir, extra, self.http.url("/feed.xml")))

    def test_two_images_inline_in_dovecot(self):
        rig.need_dovecot(self)
        with dovecot.Dovecot() as dc:
            pw = rig.write_secret(self.dir, dc.password)
            _, cfg = self.config("deliver = imap\nimap-url = %s\n"
                                 "imap-tls = none\npassword-file = %s\n" %
                                 (dc.url("Feeds"), pw))
            r = rig.run(cfg, "run")
            self.assertEqual(r.returncode, 0, r.stderr)
            raws = dc.fetch_all("Feeds")
        self.assertEqual(len(raws), 1)
        msg = mailcheck.strict(raws[0])
        raws[0].decode("ascii")
        related = [p for p in msg.walk()
                   if p.get_content_type() == "multipart/related"]
        self.assertEqual(len(related), 1)
        images = [p for p in msg.walk()
                  if p.get_content_maintype() == "image"]
        self.assertEqual(len(images), 2)
        # prepared for a phone (image.c): re-encoded, same size, and the
        # <img> says the embedded image's size
        got = sorted(png_size(p.get_content()) for p in images)
        self.assertEqual(got, [(20, 20), (40, 30)])
        html = [p for p in msg.walk() if p.get_content_type() ==
                "text/html"][0].get_content()
        for p in images:
            cid = p["Content-ID"].strip("<>")
            self.assertIn("cid:" + cid, html)
        self.assertIn('width="40" height="30"', html)
        self.assertIn('width="20" height="20"', html)
        self.assertNotIn(self.http.url("/a.png"), html)
        # the 1x1 tracking pixel was neither fetched nor kept
        self.assertEqual(self.http.requests_for("/pixel.gif"), [])
        self.assertNotIn("pixel.gif", html)
        text = [p for p in msg.walk() if p.get_content_type() ==
                "text/plain"][0].get_content()
        self.assertIn("[image: red train]", text)

    def test_images_none_and_html_no(self):
        md, cfg = self.config("images = none\n")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msg = mailcheck.strict(rig.read_maildir(md)[0].replace(b"\n",
                                                               b"\r\n"))
        self.assertFalse([p for p in msg.walk()
                          if p.get_content_maintype() == "image"])
        self.assertEqual(self.http.requests_for("/a.png"), [])
        html = [p for p in msg.walk() if p.get_content_type() ==
                "text/html"][0].get_content()
        self.assertNotIn("<img", html)
        self.assertIn("red train", html)

        d2 = rig.tempdir(self)
        self.dir = d2
        md, cfg = self.config("html = no\n")
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msg = mailcheck.strict(rig.read_maildir(md)[0].replace(b"\n",
                                                               b"\r\n"))
        self.assertEqual(msg.get_content_type(), "text/plain")

    def test_private_images_refused_without_allow_private(self):
        # a feed on a public address (127.0.0.2 counts as public through
        # the test hook) whose images are on a private one (127.0.0.1):
        # refused without allow-private
        pub = rig.feed_server(self, host="127.0.0.2")
        pub.put("/feed.xml", self.feed)
        md = os.path.join(self.dir, "Mail")
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s\nstate = %s/state.db\n\n[feed.pics]\nurl = %s\n")
            % (md, self.dir, pub.url("/feed.xml")))
        hook = {"RSS2MAIL_TEST_PUBLIC_ADDRS": "127.0.0.2"}
        r = rig.run(cfg, "run", env=hook)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(self.http.requests_for("/a.png"), [])
        msg = mailcheck.strict(rig.read_maildir(md)[0].replace(b"\n",
                                                               b"\r\n"))
        self.assertFalse([p for p in msg.walk()
                          if p.get_content_maintype() == "image"])

    def test_private_feed_keeps_its_private_images(self):
        # the user configured a feed on a private address: its own images
        # there do not cross from public to private, so they are fetched
        md = os.path.join(self.dir, "Mail")
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s\nstate = %s/state.db\n\n[feed.pics]\nurl = %s\n")
            % (md, self.dir, self.http.url("/feed.xml")))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        msg = mailcheck.strict(rig.read_maildir(md)[0].replace(b"\n",
                                                               b"\r\n"))
        self.assertEqual(len([p for p in msg.walk()
                              if p.get_content_maintype() == "image"]), 2)

    def feed_shape(self, body):
        """rss() arguments: every entry carries body; the feeds link to
        the local server."""
        return dict(description=body, cdata=True, xml_decl=True,
                    channel_link=self.http.url("/"))

    def images_of(self, raw):
        msg = mailcheck.strict(raw.replace(b"\n", b"\r\n"))
        return [p.get_content() for p in msg.walk()
                if p.get_content_maintype() == "image"]

    def test_one_fetch_per_image_url_per_pass(self):
        # an avatar in every post of two feeds and an image that is gone:
        # one request each in the pass, and every message still has the
        # avatar; the gone one stays a link
        body = ('<p><img src="%s" alt="avatar"> hello</p>'
                '<p><img src="%s" alt="gone"></p>' %
                (self.http.url("/a.png"), self.http.url("/gone.png")))
        self.http.put("/one.xml", rss("One", 3, **self.feed_shape(body)))
        self.http.put("/two.xml", rss("Two", 2, **self.feed_shape(body)))
        md = os.path.join(self.dir, "Mail")
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s\nstate = %s/state.db\n\n[feed.one]\nurl = %s\n"
            "\n[feed.two]\nurl = %s\n") % (md, self.dir,
                                           self.http.url("/one.xml"),
                                           self.http.url("/two.xml")))
        r = rig.run(cfg, "run")
        self.assertEqual(r.returncode, 0, r.stderr)
        raws = rig.read_maildir(md)
        self.assertEqual(len(raws), 5)
        for raw in raws:
            self.assertEqual([png_size(i) for i in self.images_of(raw)],
                             [(40, 30)])
            self.assertIn(b"gone.png", raw)
        self.assertEqual(len(self.http.requests_for("/a.png")), 1)
        self.assertEqual(len(self.http.requests_for("/gone.png")), 1)

    def test_cached_private_image_not_given_to_public_feed(self):
        # the same private image URL in a private feed (allowed) and a
        # public one (refused): the cache must not hand the private
        # feed's bytes to the public feed, whichever is done first
        body = '<p><img src="%s" alt="intranet"></p>' % self.http.url(
            "/a.png")
        pub = rig.feed_server(self, host="127.0.0.2")
        pub.put("/pub.xml", rss("Pub", 2, **self.feed_shape(body)))
        self.http.put("/priv.xml", rss("Priv", 2, **self.feed_shape(body)))
        md = os.path.join(self.dir, "Mail")
        cfg = rig.write_config(self.dir, (
            "[rss2mail]\nfrom = f@example.org\nto = me@example.org\n"
            "maildir = %s\nstate = %s/state.db\n\n[feed.priv]\nurl = %s\n"
            "folder = Priv\n\n[feed.pub]\nurl = %s\nfolder = Pub\n") % (
                md, self.dir, self.http.url("/priv.xml"),
                pub.url("/pub.xml")))
        hook = {"RSS2MAIL_TEST_PUBLIC_ADDRS": "127.0.0.2"}
        r = rig.run(cfg, "run", env=hook)
        self.assertEqual(r.returncode, 0, r.stderr)
        priv = rig.read_maildir(os.path.join(md, ".Priv"))
        public = rig.read_maildir(os.path.join(md, ".Pub"))
        self.assertEqual((len(priv), len(public)), (2, 2))
        for raw in priv:
            self.assertEqual(len(self.images_of(raw)), 1)
        for raw in public:
            self.assertEqual(self.images_of(raw), [])
        self.assertEqual(len(self.http.requests_for("/a.png")), 1)

if __name__ == "__main__":
    unittest.main()

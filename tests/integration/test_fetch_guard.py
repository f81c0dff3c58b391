"""The private-address guard (issue 6, issue 8's public-to-private redirect).

Tests only have loopback, so fetchctl --public 127.0.0.2 makes the guard
treat that address as public: a server there plays an Internet host, and
one on 127.0.0.1 an intranet host.
"""

import unittest

import rig
from feedserver import FeedServer, FetchCase, fetch1, fetchctl

REFUSED = "refused to connect to private address %s (allow-private is off)"


@unittest.skipUnless(rig.loopback_alias_works("127.0.0.2"),
                     "127.0.0.2 is not a local address here")
class TestGuard(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.public = FeedServer(host="127.0.0.2").start()
        cls.public2 = FeedServer(host="127.0.0.4").start()
        cls.private = FeedServer(host="127.0.0.1").start()
        cls.private2 = FeedServer(host="127.0.0.3").start()
        cls.pub = "127.0.0.2,127.0.0.4"

    @classmethod
    def tearDownClass(cls):
        for s in (cls.public, cls.public2, cls.private, cls.private2):
            s.stop()

    def setUp(self):
        super().setUp()
        for s in (self.public, self.public2, self.private, self.private2):
            s.clear_log()

    def redirect(self, srv, target, code=302):
        return srv.url("/redirect-to?code=%d&url=%s" % (code, target))

    def test_configured_private_feed_is_fetched(self):
        r = fetch1(self.private.url("/feed.xml"), "--public", self.pub)
        self.assertEqual(r["result"], "ok", r)
        self.assertTrue(r["peer_private"])
        r = fetch1(self.public.url("/feed.xml"), "--public", self.pub)
        self.assertFalse(r["peer_private"])
        r = fetch1(self.redirect(self.private, self.public.url("/feed.xml")),
                   "--public", self.pub)
        self.assertEqual(r["result"], "ok", r)
        self.assertFalse(r["peer_private"])

    def test_content_url_to_private_refused(self):
        r = fetch1("+content:" + self.private.url("/feed.xml"),
                   "--public", self.pub)
        self.assertError(r, REFUSED % "127.0.0.1")
        self.assertEqual(self.private.requests, [])
        r = fetch1("+content:" + self.private.url("/feed.xml"),
                   "--public", self.pub, "--allow-private")
        self.assertEqual(r["result"], "ok", r)

    def test_content_url_to_public_allowed(self):
        r = fetch1("+content:" + self.public.url("/feed.xml"),
                   "--public", self.pub)
        self.assertEqual(r["result"], "ok", r)

    def test_public_to_private_redirect_refused(self):
        for code in (301, 302, 307, 308):
            r = fetch1(self.redirect(self.public,
                                     self.private.url("/feed.xml"), code),
                       "--public", self.pub)
            self.assertError(r, REFUSED % "127.0.0.1")
        # refused before anything was sent to the private host
        self.assertEqual(self.private.requests, [])
        self.assertEqual(len(self.public.requests), 4)

    def test_public_to_private_redirect_by_name_refused(self):
        # "localhost" resolves to a private address: checked after DNS
        target = "http://localhost:%d/feed.xml" % self.private.port
        r = fetch1(self.redirect(self.public, target), "--public", self.pub)
        self.assertEqual(r["result"], "error", r)
        self.assertRegex(r["err"], r"^refused to connect to private address"
                         r" (127\.0\.0\.1|::1) \(allow-private is off\)$")
        self.assertEqual(self.private.requests, [])

    def test_public_to_private_allowed_with_allow_private(self):
        r = fetch1(self.redirect(self.public, self.private.url("/feed.xml")),
                   "--public", self.pub, "--allow-private")
        self.assertEqual(r["result"], "ok", r)

    def test_private_to_private_redirect_allowed(self):
        r = fetch1(self.redirect(self.private,
                                 self.private2.url("/feed.xml")),
                   "--public", self.pub)
        self.assertEqual(r["result"], "ok", r)
        self.assertEqual(len(self.private2.requests), 1)

    def test_private_to_public_to_private_refused(self):
        hop2 = self.redirect(self.public, self.private2.url("/feed.xml"))
        r = fetch1(self.redirect(self.private, hop2.replace("&", "%26")),
                   "--public", self.pub)
        self.assertError(r, REFUSED % "127.0.0.3")
        self.assertEqual(self.private2.requests, [])

    def test_public_to_public_redirect_allowed(self):
        r = fetch1(self.redirect(self.public, self.public2.url("/feed.xml")),
                   "--public", self.pub)
        self.assertEqual(r["result"], "ok", r)

    def test_reused_connection_is_checked_too(self):
        # the configured feed opens a connection to the private host; the
        # content URL that follows would reuse it: still refused
        res = fetchctl([self.private.url("/feed.xml"),
                        "+content:" + self.private.url("/feed.xml")],
                       "--public", self.pub, "--concurrency", 1)
        by = {r["index"]: r for r in res}
        self.assertEqual(by[0]["result"], "ok", by)
        self.assertError(by[1], REFUSED % "127.0.0.1")
        self.assertEqual(len(self.private.requests), 1)

    def test_without_test_hook_loopback_is_private(self):
        # no --public: 127.0.0.2 is loopback like any other
        r = fetch1(self.redirect(self.public, self.private.url("/feed.xml")))
        self.assertEqual(r["result"], "ok", r)
        r = fetch1("+content:" + self.public.url("/feed.xml"))
        self.assertError(r, REFUSED % "127.0.0.2")

"""Hostile HTTP servers through the real binary (issue 8).

The fetcher's own faults are tested in depth with fetchctl
(test_fetch_faults.py, test_fetch_guard.py); here each one goes through
`rss2mail run` beside two good feeds: one error line naming the bad feed,
bounded time and peak RSS of the whole process, the good feeds delivered,
nothing recorded for the bad one, state intact, exit 1, and a second run
that delivers nothing twice.  A trickling server is cut by a per-feed
`timeout` (the low-speed window, 20 s, is not a config key) so the suite
stays fast.
"""
import unittest

import rig
from feedserver import FeedServer
from test_hostile_common import (ASAN, GOOD_TOTAL, RSS_CAP_MB, HostileCase,
                                measured_run)

BIG = "feed too large (over 16777216 bytes)"
PRIVATE = "refused to connect to private address 127.0.0.1 " \
    "(allow-private is off)"


# a body cut at the 16 MB feed cap: the plain build's peak stays under
# 96 MB; under ASan the peak is its shadow memory's (as in test_hostile_imap)
BODY_RSS_MB = RSS_CAP_MB if ASAN else 96


class HostileHTTP(HostileCase):

    def url(self, path):
        return self.server.url(path)

    # --- size -------------------------------------------------------------

    def test_gzip_bomb(self):
        # 100 MiB of zeros in ~100 KB of gzip: cut on decompressed bytes
        res = self.contained(self.url("/gzip-bomb?mb=100"), BIG, limit=15)
        self.assertLess(res.rss_mb, BODY_RSS_MB, res)

    def test_endless_chunked_body(self):
        res = self.contained(self.url("/endless"), BIG, limit=15)
        self.assertLess(res.rss_mb, BODY_RSS_MB, res)

    def test_64mb_body(self):
        self.contained(self.url("/big/64"), BIG, limit=15)

    def test_body_cap_is_configurable(self):
        self.contained(self.url("/big/2"), "feed too large (over 1048576 "
                       "bytes)", limit=10, feed_extra="max-feed-size = 1M\n")

    # --- time -------------------------------------------------------------

    def test_trickling_server(self):
        res = self.contained(self.url("/trickle?every=0.5"),
                             "timed out after 1 s", limit=6,
                             feed_extra="timeout = 1s\n")
        self.assertGreater(res.secs, 0.9)

    def test_slow_headers(self):
        self.contained(self.url("/slow-headers?every=0.3"),
                       "timed out after 1 s", limit=6,
                       feed_extra="timeout = 1s\n")

    # --- redirects --------------------------------------------------------

    def test_redirect_loop(self):
        self.contained(self.url("/redirect-loop"),
                       "too many redirects (over 5)", limit=10)

    def test_redirect_to_file(self):
        self.contained(self.url("/redirect-to?url=file:///etc/passwd"),
                       "redirect to file:// refused", limit=10)

    def test_redirect_to_gopher(self):
        self.contained(self.url("/redirect-to?code=301&url="
                                "gopher://127.0.0.1:70/1"),
                       "redirect to gopher:// refused", limit=10)

    # --- broken responses -------------------------------------------------

    def test_huge_headers(self):
        self.contained(self.url("/huge-headers?kb=2048"),
                       "response headers too large (over 65536 bytes)",
                       limit=10)

    def test_one_huge_header_line(self):
        self.contained(self.url("/huge-header?kb=300"),
                       "response headers too large (over 65536 bytes)",
                       limit=10)

    def test_garbage_status_line(self):
        self.contained(self.url("/garbage-status"),
                       "invalid HTTP response (no status line)", limit=10)

    def test_empty_reply(self):
        self.contained(self.url("/empty-reply"), "Empty reply from server",
                       limit=10)

    def test_server_error(self):
        self.contained(self.url("/status/500"), "HTTP 500", limit=10)

    def test_tls_failure(self):
        # a certificate from the test CA, which the system does not trust
        tls = FeedServer(tls=True).start()
        self.addCleanup(tls.stop)
        res = self.contained(tls.url("/feed.xml"), "fetch https://",
                             limit=10)
        self.assertRegex(res.stderr.lower(), "certificate|ssl|tls")


@unittest.skipUnless(rig.loopback_alias_works("127.0.0.2"),
                     "127.0.0.2 is not a local address here")
class HostileRedirectToPrivate(HostileCase):
    """RSS2MAIL_TEST_PUBLIC_ADDRS=127.0.0.2 makes that loopback address
    count as public: a feed there plays an Internet host that redirects
    to an intranet host on 127.0.0.1."""

    ENV = {"RSS2MAIL_TEST_PUBLIC_ADDRS": "127.0.0.2"}

    @classmethod
    def setUpClass(cls):
        cls.server = FeedServer(host="127.0.0.1").start()   # private
        cls.public = FeedServer(host="127.0.0.2").start()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.public.stop()

    def setUp(self):
        super().setUp()
        self.server.clear_log()
        self.public.clear_log()
        self.server.put("/intranet.xml", b"<?xml version='1.0'?><rss "
                        b"version='2.0'><channel><title>Intranet</title>"
                        b"<item><title>secret memo</title><guid>m1</guid>"
                        b"</item></channel></rss>")
        self.hop = self.public.url("/redirect-to?url=" +
                                   self.server.url("/intranet.xml"))

    def test_public_to_private_redirect_refused(self):
        self.contained(self.hop, PRIVATE, limit=10, env=self.ENV)
        self.assertEqual(self.server.requests_for("/intranet.xml"), [])

    def test_allowed_with_allow_private(self):
        h = self.h
        cfg = h.config([("evil", self.hop, "allow-private = yes\n")])
        res = measured_run(cfg, "run", timeout=30, env=self.ENV)
        self.assertEqual(res.rc, 0, res)
        self.assertEqual(h.delivered("evil"), 1)
        self.assertEqual(len(h.messages()), GOOD_TOTAL + 1)


if __name__ == "__main__":
    unittest.main()

"""Content decoding and the memory budget of a fetch run.

fetch decodes gzip and deflate itself, 16 KiB at a time under the caps,
and lets only a few bodies grow past 2 MiB at once (the others pause until
a slot frees).  These tests check that decoding is right in every variant,
that paused transfers resume with their bytes intact, and that a flood of
bombs and endless bodies stays within about 100 MB.
"""

import hashlib
import os
import random
import time

from feedserver import FeedServer, FetchCase, fetch1, fetchctl
from test_fetch_faults import peak_rss_kb

MiB = 1 << 20


def body_of(size, seed):
    rnd = random.Random(seed)
    words = [b"feed", b"entry", b"caf\xc3\xa9", b"<p>", b"</p>", b"item",
             b"\xe2\x82\xac", b"title", b"link"]
    out = bytearray(b"<rss>")
    while len(out) < size - 6:
        out += rnd.choice(words) + b" "
    out = out[:size - 6] + b"</rss>"
    return bytes(out)


class TestDecoding(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = FeedServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def test_every_encoding_decodes(self):
        body = body_of(300000, 1)
        for enc in ("gzip", "gzip-multi", "deflate", "deflate-raw"):
            self.srv.put("/e-%s.xml" % enc, body, gzip=enc)
            r = fetch1(self.srv.url("/e-%s.xml" % enc))
            self.assertEqual(r["result"], "ok", (enc, r))
            self.assertEqual(r["bytes"], len(body), enc)
            self.assertEqual(r["sha256"], hashlib.sha256(body).hexdigest(),
                             enc)
        h = self.srv.requests[-1]["headers"]
        self.assertEqual(h["accept-encoding"], "gzip, deflate")

    def test_cap_is_exact_on_decoded_bytes(self):
        body = body_of(100000, 2)
        self.srv.put("/exact.gz", body, gzip=True)
        r = fetch1(self.srv.url("/exact.gz"), "--max", len(body))
        self.assertEqual(r["result"], "ok", r)
        r = fetch1(self.srv.url("/exact.gz"), "--max", len(body) - 1)
        self.assertError(r, "feed too large (over %d bytes)" %
                         (len(body) - 1))

    def test_unasked_encoding_refused(self):
        self.assertError(fetch1(self.srv.url("/encoded-as?enc=br")),
                         "unsupported content encoding br")
        self.assertError(fetch1(self.srv.url("/encoded-as?enc=zstd")),
                         "unsupported content encoding zstd")

    def test_truncated_and_broken_gzip(self):
        self.assertError(fetch1(self.srv.url("/truncated-gzip")),
                         "invalid compressed body (truncated)")
        r = fetch1(self.srv.url("/bad-gzip"))
        self.assertEqual(r["result"], "error", r)
        self.assertTrue(r["err"].startswith("invalid compressed body ("), r)

    def test_encoded_error_page_is_just_a_status(self):
        self.srv.put("/e404", b"x", gzip=True)
        r = fetch1(self.srv.url("/status/404"))
        self.assertError(r, "HTTP 404")


class TestBudget(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = FeedServer().start()
        cls.bodies = {}
        for i in range(8):
            b = body_of(3 * MiB + i * 1000, 100 + i)
            cls.bodies[i] = b
            cls.srv.put("/big-%d.xml" % i, b)
            cls.srv.put("/big-%d.gz" % i, b, gzip=True)

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def check_all(self, res, suffix):
        self.assertEqual(len(res), 8)
        for r in res:
            i = int(os.path.basename(r["url"]).split("-")[1].split(".")[0])
            self.assertEqual(r["result"], "ok", r)
            self.assertTrue(r["url"].endswith(suffix))
            self.assertEqual(r["sha256"],
                             hashlib.sha256(self.bodies[i]).hexdigest(), r)

    def test_big_feeds_pause_and_resume_intact(self):
        for suffix in (".xml", ".gz"):
            urls = [self.srv.url("/big-%d%s" % (i, suffix))
                    for i in range(8)]
            for slots in ("1", "2"):
                res = fetchctl(urls, "--per-host", 8, "--big-slots", slots)
                self.check_all(res, suffix)

    def test_paused_time_is_not_slow_speed(self):
        # slot 1 is held ~3 s by a slowly ending feed; the other big feed
        # waits paused longer than the low-speed window, and still succeeds
        self.srv.put("/big-late.xml", self.bodies[0], delay=0.5)
        urls = [self.srv.url("/slow-tail?mb=3&tail=3000"),
                self.srv.url("/big-late.xml")]
        t0 = time.monotonic()
        res = fetchctl(urls, "--per-host", 4, "--big-slots", 1,
                       "--low-speed-time", 2, "--low-speed-bytes", 50)
        by = {r["index"]: r for r in res}
        self.assertEqual(by[0]["result"], "ok", by[0])
        self.assertEqual(by[1]["result"], "ok", by[1])
        self.assertEqual(by[1]["sha256"],
                         hashlib.sha256(self.bodies[0]).hexdigest())
        # it waited for the slow one's slot
        self.assertGreater(by[1]["ms"], by[0]["ms"] - 100)
        self.assertGreater(time.monotonic() - t0, 2.5)

    def test_flood_of_bombs_and_endless_bodies_stays_bounded(self):
        urls = ([self.srv.url("/endless?i=%d" % i) for i in range(16)] +
                [self.srv.url("/gzip-bomb?mb=64&i=%d" % i)
                 for i in range(16)])
        rss, res = peak_rss_kb(["--per-host", 16] + urls, timeout=300)
        self.assertEqual(len(res), 32)
        for r in res:
            self.assertError(r, "feed too large (over 16777216 bytes)")
        # 16 bodies of 2 MiB + 4 growing to 16 MiB, plus the program
        self.assertLess(rss, 128 * 1024, "peak RSS %d KiB" % rss)
        print("\n    32 bombs/endless at once: peak RSS %d MiB" %
              (rss // 1024), end=" ")

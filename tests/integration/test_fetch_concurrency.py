"""fetch in parallel: many feeds in bounded time, the concurrency and
per-host caps, connection reuse, bounded memory, and hostile feeds that do
not hold up the good ones."""

import tempfile
import time

from feedserver import FeedServer, FetchCase, fetchctl
from test_fetch_faults import peak_rss_kb
from rig import loopback_alias_works

MiB = 1 << 20


class TestConcurrency(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = FeedServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        super().setUp()
        self.srv.clear_log()

    def test_200_feeds(self):
        for i in range(200):
            self.srv.put("/f/%d.xml" % i, ("<rss><channel><title>feed %d"
                         "</title></channel></rss>" % i).encode())
        urls = [self.srv.url("/f/%d.xml" % i) for i in range(200)]
        t0 = time.monotonic()
        res = fetchctl(urls)
        cold = time.monotonic() - t0
        self.assertEqual(sorted(r["index"] for r in res), list(range(200)))
        for r in res:
            self.assertEqual(r["result"], "ok", r)
            doc = self.srv._docs["/f/%d.xml" % r["index"]]
            self.assertEqual(r["etag"], doc.etag)
            self.assertEqual(r["bytes"], len(doc.body))
        self.assertLess(cold, 10)
        # a warm pass: every request with its own validators, all 304
        self.srv.clear_log()
        with tempfile.NamedTemporaryFile("w", suffix=".txt") as f:
            for r in sorted(res, key=lambda r: r["index"]):
                f.write("%s\t%s\t%s\n" % (r["url"], r["etag"],
                                          r["last_modified"]))
            f.flush()
            t0 = time.monotonic()
            warm = fetchctl([], "--urls", f.name)
            warm_s = time.monotonic() - t0
        self.assertEqual(len(warm), 200)
        self.assertTrue(all(r["result"] == "not_modified" for r in warm))
        for q in self.srv.requests:
            doc = self.srv._docs[q["path"]]
            self.assertEqual(q["headers"]["if-none-match"], doc.etag)
            self.assertEqual(q["headers"]["if-modified-since"],
                             doc.last_modified)
        self.assertLess(warm_s, 10)
        # connection reuse: 200 requests over a handful of connections
        self.srv.clear_log()
        fetchctl(urls)
        conns = {r["client"] for r in self.srv.requests}
        self.assertLessEqual(len(conns), 4, "%d connections" % len(conns))
        print("\n    200 feeds: cold %.2f s, warm %.2f s, %d connections" %
              (cold, warm_s, len(conns)), end=" ")

    def test_per_host_cap_default_two(self):
        urls = [self.srv.url("/delay/0.3?i=%d" % i) for i in range(8)]
        t0 = time.monotonic()
        res = fetchctl(urls)
        dt = time.monotonic() - t0
        self.assertTrue(all(r["result"] == "ok" for r in res))
        self.assertEqual(self.srv.inflight_peak("delay"), 2)
        self.assertGreaterEqual(dt, 1.1)
        self.assertLess(dt, 5)

    def test_concurrency_cap(self):
        urls = [self.srv.url("/delay/0.5?i=%d" % i) for i in range(48)]
        t0 = time.monotonic()
        res = fetchctl(urls, "--per-host", 100, "--concurrency", 16)
        dt = time.monotonic() - t0
        self.assertTrue(all(r["result"] == "ok" for r in res))
        self.assertEqual(self.srv.inflight_peak("delay"), 16)
        # 48 requests, 16 at a time, 0.5 s each: 3 rounds
        self.assertGreaterEqual(dt, 1.4)
        self.assertLess(dt, 4.5)

    def test_hosts_in_parallel(self):
        if not loopback_alias_works("127.0.0.2"):
            self.skipTest("no 127.0.0.2")
        others = [FeedServer(host="127.0.0.%d" % h).start()
                  for h in (2, 3, 4)]
        try:
            urls = [s.url("/delay/0.4?i=%d" % i) for i in range(4)
                    for s in others]
            t0 = time.monotonic()
            res = fetchctl(urls)
            dt = time.monotonic() - t0
            self.assertTrue(all(r["result"] == "ok" for r in res))
            for s in others:
                self.assertEqual(s.inflight_peak("delay"), 2)
            # 3 hosts x 2 at once: two rounds of 0.4 s, not six
            self.assertLess(dt, 1.6)
        finally:
            for s in others:
                s.stop()

    def test_bodies_freed_as_they_complete(self):
        # 100 feeds of 2 MiB each: 200 MiB if kept, a few MiB in flight
        urls = [self.srv.url("/big/2?i=%d" % i) for i in range(100)]
        rss, res = peak_rss_kb(["--per-host", 16] + urls)
        self.assertEqual(len(res), 100)
        self.assertTrue(all(r["result"] == "ok" and r["bytes"] == 2 * MiB
                            for r in res))
        self.assertLess(rss, 128 * 1024, "peak RSS %d KiB" % rss)

    def test_hostile_feeds_do_not_hold_up_good_ones(self):
        bad = [self.srv.url(p) for p in ("/trickle", "/endless",
                                         "/gzip-bomb", "/redirect-loop",
                                         "/garbage-status", "/huge-headers",
                                         "/slow-headers")]
        good = [self.srv.url("/feed.xml?i=%d" % i) for i in range(40)]
        t0 = time.monotonic()
        res = fetchctl(bad + good, "--low-speed-time", 3, "--timeout", 6,
                       "--per-host", 16)
        dt = time.monotonic() - t0
        by = {r["index"]: r for r in res}
        self.assertEqual(len(by), len(bad) + len(good))
        for i in range(len(bad)):
            self.assertEqual(by[i]["result"], "error", by[i])
        for i in range(len(bad), len(bad) + len(good)):
            self.assertEqual(by[i]["result"], "ok", by[i])
            # the good ones finish long before the slow ones are cut
            self.assertLess(by[i]["ms"], 2000, by[i])
        self.assertLess(dt, 10)

    def test_run_deadline(self):
        urls = ([self.srv.url("/trickle?every=0.005&i=%d" % i)
                 for i in range(4)] +
                [self.srv.url("/delay/0.2?i=%d" % i) for i in range(30)])
        t0 = time.monotonic()
        res = fetchctl(urls, "--deadline", 2, "--concurrency", 4,
                       "--per-host", 4)
        dt = time.monotonic() - t0
        self.assertEqual(sorted(r["index"] for r in res),
                         list(range(len(urls))))
        for r in res:
            self.assertEqual(r["result"], "error", r)
            self.assertEqual(r["err"], "run time limit reached (2 s)")
        self.assertLess(dt, 4)

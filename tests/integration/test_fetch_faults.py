"""fetch against hostile or broken servers (issues 6 and 8): every fault
ends in bounded time and memory with the expected one-line error."""

import os
import socket
import subprocess
import sys
import time

from feedserver import FETCHCTL, FeedServer, FetchCase, fetch1

MiB = 1 << 20


def peak_rss_kb(args, timeout=120):
    """Run fetchctl in a fresh Python so RUSAGE_CHILDREN is its alone."""
    code = ("import json, resource, subprocess, sys\n"
            "p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE)\n"
            "ru = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print(json.dumps([ru.ru_maxrss, p.returncode,"
            " p.stdout.decode()]))\n")
    import json
    out = subprocess.run([sys.executable, "-c", code, FETCHCTL] +
                         [str(a) for a in args], stdout=subprocess.PIPE,
                         timeout=timeout, check=True).stdout
    rss, rc, lines = json.loads(out)
    assert rc == 0, rc
    return rss, [json.loads(ln) for ln in lines.splitlines()]


class TestFaults(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = FeedServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def timed(self, url, *args):
        t0 = time.monotonic()
        r = fetch1(url, *args)
        return r, time.monotonic() - t0

    # --- slow servers ---------------------------------------------------

    def test_trickle_cut_by_low_speed_limit(self):
        r, dt = self.timed(self.srv.url("/trickle"), "--low-speed-time", 3)
        self.assertError(r, "too slow (under 100 bytes/s for 3 s)",
                         status=200)
        self.assertLess(dt, 8)

    def test_fast_trickle_cut_by_total_timeout(self):
        # 100 bytes/s passes the low-speed check; the total timeout stops it
        r, dt = self.timed(self.srv.url("/trickle?every=0.005"),
                           "--timeout", 3)
        self.assertError(r, "timed out after 3 s", status=200)
        self.assertLess(dt, 6)

    def test_slow_headers_cut(self):
        r, dt = self.timed(self.srv.url("/slow-headers?every=0.5"),
                           "--timeout", 2)
        self.assertError(r, "timed out after 2 s")
        self.assertLess(dt, 5)

    def test_connect_timeout(self):
        # a listener whose accept queue is full drops further SYNs
        lsn = socket.socket()
        lsn.bind(("127.0.0.1", 0))
        lsn.listen(0)
        port = lsn.getsockname()[1]
        fillers = []
        try:
            for _ in range(4):
                c = socket.socket()
                c.setblocking(False)
                try:
                    c.connect(("127.0.0.1", port))
                except BlockingIOError:
                    pass
                fillers.append(c)
            time.sleep(0.2)
            r, dt = self.timed("http://127.0.0.1:%d/feed.xml" % port,
                               "--connect-timeout", 2)
            self.assertError(r, "connect to 127.0.0.1:%d: timed out after "
                             "2 s" % port)
            self.assertLess(dt, 5)
        finally:
            for c in fillers:
                c.close()
            lsn.close()

    # --- big bodies -------------------------------------------------------

    def test_endless_body_cut_by_cap(self):
        rss, res = peak_rss_kb(["--max", 4 * MiB, self.srv.url("/endless")])
        self.assertError(res[0], "feed too large (over 4194304 bytes)",
                         status=200)
        rss2, res = peak_rss_kb([self.srv.url("/endless")])
        self.assertError(res[0], "feed too large (over 16777216 bytes)")
        self.assertLess(rss2, 96 * 1024, "peak RSS %d KiB" % rss2)

    def test_gzip_bomb_cut_by_cap(self):
        rss, res = peak_rss_kb([self.srv.url("/gzip-bomb?mb=200")])
        self.assertError(res[0], "feed too large (over 16777216 bytes)",
                         status=200)
        self.assertLess(res[0]["ms"], 10000)
        self.assertLess(rss, 96 * 1024, "peak RSS %d KiB" % rss)

    def test_declared_big_body_cut(self):
        r = fetch1(self.srv.url("/big/64"))
        self.assertError(r, "feed too large (over 16777216 bytes)")

    # --- redirects --------------------------------------------------------

    def test_redirect_loop(self):
        self.assertError(fetch1(self.srv.url("/redirect-loop")),
                         "too many redirects (over 5)")

    def test_redirect_to_other_schemes_refused(self):
        for target, err in (("file:///etc/passwd",
                             "redirect to file:// refused"),
                            ("gopher://127.0.0.1:70/1",
                             "redirect to gopher:// refused"),
                            ("ftp://127.0.0.1/feed.xml",
                             "redirect to ftp:// refused"),
                            ("dict://127.0.0.1:2628/d:x",
                             "redirect to dict:// refused")):
            for code in (301, 302):
                r = fetch1(self.srv.url("/redirect-to?code=%d&url=%s" %
                                        (code, target)), "--allow-local")
                self.assertError(r, err)

    def test_redirect_status_permanent_only(self):
        cases = [
            ("/moved-permanently?to=/feed.xml", 301),
            ("/permanent-redirect?to=/feed.xml", 308),
            ("/found?to=/feed.xml", 0),
            ("/temporary-redirect?to=/feed.xml", 0),
            ("/redirect/2?code=301", 301),
            ("/redirect/2?code=308", 308),
            # one temporary hop in the chain: not permanent
            ("/moved-permanently?to=/found%3Fto%3D/feed.xml", 0),
            ("/found?to=/moved-permanently%3Fto%3D/feed.xml", 0),
            ("/feed.xml", 0),
        ]
        for path, want in cases:
            r = fetch1(self.srv.url(path))
            self.assertEqual(r["result"], "ok", (path, r))
            self.assertEqual(r["redirect_status"], want, (path, r))
            self.assertEqual(r["effective_url"], self.srv.url("/feed.xml"))

    def test_permanent_redirect_to_error_reports_no_move(self):
        r = fetch1(self.srv.url("/moved-permanently?to=/status/500"))
        self.assertError(r, "HTTP 500", status=500)
        self.assertEqual(r["redirect_status"], 0)

    def test_304_after_permanent_redirect(self):
        r1 = fetch1(self.srv.url("/moved-permanently?to=/feed.xml"))
        r2 = fetch1(self.srv.url("/moved-permanently?to=/feed.xml"),
                    "--etag", r1["etag"])
        self.assertEqual(r2["result"], "not_modified", r2)
        self.assertEqual(r2["redirect_status"], 301)

    # --- broken responses -----------------------------------------------

    def test_huge_headers(self):
        for path in ("/huge-headers", "/huge-header?kb=70",
                     "/huge-header?kb=300"):
            self.assertError(fetch1(self.srv.url(path)),
                             "response headers too large (over 65536 bytes)")
        self.assertEqual(fetch1(self.srv.url("/huge-headers?kb=20"))
                         ["result"], "ok")

    def test_garbage_status(self):
        self.assertError(fetch1(self.srv.url("/garbage-status")),
                         "invalid HTTP response (no status line)")

    def test_empty_reply(self):
        self.assertError(fetch1(self.srv.url("/empty-reply")),
                         "Empty reply from server")

    def test_truncated_body(self):
        r = fetch1(self.srv.url("/truncated"))
        self.assertError(r, "transfer closed with 990 bytes remaining to "
                         "read", status=200)
        self.assertEqual(r["bytes"], 0)

    def test_bad_gzip(self):
        r = fetch1(self.srv.url("/bad-gzip"))
        self.assertEqual(r["result"], "error", r)
        self.assertTrue(r["err"].startswith("invalid compressed body"), r)

    def test_html_is_fetched_as_is(self):
        r = fetch1(self.srv.url("/html"))
        self.assertEqual(r["result"], "ok")
        self.assertTrue(r["content_type"].startswith("text/html"))

    # --- status codes -----------------------------------------------------

    def test_gone(self):
        r = fetch1(self.srv.url("/gone"))
        self.assertEqual(r["result"], "gone", r)
        self.assertEqual(r["status"], 410)
        self.assertIsNone(r["err"])

    def test_retry_after_seconds(self):
        r = fetch1(self.srv.url("/retry-after/120"))
        self.assertError(r, "HTTP 429", status=429)
        self.assertEqual(r["retry_after"], 120)

    def test_retry_after_http_date(self):
        r = fetch1(self.srv.url("/retry-after/300?code=503&date=1"))
        self.assertError(r, "HTTP 503", status=503)
        self.assertTrue(290 <= r["retry_after"] <= 301, r)

    def test_retry_after_ignored_elsewhere_and_when_bad(self):
        self.srv.put("/ra.xml", b"<rss/>", headers={"Retry-After": "60"})
        self.assertEqual(fetch1(self.srv.url("/ra.xml"))["retry_after"], 0)
        self.srv.put("/status-bad", b"x")
        r = fetch1(self.srv.url("/retry-after/99999999999999999999"))
        self.assertEqual(r["retry_after"], 366 * 24 * 3600)

    # --- auth and proxies -----------------------------------------------

    def test_basic_auth_from_userinfo_and_fields(self):
        url = self.srv.url("/auth?user=jo&pass=s3cret")
        self.assertError(fetch1(url), "HTTP 401", status=401)
        with_userinfo = url.replace("http://", "http://jo:s3cret@")
        self.assertEqual(fetch1(with_userinfo)["result"], "ok")
        r = fetch1(url, "--user", "jo", "--password", "s3cret")
        self.assertEqual(r["result"], "ok", r)
        r = fetch1(url, "--user", "jo", "--password", "wrong")
        self.assertError(r, "HTTP 401", status=401)

    def test_proxy_env_ignored_unless_enabled(self):
        env = dict(os.environ, http_proxy="http://127.0.0.1:9",
                   HTTP_PROXY="http://127.0.0.1:9",
                   ALL_PROXY="http://127.0.0.1:9")
        p = subprocess.run([FETCHCTL, self.srv.url("/feed.xml")], env=env,
                           stdout=subprocess.PIPE, timeout=60)
        self.assertIn(b'"result": "ok"', p.stdout)
        p = subprocess.run([FETCHCTL, "--proxy-env",
                            self.srv.url("/feed.xml")], env=env,
                           stdout=subprocess.PIPE, timeout=60)
        self.assertIn(b'"err": "connect to 127.0.0.1:9: Connection refused"',
                      p.stdout)

    def test_explicit_proxy(self):
        # our own server as the proxy: it sees the absolute URL
        r = fetch1("http://feeds.example/feed.xml", "--proxy", self.srv.base)
        self.assertEqual(r["result"], "ok", r)
        self.assertEqual(self.srv.requests[-1]["path"], "/feed.xml")

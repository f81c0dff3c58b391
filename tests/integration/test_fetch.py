"""fetch against the local feed server: validators, 304, errors, redirects,
caps and local files (through build/tools/fetchctl)."""

import gzip
import os
import socket
import tempfile

from feedserver import FeedServer, FetchCase, fetch1, fetchctl

FEED = b"""<?xml version="1.0"?>
<rss version="2.0"><channel><title>T</title><link>http://x/</link>
<description>d</description><item><title>caf\xc3\xa9</title>
<guid>g1</guid></item></channel></rss>
"""


class TestFetch(FetchCase):
    @classmethod
    def setUpClass(cls):
        cls.srv = FeedServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()

    def setUp(self):
        super().setUp()
        self.srv.clear_log()

    def test_200_with_validators(self):
        self.srv.put("/v.xml", FEED)
        doc = self.srv._docs["/v.xml"]
        r = fetch1(self.srv.url("/v.xml"), "--body")
        self.assertEqual(r["result"], "ok", r)
        self.assertEqual(r["status"], 200)
        self.assertEqual(r["bytes"], len(FEED))
        self.assertEqual(r["etag"], doc.etag)
        self.assertEqual(r["last_modified"], doc.last_modified)
        self.assertEqual(r["content_type"], "application/rss+xml")
        self.assertEqual(r["effective_url"], self.srv.url("/v.xml"))
        self.assertIsNone(r["err"])
        self.assertEqual(r["body"].encode("latin-1"), FEED)
        # no validators were sent on a first fetch
        h = self.srv.requests_for("/v.xml")[-1]["headers"]
        self.assertNotIn("if-none-match", h)
        self.assertNotIn("if-modified-since", h)

    def test_content_location(self):
        self.srv.put("/cl.xml", FEED,
                     headers={"Content-Location": "/canonical.xml"})
        r = fetch1(self.srv.url("/cl.xml"))
        self.assertEqual(r["content_location"], "/canonical.xml")

    def test_304_with_validators_sent_verbatim(self):
        self.srv.put("/c.xml", FEED)
        r1 = fetch1(self.srv.url("/c.xml"))
        r2 = fetch1(self.srv.url("/c.xml"), "--etag", r1["etag"],
                    "--lm", r1["last_modified"])
        self.assertEqual(r2["result"], "not_modified", r2)
        self.assertEqual(r2["status"], 304)
        self.assertEqual(r2["bytes"], 0)
        h = self.srv.requests_for("/c.xml")[-1]["headers"]
        self.assertEqual(h["if-none-match"], r1["etag"])
        self.assertEqual(h["if-modified-since"], r1["last_modified"])

    def test_changed_content_between_runs(self):
        self.srv.put("/m.xml", FEED)
        r1 = fetch1(self.srv.url("/m.xml"))
        self.srv.put("/m.xml", FEED.replace(b"g1", b"g2"))
        r2 = fetch1(self.srv.url("/m.xml"), "--etag", r1["etag"],
                    "--lm", r1["last_modified"])
        self.assertEqual(r2["result"], "ok", r2)
        self.assertNotEqual(r2["etag"], r1["etag"])
        r3 = fetch1(self.srv.url("/m.xml"), "--etag", r2["etag"],
                    "--lm", r2["last_modified"])
        self.assertEqual(r3["result"], "not_modified", r3)

    def test_last_modified_only(self):
        self.srv.put("/lm.xml", FEED, etag=None)
        r1 = fetch1(self.srv.url("/lm.xml"))
        self.assertIsNone(r1["etag"])
        r2 = fetch1(self.srv.url("/lm.xml"), "--lm", r1["last_modified"])
        self.assertEqual(r2["result"], "not_modified", r2)
        h = self.srv.requests_for("/lm.xml")[-1]["headers"]
        self.assertNotIn("if-none-match", h)
        self.assertEqual(h["if-modified-since"], r1["last_modified"])

    def test_validator_with_newline_is_not_sent(self):
        self.srv.put("/inj.xml", FEED)
        r = fetch1(self.srv.url("/inj.xml"), "--etag", '"x"\r\nX-Evil: 1')
        self.assertEqual(r["result"], "ok", r)
        h = self.srv.requests_for("/inj.xml")[-1]["headers"]
        self.assertNotIn("x-evil", h)
        self.assertNotIn("if-none-match", h)

    def test_404(self):
        r = fetch1(self.srv.url("/nothing-here.xml"))
        self.assertError(r, "HTTP 404", status=404)
        self.assertEqual(r["bytes"], 0)

    def test_503(self):
        self.assertError(fetch1(self.srv.url("/status/503")), "HTTP 503",
                         status=503)

    def test_redirect_chain_followed(self):
        r = fetch1(self.srv.url("/redirect/3"))
        self.assertEqual(r["result"], "ok", r)
        self.assertEqual(r["effective_url"], self.srv.url("/feed.xml"))
        self.assertEqual(r["redirect_status"], 0)
        paths = [q["path"] for q in self.srv.requests]
        self.assertEqual(paths, ["/redirect/3", "/redirect/2", "/redirect/1",
                                 "/redirect/0", "/feed.xml"])

    def test_five_redirects_allowed_six_refused(self):
        r = fetch1(self.srv.url("/redirect/4"))   # 5 hops in all
        self.assertEqual(r["result"], "ok", r)
        r = fetch1(self.srv.url("/redirect/5"))   # 6 hops
        self.assertError(r, "too many redirects (over 5)")

    def test_validators_follow_redirect(self):
        self.srv.put("/r.xml", FEED)
        r1 = fetch1(self.srv.url("/found?to=/r.xml"))
        self.assertEqual(r1["result"], "ok", r1)
        r2 = fetch1(self.srv.url("/found?to=/r.xml"), "--etag", r1["etag"])
        self.assertEqual(r2["result"], "not_modified", r2)

    def test_size_cap(self):
        body = b"x" * 1000
        self.srv.put("/exact.xml", body)
        self.assertEqual(fetch1(self.srv.url("/exact.xml"),
                                "--max", 1000)["result"], "ok")
        r = fetch1(self.srv.url("/exact.xml"), "--max", 999)
        self.assertError(r, "feed too large (over 999 bytes)")
        r = fetch1(self.srv.url("/big/3"), "--max", 1000000)
        self.assertError(r, "feed too large (over 1000000 bytes)")
        self.assertEqual(r["bytes"], 0)

    def test_gzip_counts_decompressed_bytes(self):
        body = b"<rss>" + b"a" * 50000 + b"</rss>"
        self.srv.put("/gz.xml", body, gzip=True)
        r = fetch1(self.srv.url("/gz.xml"))
        self.assertEqual(r["result"], "ok", r)
        self.assertEqual(r["bytes"], len(body))
        self.assertLess(len(gzip.compress(body)), 1000)
        h = self.srv.requests_for("/gz.xml")[-1]["headers"]
        self.assertIn("gzip", h["accept-encoding"])
        # the cap applies after decompression
        r = fetch1(self.srv.url("/gz.xml"), "--max", 20000)
        self.assertError(r, "feed too large (over 20000 bytes)")

    def test_default_user_agent_and_override(self):
        fetch1(self.srv.url("/echo-headers"))
        ua = self.srv.requests[-1]["headers"]["user-agent"]
        self.assertRegex(ua, r"^rss2mail/\S+ \(\+https?://\S+\)$")
        fetch1(self.srv.url("/echo-headers"), "--ua", "Mine/1.0")
        self.assertEqual(self.srv.requests[-1]["headers"]["user-agent"],
                         "Mine/1.0")

    def test_connection_refused(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()           # nobody listens there now
        r = fetch1("http://127.0.0.1:%d/feed.xml" % port)
        self.assertError(r, "connect to 127.0.0.1:%d: Connection refused" %
                         port)

    def test_unsupported_scheme(self):
        self.assertError(fetch1("gopher://127.0.0.1/feed"),
                         "unsupported URL scheme gopher://")
        self.assertError(fetch1("ftp://127.0.0.1/feed", "--allow-local"),
                         "unsupported URL scheme ftp://")

    def test_local_file_only_when_allowed(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "local feed.xml")
            with open(path, "wb") as f:
                f.write(FEED)
            for url in (path, "file://" + path.replace(" ", "%20")):
                r = fetch1(url, "--allow-local")
                self.assertEqual(r["result"], "ok", r)
                self.assertEqual(r["bytes"], len(FEED))
                self.assertEqual(r["status"], 0)
                r = fetch1(url)
                self.assertError(
                    r, "local files are allowed only when configured")
            r = fetch1(path, "--allow-local", "--max", 10)
            self.assertEqual(r["result"], "error")
            self.assertIn("too large", r["err"])
            r = fetch1(os.path.join(d, "missing.xml"), "--allow-local")
            self.assertEqual(r["result"], "error")
            self.assertIn("No such file or directory", r["err"])

    def test_redirect_to_file_refused_even_when_local_allowed(self):
        with tempfile.NamedTemporaryFile(suffix=".xml") as f:
            f.write(FEED)
            f.flush()
            r = fetch1(self.srv.url("/redirect-to?url=file://" + f.name),
                       "--allow-local")
            self.assertError(r, "redirect to file:// refused")

    def test_many_urls_one_result_each(self):
        urls = [self.srv.url("/feed.xml"), self.srv.url("/status/404"),
                self.srv.url("/gone"), self.srv.url("/redirect/1")] * 5
        res = fetchctl(urls)
        self.assertEqual(sorted(r["index"] for r in res), list(range(20)))
        by = {r["index"]: r for r in res}
        for i in range(0, 20, 4):
            self.assertEqual(by[i]["result"], "ok")
            self.assertEqual(by[i + 1]["err"], "HTTP 404")
            self.assertEqual(by[i + 2]["result"], "gone")
            self.assertEqual(by[i + 3]["result"], "ok")


class TestFeedServerFiles(FetchCase):
    def test_serves_a_directory_with_304(self):
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "a.rss"), "wb") as f:
                f.write(FEED)
            with FeedServer(root=d) as srv:
                r1 = fetch1(srv.url("/a.rss"))
                self.assertEqual(r1["result"], "ok", r1)
                self.assertEqual(r1["content_type"], "application/rss+xml")
                r2 = fetch1(srv.url("/a.rss"), "--etag", r1["etag"])
                self.assertEqual(r2["result"], "not_modified")
                r3 = fetch1(srv.url("/../etc/passwd"))
                self.assertEqual(r3["result"], "error")
